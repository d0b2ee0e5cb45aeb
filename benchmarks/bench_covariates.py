"""Time building the county covariate tables from the raw files (target: under 10 s).

    .venv/bin/python benchmarks/bench_covariates.py [--repeat N]

Each run reads every raw file afresh (the county-list cache is cleared), assembles and
validates all tables and writes them (Parquet + CSV) to a temporary folder. Prints each run and
the median; exits 1 if the median is over the target. Needs the raw files in data/raw (run
``analysis fetch`` first).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0


def run_once(raw_dir: Path) -> float:
    from analysis.covariates.build import build_county_covariates
    from analysis.geo.counties import _county_list_cached

    _county_list_cached.cache_clear()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        build_county_covariates(raw_dir, Path(out))
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="number of timed runs (default 3)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import analysis.covariates.build  # noqa: F401  (pandas, pandera, pyarrow: timed apart)
    from analysis import paths

    import_seconds = time.perf_counter() - start
    times = [run_once(paths.RAW) for _ in range(args.repeat)]
    median = statistics.median(times)
    print(f"imports: {import_seconds:.2f} s")
    for i, seconds in enumerate(times, start=1):
        print(f"run {i}: {seconds:.2f} s")
    print(f"median build of the covariate tables: {median:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
