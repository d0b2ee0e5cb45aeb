"""``analysis run``: execute the notebooks and render the reports."""

from __future__ import annotations

import argparse
import re


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="execute the notebooks (papermill) and render the HTML reports",
        description=(
            "Execute the notebooks listed in params.yaml in dependency order (independent ones in "
            "parallel), normalise them into reports/executed/, render HTML into reports/html/ "
            "with an index. A notebook whose source, parameters, inputs and package code are "
            "unchanged is not re-executed."
        ),
    )
    p.add_argument("--force", action="store_true", help="re-execute every notebook")
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="analyse the world as of an earlier ICE snapshot, into reports/as-of-DATE/",
    )
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks")
    p.add_argument("--workers", type=int, default=2, help="notebooks executed at once")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis.errors import UserError
    from analysis.runner.run import Layout, RunConfigError, run_notebooks

    if args.as_of and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.as_of):
        raise UserError(f"--as-of takes a date YYYY-MM-DD, not {args.as_of!r}")
    try:
        results = run_notebooks(
            as_of=args.as_of, force=args.force, only=args.only, workers=args.workers
        )
    except RunConfigError as exc:
        raise UserError(str(exc)) from None
    failed = [r for r in results if r.status in ("failed", "skipped")]
    executed = sum(r.status == "executed" for r in results)
    html = Layout.for_run(args.as_of).html / "index.html"
    print(f"run: {executed} executed, {len(results) - executed - len(failed)} unchanged, "
          f"{len(failed)} failed or skipped; reports at {html}")  # fmt: skip
    for r in failed:
        print(f"  {r.name}: {r.status}: {r.message}")
    return 1 if failed else 0
