"""The ICE tables: columns, dtypes, descriptions and pandera checks, in one place.

Each table is an :class:`analysis.tables.Table` of ``Col`` specs. From it come (a) the pandera
schema validated at the table boundary inside ``history`` and ``summary``, (b) ``typed_frame``,
which builds a frame with exactly those columns and dtypes, and (c) the committed data dictionary
``data/dictionaries/<table>.csv`` (a test checks the committed file equals ``dictionary_rows``).

``AGENCIES`` holds the ICE columns of ``agencies``; the table written to ``data/processed`` adds
the county columns of :mod:`analysis.locate.schemas` and is written by the locate stage.
"""

from __future__ import annotations

import pandas as pd

from analysis import tables
from analysis.ice.normalize import (
    AGENCY_TYPES,
    CATEGORIES,
    JURISDICTIONS,
    MODELS,
    SIGNED_FLAGS,
    TERRITORY_CODES,
)
from analysis.ice.rows import QUARANTINE_REASONS
from analysis.tables import DATE

ICE = "ICE 287(g) spreadsheet"
DERIVED = "derived in analysis.ice"
LISTS = ("participating", "pending")
LINEAGE = ("successor", "successor_uncertain", "exit")


def col(name: str, dtype: str, description: str, source: str = DERIVED, **options) -> tables.Col:
    """A column spec of an ICE table: the source defaults to ``DERIVED``."""
    return tables.Col(name, dtype, description, source, **options)


def _codes() -> tuple[str, ...]:
    return tuple(sorted(set(JURISDICTIONS.values())))


