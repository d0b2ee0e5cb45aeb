"""The ICE tables: columns, dtypes, descriptions and pandera checks, in one place.

Each table is a list of ``Col`` specs. From them come (a) the pandera schema validated at the table
boundary inside ``history`` and ``summary``, (b) ``typed_frame``, which builds a frame with exactly
those columns and dtypes, and (c) the committed data dictionary ``data/dictionaries/<table>.csv``
(a test checks the committed file equals ``dictionary_rows``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.ice.normalize import (
    AGENCY_TYPES,
    CATEGORIES,
    JURISDICTIONS,
    MODELS,
    SIGNED_FLAGS,
    TERRITORY_CODES,
)
from analysis.ice.rows import QUARANTINE_REASONS
from analysis.io import DICTIONARY_FIELDS, dictionary_path
from analysis.locate.matcher import METHODS

DATE = "datetime64[s]"
ICE = "ICE 287(g) spreadsheet"
DERIVED = "derived in analysis.ice"
LISTS = ("participating", "pending")
LINEAGE = ("successor", "successor_uncertain", "exit")


@dataclass(frozen=True)
class Col:
    name: str
    dtype: str  # str | bool | int64 | Int64 | float64 | datetime64[s]
    description: str
    source: str = DERIVED
    nullable: bool = False
    isin: tuple | None = None
    unique: bool = False


def _codes() -> tuple[str, ...]:
    return tuple(sorted(set(JURISDICTIONS.values())))


SNAPSHOT_ROWS = [
    Col("snapshot_date", DATE, "Snapshot date: corrected capture or download date; the content "
        "is as of that date or earlier", "data/ice_snapshots.csv (or latest/LATEST.csv)"),
    Col("file", "str", "Spreadsheet, relative to data/raw", "data/ice_snapshots.csv"),
    Col("list", "str", "participating or pending, by content (a sheet with SIGNED is "
        "participating), never by file name", DERIVED, isin=LISTS),
    Col("in_time_series", "bool", "False when the file's content duplicates an earlier file's "
        "(reason in ice_snapshot_files.excluded_reason). The rows are still what that file "
        "lists: filter on it to follow changes, not to look up a given date"),
    Col("sheet_row", "int64", "Row number in the sheet as Excel shows it (header is row 1)", ICE),
    Col("state_raw", "str", "STATE exactly as written", f"{ICE}, STATE"),
    Col("state", "str", "USPS code of STATE after trimming, case folding and typo fixes; "
        "territories keep their code (GU, MP)", DERIVED, isin=_codes()),
    Col("state_match", "str", "How STATE was mapped: exact, known_typo (doc §4.1 list) or fuzzy",
        isin=("exact", "known_typo", "fuzzy")),
    Col("is_territory", "bool", "True for Guam, Northern Mariana Islands and other territories; "
        "never counted as states"),
    Col("state_flag", "str", "Known misfiling of this agency under ICE's STATE (doc §4.1); the "
        "row keeps ICE's state", nullable=True),
    Col("agency_raw", "str", "LAW ENFORCEMENT AGENCY exactly as written",
        f"{ICE}, LAW ENFORCEMENT AGENCY"),
    Col("agency", "str", "Agency name with whitespace collapsed and curly apostrophes "
        "straightened (case kept)"),
    Col("agency_name_key", "str", "Doc §6 name key: agency upper-cased, no space before or "
        "trailing punctuation"),
    Col("agency_key", "str", "Agency key: state|name key with PD, SO (final), BOCC, DPS, DOC, "
        "DEPT, TWP, PCT, SHERIFFS expanded"),
    Col("agreement_key", "str", "Agreement key: agency_key|model"),
    Col("support_type_raw", "str", "SUPPORT TYPE exactly as written", f"{ICE}, SUPPORT TYPE"),
    Col("model", "str", "JEM, TFM or WSO, from SUPPORT TYPE by the substrings jail, task, "
        "warrant", isin=MODELS),
    Col("type_raw", "str", "TYPE exactly as written (workbooks from 2025-02-21 only)",
        f"{ICE}, TYPE", nullable=True),
    Col("agency_type", "str", "County, Municipality or State from ICE's TYPE (State Agency -> "
        "State); inferred from the name (also Other) where TYPE is absent or #NA",
        isin=AGENCY_TYPES),
    Col("agency_type_inferred", "bool", "True when agency_type comes from the name, not TYPE"),
    Col("county_level_by_name", "bool", "The name says sheriff, parish or county jail"),
    Col("type_conflict", "bool", "ICE's TYPE disagrees with county_level_by_name (e.g. a "
        "sheriff labelled Municipality)"),
    Col("agency_category", "str", "Finer category from the name: " + ", ".join(CATEGORIES),
        isin=CATEGORIES),
    Col("county_raw", "str", "COUNTY exactly as written (from 2025-03-17)", f"{ICE}, COUNTY",
        nullable=True),
    Col("county_ice", "str", "COUNTY cleaned; #N/A, #NA, N/A and blanks are NA; typos not yet "
        "fixed", nullable=True),
    Col("signed_raw", "str", "SIGNED as written (Excel dates as ISO text); participating only",
        f"{ICE}, SIGNED", nullable=True),
    Col("signed", DATE, "Date of the current MOA; NA when missing or impossible "
        "(see signed_flag)", nullable=True),
    Col("signed_flag", "str", "Why signed needed attention: " + "; ".join(
        f"{k} = {v}" for k, v in SIGNED_FLAGS.items()), nullable=True, isin=tuple(SIGNED_FLAGS)),
    Col("signed_corrected", DATE, "signed, or for impossible_year the documented correction "
        "(year - 3000) when that is a possible date", nullable=True),
    Col("moa_raw", "str", "MOA cell text (a label such as 'link' in workbooks, a Wayback URL "
        "in the HTML era)", f"{ICE}, MOA", nullable=True),
    Col("moa_url", "str", "MOA document URL: the cell hyperlink target, or the cell text when it "
        "is a URL", f"{ICE}, MOA hyperlink", nullable=True),
    Col("addendum_raw", "str", "ADDENDUM cell text (from 2025-07-01)", f"{ICE}, ADDENDUM",
        nullable=True),
    Col("addendum_url", "str", "ADDENDUM hyperlink target", f"{ICE}, ADDENDUM hyperlink",
        nullable=True),
    Col("duplicate_key", "bool", "agreement_key occurs more than once in this file (kept and "
        "flagged, doc §1)"),
]  # fmt: skip

# Columns the agreements and agencies tables share: values from the last row listing them.
STATE = Col("state", "str", "USPS code", isin=_codes())
TERRITORY = Col("is_territory", "bool", "Territory (GU, MP), not a state")
LATEST_NAME = Col("agency", "str", "Agency name as last listed")
LATEST_TYPE = Col(
    "agency_type", "str", "Agency type as last listed (ICE TYPE, else inferred)", isin=AGENCY_TYPES
)
CATEGORY = Col("agency_category", "str", "Finer category from the name", isin=CATEGORIES)

AGREEMENTS = [
    Col("agreement_key", "str", "state|agency name key|model", unique=True),
    STATE,
    TERRITORY,
    Col("agency_key", "str", "state|agency name key (see agreements_history)"),
    LATEST_NAME,
    Col("model", "str", "JEM, TFM or WSO", isin=MODELS),
    LATEST_TYPE,
    CATEGORY,
    Col("signed_first", DATE, "Earliest valid SIGNED seen for this agreement", nullable=True),
    Col("signed_last", DATE, "SIGNED on the last snapshot listing it (MOAs get re-dated)",
        nullable=True),
    Col("n_signed_values", "int64", "Distinct valid SIGNED dates seen over time"),
    Col("first_seen", DATE, "First time-series snapshot listing it"),
    Col("last_seen", DATE, "Last snapshot listing it (flip-flop files excluded)"),
    Col("n_snapshots", "int64", "Time-series snapshots listing it"),
    Col("n_gaps", "int64", "Times it left the list and came back (flickers)"),
    Col("status", "str", "active = listed on the latest participating snapshot; gone otherwise",
        isin=("active", "gone")),
    Col("gone_at", DATE, "First time-series snapshot after last_seen (missing from it and from "
        "every later one)", nullable=True),
    Col("lineage", "str", "For gone agreements: successor (clear rename/typo fix), "
        "successor_uncertain (a candidate exists but the evidence is not clear) or exit (no "
        "candidate: absent from all later snapshots)", nullable=True, isin=LINEAGE),
    Col("successor_key", "str", "agreement_key of the clear successor", nullable=True),
    Col("successor_score", "float64", "rapidfuzz ratio (0-100) between the two name keys",
        nullable=True),
    Col("lineage_note", "str", "Evidence: the successor or the candidates considered",
        nullable=True),
]  # fmt: skip

LOCATE = "derived in analysis.locate (2023 county list; CT planning regions)"
MATCH_METHODS = (*METHODS, "not_located")
LOCATION = [
    Col("county_fips", "str", "5-digit FIPS of the agency's (principal) county in the project "
        "geography (analysis.geo.counties: 2023 list, CT planning regions 09110-09190); "
        "NA for statewide, territory and unmatched agencies", LOCATE, nullable=True),
    Col("county_name", "str", "Census name of county_fips (e.g. Collier County, Fairfax city)",
        LOCATE, nullable=True),
    Col("county_state", "str", "USPS code of county_fips; differs from state for an agency ICE "
        "files under the wrong state", LOCATE, nullable=True),
    Col("match_method", "str", "How the county was found: " + "; ".join(
        f"{k} = {v}" for k, v in METHODS.items()) + "; not_located = crosswalk files absent "
        "from raw_dir (fixtures only)", LOCATE, isin=MATCH_METHODS),
    Col("match_score", "float64", "Similarity (0-100) of the deciding match: 100 exact, else "
        "the rapidfuzz ratio", LOCATE, nullable=True),
    Col("match_note", "str", "Evidence: what matched what, conflicts and the rule that decided, "
        "or why there is no county", LOCATE),
    Col("match_conflict", "bool", "The evidence disagrees (ICE COUNTY vs name vs place, or a "
        "county of another state); county_fips_alternative holds the other candidate", LOCATE),
    Col("match_exact", "bool", "High-confidence placement: placed, not fuzzy, not conflicted "
        "(counted in county_agreements.agreements_exact)", LOCATE),
    Col("county_fips_all", "str", "Every county of the agency, principal first, |-joined (a "
        "city in several counties, a county list in COUNTY)", LOCATE, nullable=True),
    Col("county_fips_alternative", "str", "The other candidate county of a conflict (the "
        "first, when there are several; all in agency_location_qa.alternatives)", LOCATE,
        nullable=True),
]  # fmt: skip

AGENCIES = [
    Col("agency_key", "str", "state|agency name key (see agreements_history)", unique=True),
    STATE,
    TERRITORY,
    LATEST_NAME,
    LATEST_TYPE,
    Col("agency_type_inferred", "bool", "agency_type inferred from the name"),
    CATEGORY,
    Col("county_ice", "str", "Last non-missing COUNTY ICE gave (not yet matched to FIPS)",
        nullable=True),
    Col("state_flag", "str", "Known misfiling note", nullable=True),
    Col("first_seen", DATE, "First time-series snapshot listing any of its agreements"),
    Col("last_seen", DATE, "Last snapshot listing any of its agreements"),
    Col("status", "str", "active if it holds an agreement on the latest participating snapshot",
        isin=("active", "gone")),
    Col("models_active", "str", "Models held on the latest snapshot, e.g. JEM|TFM",
        nullable=True),
    Col("models_ever", "str", "Models ever held, e.g. JEM|TFM|WSO"),
    Col("n_agreements", "int64", "Agreements (agency x model) ever held"),
    Col("first_pending", DATE, "First pending-list snapshot naming this agency", nullable=True),
    *LOCATION,
]  # fmt: skip

SNAPSHOT_FILES = [
    Col("file", "str", "Spreadsheet, relative to data/raw", unique=True),
    Col("snapshot_date", DATE, "Corrected snapshot date",
        "data/ice_snapshots.csv (or latest/LATEST.csv)"),
    Col("source", "str", "archive (data/ice_snapshots.csv) or live (analysis fetch --latest-ice)",
        isin=("archive", "live")),
    Col("origin", "str", "Where the bytes come from", "data/ice_snapshots.csv origin / URL"),
    Col("list_catalog", "str", "List according to the catalog (archive) or the link (live)"),
    Col("list", "str", "List by content (SIGNED present = participating)", isin=LISTS),
    Col("era", "str", "Schema era recognized from the column set (doc §3)"),
    Col("sheet", "str", "Sheet read (the first with STATE and LAW ENFORCEMENT AGENCY)"),
    Col("sheet_names", "str", "All sheets in the workbook, |-separated"),
    Col("header_row", "int64", "Header row number"),
    Col("columns", "str", "Named columns mapped, in sheet order, |-separated"),
    Col("unmapped_columns", "str", "Named header cells not in the schema (ignored)",
        nullable=True),
    Col("rows_in", "int64", "Data rows: rows below the header with a non-empty cell"),
    Col("rows_clean", "int64", "Rows in agreements_history / pending_history"),
    Col("rows_quarantined", "int64", "Rows in ice_quarantine"),
    Col("interior_blank_rows", "int64", "Empty rows between data rows (not data rows)"),
    Col("trailing_blank_rows", "int64", "Empty rows after the data (not data rows)"),
    Col("manifest_rows", "Int64", "Data rows according to the mirror manifest (NA for live)",
        "data/ice_snapshots.csv manifest_rows", nullable=True),
    Col("duplicate_key_rows", "int64", "Rows whose agreement key repeats within the file"),
    Col("content_hash", "str", "sha256 of the normalized content (state, name, model, SIGNED, "
        "type, county, quarantined raw rows); MOA URLs left out"),
    Col("duplicate_of", "str", "Earliest file of the same list with the same content",
        nullable=True),
    Col("in_time_series", "bool", "False for content duplicates"),
    Col("excluded_reason", "str", "Why the file is out of the time series (a repeat of the "
        "previous snapshot, or a flip-flop back to an older content)", nullable=True),
    Col("checks", "str", "Failed sanity checks (doc §10.9), ;-separated", nullable=True),
    Col("sha256", "str", "sha256 of the file bytes"),
]  # fmt: skip

QUARANTINE = [
    Col("file", "str", "Spreadsheet, relative to data/raw"),
    Col("snapshot_date", DATE, "Corrected snapshot date"),
    Col("list", "str", "List by content", isin=LISTS),
    Col("sheet", "str", "Sheet name"),
    Col("sheet_row", "int64", "Row number in the sheet", ICE),
    Col("columns", "str", "Column(s) that failed, |-separated"),
    Col("reason", "str", "Reason code(s), |-separated: " + "; ".join(
        f"{k} = {v}" for k, v in QUARANTINE_REASONS.items())),
    Col("detail", "str", "The failing values"),
    Col("raw_values", "str", "All non-empty cells of the row as JSON", ICE),
]  # fmt: skip

COUNTY_AGREEMENTS = [
    Col("snapshot_date", DATE, "Participating snapshot date (every date in agreements_history)"),
    Col("county_fips", "str", "5-digit county FIPS (principal county of the agencies)", LOCATE),
    Col("state", "str", "USPS code of the county", LOCATE),
    Col("agreements", "int64", "Agreements (agency x model) of agencies placed in this county "
        "as principal county"),
    Col("agencies", "int64", "Agencies with at least one agreement"),
    Col("jem", "int64", "Jail Enforcement Model agreements"),
    Col("tfm", "int64", "Task Force Model agreements"),
    Col("wso", "int64", "Warrant Service Officer agreements"),
    Col("county_type_agreements", "int64", "Agreements of agencies with agency_type County"),
    Col("municipal_type_agreements", "int64", "Agreements of agencies with agency_type "
        "Municipality"),
    Col("state_type_agreements", "int64", "Agreements of agencies with agency_type State placed "
        "in a county (state-typed but local by name or COUNTY)"),
    Col("other_type_agreements", "int64", "Agreements of agencies with agency_type Other"),
    Col("sheriff_agreements", "int64", "Agreements of agencies with agency_category sheriff"),
    Col("agreements_exact", "int64", "Agreements whose agency's placement is match_exact (not "
        "fuzzy, not conflicted): for robustness checks"),
    Col("in_time_series", "bool", "A file of that date is in the time series (False for the "
        "content duplicates, e.g. the 2025-01-31 baseline = 2024-12-29)"),
]  # fmt: skip

LOCATION_QA = [
    Col("qa_issue", "str", "Why a reviewer should look: conflict, fuzzy, manual_override, "
        "multi_county, statewide, territory or unmatched",
        isin=("conflict", "fuzzy", "manual_override", "multi_county", "statewide", "territory",
              "unmatched")),
    Col("agency_key", "str", "state|agency name key", unique=True),
    STATE,
    LATEST_NAME,
    LATEST_TYPE,
    CATEGORY,
    Col("status", "str", "active or gone", isin=("active", "gone")),
    Col("n_agreements", "int64", "Agreements ever held"),
    Col("county_ice", "str", "Last non-missing COUNTY ICE gave", nullable=True),
    Col("match_method", "str", "See agencies.match_method", LOCATE, isin=MATCH_METHODS),
    Col("county_fips", "str", "Chosen county (NA when none)", LOCATE, nullable=True),
    Col("county_name", "str", "Census name of county_fips", LOCATE, nullable=True),
    Col("match_score", "float64", "Similarity of the deciding match", LOCATE, nullable=True),
    Col("county_fips_all", "str", "Every county, principal first, |-joined", LOCATE,
        nullable=True),
    Col("county_fips_alternative", "str", "The other candidate of a conflict", LOCATE,
        nullable=True),
    Col("alternatives", "str", "All other candidates as JSON: fips, name, state, method, score, "
        "note", LOCATE, nullable=True),
    Col("match_note", "str", "Evidence, the deciding rule, or the reason there is no county",
        LOCATE),
]  # fmt: skip

TABLES: dict[str, list[Col]] = {
    "agreements_history": SNAPSHOT_ROWS,
    "pending_history": SNAPSHOT_ROWS,
    "agreements": AGREEMENTS,
    "agencies": AGENCIES,
    "ice_snapshot_files": SNAPSHOT_FILES,
    "ice_quarantine": QUARANTINE,
    "county_agreements": COUNTY_AGREEMENTS,
    "agency_location_qa": LOCATION_QA,
}
SORT_KEYS = {
    "agreements_history": ["snapshot_date", "file", "sheet_row"],
    "pending_history": ["snapshot_date", "file", "sheet_row"],
    "agreements": ["agreement_key"],
    "agencies": ["agency_key"],
    "ice_snapshot_files": ["snapshot_date", "file"],
    "ice_quarantine": ["snapshot_date", "file", "sheet_row"],
    "county_agreements": ["snapshot_date", "county_fips"],
    "agency_location_qa": ["qa_issue", "agency_key"],
}
ROW_KEYS = {
    "agreements_history": ["file", "sheet_row"],
    "pending_history": ["file", "sheet_row"],
    "ice_quarantine": ["file", "sheet_row"],
    "county_agreements": ["snapshot_date", "county_fips"],
}


def dictionary_rows(table: str) -> list[dict[str, str]]:
    """Rows of the data dictionary ``data/dictionaries/<table>.csv``."""
    return [
        {"column": c.name, "dtype": c.dtype, "description": c.description, "source": c.source}
        for c in TABLES[table]
    ]


def write_dictionaries() -> list[Path]:
    """Rewrite the committed data dictionaries from the specs above (after changing a table)."""
    written = []
    for table in TABLES:
        path = dictionary_path(table)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=DICTIONARY_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(dictionary_rows(table))
        written.append(path)
    return written


def typed_frame(records: list[dict] | pd.DataFrame, table: str) -> pd.DataFrame:
    """A frame with exactly the table's columns, in order, cast to their dtypes, sorted."""
    frame = pd.DataFrame(records)
    out = {}
    for col in TABLES[table]:
        values = frame[col.name] if col.name in frame else pd.Series([None] * len(frame))
        if col.dtype == DATE:
            values = pd.to_datetime(values).astype(DATE)
        elif col.dtype == "str":
            values = values.astype("object").where(values.notna(), None).astype("str")
        else:
            values = values.astype(col.dtype)
        out[col.name] = values.reset_index(drop=True)
    typed = pd.DataFrame(out, columns=[c.name for c in TABLES[table]])
    return typed.sort_values(SORT_KEYS[table], kind="stable").reset_index(drop=True)


