"""What a reviewer wants to know about one ICE spreadsheet, or about two of them.

``snapshot_summary`` counts one list (rows, agencies, states, models, types, signings, quarantined
rows); ``diff_snapshots`` lists the agreements added and removed between two lists and the
agencies whose rows changed. Both work on any file of a known schema, including one ICE publishes
tomorrow, and validate the rows with the same pandera schema as the history build.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.ice import schemas
from analysis.ice.lineage import MIN_SCORE, similarity
from analysis.ice.normalize import AGENCY_TYPES, CATEGORIES, MODELS, unwrap_wayback
from analysis.ice.snapshot import LoadedFile, load_file

# Fields compared for an agreement listed in both snapshots of a diff.
COMPARED = ("agency", "agency_type", "county_ice", "signed", "moa")


@dataclass(frozen=True)
class Snapshot:
    loaded: LoadedFile
    rows: pd.DataFrame  # validated agreements_history / pending_history rows
    date_source: str


def load_snapshot(path: Path, snapshot_date: date, date_source: str = "given") -> Snapshot:
    loaded = load_file(path, snapshot_date, str(path))
    table = "agreements_history" if loaded.list_kind == "participating" else "pending_history"
    rows = schemas.typed_frame([r | {"in_time_series": True} for r in loaded.clean], table)
    return Snapshot(loaded, schemas.validate(rows, table), date_source)


def _counts(values: pd.Series, order: tuple[str, ...] | None = None) -> dict[str, int]:
    counts = values.value_counts()
    keys = order if order is not None else sorted(counts.index)
    return {str(k): int(counts.get(k, 0)) for k in keys}


def snapshot_summary(snapshot: Snapshot) -> dict:
    """Counts for one list; the keys are stable so scripts can rely on them."""
    loaded, rows = snapshot.loaded, snapshot.rows
    states = rows.loc[~rows["is_territory"], "state"]
    territories = rows.loc[rows["is_territory"], "state"]
    years = rows["signed"].dt.year.astype("Int64").astype("str").fillna("unknown")
    signed = _counts(years) if loaded.list_kind == "participating" else {}
    return {
        "file": loaded.file,
        "list": loaded.list_kind,
        "snapshot_date": loaded.snapshot_date.isoformat(),
        "date_source": snapshot.date_source,
        "sheet": loaded.sheet,
        "era": loaded.era,
        "unmapped_columns": list(loaded.unmapped_columns),
        "rows_in": loaded.rows_in,
        "rows": len(rows),
        "agencies": int(rows["agency_key"].nunique()),
        "states": int(states.nunique()),
        "territories": int(territories.nunique()),
        "territory_codes": sorted(territories.unique().tolist()),
        "by_model": _counts(rows["model"], MODELS),
        "by_type": _counts(rows["agency_type"], AGENCY_TYPES),
        "type_inferred_rows": int(rows["agency_type_inferred"].sum()),
        "by_category": _counts(rows["agency_category"], CATEGORIES),
        "by_state": _counts(rows["state"]),
        "signed_by_year": signed,
        "signed_flags": _counts(rows["signed_flag"].dropna()),
        "duplicate_key_rows": int(rows["duplicate_key"].sum()),
        "quarantined": [
            {k: q[k] for k in ("sheet_row", "columns", "reason", "detail", "raw_values")}
            for q in loaded.quarantined
        ],
    }


def _field(row: dict, name: str) -> str | None:
    if name == "moa":
        return unwrap_wayback(row["moa_url"]) if pd.notna(row["moa_url"]) else None
    if name == "signed":
        if pd.notna(row["signed"]):
            return row["signed"].date().isoformat()
        return row["signed_raw"] if pd.notna(row["signed_raw"]) else None
    return row[name] if pd.notna(row[name]) else None


def _by_key(snapshot: Snapshot) -> dict[str, dict]:
    """Rows by agreement key; a key ICE lists twice keeps its last row."""
    return {r["agreement_key"]: r for r in snapshot.rows.to_dict("records")}


def _agreement(row: dict) -> dict:
    return {k: row[k] for k in ("state", "agency", "model", "agreement_key")}


def _file(snapshot: Snapshot) -> dict:
    loaded = snapshot.loaded
    return {
        "file": loaded.file,
        "list": loaded.list_kind,
        "snapshot_date": loaded.snapshot_date.isoformat(),
        "rows": len(snapshot.rows),
    }


def diff_snapshots(old: Snapshot, new: Snapshot) -> dict:
    """Agreements added and removed (by agreement key), agencies whose rows changed, and removed
    agreements that look renamed."""
    before, after = _by_key(old), _by_key(new)
    added = [_agreement(after[k]) for k in sorted(set(after) - set(before))]
    removed = [_agreement(before[k]) for k in sorted(set(before) - set(after))]
    return {
        "old": _file(old),
        "new": _file(new),
        "added": added,
        "removed": removed,
        "changed": _changed(before, after),
        "possible_renames": _renames(removed, added),
    }


def _models(rows: dict[str, dict]) -> dict[str, list[str]]:
    models: dict[str, set[str]] = {}
    for row in rows.values():
        models.setdefault(row["agency_key"], set()).add(row["model"])
    return {k: sorted(v) for k, v in models.items()}


def _changed(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """Agencies listed in both snapshots whose models or agreement fields differ."""
    changes: dict[str, list[dict]] = {}
    for key in sorted(set(before) & set(after)):
        for name in COMPARED:
            old_value, new_value = _field(before[key], name), _field(after[key], name)
            if old_value != new_value:
                changes.setdefault(after[key]["agency_key"], []).append(
                    {"model": after[key]["model"], "field": name, "old": old_value,
                     "new": new_value}
                )  # fmt: skip
    old_models, new_models = _models(before), _models(after)
    latest = {row["agency_key"]: row for row in after.values()}
    out = []
    for agency_key in sorted(set(old_models) & set(new_models)):
        if old_models[agency_key] == new_models[agency_key] and agency_key not in changes:
            continue
        out.append(
            {
                "state": latest[agency_key]["state"],
                "agency": latest[agency_key]["agency"],
                "agency_key": agency_key,
                "models_old": old_models[agency_key],
                "models_new": new_models[agency_key],
                "changes": changes.get(agency_key, []),
            }
        )
    return out


def _renames(removed: list[dict], added: list[dict]) -> list[dict]:
    """Removed agreements with a similar added name of the same state and model (a hint only;
    the history build decides lineage over all snapshots)."""
    out = []
    for old in removed:
        for new in added:
            if (old["state"], old["model"]) != (new["state"], new["model"]):
                continue
            old_name = old["agreement_key"].split("|")[1]
            new_name = new["agreement_key"].split("|")[1]
            score = similarity(old_name, new_name, old["state"])
            if score >= MIN_SCORE:
                out.append(
                    {"removed": old["agreement_key"], "added": new["agreement_key"],
                     "score": round(score, 1)}
                )  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------
# Human-readable output


def _inline(counts: dict[str, int]) -> str:
    return "  ".join(f"{k} {v:,}" for k, v in counts.items()) or "-"


def _grid(counts: dict[str, int], per_line: int = 8) -> list[str]:
    cells = [f"{k} {v:>4,}" for k, v in counts.items()]
    return ["  " + "   ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]


def format_summary(summary: dict) -> str:
    territories = ", ".join(summary["territory_codes"])
    lines = [
        f"{summary['file']}",
        f"  {summary['list']} list, snapshot {summary['snapshot_date']} "
        f"(date from {summary['date_source']}); sheet {summary['sheet']!r}; {summary['era']}",
        f"rows {summary['rows']:,}   agencies {summary['agencies']:,}   "
        f"states {summary['states']}   territories {summary['territories']}"
        + (f" ({territories})" if territories else ""),
        f"by model     {_inline(summary['by_model'])}",
        f"by type      {_inline(summary['by_type'])}"
        + (f"   ({summary['type_inferred_rows']:,} inferred from the name)"
           if summary["type_inferred_rows"] else ""),
        f"by category  {_inline({k: v for k, v in summary['by_category'].items() if v})}",
    ]  # fmt: skip
    if summary["list"] == "participating":
        lines.append(f"signed by year  {_inline(summary['signed_by_year'])}")
    if summary["signed_flags"]:
        lines.append(f"SIGNED flags    {_inline(summary['signed_flags'])}")
    lines.append("by state (USPS)")
    lines += _grid(summary["by_state"])
    if summary["duplicate_key_rows"]:
        lines.append(f"warning: {summary['duplicate_key_rows']} rows share an agreement key")
    if summary["unmapped_columns"]:
        lines.append(f"warning: ignored unrecognized column(s) {summary['unmapped_columns']}")
    quarantined = summary["quarantined"]
    lines.append(f"quarantined rows: {len(quarantined) or 'none'}")
    lines += [f"  row {q['sheet_row']}: {q['reason']} ({q['detail']})" for q in quarantined]
    return "\n".join(lines)


def format_diff(diff: dict) -> str:
    old, new = diff["old"], diff["new"]
    lines = [
        f"old {old['file']} ({old['list']}, {old['snapshot_date']}, {old['rows']:,} rows)",
        f"new {new['file']} ({new['list']}, {new['snapshot_date']}, {new['rows']:,} rows)",
    ]
    if old["list"] != new["list"]:
        lines.append("warning: comparing a participating list with a pending list")
    for title, items in (("added", diff["added"]), ("removed", diff["removed"])):
        by_model = dict(sorted(Counter(i["model"] for i in items).items()))
        lines.append(f"{title} {len(items):,} agreements ({_inline(by_model)})")
        lines += [f"  {i['state']}  {i['model']}  {i['agency']}" for i in items]
    lines.append(f"changed {len(diff['changed']):,} agencies")
    for c in diff["changed"]:
        models = (
            f" models {'|'.join(c['models_old'])} -> {'|'.join(c['models_new'])}"
            if c["models_old"] != c["models_new"]
            else ""
        )
        lines.append(f"  {c['state']}  {c['agency']}{models}")
        lines += [
            f"      {x['model']} {x['field']}: {x['old']!r} -> {x['new']!r}" for x in c["changes"]
        ]
    if diff["possible_renames"]:
        lines.append("possible renames (removed -> added)")
        lines += [
            f"  {r['removed']} -> {r['added']} (score {r['score']})"
            for r in diff["possible_renames"]
        ]
    return "\n".join(lines)


def to_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
