"""``analysis snapshot-summary``, ``analysis diff`` and ``analysis add-snapshot``: review an ICE
287(g) spreadsheet the day ICE posts it, and add one obtained by hand to the history."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

DATE_HELP = (
    "snapshot date (YYYY-MM-DD) that SIGNED is checked against; default: the catalogued date "
    "of a known file (data/ice_snapshots.csv or a live download, found by path or sha256), "
    "else the file's modification date"
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    summary = sub.add_parser(
        "snapshot-summary",
        help="count one ICE participating or pending spreadsheet",
        description=(
            "Read any ICE 287(g) participating or pending spreadsheet (any era) and count its "
            "rows, agencies, states (territories excluded), territories, models, agency types, "
            "states, signings by year and quarantined rows. The list is recognized by content. "
            "JSON keys: rows, agencies, states, territories, by_model, by_type, by_state, "
            "signed_by_year, quarantined (plus file, list, snapshot_date and other context)."
        ),
    )
    summary.add_argument("path", type=Path, help="an .xlsx file")
    summary.add_argument("--date", type=_date, help=DATE_HELP)
    summary.add_argument("--json", action="store_true", help="print JSON instead of tables")
    summary.set_defaults(handler=run_summary)

    diff = sub.add_parser(
        "diff",
        help="agreements added, removed and changed between two ICE spreadsheets",
        description=(
            "Compare two ICE 287(g) spreadsheets by agreement key (state, normalized agency "
            "name, model): agreements added and removed, and agencies whose rows changed "
            "(models, name spelling, type, county, SIGNED, MOA link). JSON keys: added, "
            "removed, changed (plus old, new and possible_renames)."
        ),
    )
    diff.add_argument("old", type=Path, help="the earlier .xlsx file")
    diff.add_argument("new", type=Path, help="the later .xlsx file")
    diff.add_argument("--old-date", type=_date, help="snapshot date of OLD; " + DATE_HELP)
    diff.add_argument("--new-date", type=_date, help="snapshot date of NEW; same default")
    diff.add_argument("--json", action="store_true", help="print JSON instead of tables")
    diff.set_defaults(handler=run_diff)

    add = sub.add_parser(
        "add-snapshot",
        help="add an ICE spreadsheet obtained by hand to data/raw/ice_287g/latest/",
        description=(
            "Add an ICE 287(g) spreadsheet obtained by hand (from a colleague, or saved from a "
            "browser) exactly as `fetch --latest-ice` adds a download: read and checked for "
            "schema drift, hashed, copied into data/raw/ice_287g/latest/ and recorded in "
            "LATEST.csv. The next `analysis build` and `analysis run` include it. Adding the "
            "same file twice changes nothing."
        ),
    )
    add.add_argument("path", type=Path, help="an .xlsx file")
    add.add_argument(
        "--date",
        type=_date,
        help="snapshot date (YYYY-MM-DD); default: the MMDDYYYY date in ICE's file name when "
        "the sheet's SIGNED dates allow it, else today (the command says which)",
    )
    add.add_argument(
        "--list",
        choices=("participating", "pending"),
        help="the list you expect; an error if the sheet's columns say otherwise",
    )
    add.set_defaults(handler=run_add)


def _load(path: Path, explicit: date | None):
    from analysis.errors import UserError
    from analysis.ice.index import resolve_snapshot_date
    from analysis.ice.summary import load_snapshot

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    snapshot_date, source = resolve_snapshot_date(path, explicit)
    return load_snapshot(path, snapshot_date, source)


def run_summary(args: argparse.Namespace) -> int:
    from analysis.ice.summary import format_summary, snapshot_summary, to_json

    summary = snapshot_summary(_load(args.path, args.date))
    print(to_json(summary) if args.json else format_summary(summary))
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from analysis.ice.summary import diff_snapshots, format_diff, to_json

    result = diff_snapshots(_load(args.old, args.old_date), _load(args.new, args.new_date))
    print(to_json(result) if args.json else format_diff(result))
    return 0


def run_add(args: argparse.Namespace) -> int:
    from analysis.ice.live import add_snapshot

    add_snapshot(args.path, snapshot_date=args.date, list_kind=args.list)
    return 0
