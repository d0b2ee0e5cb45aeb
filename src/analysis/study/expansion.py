"""Counting the expansion: agreements, agencies and states per snapshot, entries and exits,
signing lags, the pending pipeline, and the public checkpoints.

Units are always named: *agreements* are rows (agency x model), *agencies* are distinct
(state, normalised name) keys, *states* exclude territories (Guam, Northern Mariana Islands).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.ice import normalize as codes
from analysis.io import read_table
from analysis.study import scope

MODELS = list(codes.MODELS)
AGENCY_TYPES = list(codes.AGENCY_TYPES)


def restrict_as_of(history: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """Rows of snapshots taken on or before ``as_of`` (all rows when None)."""
    return scope.on_or_before(history, as_of, required=True)


def latest_date(history: pd.DataFrame) -> pd.Timestamp:
    return history["snapshot_date"].max()


def snapshot_counts(history: pd.DataFrame) -> pd.DataFrame:
    """One row per snapshot: agreements, agencies, states, territories and counts by model,
    agency type and agency category."""
    h = history
    base = h.groupby("snapshot_date").agg(
        agreements=("agreement_key", "size"),
        agencies=("agency_key", "nunique"),
        in_time_series=("in_time_series", "first"),
    )
    base["states"] = h[~h["is_territory"]].groupby("snapshot_date")["state"].nunique()
    base["territories"] = h[h["is_territory"]].groupby("snapshot_date")["state"].nunique()
    models = h.pivot_table(index="snapshot_date", columns="model", values="agreement_key",
                           aggfunc="size", fill_value=0)  # fmt: skip
    types = h.pivot_table(index="snapshot_date", columns="agency_type", values="agreement_key",
                          aggfunc="size", fill_value=0)  # fmt: skip
    models = models.reindex(columns=MODELS, fill_value=0)
    types = types.reindex(columns=AGENCY_TYPES, fill_value=0).add_prefix("type_")
    out = base.join(models).join(types).fillna({"states": 0, "territories": 0})
    return out.astype({"states": int, "territories": int}).reset_index()


def category_counts(history: pd.DataFrame) -> pd.DataFrame:
    """Agreements per snapshot by the finer agency category (long format)."""
    return (
        history.groupby(["snapshot_date", "agency_category"]).size().rename("agreements")
        .reset_index()
    )  # fmt: skip


def time_series(history: pd.DataFrame) -> pd.DataFrame:
    """Snapshots with distinct content (repeats of an earlier date are left out)."""
    return history[history["in_time_series"]]


def entries_and_exits(history: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Between consecutive time-series snapshots: agreements added, and agreements that left,
    split by what the lineage says they were (a real exit, a rename/typo fix, uncertain)."""
    ts = time_series(history)
    dates = sorted(ts["snapshot_date"].unique())
    keys = {d: set(ts.loc[ts["snapshot_date"] == d, "agreement_key"]) for d in dates}
    lineage = agreements.set_index("agreement_key")["lineage"]
    rows = []
    for before, after in zip(dates, dates[1:], strict=False):
        added = keys[after] - keys[before]
        removed = keys[before] - keys[after]
        kinds = lineage.reindex(sorted(removed)).fillna("returned later")
        rows.append(
            {
                "snapshot_date": after,
                "previous_snapshot": before,
                "added": len(added),
                "removed": len(removed),
                "removed_exit": int((kinds == "exit").sum()),
                "removed_renamed": int((kinds == "successor").sum()),
                "removed_uncertain": int((kinds == "successor_uncertain").sum()),
                "removed_returned_later": int((kinds == "returned later").sum()),
            }
        )
    return pd.DataFrame(rows)


def signing_lags(history: pd.DataFrame) -> pd.DataFrame:
    """For agreements first seen in an ICE workbook (2025-02-21 on): days from the signing
    date on that first listing to the first snapshot showing it."""
    ts = time_series(history).sort_values("snapshot_date")
    first = ts.drop_duplicates("agreement_key", keep="first")
    first = first[first["snapshot_date"] >= pd.Timestamp("2025-02-21")]
    lags = first[["agreement_key", "state", "model", "agency_type", "snapshot_date", "signed"]]
    lags = lags.rename(columns={"snapshot_date": "first_seen"})
    lags = lags.assign(lag_days=(lags["first_seen"] - lags["signed"]).dt.days)
    return lags.dropna(subset=["lag_days"]).reset_index(drop=True)


