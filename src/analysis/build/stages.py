"""The build stages, in data-flow order: the one list that ``analysis build`` runs.

Each stage function takes (raw_dir, out_dir), writes its processed tables and returns
{table name: row count}. A stage is named here by ``module:function`` and imported only when it
runs (a no-op build imports none of them), with the stages whose outputs it reads (its
fingerprint covers those outputs, nothing else upstream) and, optionally, a ``prepare(raw_dir)``
that loads what the stage needs from the raw files alone.

Two stages run at once when they can: a stage that reads an earlier stage's outputs and has a
``prepare`` (locate) runs in a second process, which prepares while the earlier stage builds,
then builds as soon as that stage's outputs are written; meanwhile this process goes on with
the stages that read neither (covariates). The messages still come in data-flow order, the
outputs are the same bytes as a serial build (each stage is deterministic and writes its own
files), and an error is raised in this process, the earliest stage's first.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.build import cache
from analysis.errors import UserError

Stage = Callable[[Path, Path], dict[str, int]]


@dataclass(frozen=True)
class LazyStage:
    """A stage function named by ``module:function``, imported on first call."""

    target: str
    reads: tuple[str, ...] = ()  # stages whose outputs it reads
    prepare: str | None = None  # ``function`` of the same module: raw_dir -> None

    @property
    def module(self) -> str:
        return self.target.split(":")[0]

    def _function(self, name: str):
        return getattr(importlib.import_module(self.module), name)

    def __call__(self, raw_dir: Path, out_dir: Path) -> dict[str, int]:
        return self._function(self.target.split(":")[1])(raw_dir, out_dir)

    def prepared(self, raw_dir: Path) -> None:
        if self.prepare:
            self._function(self.prepare)(raw_dir)


STAGES: dict[str, Stage] = {
    "ice": LazyStage("analysis.ice.history:build_history"),
    "locate": LazyStage("analysis.locate.build:build_locations", reads=("ice",), prepare="prepare"),
    "covariates": LazyStage("analysis.covariates.build:build_county_covariates"),
}

PARALLEL = True
"""Run a preparable stage in a second process (False: everything here, in order)."""


def _module(stage) -> str | None:
    if isinstance(stage, LazyStage):
        return stage.module
    return getattr(getattr(stage, "func", stage), "__module__", None)


def _reads(stage) -> tuple[str, ...] | None:
    """The stages whose outputs ``stage`` reads; None: any stage before it may be read."""
    return stage.reads if isinstance(stage, LazyStage) else None


# ---------------------------------------------------------------------------------------------
# The second process


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _apart(conn, stage: LazyStage, raw_dir: Path, out_dir: Path) -> None:
    """Prepare ``stage``, wait for the word, build it, send (kind, payload, seconds)."""
    # Stopped by the parent with SIGTERM: unwind, so a table being written is not left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(Exception):  # the stage meets (and reports) the same error
            stage.prepared(raw_dir)
        if not conn.recv():
            return
        start = time.perf_counter()
        written = stage(raw_dir, out_dir)
        conn.send(("ok", written, time.perf_counter() - start))
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # noqa: BLE001 - sent back and raised in the parent
        try:
            conn.send(("error", exc, traceback.format_exc()))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            conn.send(("error", RuntimeError(traceback.format_exc()), ""))
    finally:
        conn.close()


class Apart:
    """A stage built in a forked process (started early so it can prepare)."""

    def __init__(self, name: str, stage: LazyStage, raw_dir: Path, out_dir: Path):
        self.name = name
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_apart, args=(child, stage, raw_dir, out_dir), name=f"build-{name}"
        )
        self.process.start()
        child.close()
        self.started = False

    def go(self) -> None:
        self.conn.send(True)
        self.started = True

    def result(self) -> dict[str, int] | tuple:
        """(written, seconds) of the stage; raises its error."""
        try:
            kind, payload, extra = self.conn.recv()
        except EOFError:
            raise RuntimeError(
                f"build {self.name}: its process ended without a result "
                f"(exit code {self.process.exitcode})"
            ) from None
        finally:
            self.process.join()
        if kind == "error":
            if extra and not isinstance(payload, UserError):
                payload.add_note(f"in the build-{self.name} process:\n{extra}")
            raise payload
        return payload, extra

    def stop(self) -> None:
        if self.process.is_alive():
            if not self.started:
                with contextlib.suppress(OSError):
                    self.conn.send(False)
                self.process.join(5)
            if self.process.is_alive():
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.conn.close()


# ---------------------------------------------------------------------------------------------
# The build


def build(
    names: Iterable[str], raw_dir: Path, out_dir: Path, *, force: bool = False, echo=print
) -> None:
    """Run the named stages (all when empty) in data-flow order, skipping current ones.

    A stage is current when its stamp's fingerprint matches (inputs, the code its module
    reaches, the outputs of the stages it reads) and every output it recorded still has the
    recorded sha256; an output missing, altered or unreadable is named and the stage rebuilt.
    """
    names = list(names)
    unknown = [s for s in names if s not in STAGES]
    if unknown:
        raise UserError(f"unknown stage(s) {unknown}; choose from {list(STAGES)}")
    selected = [n for n in STAGES if not names or n in names]
    prints = cache.Fingerprints(raw_dir, out_dir)
    outputs: dict[str, dict[str, str]] = {n: cache.recorded_outputs(out_dir, n) for n in STAGES}
    modules = {n: _module(STAGES[n]) for n in selected}
    own = {n: prints.inputs([modules[n]] if modules[n] else None) for n in selected}
    problems = {n: cache.stale_outputs(out_dir, n) for n in selected}

    def fingerprint(name: str) -> str:
        reads = _reads(STAGES[name])
        before = list(STAGES)[: list(STAGES).index(name)] if reads is None else reads
        upstream: dict[str, str] = {}
        for earlier in before:
            upstream |= outputs.get(earlier, {})
        return cache.chained(own[name], upstream)

    def current(name: str) -> bool:
        stamp = cache.read_stamp(out_dir, name)
        return (
            not force
            and not problems[name]
            and bool(stamp.get("outputs"))
            and stamp.get("fingerprint") == fingerprint(name)
        )

    apart = _plan_apart(selected, current, raw_dir, out_dir)
    held: list[Callable[[], None]] = []  # lines held back until the other process reports
    say = _Say(echo, held)
    try:
        for name in selected:
            stage = STAGES[name]
            if apart is not None and name == apart.name:
                if current(name):  # the stages it reads came out the same
                    apart.stop()
                    apart = None
                    say(f"build {name}: unchanged")
                    continue
                for problem in problems[name]:
                    say(f"build {name}: {problem}; rebuilding")
                fp = fingerprint(name)
                apart.go()
                held.append(_finish_apart(apart, fp, outputs, out_dir, echo))
                continue
            reads = _reads(stage)
            if held and (reads is None or (apart is not None and apart.name in reads)):
                say.flush()  # it reads what the other process is building
            if current(name):
                say(f"build {name}: unchanged")
                continue
            for problem in problems[name]:
                say(f"build {name}: {problem}; rebuilding")
            fp = fingerprint(name)
            start = time.perf_counter()
            written = stage(raw_dir, out_dir)
            outputs[name] = cache.record(out_dir, name, fp, written)
            say(_built(name, written, time.perf_counter() - start))
        say.flush()
    except Exception:
        say.flush()  # the stage building elsewhere comes first (its error, if any, wins)
        raise
    finally:
        if apart is not None:
            apart.stop()
        prints.save()


def _built(name: str, written: dict[str, int], seconds: float) -> str:
    tables = ", ".join(f"{t} ({n:,} rows)" for t, n in written.items())
    return f"build {name}: {tables} in {seconds:.1f}s"


class _Say:
    """Print a line now, or after the lines of a stage still building in the other process."""

    def __init__(self, echo, held: list):
        self.echo, self.held = echo, held

    def __call__(self, line: str) -> None:
        if self.held:
            self.held.append(lambda: self.echo(line))
        else:
            self.echo(line)

    def flush(self) -> None:
        """Wait for the other process and print everything held back, in order."""
        try:
            while self.held:
                self.held.pop(0)()
        finally:
            self.held.clear()


def _finish_apart(apart: Apart, fp: str, outputs: dict, out_dir: Path, echo):
    def finish() -> None:
        written, seconds = apart.result()
        outputs[apart.name] = cache.record(out_dir, apart.name, fp, written)
        echo(_built(apart.name, written, seconds))

    return finish


def _plan_apart(selected, current, raw_dir: Path, out_dir: Path) -> Apart | None:
    """Start the second process for the first preparable stage that (likely) needs building
    while an earlier stage is built here, or None."""
    if not PARALLEL:
        return None
    for i, name in enumerate(selected):
        stage = STAGES[name]
        if not isinstance(stage, LazyStage) or not stage.prepare or not stage.reads:
            continue
        earlier = [n for n in selected[:i] if n in stage.reads]
        if earlier and any(not current(n) for n in earlier):
            return Apart(name, stage, raw_dir, out_dir)
        return None
    return None
