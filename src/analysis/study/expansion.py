"""Counting the expansion: agreements, agencies and states per snapshot, entries and exits,
signing lags, the pending pipeline, the public checkpoints, the state mandates marked on the
timelines, and the row accounting of the ICE spreadsheets behind all of it.

Units are always named: *agreements* are rows (agency x model), *agencies* are distinct
(state, normalised name) keys, *states* exclude territories (Guam, Northern Mariana Islands).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.ice import normalize as codes
from analysis.io import read_table
from analysis.study import scope
from analysis.study.adoption import MANDATE_TYPES

MODELS = list(codes.MODELS)
AGENCY_TYPES = list(codes.AGENCY_TYPES)

WORKBOOK_ERA_START = pd.Timestamp("2025-02-21")
"""The first of ICE's own workbooks; earlier snapshots are Wayback captures of the web table."""

FLOW_CLASSES = ("exit", "renamed", "uncertain", "returned later")
_LAG_COLUMNS = ["agreement_key", "state", "model", "agency_type", "snapshot_date", "signed"]
CLOSE_UP_START = pd.Timestamp("2024-12-01")
"""Start of the close-up on the 2025 expansion (agency categories, entries and exits): the
December 2024 list, the last one before it."""


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
    base["states"] = h["state"].where(~h["is_territory"]).groupby(h["snapshot_date"]).nunique()
    base["territories"] = h["state"].where(h["is_territory"]).groupby(h["snapshot_date"]).nunique()
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
    split by :func:`disappearance_class`. A removal counts as an exit, rename or uncertain case
    only at the agreement's final departure (``gone_at``); a removal it came back from is
    ``returned later``. So ``removed_exit`` summed over a period equals :func:`exits` of it."""
    ts = time_series(history[["snapshot_date", "agreement_key", "in_time_series"]])
    keys = {d: set(v.tolist()) for d, v in ts.groupby("snapshot_date")["agreement_key"]}
    dates, table = sorted(keys), agreements.set_index("agreement_key")
    if not table.index.is_unique:
        raise ValueError("agreements: an agreement_key appears twice")
    kind = dict(zip(table.index, disappearance_class(agreements), strict=True))
    gone_at = table["gone_at"].to_dict()
    rows = []
    for before, after in zip(dates, dates[1:], strict=False):
        added = keys[after] - keys[before]
        removed = keys[before] - keys[after]
        kinds = [kind.get(k) if gone_at.get(k) == after else "returned later" for k in removed]
        rows.append(
            {
                "snapshot_date": after,
                "previous_snapshot": before,
                "added": len(added),
                "removed": len(removed),
                **{f"removed_{c.replace(' ', '_')}": kinds.count(c) for c in FLOW_CLASSES},
            }
        )
    return pd.DataFrame(rows)


def signing_lags(history: pd.DataFrame) -> pd.DataFrame:
    """For agreements first seen in an ICE workbook (2025-02-21 on): days from the signing
    date on that first listing to the first snapshot showing it."""
    ts = time_series(history[[*_LAG_COLUMNS, "in_time_series"]]).sort_values("snapshot_date")
    first = ts.drop_duplicates("agreement_key", keep="first")
    first = first[first["snapshot_date"] >= WORKBOOK_ERA_START]
    lags = first[_LAG_COLUMNS]
    lags = lags.rename(columns={"snapshot_date": "first_seen"})
    # The snapshot before the first listing bounds what the lag can resolve: an agreement
    # signed after it could not have been seen earlier, whatever ICE's delay.
    dates = pd.Series(sorted(ts["snapshot_date"].unique()))
    previous = dates.shift(1).set_axis(dates.to_numpy())
    lags = lags.assign(
        lag_days=(lags["first_seen"] - lags["signed"]).dt.days,
        previous_snapshot=lags["first_seen"].map(previous),
    )
    lags = lags.assign(
        snapshot_gap_days=(lags["first_seen"] - lags["previous_snapshot"]).dt.days,
        signed_before_previous_snapshot=lags["signed"] < lags["previous_snapshot"],
    )
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
CHECKPOINT_KINDS = ("published", "independent recount")
CHECKPOINT_INPUT_COLUMNS = [
    "snapshot_date",
    "list",
    "measure",
    "expected",
    "tolerance",
    "kind",
    "source",
    "source_url",
]
CHECKPOINT_COLUMNS = [
    "snapshot_date",
    "list",
    "measure",
    "kind",
    "expected",
    "tolerance",
    "observed",
    "difference",
    "status",
    "pass",
    "source",
    "source_url",
]
# A reader cannot open these: internal notes are not a source.
_INTERNAL_SOURCE = re.compile(r"(shared/docs|\.md\b|§|/work/|data/manual)")


def observed_measure(
    history: pd.DataFrame, pending: pd.DataFrame, date: pd.Timestamp, list_: str, measure: str
) -> float:
    """The value of a checkpoint measure computed from the tables: "rows", "agencies",
    "states" (territories excluded), "model:TFM", "type:County", "state:FL", "share:FL" (the
    state's percentage of the rows) or "signed_in:2025" (rows with a signing date in that
    year)."""
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
    if kind == "share":
        return 100 * float((snap["state"] == value).mean())
    if kind == "signed_in":
        return int((pd.to_datetime(snap["signed"]).dt.year == int(value)).sum())
    raise ValueError(f"unknown checkpoint measure {measure!r}")


def read_checkpoints(path: Path | None = None) -> pd.DataFrame:
    """The checkpoint file, checked: every column present, ``kind`` one of
    :data:`CHECKPOINT_KINDS`, a non-negative ``tolerance``, a source for every row and no
    internal note cited as one. Errors name the file, the row and the column."""
    path = path or CHECKPOINTS
    table = pd.read_csv(path, dtype={"source_url": "string"}, keep_default_na=False)
    missing = [c for c in CHECKPOINT_INPUT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    for i, row in table.iterrows():
        where = f"{path}, row {i + 2}"
        if row["kind"] not in CHECKPOINT_KINDS:
            raise ValueError(f"{where}, column kind: {row['kind']!r} not in {CHECKPOINT_KINDS}")
        if not str(row["source"]).strip():
            raise ValueError(f"{where}, column source: empty")
        for column in ("source", "source_url"):
            if _INTERNAL_SOURCE.search(str(row[column])):
                raise ValueError(f"{where}, column {column}: an internal note is not a source")
    for column in ("expected", "tolerance"):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0) if column == "tolerance" else values.isna()
        if bad.any():
            raise ValueError(f"{path}, row {int(bad.idxmax()) + 2}, column {column}: not a number")
        table[column] = values.astype(float)
    table["snapshot_date"] = pd.to_datetime(table["snapshot_date"])
    return table[CHECKPOINT_INPUT_COLUMNS]


def checkpoint_table(
    history: pd.DataFrame, pending: pd.DataFrame, checkpoints: Path | None = None
) -> pd.DataFrame:
    """Published figures and independent recounts (data/manual/public_checkpoints.csv)
    against what this run computes, every difference shown.

    ``status``: "exact", "within tolerance" (``|observed - expected| <= tolerance``, the
    tolerance the source's precision allows), "outside tolerance", or "no sheet on this date"
    when the catalog has no archived list of that date (``observed`` missing; ``pass`` is
    missing too, neither a pass nor a failure). An as-of run checks only the checkpoints it
    can see. Columns :data:`CHECKPOINT_COLUMNS`."""
    expected = read_checkpoints(checkpoints)
    expected = expected[expected["snapshot_date"] <= history["snapshot_date"].max()]
    observed, snaps = [], {}  # each list's snapshot, filtered once
    for r in expected.itertuples():
        key = (r.list, date := r.snapshot_date)
        if key not in snaps:
            frame = history if r.list == "participating" else pending
            snaps[key] = frame[frame["snapshot_date"] == date]
        snap = snaps[key]
        observed.append(
            observed_measure(snap, snap, date, r.list, r.measure) if len(snap) else np.nan
        )
    out = expected.assign(observed=np.asarray(observed, dtype=float))
    out["difference"] = out["observed"] - out["expected"]
    gap = out["difference"].abs()
    out["status"] = np.select(
        [out["observed"].isna(), gap < 1e-9, gap <= out["tolerance"] + 1e-9],
        ["no sheet on this date", "exact", "within tolerance"],
        "outside tolerance",
    )
    out["pass"] = pd.array(
        [
            pd.NA if s == "no sheet on this date" else s != "outside tolerance"
            for s in out["status"]
        ],
        dtype="boolean",
    )
    return out[CHECKPOINT_COLUMNS].reset_index(drop=True)


def load(as_of: str | None = None) -> dict[str, pd.DataFrame]:
    """The ICE tables a report needs, restricted to snapshots on or before ``as_of``: the
    history tables, the spreadsheet files and their quarantined rows. ``agreements`` (the
    lineage) and ``agencies`` look at every snapshot, whatever ``as_of`` is."""
    history = restrict_as_of(read_table("agreements_history"), as_of)
    pending = scope.on_or_before(read_table("pending_history"), as_of)
    files = scope.on_or_before(read_table("ice_snapshot_files"), as_of)
    quarantine = read_table("ice_quarantine")
    return {
        "history": history,
        "pending": pending,
        "agreements": read_table("agreements"),
        "agencies": read_table("agencies"),
        "files": files,
        "quarantine": quarantine[quarantine["file"].isin(files["file"])],
    }


# --- the timelines of the expansion report


def mandate_marks(state_policies: pd.DataFrame) -> pd.DataFrame:
    """State mandates to mark on a timeline, at their signing date (the event of the timing
    models; laws without a signing date are left out), in table order: ``state_usps``,
    ``date``, ``verification`` and ``label`` ("TX: SB 8 signed (secondary report)")."""
    policies = state_policies[state_policies["policy_type"].isin(MANDATE_TYPES)]
    instrument = policies["instrument"].str.split(r" \(|,", regex=True).str[0]
    marks = policies.assign(
        date=pd.to_datetime(policies["signed_date"]),
        label=policies["state_usps"] + ": " + instrument + " signed ("
        + policies["verification"] + ")",
    )  # fmt: skip
    return marks.dropna(subset=["date"])[["state_usps", "date", "label", "verification"]]


def counts_on(counts: pd.DataFrame, date) -> pd.Series:
    """The :func:`snapshot_counts` row of the last snapshot on or before ``date``."""
    return scope.on_or_before(counts, date, required=True).iloc[-1]


def step_series(series: pd.DataFrame, start, latest: pd.Timestamp, pad_days: int = 20):
    """``series`` from ``start`` on, with the latest row repeated ``pad_days`` later so the
    last step of a step plot is visible."""
    shown = series[series["snapshot_date"] >= pd.Timestamp(start)]
    pad = shown.tail(1).assign(snapshot_date=latest + pd.Timedelta(days=pad_days))
    return pd.concat([shown, pad])


def category_timeline(history: pd.DataFrame, since=CLOSE_UP_START) -> pd.DataFrame:
    """Agreements by agency category (columns) per time-series snapshot (rows) from ``since``,
    columns ordered by the latest count, largest first."""
    categories = category_counts(time_series(history))
    categories = categories[categories["snapshot_date"] >= pd.Timestamp(since)]
    wide = categories.pivot(
        index="snapshot_date", columns="agency_category", values="agreements"
    ).fillna(0)
    return wide[wide.iloc[-1].sort_values(ascending=False).index]


def category_change(wide: pd.DataFrame) -> pd.DataFrame:
    """First and latest row of :func:`category_timeline`, one row per category."""
    first, last = wide.iloc[0], wide.iloc[-1]
    table = pd.DataFrame({"first": first, "latest": last}).astype(int)
    return (
        table.rename_axis("category")
        .reset_index()
        .rename(
            columns={
                "first": f"agreements {wide.index[0]:%Y-%m-%d}",
                "latest": f"agreements {wide.index[-1]:%Y-%m-%d}",
            }
        )
    )


# --- reading the ICE spreadsheets: row accounting, schema eras, corrections

ACCOUNTING_COLUMNS = ["file", "snapshot_date", "list", "era", "rows_in", "rows_clean",
                      "rows_quarantined", "manifest_rows", "interior_blank_rows",
                      "trailing_blank_rows", "in_time_series"]  # fmt: skip


def row_accounting(files: pd.DataFrame) -> pd.DataFrame:
    """Per spreadsheet: rows read, clean and quarantined, blank rows and the manifest's count."""
    return files[ACCOUNTING_COLUMNS]


def accounting_checks(accounting: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per spreadsheet: do clean plus quarantined rows add up to the rows read, and do the rows
    read equal the manifest's count?"""
    adds_up = accounting["rows_in"] == accounting["rows_clean"] + accounting["rows_quarantined"]
    return adds_up, accounting["rows_in"] == accounting["manifest_rows"]


def schema_eras(files: pd.DataFrame) -> pd.DataFrame:
    """Distinct column layouts per list, with the first and last snapshot and the file count."""
    return (
        files.groupby(["list", "era", "columns"], as_index=False)
        .agg(first=("snapshot_date", "min"), last=("snapshot_date", "max"), files=("file", "size"))
        .sort_values(["list", "first"])
    )


def corrections(history: pd.DataFrame, pending: pd.DataFrame) -> pd.DataFrame:
    """How many clean rows needed each correction or carry each flag."""
    both = pd.concat([history, pending], ignore_index=True)
    counts = {
        "state text not an exact state name": (both["state_match"] != "exact").sum(),
        "signing date flagged": history["signed_flag"].notna().sum(),
        "agency type inferred from the name": both["agency_type_inferred"].sum(),
        "agency type conflicts with the name": both["type_conflict"].sum(),
        "state flagged as a known misfiling": both["state_flag"].notna().sum(),
        "duplicate agreement key in a snapshot": both["duplicate_key"].sum(),
    }
    return pd.DataFrame(counts, index=["rows"]).T.reset_index(names="correction or flag")


def signing_flag_examples(history: pd.DataFrame) -> pd.DataFrame:
    """Flagged signing dates by flag and the raw text ICE wrote, most frequent first."""
    flags = history[history["signed_flag"].notna()]
    return (
        flags.groupby(["signed_flag", "signed_raw"], as_index=False)
        .agg(rows=("file", "size"), first_snapshot=("snapshot_date", "min"))
        .sort_values("rows", ascending=False)
    )


def state_spellings(history: pd.DataFrame, pending: pd.DataFrame) -> pd.DataFrame:
    """State texts that were not an exact state name, with the code they were read as."""
    both = pd.concat([history, pending], ignore_index=True)
    return (
        both[both["state_match"] != "exact"]
        .groupby(["state_raw", "state", "state_match"], as_index=False)
        .agg(rows=("file", "size"))
        .sort_values("rows", ascending=False)
    )


# --- the one definition of an exit

DISAPPEARANCE_COLUMNS = ["state", "agency", "model", "first_seen", "last_seen", "gone_at",
                         "lineage", "lineage_note"]  # fmt: skip
DISAPPEARANCE_CLASSES = {"successor": "renamed", "successor_uncertain": "uncertain", "exit": "exit"}
EXIT_DEFINITION = (
    "An agreement **exits** when its last participating snapshot is before the latest one (it is "
    "absent from every later snapshot) and the lineage accepts no successor: no rename or typo "
    "fix of the same state and model, and no agreement of another state unless the first state "
    "is impossible. It exits on the first snapshot without it (`gone_at`). A disappearance with "
    "a clear successor is a **rename**; one with candidates but none clear is **uncertain**; "
    "neither is an exit. The lineage is judged on every snapshot, so a run with `as_of` counts "
    "the exits dated on or before `as_of` of agreements that never came back."
)


def disappearance_class(agreements: pd.DataFrame) -> pd.Series:
    """Per agreement row: ``exit``, ``renamed``, ``uncertain`` (gone agreements, by their
    lineage) or None (active). Fails on a gone agreement without a known lineage."""
    gone = agreements["status"] == "gone"
    kind = agreements["lineage"].map(DISAPPEARANCE_CLASSES)
    bad = agreements.loc[gone & kind.isna(), "agreement_key"]
    if len(bad):
        raise ValueError(f"agreements: gone without a known lineage: {bad.tolist()[:5]}")
    if (~gone & agreements["lineage"].notna()).any():
        raise ValueError("agreements: an active agreement carries a lineage")
    return kind.where(gone)


def disappearances(agreements: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Agreements gone from the list by ``as_of`` (by the date they went missing), with their
    lineage and :func:`disappearance_class` (``class``), by date, state and agency."""
    table = agreements.assign(**{"class": disappearance_class(agreements)})
    gone = scope.on_or_before(table[table["status"] == "gone"], as_of, column="gone_at")
    return gone[[*DISAPPEARANCE_COLUMNS, "class"]].sort_values(["gone_at", "state", "agency"])


def exits(agreements: pd.DataFrame, as_of=None, since=None) -> pd.DataFrame:
    """The exits (see ``EXIT_DEFINITION``) dated on or before ``as_of`` and, when given, on or
    after ``since``: every exit count of every report comes from here."""
    gone = disappearances(agreements, as_of)
    gone = gone[gone["class"] == "exit"]
    return gone if since is None else gone[gone["gone_at"] >= pd.Timestamp(since)]


def disappearance_reconciliation(
    agreements: pd.DataFrame, as_of=None, since=CLOSE_UP_START
) -> pd.DataFrame:
    """Disappearances by class (renamed, uncertain, exit, all): in the whole record, before
    ``since`` and from ``since`` on (the period of the expansion report's flows)."""
    gone = disappearances(agreements, as_of)
    later = gone["gone_at"] >= pd.Timestamp(since)
    order = list(DISAPPEARANCE_CLASSES.values())
    table = pd.DataFrame(
        {
            "all snapshots": gone["class"].value_counts(),
            f"before {since:%Y-%m-%d}": gone.loc[~later, "class"].value_counts(),
            f"{since:%Y-%m-%d} on": gone.loc[later, "class"].value_counts(),
        }
    ).reindex(order, fill_value=0).fillna(0).astype(int)  # fmt: skip
    table.loc["disappeared"] = table.sum()
    return table.rename_axis("class").reset_index()


def exits_in(agreements: pd.DataFrame, state: str, year: int, as_of=None) -> pd.DataFrame:
    """The exits of one state dated in ``year``: agency, model, last snapshot listing it and the
    first without it."""
    out = exits(agreements, as_of)
    out = out[(out["state"] == state) & (out["gone_at"].dt.year == year)]
    return out[["state", "agency", "model", "first_seen", "last_seen", "gone_at"]]
