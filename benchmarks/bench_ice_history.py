"""Benchmark: read every mirrored ICE snapshot and build (and write) the history tables.

    .venv/bin/python benchmarks/bench_ice_history.py [--workers N] [--repeat R]

Needs the raw files in data/raw (``analysis fetch``). Writes to a temporary folder, never to
data/processed, and records the timings in benchmarks/results/bench_ice_history.json. Target:
under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.ice.history import build_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="reader processes (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs")
    args = parser.parse_args()

    timings = []
    written: dict[str, int] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as out_dir:
            start = time.perf_counter()
            written = build_history(paths.RAW, Path(out_dir), workers=args.workers)
            timings.append(time.perf_counter() - start)
    result = {
        "benchmark": "ice_history",
        "workers": args.workers if args.workers is not None else min(os.cpu_count() or 1, 2),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "runs_s": [round(t, 3) for t in timings],
        "median_s": round(statistics.median(timings), 3),
        "tables": written,
    }
    results = paths.BENCHMARKS / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "bench_ice_history.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"ice history: median {result['median_s']:.2f} s over {args.repeat} runs "
        f"({result['workers']} workers, {os.cpu_count()} cpus); "
        + ", ".join(f"{k} {v:,}" for k, v in written.items())
    )


if __name__ == "__main__":
    main()
