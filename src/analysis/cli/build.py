"""``analysis build``: turn the verified raw files into the processed tables."""

from __future__ import annotations

import argparse

from analysis import paths
from analysis.build import STAGE_NAMES


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
        help=f"stages to build (default: all, in this order): {', '.join(STAGE_NAMES)}",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis.build.stages import build

    build(args.stages, paths.RAW, paths.PROCESSED, force=args.force)
    return 0