SNAPSHOT_ROWS = (
    col("snapshot_date", DATE, "Snapshot date: corrected capture or download date; the content "
        "is as of that date or earlier", "data/ice_snapshots.csv (or latest/LATEST.csv)"),
    col("file", "str", "Spreadsheet, relative to data/raw", "data/ice_snapshots.csv"),
    col("list", "str", "participating or pending, by content (a sheet with SIGNED is "
        "participating), never by file name", DERIVED, isin=LISTS),
    col("in_time_series", "bool", "False when the file's content duplicates an earlier file's "
        "(reason in ice_snapshot_files.excluded_reason). The rows are still what that file "
        "lists: filter on it to follow changes, not to look up a given date"),
    col("sheet_row", "int64", "Row number in the sheet as Excel shows it (header is row 1)", ICE),
    col("state_raw", "str", "STATE exactly as written", f"{ICE}, STATE"),
    col("state", "str", "USPS code of STATE after trimming, case folding and typo fixes; "
        "territories keep their code (GU, MP)", DERIVED, isin=_codes()),
    col("state_match", "str", "How STATE was mapped: exact, known_typo (doc §4.1 list) or fuzzy",
        isin=("exact", "known_typo", "fuzzy")),
    col("is_territory", "bool", "True for Guam, Northern Mariana Islands and other territories; "
        "never counted as states"),
    col("state_flag", "str", "Known misfiling of this agency under ICE's STATE (doc §4.1); the "
        "row keeps ICE's state", nullable=True),
    col("agency_raw", "str", "LAW ENFORCEMENT AGENCY exactly as written",
        f"{ICE}, LAW ENFORCEMENT AGENCY"),
    col("agency", "str", "Agency name with whitespace collapsed and curly apostrophes "
        "straightened (case kept)"),
    col("agency_name_key", "str", "Doc §6 name key: agency upper-cased, no space before or "
        "trailing punctuation"),
    col("agency_key", "str", "Agency key: state|name key with PD, SO (final), BOCC, DPS, DOC, "
        "DEPT, TWP, PCT, SHERIFFS expanded"),
    col("agreement_key", "str", "Agreement key: agency_key|model"),
    col("support_type_raw", "str", "SUPPORT TYPE exactly as written", f"{ICE}, SUPPORT TYPE"),
    col("model", "str", "JEM, TFM or WSO, from SUPPORT TYPE by the substrings jail, task, "
        "warrant", isin=MODELS),
    col("type_raw", "str", "TYPE exactly as written (workbooks from 2025-02-21 only)",
        f"{ICE}, TYPE", nullable=True),
    col("agency_type", "str", "County, Municipality or State from ICE's TYPE (State Agency -> "
        "State); inferred from the name (also Other) where TYPE is absent or #NA",
        isin=AGENCY_TYPES),
    col("agency_type_inferred", "bool", "True when agency_type comes from the name, not TYPE"),
    col("county_level_by_name", "bool", "The name says sheriff, parish or county jail"),
    col("type_conflict", "bool", "ICE's TYPE disagrees with county_level_by_name (e.g. a "
        "sheriff labelled Municipality)"),
    col("agency_category", "str", "Finer category from the name: " + ", ".join(CATEGORIES),
        isin=CATEGORIES),
    col("county_raw", "str", "COUNTY exactly as written (from 2025-03-17)", f"{ICE}, COUNTY",
        nullable=True),
    col("county_ice", "str", "COUNTY cleaned; #N/A, #NA, N/A and blanks are NA; typos not yet "
        "fixed", nullable=True),
    col("signed_raw", "str", "SIGNED as written (Excel dates as ISO text); participating only",
        f"{ICE}, SIGNED", nullable=True),
    col("signed", DATE, "Date of the current MOA; NA when missing or impossible "
        "(see signed_flag)", nullable=True),
    col("signed_flag", "str", "Why signed needed attention: " + "; ".join(
        f"{k} = {v}" for k, v in SIGNED_FLAGS.items()), nullable=True, isin=tuple(SIGNED_FLAGS)),
    col("signed_corrected", DATE, "signed, or for impossible_year the documented correction "
        "(year - 3000) when that is a possible date", nullable=True),
    col("moa_raw", "str", "MOA cell text (a label such as 'link' in workbooks, a Wayback URL "
        "in the HTML era)", f"{ICE}, MOA", nullable=True),
    col("moa_url", "str", "MOA document URL: the cell hyperlink target, or the cell text when it "
        "is a URL", f"{ICE}, MOA hyperlink", nullable=True),
    col("addendum_raw", "str", "ADDENDUM cell text (from 2025-07-01)", f"{ICE}, ADDENDUM",
        nullable=True),
    col("addendum_url", "str", "ADDENDUM hyperlink target", f"{ICE}, ADDENDUM hyperlink",
        nullable=True),
    col("duplicate_key", "bool", "agreement_key occurs more than once in this file (kept and "
        "flagged, doc §1)"),
)  # fmt: skip

# Columns the agreements and agencies tables share: values from the last row listing them.
STATE = col("state", "str", "USPS code", isin=_codes())
TERRITORY = col("is_territory", "bool", "Territory (GU, MP), not a state")
LATEST_NAME = col("agency", "str", "Agency name as last listed")
LATEST_TYPE = col(
    "agency_type", "str", "Agency type as last listed (ICE TYPE, else inferred)", isin=AGENCY_TYPES
)
CATEGORY = col("agency_category", "str", "Finer category from the name", isin=CATEGORIES)

