"""Build the ICE 287(g) history tables from every archived and live snapshot.

Inputs: ``data/ice_snapshots.csv`` (the committed index of the mirrored files) and
``analysis.ice.index.live_snapshots(raw_dir)`` (lists fetched from ICE's live page). Outputs,
written to ``out_dir`` through ``analysis.io.write_table`` after pandera validation:

- ``agreements_history``: one row per participating snapshot x agreement row;
- ``pending_history``: the same for the pending lists;
- ``agreements``: one row per agreement (state, agency, model) with its life span and lineage;
- ``ice_snapshot_files``: one row per file with its row accounting and duplicate detection;
- ``ice_quarantine``: every raw row that could not become an agreement, with the reason.

``agencies_table`` derives one row per agency that ever held an agreement from these tables;
the locate stage (:mod:`analysis.locate.build`) adds the county columns and writes it.

A file whose normalized content equals an earlier file's (same list) stays in the row tables but
is marked ``in_time_series = False``: a repeat of the previous snapshot adds nothing to a time
series, and a return to an older content (a flip-flop) is likely a stale copy. Flip-flop files
are also ignored for ``last_seen``; plain repeats are not, since they show the list unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from analysis.ice import lineage, schemas
from analysis.ice.load import Source, load_all, snapshot_sources
from analysis.ice.snapshot import LoadedFile
from analysis.io import write_table

FLIP_FLOP = "flip-flop"
MIN_PARTICIPATING_ROWS = 100  # doc §10.9 sanity check
MAX_STATE_MOVE = 3


# ---------------------------------------------------------------------------------------------
# Files


def _duplicates(loaded: list[LoadedFile]) -> dict[str, tuple[str | None, str | None]]:
    """file -> (duplicate_of, excluded_reason), comparing each file with the earlier ones of its
    list in date order."""
    out: dict[str, tuple[str | None, str | None]] = {}
    by_list = defaultdict(list)
    for f in loaded:
        by_list[f.list_kind].append(f)
    for files in by_list.values():
        first_with: dict[str, LoadedFile] = {}
        previous: LoadedFile | None = None
        for f in sorted(files, key=lambda f: (f.snapshot_date, f.file)):
            first = first_with.setdefault(f.content_hash, f)
            if first is f:
                out[f.file] = (None, None)
            elif previous is not None and previous.content_hash == f.content_hash:
                out[f.file] = (
                    first.file,
                    f"repeat: same content as the previous snapshot {previous.file} "
                    f"({previous.snapshot_date})",
                )
            else:
                out[f.file] = (
                    first.file,
                    f"{FLIP_FLOP}: same content as the non-adjacent earlier snapshot "
                    f"{first.file} ({first.snapshot_date}); likely a stale copy",
                )
            previous = f
    return out


def _checks(f: LoadedFile, source: Source, previous_states: int | None) -> list[str]:
    found = []
    states = {r["state"] for r in f.clean if not r["is_territory"]}
    if f.list_kind == "participating" and len(f.clean) <= MIN_PARTICIPATING_ROWS:
        found.append(f"only {len(f.clean)} participating rows")
    moved = previous_states is not None and abs(len(states) - previous_states) > MAX_STATE_MOVE
    if f.list_kind == "participating" and moved:
        found.append(f"state count moved from {previous_states} to {len(states)}")
    if f.list_kind != source.list_catalog:
        found.append(f"list by content is {f.list_kind}, catalog says {source.list_catalog}")
    flags = defaultdict(int)
    for r in f.clean:
        if r["signed_flag"] not in (None, "repaired_missing_slash"):
            flags[r["signed_flag"]] += 1
    found += [f"{n} row(s) with SIGNED {flag}" for flag, n in sorted(flags.items())]
    if f.unmapped_columns:
        found.append(f"ignored unrecognized column(s) {', '.join(f.unmapped_columns)}")
    if f.quarantined:
        found.append(f"{len(f.quarantined)} row(s) quarantined")
    repeats = sum(r["duplicate_key"] for r in f.clean)
    if repeats:
        found.append(f"{repeats} rows share an agreement key (kept)")
    return found


def files_table(loaded: list[LoadedFile], sources: list[Source]) -> pd.DataFrame:
    by_file = {s.file: s for s in sources}
    duplicates = _duplicates(loaded)
    records = []
    previous_states: dict[str, int] = {}
    for f in sorted(loaded, key=lambda f: (f.snapshot_date, f.file)):
        source = by_file[f.file]
        duplicate_of, reason = duplicates[f.file]
        checks = _checks(f, source, previous_states.get(f.list_kind))
        if reason is None:
            previous_states[f.list_kind] = len(
                {r["state"] for r in f.clean if not r["is_territory"]}
            )
        records.append(
            {
                "file": f.file,
                "snapshot_date": f.snapshot_date,
                "source": source.source,
                "origin": source.origin,
                "list_catalog": source.list_catalog,
                "list": f.list_kind,
                "era": f.era,
                "sheet": f.sheet,
                "sheet_names": "|".join(f.sheet_names),
                "header_row": f.header_row,
                "columns": "|".join(f.columns),
                "unmapped_columns": "|".join(f.unmapped_columns) or None,
                "rows_in": f.rows_in,
                "rows_clean": len(f.clean),
                "rows_quarantined": len(f.quarantined),
                "interior_blank_rows": f.interior_blank_rows,
                "trailing_blank_rows": f.trailing_blank_rows,
                "manifest_rows": source.manifest_rows,
                "duplicate_key_rows": sum(r["duplicate_key"] for r in f.clean),
                "content_hash": f.content_hash,
                "duplicate_of": duplicate_of,
                "in_time_series": reason is None,
                "excluded_reason": reason,
                "checks": "; ".join(checks) or None,
                "sha256": f.sha256,
            }
        )
    return schemas.typed_frame(records, "ice_snapshot_files")


# ---------------------------------------------------------------------------------------------
# Row tables


def row_tables(loaded: list[LoadedFile], files: pd.DataFrame) -> dict[str, pd.DataFrame]:
    in_series = dict(zip(files["file"], files["in_time_series"], strict=True))
    rows = {"participating": [], "pending": []}
    quarantined = []
    for f in loaded:
        rows[f.list_kind] += [r | {"in_time_series": in_series[f.file]} for r in f.clean]
        quarantined += f.quarantined
    return {
        "agreements_history": schemas.typed_frame(rows["participating"], "agreements_history"),
        "pending_history": schemas.typed_frame(rows["pending"], "pending_history"),
        "ice_quarantine": schemas.typed_frame(quarantined, "ice_quarantine"),
    }


# ---------------------------------------------------------------------------------------------
# Agreements and agencies


def _listed(history: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """History rows that count for last_seen (every file but flip-flops), in file order."""
    flip_flop = files["excluded_reason"].fillna("").str.startswith(FLIP_FLOP)
    listed = history[history["file"].isin(set(files.loc[~flip_flop, "file"]))]
    return listed.sort_values(["snapshot_date", "file", "sheet_row"], kind="stable")


def _last_rows(listed: pd.DataFrame, key: str) -> pd.DataFrame:
    """The last row listing each ``key`` (its latest name, type, category...)."""
    return listed.groupby(key, sort=True).tail(1).set_index(key)


def _gaps(in_series: pd.DataFrame, series_dates: list) -> pd.Series:
    """Per agreement key, how often it left the time series and came back."""
    position = {d: i for i, d in enumerate(series_dates)}
    seen = in_series[["agreement_key", "snapshot_date"]].drop_duplicates()
    seen = seen.assign(position=seen["snapshot_date"].map(position)).sort_values(
        ["agreement_key", "position"]
    )
    step = seen.groupby("agreement_key")["position"].diff()
    return (step > 1).groupby(seen["agreement_key"]).sum()


def agreements_table(
    history: pd.DataFrame, files: pd.DataFrame, names: lineage.JurisdictionNames
) -> pd.DataFrame:
    """One row per agreement key of the participating list, with life span and lineage
    (``names`` tells whether a successor in another state may be accepted)."""
    participating = files[files["list"] == "participating"]
    series_dates = sorted(participating.loc[participating["in_time_series"], "snapshot_date"])
    listed = _listed(history, participating)
    in_series = listed[listed["in_time_series"]]
    latest_date = listed["snapshot_date"].max()
    last_row = _last_rows(listed, "agreement_key")
    grouped = in_series.groupby("agreement_key", sort=True)
    table = pd.DataFrame(
        {
            "first_seen": grouped["snapshot_date"].min(),
            "n_snapshots": grouped["snapshot_date"].nunique(),
            "signed_first": grouped["signed"].min(),
            "n_signed_values": grouped["signed"].nunique(),
        }
    )
    table["n_gaps"] = _gaps(in_series, series_dates)
    table["last_seen"] = listed.groupby("agreement_key")["snapshot_date"].max()
    for column in (
        "state", "is_territory", "agency_key", "agency", "model", "agency_type", "agency_category",
    ):  # fmt: skip
        table[column] = last_row[column]
    table["signed_last"] = last_row["signed"]
    table["status"] = (table["last_seen"] == latest_date).map({True: "active", False: "gone"})
    next_series = {d: _next(series_dates, d) for d in table["last_seen"].unique()}
    table["gone_at"] = table["last_seen"].map(next_series).where(table["status"] == "gone")
    # ICE's state text when it misspelt the state on every listing (a doubtful first state)
    misspelt = listed[listed["state_match"] != "exact"].groupby("agreement_key")["state_raw"]
    always = (listed["state_match"] != "exact").groupby(listed["agreement_key"]).all()
    table["state_typo"] = misspelt.first().reindex(table.index).where(always.reindex(table.index))
    table = _with_lineage(table.reset_index(), names).drop(columns="state_typo")
    return schemas.typed_frame(table, "agreements")


def _with_lineage(table: pd.DataFrame, names: lineage.JurisdictionNames) -> pd.DataFrame:
    links = lineage.link_successors(
        [
            lineage.Agreement(
                key=r.agreement_key,
                state=r.state,
                name=r.agency_key.split("|", 1)[1],
                model=r.model,
                first_seen=r.first_seen,
                last_seen=r.last_seen,
                gone_at=None if pd.isna(r.gone_at) else r.gone_at,
                state_typo=None if pd.isna(r.state_typo) else r.state_typo,
            )
            for r in table.itertuples()
        ],
        names,
    )
    empty = lineage.Lineage(None, None, None, None)
    resolved = [links.get(k, empty) for k in table["agreement_key"]]
    table["lineage"] = [x.lineage for x in resolved]
    table["successor_key"] = [x.successor_key for x in resolved]
    table["successor_score"] = [x.successor_score for x in resolved]
    table["lineage_note"] = [x.note for x in resolved]
    table["cross_state_check"] = [x.cross_state for x in resolved]
    return table


def _next(dates: list, after) -> object:
    later = [d for d in dates if d > after]
    return later[0] if later else pd.NaT


def _models_joined(agreements: pd.DataFrame) -> pd.Series:
    """Per agency key (sorted, as a groupby gives them), its distinct models sorted and joined
    by "|": what ``groupby("agency_key")["model"].agg(lambda m: "|".join(sorted(set(m))))``
    gives, without a Series per agency."""
    models: dict[str, set[str]] = defaultdict(set)
    for key, model in zip(agreements["agency_key"], agreements["model"], strict=True):
        models[key].add(model)
    index = agreements.groupby("agency_key", sort=True).size().index
    return pd.Series([("|".join(sorted(models[k]))) for k in index], index=index, dtype=object)


def agencies_table(
    history: pd.DataFrame, pending: pd.DataFrame, agreements: pd.DataFrame, files: pd.DataFrame
) -> pd.DataFrame:
    """One row per agency that ever held an agreement."""
    listed = _listed(history, files)
    last_row = _last_rows(listed, "agency_key")
    with_county = listed[listed["county_ice"].notna()]
    grouped = agreements.groupby("agency_key", sort=True)
    pending_in_series = pending[pending["in_time_series"]]

    table = pd.DataFrame(
        {
            "first_seen": grouped["first_seen"].min(),
            "last_seen": grouped["last_seen"].max(),
            "models_ever": _models_joined(agreements),
            "n_agreements": grouped["agreement_key"].nunique(),
        }
    )
    table["models_active"] = _models_joined(agreements[agreements["status"] == "active"])
    table["status"] = table["models_active"].notna().map({True: "active", False: "gone"})
    for column in (
        "state",
        "is_territory",
        "agency",
        "agency_type",
        "agency_type_inferred",
        "agency_category",
        "state_flag",
    ):
        table[column] = last_row[column]
    table["county_ice"] = with_county.groupby("agency_key")["county_ice"].last()
    table["first_pending"] = pending_in_series.groupby("agency_key")["snapshot_date"].min()
    return schemas.AGENCIES.typed_frame(table.reset_index())


# ---------------------------------------------------------------------------------------------
# Build


def build_tables(
    raw_dir: Path,
    *,
    index: Path | None = None,
    workers: int | None = None,
    names: lineage.JurisdictionNames | None = None,
    sources: list[Source] | None = None,
    loaded: list[LoadedFile] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every ICE table, validated, without writing anything. ``workers`` processes read the
    files (default: up to 2); the result does not depend on it. ``names`` (the county and place
    names the lineage checks a state against) default to those of ``raw_dir``'s gazetteers.
    ``sources`` and ``loaded``: the snapshots already read (:mod:`analysis.ice.load`)."""
    if sources is None or loaded is None:
        sources = snapshot_sources(raw_dir, index)
        loaded = load_all(sources, raw_dir, workers)
    files = files_table(loaded, sources)
    tables = row_tables(loaded, files)
    tables["ice_snapshot_files"] = files
    names = names or lineage.JurisdictionNames.from_raw(raw_dir)
    tables["agreements"] = agreements_table(tables["agreements_history"], files, names)
    return {name: schemas.validate(df, name) for name, df in tables.items()}


def build_history(
    raw_dir: Path,
    out_dir: Path,
    *,
    index: Path | None = None,
    workers: int | None = None,
    names: lineage.JurisdictionNames | None = None,
) -> dict[str, int]:
    """Build, validate and write every ICE table to ``out_dir``; return {table: row count}."""
    return write_tables(build_tables(raw_dir, index=index, workers=workers, names=names), out_dir)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, int]:
    """Write the ICE tables to ``out_dir``; return {table: row count}."""
    return {name: write_table(df, name, out_dir) for name, df in sorted(tables.items())}
