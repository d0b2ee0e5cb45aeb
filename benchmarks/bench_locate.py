"""Time placing every agency row of every snapshot in its county (target: under 5 s).

    .venv/bin/python benchmarks/bench_locate.py [--repeat N]

Reads ``data/processed/agreements_history.parquet`` (run ``analysis build ice`` first) and
places every participating row of every snapshot (state, agency name, COUNTY, TYPE as that row
gives them; identical rows are matched once, as the build does per agency) with
:func:`analysis.locate.locate_agency`. Each run builds the crosswalks afresh (cache cleared) and
counts that time. Prints each run and the median; exits 1 if the median is over the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

TARGET_SECONDS = 5.0


def run_once(rows, raw_dir) -> tuple[float, float, int]:
    from analysis.locate import crosswalks, locate_agency

    crosswalks._cached.cache_clear()
    start = time.perf_counter()
    cw = crosswalks.load_crosswalks(raw_dir)
    loaded = time.perf_counter()
    placed = 0
    for state, agency, county, agency_type in rows:
        loc = locate_agency(agency, state, county, agency_type=agency_type, crosswalks=cw)
        placed += loc.county_fips is not None
    end = time.perf_counter()
    return end - start, loaded - start, placed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="number of timed runs (default 3)")
    parser.add_argument(
        "--every-row", action="store_true", help="match all rows, not only the distinct ones"
    )
    args = parser.parse_args(argv)

    from analysis import paths
    from analysis.io import read_table

    history = read_table("agreements_history")
    cols = ["state", "agency", "county_ice", "agency_type"]
    frame = history[cols].astype(object).where(history[cols].notna(), None)
    all_rows = list(frame.itertuples(index=False, name=None))
    rows = (
        all_rows
        if args.every_row
        else sorted(set(all_rows), key=lambda r: tuple("" if x is None else x for x in r))
    )
    runs = [run_once(rows, paths.RAW) for _ in range(args.repeat)]
    for i, (seconds, load, placed) in enumerate(runs, start=1):
        print(
            f"run {i}: {seconds:.2f} s (crosswalks {load:.2f} s; {placed:,} of {len(rows):,} "
            "distinct rows placed)"
        )
    median = statistics.median(r[0] for r in runs)
    print(
        f"{len(all_rows):,} rows of {history['snapshot_date'].nunique()} snapshots = "
        f"{len(set(all_rows)):,} distinct (state, agency, COUNTY, TYPE) rows; matched "
        f"{len(rows):,}"
    )
    print(f"median: {median:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
