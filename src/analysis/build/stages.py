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
    """Run the named stages (all when empty) in data-flow order, skipping unchanged ones."""
    names = list(names)
    unknown = [s for s in names if s not in STAGES]
    if unknown:
        raise UserError(f"unknown stage(s) {unknown}; choose from {list(STAGES)}")
    fingerprint = cache.inputs_fingerprint(raw_dir)
    for name in [s for s in STAGES if s in names] if names else list(STAGES):
        if not force and cache.is_current(out_dir, name, fingerprint):
            echo(f"build {name}: unchanged")
            continue
        start = time.perf_counter()
        written = STAGES[name](raw_dir, out_dir)
        cache.record(out_dir, name, fingerprint, written)
        tables = ", ".join(f"{t} ({n:,} rows)" for t, n in written.items())
        echo(f"build {name}: {tables} in {time.perf_counter() - start:.1f}s")