AGREEMENTS = (
    col("agreement_key", "str", "state|agency name key|model", unique=True),
    STATE,
    TERRITORY,
    col("agency_key", "str", "state|agency name key (see agreements_history)"),
    LATEST_NAME,
    col("model", "str", "JEM, TFM or WSO", isin=MODELS),
    LATEST_TYPE,
    CATEGORY,
    col("signed_first", DATE, "Earliest valid SIGNED seen for this agreement", nullable=True),
    col("signed_last", DATE, "SIGNED on the last snapshot listing it (MOAs get re-dated)",
        nullable=True),
    col("n_signed_values", "int64", "Distinct valid SIGNED dates seen over time"),
    col("first_seen", DATE, "First time-series snapshot listing it"),
    col("last_seen", DATE, "Last snapshot listing it (flip-flop files excluded)"),
    col("n_snapshots", "int64", "Time-series snapshots listing it"),
    col("n_gaps", "int64", "Times it left the list and came back (flickers)"),
    col("status", "str", "active = listed on the latest participating snapshot; gone otherwise",
        isin=("active", "gone")),
    col("gone_at", DATE, "First time-series snapshot after last_seen (missing from it and from "
        "every later one)", nullable=True),
    col("lineage", "str", "For gone agreements: successor (clear rename/typo fix; in another "
        "state only when the first state is impossible), successor_uncertain (a candidate exists "
        "but the evidence is not clear) or exit (no accepted candidate: absent from all later "
        "snapshots); see analysis.ice.lineage", nullable=True, isin=LINEAGE),
    col("successor_key", "str", "agreement_key of the clear successor", nullable=True),
    col("successor_score", "float64", "rapidfuzz ratio (0-100) between the two name keys",
        nullable=True),
    col("lineage_note", "str", "Evidence: the successor or the candidates considered",
        nullable=True),
    col("cross_state_check", "str", "When the same name and model appeared under another state "
        "as this one went missing: linked (the first state is impossible, and why) or not linked "
        "(a county or place of that name exists in the first state)", nullable=True),
)  # fmt: skip

SNAPSHOT_FILES = (
    col("file", "str", "Spreadsheet, relative to data/raw", unique=True),
    col("snapshot_date", DATE, "Corrected snapshot date",
        "data/ice_snapshots.csv (or latest/LATEST.csv)"),
    col("source", "str", "archive (data/ice_snapshots.csv) or live (analysis fetch --latest-ice)",
        isin=("archive", "live")),
    col("origin", "str", "Where the bytes come from", "data/ice_snapshots.csv origin / URL"),
    col("list_catalog", "str", "List according to the catalog (archive) or the link (live)"),
    col("list", "str", "List by content (SIGNED present = participating)", isin=LISTS),
    col("era", "str", "Schema era recognized from the column set (doc §3)"),
    col("sheet", "str", "Sheet read (the first with STATE and LAW ENFORCEMENT AGENCY)"),
    col("sheet_names", "str", "All sheets in the workbook, |-separated"),
    col("header_row", "int64", "Header row number"),
    col("columns", "str", "Named columns mapped, in sheet order, |-separated"),
    col("unmapped_columns", "str", "Named header cells not in the schema (ignored)",
        nullable=True),
    col("rows_in", "int64", "Data rows: rows below the header with a non-empty cell"),
    col("rows_clean", "int64", "Rows in agreements_history / pending_history"),
    col("rows_quarantined", "int64", "Rows in ice_quarantine"),
    col("interior_blank_rows", "int64", "Empty rows between data rows (not data rows)"),
    col("trailing_blank_rows", "int64", "Empty rows after the data (not data rows)"),
    col("manifest_rows", "Int64", "Data rows according to the mirror manifest (NA for live)",
        "data/ice_snapshots.csv manifest_rows", nullable=True),
    col("duplicate_key_rows", "int64", "Rows whose agreement key repeats within the file"),
    col("content_hash", "str", "sha256 of the normalized content (state, name, model, SIGNED, "
        "type, county, quarantined raw rows); MOA URLs left out"),
    col("duplicate_of", "str", "Earliest file of the same list with the same content",
        nullable=True),
    col("in_time_series", "bool", "False for content duplicates"),
    col("excluded_reason", "str", "Why the file is out of the time series (a repeat of the "
        "previous snapshot, or a flip-flop back to an older content)", nullable=True),
    col("checks", "str", "Failed sanity checks (doc §10.9), ;-separated", nullable=True),
    col("sha256", "str", "sha256 of the file bytes"),
)  # fmt: skip

QUARANTINE = (
    col("file", "str", "Spreadsheet, relative to data/raw"),
    col("snapshot_date", DATE, "Corrected snapshot date"),
    col("list", "str", "List by content", isin=LISTS),
    col("sheet", "str", "Sheet name"),
    col("sheet_row", "int64", "Row number in the sheet", ICE),
    col("columns", "str", "Column(s) that failed, |-separated"),
    col("reason", "str", "Reason code(s), |-separated: " + "; ".join(
        f"{k} = {v}" for k, v in QUARANTINE_REASONS.items())),
    col("detail", "str", "The failing values"),
    col("raw_values", "str", "All non-empty cells of the row as JSON", ICE),
)  # fmt: skip

