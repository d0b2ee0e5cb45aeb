"""The build stages, in data-flow order: the one list that ``analysis build`` runs.

Each stage function takes (raw_dir, out_dir), writes its processed tables and returns
{table name: row count}.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from analysis.build import cache
from analysis.covariates.build import build_county_covariates
from analysis.errors import UserError
from analysis.ice.history import build_history
from analysis.locate.build import build_locations

Stage = Callable[[Path, Path], dict[str, int]]

STAGES: dict[str, Stage] = {
    "ice": build_history,
    "locate": build_locations,
    "covariates": build_county_covariates,
}


def build(
    names: Iterable[str], raw_dir: Path, out_dir: Path, *, force: bool = False, echo=print
) -> None:
    """Run the named stages (all when empty) in data-flow order, skipping current ones.

    A stage is current when its stamp's fingerprint matches (inputs, the code its module
    reaches, earlier stages' outputs) and every output it recorded still has the recorded
    sha256; an output missing, altered or unreadable is named and the stage rebuilt.
    """
    names = list(names)
    unknown = [s for s in names if s not in STAGES]
    if unknown:
        raise UserError(f"unknown stage(s) {unknown}; choose from {list(STAGES)}")
    upstream: dict[str, str] = {}  # outputs of the stages before, {file: sha256}
    for name, stage in STAGES.items():
        if names and name not in names:
            upstream |= cache.recorded_outputs(out_dir, name)
            continue
        module = getattr(getattr(stage, "func", stage), "__module__", None)
        fingerprint = cache.chained(
            cache.inputs_fingerprint(raw_dir, [module] if module else None), upstream
        )
        problems = cache.stale_outputs(out_dir, name)
        if not force and not problems and cache.is_current(out_dir, name, fingerprint):
            echo(f"build {name}: unchanged")
            upstream |= cache.recorded_outputs(out_dir, name)
            continue
        for problem in problems:
            echo(f"build {name}: {problem}; rebuilding")
        start = time.perf_counter()
        written = stage(raw_dir, out_dir)
        upstream |= cache.record(out_dir, name, fingerprint, written)
        tables = ", ".join(f"{t} ({n:,} rows)" for t, n in written.items())
        echo(f"build {name}: {tables} in {time.perf_counter() - start:.1f}s")
