"""The ``analysis`` command line: one subcommand per capability, each with ``--help``.

Each subcommand lives in its own module of this package (``analysis.cli.fetch`` …) and exposes
``register(subparsers)``; the handler returns the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from analysis import __version__
from analysis.errors import UserError

# Modules in this package (analysis.cli), in the order `analysis --help` lists them.
COMMANDS = ["fetch", "build", "run", "findings", "explore", "ice", "locate"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="The 287(g) atlas: fetch verified public data, build tables, run notebooks.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"analysis.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except Exception as exc:
        # A FetchError can come only from analysis.fetch, once imported: not imported here,
        # so that a command that does not fetch does not pay for it.
        fetch = sys.modules.get("analysis.fetch")
        if not isinstance(exc, UserError) and not (fetch and isinstance(exc, fetch.FetchError)):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
