"""What changed between ICE's participating lists: the latest against the one before, and a
history of changes per snapshot.

Inputs are the processed ``agreements_history`` (one row per snapshot x agreement) and
``agreements`` (one row per agreement, with its lineage from :mod:`analysis.ice.lineage`). Only
snapshots in the time series count (a list repeating the previous one adds nothing), up to
``as_of`` (the :mod:`analysis.study.scope` rule).

Between two neighbouring snapshots an agreement (state, agency, model) is

- **added**: listed now, not before. It **returned** when an earlier snapshot listed it (a
  flicker: it was absent for a while), it is the **successor** of a renamed agreement when the
  lineage links a removed agreement to it, and it is **new** otherwise;
- **removed**: listed before, not now. It was **renamed** when the lineage names its successor
  among the added ones; it **returned later** when a later snapshot (up to ``as_of``) lists it
  again; it is an **exit** when the lineage found no successor (absent from every later
  snapshot: on the latest list an exit is provisional, since a later list may show it again);
  and **uncertain** otherwise (a possible successor, not a clear one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.study import scope

ROW_COLUMNS = ["state", "agency", "model", "agency_key", "agency_type", "signed"]


@dataclass(frozen=True)
class Comparison:
    """One snapshot against the one before it."""

    previous: pd.Timestamp | None  # None for the first snapshot
    latest: pd.Timestamp
    agreements: int  # listed on ``latest``
    agreements_before: int
    agencies: int
    agencies_before: int
    added: pd.DataFrame  # state, agency, model, agency_type, signed, change, last_seen_before
    removed: pd.DataFrame  # state, agency, model, agency_type, change, note
    renamed: pd.DataFrame  # state, model, agency_before, agency, score
    agencies_joined: pd.DataFrame  # state, agency: on no earlier-adjacent list under any model
    agencies_left: pd.DataFrame  # state, agency, exit: on this list under no model
    exits_by_state: pd.DataFrame  # state, exits (agreements), agencies
    by_state: pd.DataFrame  # state, before, now, change
    by_model: pd.DataFrame  # model, before, now, change

    def count(self, table: str, change: str | None = None) -> int:
        frame = getattr(self, table)
        return int(len(frame) if change is None else (frame["change"] == change).sum())


def series(history: pd.DataFrame, as_of=None) -> tuple[list[pd.Timestamp], dict]:
    """The participating snapshot dates in the time series up to ``as_of``, and for each date
    its agreements: {agreement key: {state, agency, model, agency_key, agency_type, signed}}."""
    rows = history[(history["list"] == "participating") & history["in_time_series"].astype(bool)]
    rows = scope.on_or_before(rows, as_of)
    rows = rows.assign(snapshot_date=pd.to_datetime(rows["snapshot_date"]))
    rows = rows.sort_values(["snapshot_date", "agreement_key", "sheet_row"], kind="stable")
    rows = rows.drop_duplicates(["snapshot_date", "agreement_key"])
    listed: dict = {}
    # Plain Python: set arithmetic on ~25,000 rows stays fast. Built from column lists (the
    # values and types of ``to_dict("records")``, without boxing cell by cell).
    columns = [rows[c].tolist() for c in ROW_COLUMNS]
    keys = zip(rows["snapshot_date"].tolist(), rows["agreement_key"].tolist(), strict=True)
    for (day, key), values in zip(keys, zip(*columns, strict=True), strict=True):
        listed.setdefault(day, {})[key] = dict(zip(ROW_COLUMNS, values, strict=True))
    return sorted(listed), listed


def _lineage(agreements: pd.DataFrame) -> dict[str, dict]:
    table = agreements.assign(gone_at=pd.to_datetime(agreements["gone_at"]))
    columns = ["lineage", "successor_key", "successor_score", "lineage_note", "gone_at"]
    return dict(zip(table["agreement_key"], table[columns].to_dict("records"), strict=True))


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns)


@dataclass(frozen=True)
class _Step:
    """The keys of one snapshot's changes, before any table is built."""

    now: dict
    before: dict
    added: dict[str, str]  # key -> new | returned | renamed
    removed: dict[
        str, tuple[str, str]
    ]  # key -> (renamed | returned later | exit | uncertain, note)
    successor_of: dict[str, str]
    last_before: dict[str, pd.Timestamp]


def _classify(listed: dict, dates: list, at: int, lineage: dict[str, dict]) -> _Step:
    latest = dates[at]
    now = listed[latest]
    before = listed[dates[at - 1]] if at > 0 else now  # the first snapshot: no changes
    added_keys = sorted(set(now) - set(before))
    removed_keys = sorted(set(before) - set(now))
    last_before: dict[str, pd.Timestamp] = {}
    for day in dates[: max(at - 1, 0)]:
        last_before |= dict.fromkeys(set(added_keys) & set(listed[day]), day)
    later = set().union(*(listed[d] for d in dates[at + 1 :]))

    successor_of: dict[str, str] = {}
    for key in removed_keys:
        info = lineage.get(key) or {}
        new = info.get("successor_key")
        linked = info.get("lineage") == "successor" and info.get("gone_at") == latest
        if linked and new in now and new not in before:
            successor_of[key] = new
    successors = set(successor_of.values())

    def removal(key: str) -> tuple[str, str]:
        if key in successor_of:
            return "renamed", f"listed now as {now[successor_of[key]]['agency']}"
        if key in later:
            return "returned later", "absent here, listed again on a later snapshot"
        info = lineage.get(key) or {}
        note = info.get("lineage_note")
        note = "" if note is None or pd.isna(note) else note
        return ("exit" if info.get("lineage") == "exit" else "uncertain"), note

    def addition(key: str) -> str:
        if key in successors:
            return "renamed"
        return "returned" if key in last_before else "new"

    return _Step(
        now=now,
        before=before,
        added={k: addition(k) for k in added_keys},
        removed={k: removal(k) for k in removed_keys},
        successor_of=successor_of,
        last_before=last_before,
    )


