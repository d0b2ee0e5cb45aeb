"""Executing one notebook in a worker process: its kernel, its progress, its failure message.

Each worker runs one kernel at a time. The execution environment (:data:`EXECUTION_ENV`) is
fixed, including the size of the kernel's BLAS and OpenMP thread pools: one thread each. With
one worker per core, workers × threads never exceeds the cores, and a result never depends on
how many threads a machine would have given a reduction (BLAS sums in a different order with a
different number of threads, which can change the last bits of an estimate).

The kernel's own log lines (the TCP-transport warning ipykernel prints at start, the
"KeyboardInterrupt caught in kernel" it prints when papermill interrupts it before shutting it
down) are not results: they are filtered out of the kernel's stderr; anything else it writes
there is passed on. Terminal Ctrl-C reaches only the runner (workers ignore SIGINT, kernels run
in their own session); the runner stops the workers itself.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from analysis import paths

KERNEL = "python3"
THREADS_PER_KERNEL = 1
EXECUTION_ENV = {
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "1735689600",  # 2025-01-01: fixed dates in any PDF/PS output
    "SM_FORMULA_ENGINE": "patsy",  # one statsmodels formula engine for every run
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "OPENBLAS_NUM_THREADS": str(THREADS_PER_KERNEL),
    "OMP_NUM_THREADS": str(THREADS_PER_KERNEL),
    "MKL_NUM_THREADS": str(THREADS_PER_KERNEL),
}
KERNEL_NOISE = (
    "Kernel is running over TCP without encryption",
    "KeyboardInterrupt caught in kernel",
)
ENGINE = "atlas-progress"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_progress_queue = None  # set in each worker by init_worker
_current_notebook = ""  # the notebook this worker is executing


@dataclass
class RunResult:
    name: str
    status: str  # executed | unchanged | failed | skipped
    seconds: float = 0.0
    message: str = ""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def kernel_environment() -> dict[str, str]:
    """The environment a kernel of this run starts with (as jupyter_client passes it on)."""
    env = {**os.environ, **EXECUTION_ENV}
    env.pop("PYTHONEXECUTABLE", None)
    return env


def init_worker(progress_queue, zygote_address: str | None = None) -> None:
    """Worker start: ignore terminal Ctrl-C (the runner stops workers), report progress, take
    kernels from the run's zygote when there is one."""
    global _progress_queue
    from analysis.runner.kernels import use_zygote

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    without_iri_grammars()
    _progress_queue = progress_queue
    os.environ.update(EXECUTION_ENV)
    use_zygote(zygote_address)
    _register_engine()


def without_iri_grammars() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process.

    jupyter-events pulls it in, and jsonschema imports it whenever it is installed: at import
    it compiles some 30 Earley grammars, about 3 s of CPU in every process that imports
    papermill or nbformat. Notebook schemas check no IRI format, so nothing is lost:
    jsonschema's format checker just goes without the IRI checks (its import is optional).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def warm_worker_imports() -> None:
    """Import here what every worker needs before its first notebook (papermill, the renderer's
    compiled templates), when workers are forked from this process: once, not once per worker."""
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        return
    without_iri_grammars()
    import papermill  # noqa: F401

    from analysis.runner.render import warm_renderer

    warm_renderer()


def _register_engine() -> None:
    from papermill.engines import NBClientEngine, papermill_engines

    class ProgressEngine(NBClientEngine):
        """papermill's nbclient engine, reporting (notebook, code cells done, total)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            name = _current_notebook
            total = sum(cell.cell_type == "code" for cell in nb_man.nb.cells)
            complete = nb_man.cell_complete
            done = 0

            def cell_complete(cell, cell_index=None, **kw):
                nonlocal done
                complete(cell, cell_index=cell_index, **kw)
                if cell.cell_type == "code" and _progress_queue is not None:
                    done += 1
                    _progress_queue.put((name, done, total))

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(ENGINE, ProgressEngine)


@contextmanager
def filtered_stderr():
    """Point fd 2 (inherited by the kernel) at a scratch file; afterwards pass on every line
    that is not kernel noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            scratch.seek(0)
            for line in scratch.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not any(noise in line for noise in KERNEL_NOISE):
                    sys.stderr.write(line)
            sys.stderr.flush()


def describe_failure(exc) -> str:
    """'cell N line L ('the line that raised'): Error: message', from papermill's error.

    The line comes from the traceback's frame in the cell itself (IPython names it
    ``Cell In[k], line L``); when the error was raised inside the package, its file and line
    are added.
    """
    trace = ANSI_ESCAPE.sub("", "\n".join(exc.traceback or []))
    source = str(exc.source).splitlines()
    match = re.search(r"Cell In\[\d+\], line (\d+)", trace)
    number = int(match.group(1)) if match else 0
    if 1 <= number <= len(source):
        where = f"cell {exc.cell_index} line {number} ({source[number - 1].strip()[:80]!r})"
    else:
        first = next((line.strip() for line in source if line.strip()), "")
        where = f"cell {exc.cell_index} ({first[:80]!r})"
    inside = re.findall(r"File \S*?(analysis/[\w/]+\.py):(\d+)", trace)
    if inside:
        where += f" in {inside[-1][0]}:{inside[-1][1]}"
    message = (str(exc.evalue).strip().splitlines() or [""])[0][:300]
    return f"{where}: {exc.ename}: {message}"


def execute_one(spec, parameters: dict[str, Any], layout) -> RunResult:
    """Execute one notebook in its own kernel; write its normalised copy and HTML on success."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.runner.kernels import ForkingKernelManager
    from analysis.runner.render import error_outputs, normalize, render_html

    global _current_notebook
    _current_notebook = spec.name
    os.environ.update(EXECUTION_ENV)
    start = time.perf_counter()
    for folder in (layout.executed, layout.html, layout.figures, layout.tables):
        folder.mkdir(parents=True, exist_ok=True)
    scratch = layout.executed / f".{spec.name}.running.ipynb"
    failure = ""
    try:
        with filtered_stderr():
            papermill.execute_notebook(
                str(spec.source),
                str(scratch),
                parameters=parameters,
                kernel_name=KERNEL,
                engine_name=ENGINE if _progress_queue is not None else None,
                cwd=str(paths.ROOT),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=1800,
                kernel_manager_class=ForkingKernelManager,
                # Every output has arrived when the last cell is done: the kernel is killed
                # rather than asked to shut down and polled every 0.1 s until it has.
                shutdown_kernel="immediate",
            )
    except PapermillExecutionError as exc:
        failure = describe_failure(exc)
    except Exception as exc:  # kernel died, timeout, bad parameters: still a per-notebook failure
        failure = f"{type(exc).__name__}: {exc}"
    try:
        if not scratch.exists():
            return RunResult(spec.name, "failed", time.perf_counter() - start, failure)
        nb = normalize(nbformat.read(scratch, as_version=4), spec.title)
        errors = error_outputs(nb)
        if failure or errors:
            failed_copy = layout.executed / f"{spec.name}.failed.ipynb"
            nbformat.write(nb, failed_copy)
            detail = failure or "; ".join(f"cell {i}: {e}" for i, e in errors)
            return RunResult(spec.name, "failed", time.perf_counter() - start, detail)
        nbformat.write(nb, layout.executed / f"{spec.name}.ipynb")
        (layout.html / f"{spec.name}.html").write_text(render_html(nb), encoding="utf-8")
        (layout.executed / f"{spec.name}.failed.ipynb").unlink(missing_ok=True)
        return RunResult(spec.name, "executed", time.perf_counter() - start)
    finally:
        scratch.unlink(missing_ok=True)
