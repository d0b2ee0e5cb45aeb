"""``analysis build``: turn the verified raw files into the processed tables."""

from __future__ import annotations

import argparse
import time

from analysis import paths

# Stage name -> (module, function); each function takes (raw_dir, out_dir) and returns a dict
# {table name: row count} of what it wrote. Stages run in this order.
STAGES = {
    "ice": ("analysis.ice.history", "build_history"),
    "covariates": ("analysis.covariates.build", "build_county_covariates"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build the processed tables in data/processed from data/raw",
        description="Build the processed tables (Parquet + CSV) from the fetched raw files.",
    )
    p.add_argument(
        "stages",
        nargs="*",
        metavar="STAGE",
        help=f"stages to build (default: all): {', '.join(STAGES)}",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import importlib

    from analysis.cli import UserError

    unknown = [s for s in args.stages if s not in STAGES]
    if unknown:
        raise UserError(f"unknown stage(s) {unknown}; choose from {list(STAGES)}")
    from analysis import build_cache

    fingerprint = build_cache.inputs_fingerprint(paths.RAW)
    for name in args.stages or list(STAGES):
        if not args.force and build_cache.is_current(paths.PROCESSED, name, fingerprint):
            print(f"build {name}: unchanged")
            continue
        module, func = STAGES[name]
        start = time.perf_counter()
        written = getattr(importlib.import_module(module), func)(paths.RAW, paths.PROCESSED)
        build_cache.record(paths.PROCESSED, name, fingerprint, written)
        tables = ", ".join(f"{t} ({n:,} rows)" for t, n in written.items())
        print(f"build {name}: {tables} in {time.perf_counter() - start:.1f}s")
    return 0