def _within_snapshot(df: pd.DataFrame) -> pd.Series:
    latest = df["snapshot_date"] + pd.Timedelta(days=1)
    ok = df["signed"].isna() | (
        (df["signed"] >= pd.Timestamp("2002-01-01")) & (df["signed"] <= latest)
    )
    return ok


def _territory_consistent(df: pd.DataFrame) -> pd.Series:
    return df["is_territory"] == df["state"].isin(TERRITORY_CODES)


def _accounting(df: pd.DataFrame) -> pd.Series:
    return df["rows_in"] == df["rows_clean"] + df["rows_quarantined"]


def _manifest(df: pd.DataFrame) -> pd.Series:
    return df["manifest_rows"].isna() | (df["rows_in"] == df["manifest_rows"]).fillna(False)


_TABLE_CHECKS = {
    "agreements_history": [
        pa.Check(_within_snapshot, error="signed outside 2002 .. snapshot_date + 1 day"),
        pa.Check(_territory_consistent, error="is_territory disagrees with state"),
    ],
    "agencies": [pa.Check(_territory_consistent, error="is_territory disagrees with state")],
    "agreements": [pa.Check(_territory_consistent, error="is_territory disagrees with state")],
    "ice_snapshot_files": [
        pa.Check(_accounting, error="rows_in != rows_clean + rows_quarantined"),
        pa.Check(_manifest, error="rows_in differs from the manifest's row count"),
    ],
}
_TABLE_CHECKS["pending_history"] = _TABLE_CHECKS["agreements_history"]


def schema(table: str) -> pa.DataFrameSchema:
    columns = {
        c.name: pa.Column(
            c.dtype,
            nullable=c.nullable,
            unique=c.unique,
            checks=[pa.Check.isin(list(c.isin))] if c.isin else [],
            description=c.description,
        )
        for c in TABLES[table]
    }
    return pa.DataFrameSchema(
        columns,
        checks=_TABLE_CHECKS.get(table, []),
        strict=True,
        ordered=True,
        unique=ROW_KEYS.get(table),
        name=table,
    )


def validate(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Validate ``df`` as ``table``; every error at once (lazy), so a reviewer sees them all."""
    return schema(table).validate(df, lazy=True)