def compare(listed: dict, dates: list, at: int, lineage: dict[str, dict]) -> Comparison:
    """Snapshot ``dates[at]`` against ``dates[at - 1]`` (``dates`` and ``listed`` from
    :func:`series`; ``lineage`` from the ``agreements`` table, by key)."""
    step = _classify(listed, dates, at, lineage)
    now, before, successor_of, last_before = (
        step.now, step.before, step.successor_of, step.last_before
    )  # fmt: skip
    successors = set(successor_of.values())
    added = _frame(
        [now[k] | {"change": c, "last_seen_before": last_before.get(k)}
         for k, c in step.added.items()],
        [*ROW_COLUMNS, "change", "last_seen_before"],
    )  # fmt: skip
    removed = _frame(
        [before[k] | {"change": c, "note": n} for k, (c, n) in step.removed.items()],
        [*ROW_COLUMNS, "change", "note"],
    )
    renamed = _frame(
        [
            {"state": before[k]["state"], "model": before[k]["model"],
             "agency_before": before[k]["agency"], "agency": now[v]["agency"],
             "score": lineage[k]["successor_score"]}
            for k, v in successor_of.items()
        ],
        ["state", "model", "agency_before", "agency", "score"],
    )  # fmt: skip
    agencies_now = {r["agency_key"] for r in now.values()}
    agencies_before = {r["agency_key"] for r in before.values()}
    renamed_from = {before[k]["agency_key"] for k in successor_of}
    renamed_to = {now[k]["agency_key"] for k in successors}
    joined = added[added["agency_key"].isin(agencies_now - agencies_before - renamed_to)]
    left = removed[removed["agency_key"].isin(agencies_before - agencies_now - renamed_from)]
    left = left.assign(exit=left["change"] == "exit")
    exits = removed[removed["change"] == "exit"]
    exits_by_state = (
        exits.groupby("state")
        .agg(exits=("agency_key", "size"), agencies=("agency_key", "nunique"))
        .reset_index()
        .sort_values(["exits", "state"], ascending=[False, True], kind="stable")
    )
    return Comparison(
        previous=dates[at - 1] if at > 0 else None,
        latest=dates[at],
        agreements=len(now),
        agreements_before=len(before) if at > 0 else 0,
        agencies=len(agencies_now),
        agencies_before=len(agencies_before) if at > 0 else 0,
        added=_sorted(added),
        removed=_sorted(removed),
        renamed=_sorted(renamed),
        agencies_joined=_agency_list(joined),
        agencies_left=_agency_list(left, ["exit"]),
        exits_by_state=exits_by_state.reset_index(drop=True),
        by_state=_counts(before, now, "state"),
        by_model=_counts(before, now, "model"),
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("state", "agency", "model") if c in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _agency_list(frame: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    extra = extra or []
    grouped = frame.groupby(["state", "agency_key"], sort=True)
    out = grouped.agg(
        agency=("agency", "first"), models=("model", lambda m: "|".join(sorted(set(m)))),
        **{c: (c, "all") for c in extra},
    )  # fmt: skip
    return out.reset_index().drop(columns="agency_key")


def _counts(before: dict, now: dict, column: str) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "before": pd.Series([r[column] for r in before.values()], dtype=object).value_counts(),
            "now": pd.Series([r[column] for r in now.values()], dtype=object).value_counts(),
        }
    )
    table = table.fillna(0).astype(int)
    table["change"] = table["now"] - table["before"]
    table.index.name = column
    return table.reset_index().sort_values(column, kind="stable").reset_index(drop=True)


def change_history(listed: dict, dates: list, lineage: dict[str, dict]) -> pd.DataFrame:
    """One row per snapshot: agreements listed; added (new), returned, renamed (pairs), removed
    (not renamed; exits among them) against the snapshot before; the first has no changes."""
    records = []
    for at, day in enumerate(dates):
        step = _classify(listed, dates, at, lineage)
        removed = [c for c, _note in step.removed.values()]
        records.append(
            {
                "snapshot_date": day,
                "previous": dates[at - 1] if at else pd.NaT,
                "agreements": len(step.now),
                "added": list(step.added.values()).count("new"),
                "returned": list(step.added.values()).count("returned"),
                "renamed": len(step.successor_of),
                "removed": len(removed) - removed.count("renamed"),
                "exits": removed.count("exit"),
                "net_change": len(step.now) - len(step.before) if at else 0,
            }
        )
    return pd.DataFrame(records)


@dataclass(frozen=True)
class ChangeLog:
    latest: Comparison
    history: pd.DataFrame


def change_log(history: pd.DataFrame, agreements: pd.DataFrame, as_of=None) -> ChangeLog:
    """The latest snapshot (up to ``as_of``) against the one before, and the history."""
    dates, listed = series(history, as_of)
    if not dates:
        raise ValueError(f"no participating snapshot in the time series on or before {as_of}")
    lineage = _lineage(agreements)
    return ChangeLog(
        latest=compare(listed, dates, len(dates) - 1, lineage),
        history=change_history(listed, dates, lineage),
    )
