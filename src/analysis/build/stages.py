"""The build stages, in data-flow order: the one list that ``analysis build`` runs.

Each stage function takes (raw_dir, out_dir), writes its processed tables and returns
{table name: row count}. A stage is named here by ``module:function`` and imported only when it
runs (a no-op build imports none of them), with the stages whose outputs it reads (its
fingerprint covers those outputs, nothing else upstream) and, optionally, a ``prepare(raw_dir)``
that loads what the stage needs from the raw files alone.

Two stages run at once when they can: a stage that reads an earlier stage's outputs and has a
``prepare`` (locate) runs in a second process, which prepares while the earlier stage builds,
then builds as soon as that stage's outputs are written; meanwhile this process goes on with
the stages that read neither (covariates). Before it prepares, that process runs the errands of
a ``helped`` stage built here (ICE hands it the first part of the spreadsheets to read, while it
imports its table code and reads the rest). The messages still come in data-flow order, the
outputs are the same bytes as a serial build (each stage is deterministic and writes its own
files), and an error is raised in this process, the earliest stage's first.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
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
    helped: bool = False  # the function takes ``helper=`` (an :class:`Apart` to run errands)

    @property
    def module(self) -> str:
        return self.target.split(":")[0]

    def _function(self, name: str):
        return getattr(importlib.import_module(self.module), name)

    def __call__(self, raw_dir: Path, out_dir: Path, helper=None) -> dict[str, int]:
        function = self._function(self.target.split(":")[1])
        if helper is not None:
            return function(raw_dir, out_dir, helper=helper)
        return function(raw_dir, out_dir)

    def prepared(self, raw_dir: Path) -> None:
        if self.prepare:
            self._function(self.prepare)(raw_dir)


STAGES: dict[str, Stage] = {
    "ice": LazyStage("analysis.ice.stage:build_ice", helped=True),
    "locate": LazyStage("analysis.locate.build:build_locations", reads=("ice",), prepare="prepare"),
    "covariates": LazyStage("analysis.covariates.build:build_county_covariates"),
}

PARALLEL = True
"""Run a preparable stage in a second process (False: everything here, in order)."""


def _module(stage) -> str | None:
    if isinstance(stage, LazyStage):
        return stage.module
    return getattr(getattr(stage, "func", stage), "__module__", None)


def _helped(stage) -> bool:
    return isinstance(stage, LazyStage) and stage.helped


def _reads(stage) -> tuple[str, ...] | None:
    """The stages whose outputs ``stage`` reads; None: any stage before it may be read."""
    return stage.reads if isinstance(stage, LazyStage) else None


# ---------------------------------------------------------------------------------------------
# The second process


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _call(target: str, args: tuple):
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)(*args)


def _errand(target: str, args: tuple) -> bytes:
    """The pickled reply to an errand: ("ran", value, "") or ("error", exception, traceback)."""
    try:
        reply = ("ran", _call(target, args), "")
    except Exception as exc:  # noqa: BLE001 - sent back and raised in the parent
        reply = ("error", exc, traceback.format_exc())
    try:
        return ForkingPickler.dumps(reply)
    except Exception:  # noqa: BLE001 - a value or an exception that cannot be pickled
        return ForkingPickler.dumps(("error", RuntimeError(traceback.format_exc()), ""))


def _apart(conn, stage: LazyStage, raw_dir: Path, out_dir: Path) -> None:
    """Run the errands the parent sends, prepare ``stage`` when told, wait for the word, build
    it, send (kind, payload, seconds)."""
    # Stopped by the parent with SIGTERM: unwind, so a table being written is not left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    sending: threading.Thread | None = None  # an errand's reply, sent while this goes on
    try:
        while True:
            message = conn.recv()
            if message[0] == "run":
                if sending is not None:
                    sending.join()
                reply = _errand(*message[1:])
                sending = threading.Thread(target=conn.send_bytes, args=(reply,), daemon=True)
                sending.start()
            elif message[0] == "prepare":
                with contextlib.suppress(Exception):  # the stage meets (and reports) the error
                    stage.prepared(raw_dir)
            elif message[0] == "go":
                break
            else:
                return
        if sending is not None:
            sending.join()
        start = time.perf_counter()
        written = stage(raw_dir, out_dir)
        conn.send(("ok", written, time.perf_counter() - start))
    except KeyboardInterrupt:
        pass
    except BaseException as exc:  # noqa: BLE001 - sent back and raised in the parent
        if sending is not None:
            sending.join()
        try:
            conn.send(("error", exc, traceback.format_exc()))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            conn.send(("error", RuntimeError(traceback.format_exc()), ""))
    finally:
        conn.close()


class Apart:
    """A stage built in a forked process (started early so it can prepare). Before it prepares,
    the process runs the errands of the stages built here (:meth:`run`)."""

    def __init__(self, name: str, stage: LazyStage, raw_dir: Path, out_dir: Path, *, helping=False):
        self.name = name
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_apart, args=(child, stage, raw_dir, out_dir), name=f"build-{name}"
        )
        self.process.start()
        child.close()
        self.started = False
        self.prepared = False
        self.replies: list[tuple] = []  # errands' replies received, in the order sent
        self.sent = 0  # errands sent
        if not helping:
            self.prepare()

    def prepare(self) -> None:
        """Tell the process to prepare its stage (once; after the errands sent so far)."""
        if not self.prepared:
            self.conn.send(("prepare",))
            self.prepared = True

    def run(self, target: str, *args) -> Errand:
        """Call ``module:function`` with ``args`` in the other process, which then prepares its
        own stage; the errand's ``result()`` waits for the value (or raises its error)."""
        self.conn.send(("run", target, args))
        self.sent += 1
        self.prepare()
        return Errand(self, self.sent - 1)

    def go(self) -> None:
        self.prepare()
        self.conn.send(("go",))
        self.started = True

    def _receive(self) -> tuple:
        try:
            return self.conn.recv()
        except EOFError:
            self.process.join()
            raise RuntimeError(
                f"build {self.name}: its process ended without a result "
                f"(exit code {self.process.exitcode})"
            ) from None

    def _raise(self, payload: BaseException, extra: str):
        if extra and not isinstance(payload, UserError):
            payload.add_note(f"in the build-{self.name} process:\n{extra}")
        raise payload

    def reply(self, index: int):
        """The value of errand ``index`` (raises its error)."""
        while len(self.replies) <= index:
            self.replies.append(self._receive())
        kind, payload, extra = self.replies[index]
        if kind == "error":
            self._raise(payload, extra)
        return payload

    def result(self) -> dict[str, int] | tuple:
        """(written, seconds) of the stage; raises its error."""
        try:
            while len(self.replies) < self.sent:  # replies no one asked for
                self.replies.append(self._receive())
            kind, payload, extra = self._receive()
        finally:
            self.process.join()
        if kind == "error":
            self._raise(payload, extra)
        return payload, extra

    def stop(self) -> None:
        if self.process.is_alive():
            if not self.started:
                with contextlib.suppress(OSError):
                    self.conn.send(("stop",))
                self.process.join(5)
            if self.process.is_alive():
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.conn.close()


@dataclass(frozen=True)
class Errand:
    """Work handed to the second process: ``result()`` is its return value."""

    apart: Apart
    index: int

    def result(self):
        return self.apart.reply(self.index)


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
            if _helped(stage) and apart is not None and not apart.started:
                written = stage(raw_dir, out_dir, helper=apart)  # the other process may help
                apart.prepare()
            else:
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
            built_here = [STAGES[n] for n in selected[:i] if not current(n)]
            helping = any(_helped(s) for s in built_here)
            return Apart(name, stage, raw_dir, out_dir, helping=helping)
        return None
    return None