def state_ranking(history: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    snap = history[history["snapshot_date"] == date]
    table = snap.pivot_table(
        index="state", columns="model", values="agreement_key", aggfunc="size", fill_value=0
    ).reindex(columns=MODELS, fill_value=0)
    table["agreements"] = table.sum(axis=1)
    table["agencies"] = snap.groupby("state")["agency_key"].nunique()
    table["is_territory"] = snap.groupby("state")["is_territory"].first()
    table["share"] = table["agreements"] / table["agreements"].sum()
    return table.sort_values(["agreements", "state"], ascending=[False, True]).reset_index()


def pending_pipeline(pending: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Per pending snapshot: requests listed, and how many of those agreement keys were
    already participating, became participating later, or never appeared."""
    participating_first = history.groupby("agreement_key")["snapshot_date"].min()
    rows = []
    for date, snap in pending.groupby("snapshot_date"):
        first = participating_first.reindex(snap["agreement_key"])
        rows.append(
            {
                "snapshot_date": date,
                "pending": len(snap),
                "pending_agencies": snap["agency_key"].nunique(),
                "already_participating": int((first <= date).sum()),
                "joined_later": int((first > date).sum()),
                "never_listed": int(first.isna().sum()),
            }
        )
    return pd.DataFrame(rows)


CHECKPOINTS = paths.MANUAL / "public_checkpoints.csv"


def observed_measure(
    history: pd.DataFrame, pending: pd.DataFrame, date: pd.Timestamp, list_: str, measure: str
) -> float:
    """The value of a checkpoint measure ("rows", "states", "model:TFM", "type:County",
    "state:FL", "agencies") computed from the tables."""
    frame = history if list_ == "participating" else pending
    snap = frame[frame["snapshot_date"] == date]
    if snap.empty:
        raise ValueError(f"no {list_} snapshot on {date.date()}")
    kind, _, value = measure.partition(":")
    if kind == "rows":
        return len(snap)
    if kind == "agencies":
        return snap["agency_key"].nunique()
    if kind == "states":
        return snap.loc[~snap["is_territory"], "state"].nunique()
    if kind == "model":
        return int((snap["model"] == value).sum())
    if kind == "type":
        return int((snap["agency_type"] == value).sum())
    if kind == "state":
        return int((snap["state"] == value).sum())
    raise ValueError(f"unknown checkpoint measure {measure!r}")


def checkpoint_table(
    history: pd.DataFrame, pending: pd.DataFrame, checkpoints: Path | None = None
) -> pd.DataFrame:
    """Published figures (data/manual/public_checkpoints.csv) against what this run computes."""
    expected = pd.read_csv(checkpoints or CHECKPOINTS, dtype={"expected": "int64"})
    expected["snapshot_date"] = pd.to_datetime(expected["snapshot_date"])
    # An as-of run checks only the checkpoints it can see.
    expected = expected[expected["snapshot_date"] <= history["snapshot_date"].max()]
    observed = [
        observed_measure(history, pending, r.snapshot_date, r.list, r.measure)
        for r in expected.itertuples()
    ]
    out = expected.assign(observed=observed)
    out["observed"] = out["observed"].astype("int64")
    out["pass"] = out["observed"] == out["expected"]
    return out


def load(as_of: str | None = None) -> dict[str, pd.DataFrame]:
    """The ICE tables a report needs, restricted to snapshots on or before ``as_of``."""
    history = restrict_as_of(read_table("agreements_history"), as_of)
    pending = scope.on_or_before(read_table("pending_history"), as_of)
    return {
        "history": history,
        "pending": pending,
        "agreements": read_table("agreements"),
        "agencies": read_table("agencies"),
        "files": read_table("ice_snapshot_files"),
        "quarantine": read_table("ice_quarantine"),
    }