AGENCY_COLUMNS = (
    col("agency_key", "str", "state|agency name key (see agreements_history)", unique=True),
    STATE,
    TERRITORY,
    LATEST_NAME,
    LATEST_TYPE,
    col("agency_type_inferred", "bool", "agency_type inferred from the name"),
    CATEGORY,
    col("county_ice", "str", "Last non-missing COUNTY ICE gave (not yet matched to FIPS)",
        nullable=True),
    col("state_flag", "str", "Known misfiling note", nullable=True),
    col("first_seen", DATE, "First time-series snapshot listing any of its agreements"),
    col("last_seen", DATE, "Last snapshot listing any of its agreements"),
    col("status", "str", "active if it holds an agreement on the latest participating snapshot",
        isin=("active", "gone")),
    col("models_active", "str", "Models held on the latest snapshot, e.g. JEM|TFM",
        nullable=True),
    col("models_ever", "str", "Models ever held, e.g. JEM|TFM|WSO"),
    col("n_agreements", "int64", "Agreements (agency x model) ever held"),
    col("first_pending", DATE, "First pending-list snapshot naming this agency", nullable=True),
)  # fmt: skip


def _within_snapshot(df: pd.DataFrame) -> pd.Series:
    latest = df["snapshot_date"] + pd.Timedelta(days=1)
    ok = df["signed"].isna() | (
        (df["signed"] >= pd.Timestamp("2002-01-01")) & (df["signed"] <= latest)
    )
    return ok


def territory_consistent(df: pd.DataFrame) -> pd.Series:
    return df["is_territory"] == df["state"].isin(TERRITORY_CODES)


def _accounting(df: pd.DataFrame) -> pd.Series:
    return df["rows_in"] == df["rows_clean"] + df["rows_quarantined"]


def _manifest(df: pd.DataFrame) -> pd.Series:
    return df["manifest_rows"].isna() | (df["rows_in"] == df["manifest_rows"]).fillna(False)


TERRITORY_CHECK = tables.RowCheck(territory_consistent, "is_territory disagrees with state")
ROW_CHECKS = (
    tables.RowCheck(_within_snapshot, "signed outside 2002 .. snapshot_date + 1 day"),
    TERRITORY_CHECK,
)
ROW_ORDER = ("snapshot_date", "file", "sheet_row")
ROW_KEY = ("file", "sheet_row")

TABLES = tables.Tables(
    tables.Table("agreements_history", SNAPSHOT_ROWS, ROW_ORDER, ROW_KEY, ROW_CHECKS),
    tables.Table("pending_history", SNAPSHOT_ROWS, ROW_ORDER, ROW_KEY, ROW_CHECKS),
    tables.Table("agreements", AGREEMENTS, ("agreement_key",), checks=(TERRITORY_CHECK,)),
    tables.Table(
        "ice_snapshot_files",
        SNAPSHOT_FILES,
        ("snapshot_date", "file"),
        checks=(
            tables.RowCheck(_accounting, "rows_in != rows_clean + rows_quarantined"),
            tables.RowCheck(_manifest, "rows_in differs from the manifest's row count"),
        ),
    ),
    tables.Table("ice_quarantine", QUARANTINE, ROW_ORDER, ROW_KEY),
)
# The ICE columns of agencies (validated with the county columns, by analysis.locate.schemas).
AGENCIES = tables.Table("agencies", AGENCY_COLUMNS, ("agency_key",), checks=(TERRITORY_CHECK,))

# The helpers by table name: schemas.validate(df, "agreements") and so on.
dictionary_rows = TABLES.dictionary_rows
typed_frame = TABLES.typed_frame
schema = TABLES.schema
validate = TABLES.validate
write_dictionaries = TABLES.write_dictionaries
