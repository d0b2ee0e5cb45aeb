"""``analysis run``: execute the notebooks and render the reports."""

from __future__ import annotations

import argparse
import shutil
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="execute the notebooks (papermill) and render the HTML reports",
        description=(
            "Execute the notebooks listed in params.yaml in dependency order (independent ones in "
            "parallel), normalise them into reports/executed/, render HTML into reports/html/ "
            "with an index. A notebook whose source, parameters, inputs and the package modules "
            "it imports are unchanged is not re-executed."
        ),
    )
    p.add_argument("--force", action="store_true", help="re-execute every notebook")
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="analyse the world as of an earlier ICE snapshot, into reports/as-of-DATE/",
    )
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="notebooks executed at once (default: one per available core)",
    )
    p.set_defaults(handler=run)


class Terminal:
    """One line per notebook; on a terminal, also a status line rewritten in place."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.shown = ""  # the status line on screen

    def line(self, text: str) -> None:
        self.clear()
        print(text, file=self.stream, flush=True)

    def status(self, text: str) -> None:
        if not self.live or text == self.shown:
            return
        self.clear()
        if text:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write(("[run] " + text)[:width])
            self.stream.flush()
        self.shown = text

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = ""


def run(args: argparse.Namespace) -> int:
    from analysis.errors import UserError
    from analysis.runner.as_of import AsOfError, check_as_of
    from analysis.runner.run import Layout, RunConfigError, RunInterrupted, run_notebooks

    terminal = Terminal()
    try:
        if args.as_of:
            note = check_as_of(args.as_of)
            if note:
                terminal.line(f"run: {note}")
        results = run_notebooks(
            as_of=args.as_of,
            force=args.force,
            only=args.only,
            workers=args.workers,
            echo=terminal.line,
            status=terminal.status if terminal.live else None,
        )
    except (RunConfigError, AsOfError) as exc:
        raise UserError(str(exc)) from None
    except RunInterrupted as exc:
        terminal.clear()
        print(exc, file=sys.stderr)
        return 130
    failed = [r for r in results if r.status in ("failed", "skipped")]
    executed = sum(r.status == "executed" for r in results)
    html = Layout.for_run(args.as_of).html / "index.html"
    print(f"run: {executed} executed, {len(results) - executed - len(failed)} unchanged, "
          f"{len(failed)} failed or skipped; reports at {html}")  # fmt: skip
    for r in failed:
        print(f"  {r.name}: {r.status}: {r.message}")
    return 1 if failed else 0
