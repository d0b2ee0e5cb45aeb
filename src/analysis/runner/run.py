"""The notebook runner: execute, normalise and render the notebook sequence.

``params.yaml`` lists the notebooks with what each needs (upstream notebooks), reads (input
files) and takes (parameters). A notebook is executed only when its fingerprint changed: the hash
of its source, its parameters, its input files, the package modules its code imports (the
transitive closure of the import graph, :class:`analysis.fingerprint.ImportGraph`), the
renderer, the execution environment and its upstream fingerprints. Editing a module that no
notebook reaches re-executes nothing.

Independent notebooks run in parallel processes, one per core, each with its own kernel
(papermill is not thread-safe) whose BLAS pools have one thread (:mod:`analysis.runner.execute`).
A failing notebook is reported with its cell and the line that raised; its dependants are
skipped, the others still run, and the run ends non-zero. Ctrl-C stops the workers and keeps
the notebooks already finished (:class:`RunInterrupted` says what was pending).

The site's pages that do not depend on the notebooks' results (changes, methods, downloads, the
state pages) are handed to a worker as one more job while the notebooks run, in the same order
as they (:func:`dispatch_order`, by the time the pages took last), or as soon as a worker has no
notebook to execute (:func:`analysis.runner.site_step.build_ahead`); the front page is written
at the end.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import queue
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import yaml

from analysis import paths
from analysis.fingerprint import PACKAGE_DIR, FileReader, ImportGraph, hash_file, notebook_code
from analysis.runner.as_of import parse_as_of
from analysis.runner.execute import (
    EXECUTION_ENV,
    KERNEL,
    RunResult,
    available_cores,
    execute_one,
    init_worker,
    kernel_environment,
    warm_worker_imports,
    without_iri_grammars,
)
from analysis.runner.layout import Layout, NotebookSpec
from analysis.runner.site_step import (
    Ahead,
    build_ahead,
    data_pages_seconds,
    stale_data_pages,
    write_changes,
    write_index,
)

__all__ = ["EXECUTION_ENV", "KERNEL", "Layout", "NotebookSpec", "RunConfigError", "RunInterrupted",
           "RunResult", "execute_one", "load_params", "run_notebooks"]  # fmt: skip
RENDERER = "analysis.runner.render"  # its code and templates shape every report
# Imported by the zygote besides the package modules the run's notebooks reach: the kernel
# itself (what it imports as it starts: its debugger, IPython's history database and magics)
# and what the notebooks' first cells import.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
                  "IPython.core.completerlib", "IPython.core.debugger",
                  "IPython.extensions.storemagic", "psutil", "sqlite3", "tornado.platform.asyncio",
                  "IPython.display", "numpy", "pandas", "matplotlib.pyplot")  # fmt: skip
# What the zygote also loads when a notebook reaches a module: a warm-up (``module:function``,
# memos every kernel would fill: shapes, matplotlib's fonts) or a module imported lazily
# (pyfixest's estimation, with numba, is imported at the first ``feols``: about 2 s a kernel).
KERNEL_WARMUPS = {
    "analysis.geo.shapes": "analysis.geo.shapes:warm",
    "analysis.report.style": "analysis.report.style:warm",
    "analysis.stats.few_cluster": "pyfixest.estimation",
    "analysis.stats.lpm_wild": "pyfixest.estimation",
}


class RunConfigError(ValueError):
    """params.yaml is malformed; the message names the entry and the problem."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: the notebooks that were running and those not started."""

    def __init__(self, running: list[str], waiting: list[str]):
        super().__init__()
        self.running, self.waiting = running, waiting

    def __str__(self) -> str:
        parts = [f"stopped {', '.join(self.running)}"] if self.running else []
        parts += [f"not started {', '.join(self.waiting)}"] if self.waiting else []
        pending = "; ".join(parts) or "nothing pending"
        return f"interrupted: {pending}; finished notebooks are kept"


def load_params(
    path: Path | None = None, notebooks_dir: Path | None = None
) -> tuple[dict[str, Any], list[NotebookSpec]]:
    path = path or paths.PARAMS
    notebooks_dir = notebooks_dir or paths.NOTEBOOKS
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = config.get("defaults", {}) or {}
    specs = []
    for i, entry in enumerate(config.get("notebooks", [])):
        unknown = set(entry) - (set(NotebookSpec.__dataclass_fields__) - {"directory"})
        if unknown or "name" not in entry:
            raise RunConfigError(
                f"{path}: notebooks[{i}]: unknown keys {sorted(unknown)} or no name"
            )
        spec = NotebookSpec(**entry, directory=notebooks_dir)
        hint = spec.typical_seconds
        if isinstance(hint, bool) or not isinstance(hint, int | float) or hint < 0:
            raise RunConfigError(
                f"{path}: notebooks[{i}] ({spec.name}): typical_seconds must be a number of "
                f"seconds >= 0, not {hint!r}"
            )
        if not spec.source.exists():
            raise RunConfigError(f"{path}: notebooks[{i}]: {spec.source} does not exist")
        specs.append(spec)
    names = [s.name for s in specs]
    for spec in specs:
        missing = [n for n in spec.needs if n not in names[: names.index(spec.name)]]
        if missing:
            raise RunConfigError(f"{path}: {spec.name} needs {missing}, not listed before it")
    return defaults, specs


