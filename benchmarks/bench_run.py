"""Benchmark: the cold full run, the warm no-op run, and a plain serial papermill + nbconvert loop.

    .venv/bin/python benchmarks/bench_run.py

Needs the raw files in data/raw (``analysis fetch``). Everything is written to a temporary
folder (processed tables and reports), never to data/processed or reports/. Records timings in
benchmarks/results/bench_run.json. Targets: cold full run under 90 s; warm run under 3 s.

- cold: every build stage from the raw files, then every notebook executed (2 workers),
  normalised and rendered;
- warm: the same ``analysis run`` again with nothing changed (no notebook re-executed);
- serial: for comparison, each notebook executed by papermill and rendered by nbconvert one
  after the other, without the runner (no parallelism, no normalisation, no skipping).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock

from analysis import paths
from analysis.build.stages import STAGES
from analysis.runner.run import EXECUTION_ENV, load_params, run_notebooks


def timed(label: str, func) -> float:
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    print(f"{label:10s} {seconds:7.1f} s")
    return seconds


def build_all(out_dir: Path) -> None:
    for stage in STAGES.values():
        stage(paths.RAW, out_dir)


def serial_loop(reports: Path, processed: Path) -> None:
    import papermill

    _, specs = load_params()
    reports.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        executed = reports / f"{spec.name}.ipynb"
        papermill.execute_notebook(
            str(spec.source), str(executed), kernel_name="python3", cwd=str(paths.ROOT),
            parameters={"output_dir": str(reports)}, progress_bar=False,
        )  # fmt: skip
        subprocess.run(
            [str(Path(os.sys.executable).parent / "jupyter"), "nbconvert", "--to", "html",
             "--no-input", str(executed)],
            check=True, capture_output=True,
        )  # fmt: skip


def main() -> None:
    os.environ.update(EXECUTION_ENV)
    results = {"machine": platform.platform(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        processed = tmp / "processed"
        # Notebooks read processed tables through analysis.io, which follows paths.PROCESSED;
        # point it (in this process and in the kernels, via the environment) at the scratch copy.
        os.environ["ANALYSIS_PROCESSED_DIR"] = str(processed)
        with mock.patch.object(paths, "PROCESSED", processed):

            def cold():
                build_all(processed)
                run_notebooks(reports_dir=tmp / "reports", force=True, echo=lambda m: None)

            results["cold_full_run_s"] = timed("cold", cold)
            results["warm_noop_run_s"] = timed(
                "warm", lambda: run_notebooks(reports_dir=tmp / "reports", echo=lambda m: None)
            )
            results["serial_papermill_nbconvert_s"] = timed(
                "serial", lambda: serial_loop(tmp / "serial", processed)
            )
    out = paths.BENCHMARKS / "results" / "bench_run.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
