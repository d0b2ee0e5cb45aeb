"""Checking ``--as-of`` before any kernel starts.

The date must be a real calendar date (YYYY-MM-DD). A date before the first participating ICE
snapshot would leave the notebooks with no list to analyse, so the run stops at once and names
that snapshot. A date after the latest snapshot is allowed, but every list is then kept: the run
equals the latest one, and the runner says so. The snapshot dates come from the processed
``ice_snapshot_files`` table, with the one ``as_of`` rule of :mod:`analysis.study.scope`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from analysis import paths

SNAPSHOT_TABLE = "ice_snapshot_files"


class AsOfError(ValueError):
    """``--as-of`` is not a date, or lies before the first ICE snapshot."""


def parse_as_of(text: str) -> dt.date:
    """``text`` as a calendar date; an :class:`AsOfError` naming the problem otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise AsOfError(f"--as-of takes a date YYYY-MM-DD, not {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise AsOfError(f"--as-of {text} is not a calendar date ({exc})") from None


def check_as_of(text: str, processed_dir: Path | None = None) -> str | None:
    """Validate ``text`` against the ICE snapshots; return a note when it is after the latest.

    Raises :class:`AsOfError` for a malformed date or one before the first snapshot.
    """
    import pandas as pd

    from analysis.study.scope import snapshot_dates

    date = pd.Timestamp(parse_as_of(text))
    table = (processed_dir or paths.PROCESSED) / f"{SNAPSHOT_TABLE}.parquet"
    if not table.exists():
        raise AsOfError(f"{table} does not exist; run `analysis build` before `--as-of`")
    files = pd.read_parquet(table, columns=["snapshot_date", "list", "in_time_series"])
    first = snapshot_dates(files)[0]
    latest = pd.to_datetime(files["snapshot_date"]).max()
    if date < first:
        raise AsOfError(
            f"--as-of {text} is before the first ICE snapshot ({first:%Y-%m-%d}); "
            f"choose a date on or after {first:%Y-%m-%d}"
        )
    if date > latest:
        return (
            f"--as-of {text} is after the latest ICE snapshot ({latest:%Y-%m-%d}): "
            "the run equals the latest snapshot"
        )
    return None