def code_of(spec: NotebookSpec, graph: ImportGraph) -> str:
    """Hash of the package code a notebook runs: the modules its cells import, transitively,
    plus the renderer (and its templates) and the execution environment."""
    modules = graph.closure_of_source(notebook_code(spec.source)) + graph.closure([RENDERER])
    env = json.dumps(EXECUTION_ENV, sort_keys=True)
    return env + graph.fingerprint(modules, extra=[graph.package_dir / "runner" / "templates"])


def fingerprint(
    spec: NotebookSpec,
    parameters: dict[str, Any],
    code: str,
    upstream: list[str],
    read: FileReader | None = None,
) -> str:
    """``read``: one run's reader, so an input several notebooks declare is read once."""
    digest = hashlib.sha256()
    digest.update(spec.source.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(code.encode())
    for item in spec.inputs:
        hash_file(digest, paths.ROOT / item, read)
    for up in upstream:
        digest.update(up.encode())
    return digest.hexdigest()


def declared_parameters(spec: NotebookSpec, cache_dir: Path | None = None) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell (as papermill reads them).

    Kept in ``cache_dir`` by the notebook's hash, so that a run with nothing to do does not
    import papermill.
    """
    source = spec.source.read_bytes()
    key = hashlib.sha256(source).hexdigest()
    cached = cache_dir / "declared-parameters.cache.json" if cache_dir else None
    known = json.loads(cached.read_text()) if cached and cached.exists() else {}
    if key not in known:
        without_iri_grammars()  # papermill imports nbformat, and with it jsonschema
        import papermill

        known[key] = sorted(papermill.inspect_notebook(str(spec.source)))
        if cached:
            cached.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
    return set(known[key])


def notebook_parameters(
    spec: NotebookSpec, defaults: dict[str, Any], layout: Layout, as_of: str | None
) -> dict[str, Any]:
    """The parameters a notebook declares, from the defaults, its own entry and the run.

    Only declared names are passed, so changing a default re-executes only the notebooks that
    use it.
    """
    declared = declared_parameters(spec, layout.state)
    if "output_dir" not in declared:
        raise RunConfigError(
            f"{spec.source.name}: its parameters cell declares no `output_dir` that papermill can "
            "read (papermill cannot parse some inline comments: put comments on their own lines)"
        )
    undeclared = set(spec.parameters) - declared
    if undeclared:
        raise RunConfigError(
            f"params.yaml: {spec.name} sets {sorted(undeclared)}, which its parameters cell "
            "does not declare"
        )
    # Relative to the project root when possible, so executed notebooks do not depend on
    # where the repository is checked out.
    root = layout.root.resolve()
    output_dir = root.relative_to(paths.ROOT) if root.is_relative_to(paths.ROOT) else root
    run_values = {"output_dir": str(output_dir)}
    if as_of is not None:
        run_values["as_of"] = as_of
    merged = {**defaults, **spec.parameters, **run_values}
    return {k: v for k, v in sorted(merged.items()) if k in declared}


def run_notebooks(
    *,
    as_of: str | None = None,
    force: bool = False,
    only: list[str] | None = None,
    workers: int | None = None,
    params_path: Path | None = None,
    notebooks_dir: Path | None = None,
    reports_dir: Path | None = None,
    package_dir: Path | None = None,
    echo: Callable[[str], None] = print,
    status: Callable[[str], None] | None = None,
    warm_kernels: bool = True,
) -> list[RunResult]:
    """Execute the stale notebooks (all with ``force``); one result per notebook, in order.

    ``workers``: notebooks executed at once (default: one per available core). ``echo`` gets
    one line per notebook; ``status``, when given, a changing line of the running notebooks'
    progress (code cells done / total), meant for a terminal. ``warm_kernels``: when more
    notebooks are to run than there are workers, kernels are forked from a zygote that has
    imported their modules once (:mod:`analysis.runner.zygote`).
    """
    if as_of is not None:
        parse_as_of(as_of)
    defaults, specs = load_params(params_path, notebooks_dir)
    if only:
        unknown = set(only) - {s.name for s in specs}
        if unknown:
            raise RunConfigError(f"unknown notebook(s) {sorted(unknown)}")
    layout = Layout.for_run(as_of, reports_dir)
    layout.state.mkdir(parents=True, exist_ok=True)
    # Module edges are kept in the state folder by each file's hash: a run parses only the
    # modules that changed.
    graph = ImportGraph(package_dir or PACKAGE_DIR, cache=layout.state / "import-graph.json")
    read = FileReader()
    prints: dict[str, str] = {}
    results: dict[str, RunResult] = {}
    pending = [s for s in specs if not only or s.name in only]
    running: dict[Future, tuple[NotebookSpec, str]] = {}
    in_run = {s.name for s in pending}
    progress: dict[str, str] = {}
    workers = max(1, workers or available_cores())
    pool: ProcessPoolExecutor | None = None
    progress_queue = None
    zygote = None
    ahead: Ahead | None = None  # the site's data pages, built by a worker during the run
    ahead_decided = False
    site_waiting: str | None = None  # their stamp, while they wait for a worker
    site_key: tuple = ()
    pool_size = 0

    def state_file(name: str) -> Path:
        return layout.state / f"{name}.json"

    def recorded(name: str) -> dict[str, Any]:
        saved = state_file(name)
        return json.loads(saved.read_text()) if saved.exists() else {}

    def recorded_fingerprint(name: str) -> str:
        return recorded(name).get("fingerprint", "")

    def settle(spec: NotebookSpec, result: RunResult, fp: str) -> None:
        results[spec.name] = result
        progress.pop(spec.name, None)
        line = f"[run] {spec.name:28s} {result.status:9s} {result.seconds:6.1f}s"
        echo(line + (f"  {result.message}" if result.message else ""))
        if result.status == "executed":
            record = {"fingerprint": fp, "seconds": round(result.seconds, 1)}
            state_file(spec.name).write_text(json.dumps(record) + "\n")
        show_status()

    def show_status() -> None:
        if status is not None:
            n_waiting = len(pending) + len(ready)
            waiting = f" · {n_waiting} waiting" if n_waiting else ""
            status(" · ".join(f"{n} {p}" for n, p in progress.items()) + waiting)

    def drain_progress() -> None:
        while progress_queue is not None:
            try:
                name, done, total = progress_queue.get_nowait()
            except queue.Empty:
                break
            if name in progress:
                progress[name] = f"{done}/{total}"
        show_status()

    def building_ahead() -> bool:
        return ahead is not None and not ahead.future.done()

    def job_limit() -> int:
        return jobs_at_once(pool_size or workers, zygote is not None and zygote.warming())

    def start_warm(to_run: list[NotebookSpec]) -> None:
        """The zygote, once, when more notebooks are to run than there are workers."""
        nonlocal zygote, zygote_tried
        if not warm_kernels or zygote_tried or len(to_run) <= workers:
            return
        zygote_tried = True
        try:
            zygote = start_zygote(to_run, graph)
        except (OSError, ValueError):  # no zygote: every kernel starts the usual way
            zygote = None

    def start_pool() -> None:
        """The workers (and the zygote, if it has not started yet)."""
        nonlocal pool, progress_queue, pool_size
        to_run = [*(item[0] for item in ready), *pending]
        start_warm(to_run)
        warm_worker_imports()
        progress_queue = multiprocessing.Queue()
        pool_size = min(workers, len(to_run))
        pool = ProcessPoolExecutor(
            max_workers=pool_size,
            initializer=init_worker,
            initargs=(progress_queue, zygote.address if zygote else None),
        )

    def submit(spec: NotebookSpec, params: dict[str, Any], fp: str) -> None:
        running[pool.submit(execute_one, spec, params, layout)] = (spec, fp)
        progress[spec.name] = "started"

    ready: list[tuple[NotebookSpec, dict[str, Any], str]] = []  # stale, waiting for a worker
    urgency = dispatch_order(pending, {s.name: recorded(s.name).get("seconds", 0) for s in pending})
    zygote_tried = False
    try:
        # A notebook with no recorded fingerprint (or any, with ``force``) will run for sure:
        # when they outnumber the workers, the zygote starts importing now, beside the
        # fingerprints.
        start_warm([s for s in pending if force or not recorded_fingerprint(s.name)])
        while pending or running or ready or building_ahead():
            progressed = False
            for spec in list(pending):
                if any(n in in_run and n not in results for n in spec.needs):
                    continue  # an upstream notebook of this run has not finished
                upstream_status = [results[n] for n in spec.needs if n in results]
                pending.remove(spec)
                progressed = True
                bad = [r.name for r in upstream_status if r.status in ("failed", "skipped")]
                if bad:
                    settle(spec, RunResult(spec.name, "skipped", 0, f"upstream failed: {bad}"), "")
                    continue
                params = notebook_parameters(spec, defaults, layout, as_of)
                upstream = [prints.get(n) or recorded_fingerprint(n) for n in spec.needs]
                fp = fingerprint(spec, params, code_of(spec, graph), upstream, read)
                prints[spec.name] = fp
                outputs_exist = (layout.html / f"{spec.name}.html").exists()
                if not force and outputs_exist and recorded_fingerprint(spec.name) == fp:
                    settle(spec, RunResult(spec.name, "unchanged"), fp)
                    continue
                ready.append((spec, params, fp))
            # Only as many notebooks as workers are handed out, the most urgent first, so a
            # notebook that becomes ready late (one with upstreams) does not queue behind all.
            # The site's data pages are one more job in that order, decided once the pool runs.
            if pool is None and ready:
                start_pool()
            while len(running) + building_ahead() < job_limit():
                if pool is not None and not ahead_decided:
                    ahead_decided = True
                    site_waiting = stale_data_pages(specs, layout, as_of, graph, read)
                    site_key = (True, -data_pages_seconds(layout), len(specs))
                ready.sort(key=lambda item: urgency[item[0].name])
                first = not ready or site_key < urgency[ready[0][0].name]
                if site_waiting and (first or zygote is not None and zygote.warming()):
                    future = pool.submit(build_ahead, layout, as_of, site_waiting)
                    ahead, site_waiting = Ahead(site_waiting, future), None
                elif ready:
                    submit(*ready.pop(0))
                else:
                    break
                progressed = True
            if (running or building_ahead()) and not progressed:
                site = [ahead.future] if building_ahead() else []
                done, _ = wait([*running, *site], timeout=0.25, return_when=FIRST_COMPLETED)
                drain_progress()
                for future in done:
                    if future not in running:  # the site's data pages: see write_index
                        continue
                    spec, fp = running.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # the worker process itself failed
                        result = RunResult(spec.name, "failed", 0, f"{type(exc).__name__}: {exc}")
                    settle(spec, result, fp)
            elif not running and not building_ahead() and not progressed and pending:
                raise RunConfigError(f"cannot order notebooks {[s.name for s in pending]}")
    except KeyboardInterrupt:
        stopped = [spec.name for spec, _ in running.values()]
        stop_workers(pool)
        pool = None  # already shut down, without waiting on the stopped workers
        for name in stopped:
            (layout.executed / f".{name}.running.ipynb").unlink(missing_ok=True)
        waiting = [spec.name for spec, _, _ in ready] + [s.name for s in pending]
        raise RunInterrupted(stopped, waiting) from None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if zygote is not None:
            zygote.close()
        graph.save()

    ordered = [results[s.name] for s in specs if s.name in results]
    if ahead is None:  # the change log first: the front page links it only if it exists
        write_changes(layout, as_of, echo, read)
    write_index(specs, ordered, layout, as_of, echo, graph, read, ahead)
    graph.save()
    return ordered


def start_zygote(specs: list[NotebookSpec], graph: ImportGraph):
    """The run's kernel zygote, warm with the package modules the notebooks reach."""
    from analysis.runner.kernels import Zygote, kernel_argv

    # The kernel's own modules load while the import graph is read (cold, a good half second).
    zygote = Zygote(kernel_argv(KERNEL), list(KERNEL_MODULES), kernel_environment(), more=True)
    try:
        reached = sorted(
            {m for s in specs for m in graph.closure_of_source(notebook_code(s.source))}
        )
        warmups = sorted({KERNEL_WARMUPS[m] for m in reached if m in KERNEL_WARMUPS})
        zygote.also_load([*reached, *warmups])
    except BaseException:
        zygote.close()
        raise
    return zygote


def jobs_at_once(workers: int, zygote_warming: bool) -> int:
    """Jobs handed out at once: one per worker, but one core is left to the zygote while it
    imports (the site's pages, which need no kernel, go first then, and no more than one kernel
    starts cold beside it)."""
    return max(1, workers - 1) if zygote_warming else workers


def dispatch_order(specs: list[NotebookSpec], seconds: dict[str, float]) -> dict[str, tuple]:
    """Sort key per notebook for handing out workers: first those another notebook of the run
    needs (they gate it), then the longest (a long notebook started last would finish alone) by
    their last recorded run, else by their ``typical_seconds`` in params.yaml, then the order
    of params.yaml."""
    needed = {n for s in specs for n in s.needs}
    return {
        s.name: (s.name not in needed, -(seconds.get(s.name) or s.typical_seconds), i)
        for i, s in enumerate(specs)
    }


def stop_workers(pool: ProcessPoolExecutor | None) -> None:
    """End this run's worker processes (their kernels exit when their parent is gone)."""
    if pool is None:
        return
    pool.shutdown(wait=False, cancel_futures=True)
    for process in multiprocessing.active_children():
        process.terminate()
    for process in multiprocessing.active_children():
        process.join(timeout=5)
        if process.is_alive():  # still shutting its kernel down: the exit must not wait on it
            process.kill()
            process.join(timeout=5)
