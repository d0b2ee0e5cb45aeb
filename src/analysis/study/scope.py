"""What a run sees: the one ``as_of`` rule, the January 2025 baseline, and the processed tables.

An ``as_of`` run replays the analysis as if the newest ICE list were the last one published on
or before that date. Every module and notebook applies it through :func:`on_or_before` (rows)
or :func:`snapshot_dates` (the participating snapshots used for adoption status), so the
cut-off means the same thing everywhere: snapshots dated on or before ``as_of``, inclusive.
"""

from __future__ import annotations

import pandas as pd

BASELINE_DATE = pd.Timestamp("2025-01-31")
"""The January 2025 list: the status before the expansion (counties adopted then are
prevalent, not at risk). It is a content duplicate of 2024-12-29 and so flagged out of the time
series, but it is the last list before the 2025 expansion."""


def cutoff(as_of) -> pd.Timestamp | None:
    """``as_of`` as a Timestamp (None: no cut-off, the latest snapshot)."""
    return None if as_of is None else pd.Timestamp(as_of)


def on_or_before(
    frame: pd.DataFrame, as_of, *, column: str = "snapshot_date", required: bool = False
) -> pd.DataFrame:
    """Rows whose ``column`` is on or before ``as_of`` (every row when ``as_of`` is None).

    ``required``: an empty result is an error (a run cannot start before the first snapshot).
    """
    limit = cutoff(as_of)
    if limit is None:
        return frame
    kept = frame[pd.to_datetime(frame[column]) <= limit]
    if required and kept.empty:
        raise ValueError(f"no snapshot on or before {limit.date()}")
    return kept


def snapshot_dates(history: pd.DataFrame, as_of=None) -> pd.DatetimeIndex:
    """Participating-list snapshot dates used for adoption status, sorted, up to ``as_of``.

    ``history`` is ``agreements_history`` (or any table with ``snapshot_date``,
    ``in_time_series`` and optionally ``list``); dates kept: participating snapshots with
    ``in_time_series`` True, plus :data:`BASELINE_DATE` when present.
    """
    if "list" in history:
        history = history[history["list"] == "participating"]
    dates = pd.to_datetime(history["snapshot_date"])
    keep = history["in_time_series"].astype(bool) | (dates == BASELINE_DATE)
    chosen = pd.DatetimeIndex(sorted(dates[keep].unique()))
    limit = cutoff(as_of)
    if limit is not None:
        chosen = chosen[chosen <= limit]
    if chosen.empty:
        raise ValueError(f"no participating snapshot on or before {as_of}")
    return chosen


def latest_snapshot(history: pd.DataFrame, as_of=None) -> pd.Timestamp:
    """The latest participating snapshot on or before ``as_of`` (default: the latest)."""
    return snapshot_dates(history, as_of)[-1]
