"""Build ``atlas.sqlite`` from the processed tables with sqlite-utils.

Every ``<name>.parquet`` of the processed folder becomes the table ``<name>``, its columns and
row order exactly those of the Parquet file and its committed data dictionary (a table whose
columns differ from its dictionary is an error naming both). Values are stored as SQLite
understands them: dates as ``YYYY-MM-DD`` text (so they sort and compare as dates), booleans as
0/1, missing values as NULL. Tables with a name column get an FTS5 index on those columns (what
Datasette's ``?_search=`` uses); the state, county, model, snapshot and key columns get an
index each. The file is written to a temporary name and renamed, so a reader never sees half a
database, and two builds from the same inputs give the same bytes.

The build is skipped when the stamp ``.atlas.sqlite.json`` beside the database records the same
inputs (every Parquet file, every dictionary, this module and the sqlite-utils and SQLite
versions) and the database still has the recorded sha256.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlite_utils

from analysis import io, paths
from analysis.errors import UserError

DB_NAME = "atlas"  # Datasette serves the database at /atlas

# Columns searched by ?_search= wherever a table has them: agency, place and county names.
FTS_COLUMNS = (
    "agency",
    "agency_raw",
    "county_name",
    "county_ice",
    "county_name_full",
    "jurisdiction_name",
    "name",
    "state_name",
    "instrument",
)
# Columns indexed wherever a table has them: state, county, model, snapshot, keys of the joins.
INDEX_COLUMNS = (
    "state",
    "state_usps",
    "county_state",
    "county_fips",
    "fips",
    "principal_county_fips",
    "model",
    "snapshot_date",
    "agency_key",
    "agreement_key",
    "agency_type",
    "jurisdiction_level",
)
# Tables with a one-column row key: Datasette links each row to its own page.
PRIMARY_KEYS = {
    "agencies": "agency_key",
    "agreements": "agreement_key",
    "county_covariates": "fips",
    "jurisdictions": "geoid",
    "state_aggregates": "state_fips",
    "state_policies": "policy_id",
}
SQLITE_TYPES = {
    "str": str,
    "bool": int,
    "int64": int,
    "Int64": int,
    "float64": float,
    "datetime64[s]": str,
}


def database_path(processed: Path | None = None) -> Path:
    return (processed or paths.PROCESSED) / f"{DB_NAME}.sqlite"


def stamp_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.json")


@dataclass(frozen=True)
class BuildResult:
    path: Path
    rows: dict[str, int]  # table -> rows, in the database's order
    seconds: float  # build time; 0.0 when the database was current
    rebuilt: bool

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def table_names(processed: Path) -> list[str]:
    names = sorted(p.stem for p in processed.glob("*.parquet"))
    if not names:
        raise UserError(f"{processed}: no processed tables; run `analysis build` first")
    return names


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inputs_fingerprint(processed: Path) -> dict[str, str]:
    """sha256 of everything the database is built from, by name."""
    inputs = {"code": _sha256(Path(__file__))}
    version = importlib.metadata.version("sqlite-utils")
    inputs["versions"] = f"sqlite-utils {version}; sqlite {sqlite3.sqlite_version}"
    for name in table_names(processed):
        inputs[f"{name}.parquet"] = _sha256(processed / f"{name}.parquet")
        inputs[f"dictionaries/{name}.csv"] = _sha256(io.dictionary_path(name))
    return inputs


def sqlite_column(values: pd.Series, dtype: str, where: str) -> list:
    """One column as Python values SQLite stores: dates as text, booleans 0/1, NA as None."""
    if dtype not in SQLITE_TYPES:
        raise UserError(f"{where}: dictionary dtype {dtype!r} is not one of {list(SQLITE_TYPES)}")
    missing = values.isna().to_numpy()
    if dtype.startswith("datetime64"):
        stamps = pd.to_datetime(values)
        has_time = (stamps.dropna() != stamps.dropna().dt.normalize()).any()
        text = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
        out = text.tolist()
    elif dtype == "bool":
        out = [int(bool(v)) for v in values.fillna(False).tolist()]
    elif dtype in ("int64", "Int64"):
        out = [int(v) for v in values.fillna(0).tolist()]
    elif dtype == "float64":
        out = [float(v) for v in values.fillna(0.0).tolist()]
    else:
        out = [str(v) for v in values.fillna("").tolist()]
    return [None if m else v for v, m in zip(out, missing, strict=True)]


def table_records(df: pd.DataFrame, name: str) -> tuple[dict[str, type], list[tuple]]:
    """The SQLite column types and the rows of one processed table, in its order."""
    try:
        io.check_against_dictionary(df, name)
    except io.DictionaryMismatch as exc:
        raise UserError(str(exc)) from None
    dictionary = io.read_dictionary(name)
    types = {row["column"]: SQLITE_TYPES.get(row["dtype"], str) for row in dictionary}
    columns = [
        sqlite_column(df[row["column"]], row["dtype"], f"{name}.{row['column']}")
        for row in dictionary
    ]
    return types, list(zip(*columns, strict=True)) if columns else []


def _check_key(df: pd.DataFrame, name: str, key: str, source: Path) -> None:
    repeated = df[key][df[key].duplicated(keep=False) | df[key].isna()]
    if len(repeated):
        shown = ", ".join(map(repr, sorted(set(repeated.astype(str)))[:5]))
        raise UserError(f"{source}, column {key}: not a row key of {name!r} ({shown} repeat or NA)")


def write_database(processed: Path, db_path: Path) -> dict[str, int]:
    """Write every processed table into a fresh database at ``db_path``; rows per table."""
    part = db_path.with_name(f".{db_path.name}.part")
    part.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    try:
        db = sqlite_utils.Database(part)
        # A scratch file renamed at the end: no need to sync or journal each insert to disk.
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA journal_mode = MEMORY")
        for name in table_names(processed):
            df = io.read_table(name, processed)
            types, records = table_records(df, name)
            pk = PRIMARY_KEYS.get(name)
            if pk:
                _check_key(df, name, pk, processed / f"{name}.parquet")
            table = db.table(name)
            table.create(types, pk=pk, not_null={pk} if pk else None)
            # sqlite-utils made the table; the values are already SQLite's, so one executemany
            # inserts them (insert_all inspects every value and is 20 times slower here).
            marks = ", ".join("?" * len(types))
            with db.conn:
                db.conn.executemany(f"INSERT INTO [{name}] VALUES ({marks})", records)
            fts = [c for c in FTS_COLUMNS if c in types]
            if fts:
                table.enable_fts(fts, fts_version="FTS5", create_triggers=False)
            for column in (c for c in INDEX_COLUMNS if c in types and c != pk):
                table.create_index([column])
            rows[name] = len(records)
        db.vacuum()
        db.close()
        os.replace(part, db_path)
    finally:
        part.unlink(missing_ok=True)
    return rows


def build_database(
    processed: Path | None = None, db_path: Path | None = None, *, force: bool = False
) -> BuildResult:
    """Build the database unless its stamp shows it current; say what was done."""
    processed = processed or paths.PROCESSED
    db_path = db_path or database_path(processed)
    inputs = inputs_fingerprint(processed)
    stamp = stamp_path(db_path)
    if not force and db_path.exists() and stamp.exists():
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("inputs") == inputs and recorded.get("sha256") == _sha256(db_path):
            return BuildResult(db_path, recorded["rows"], 0.0, rebuilt=False)
    start = time.perf_counter()
    rows = write_database(processed, db_path)
    seconds = time.perf_counter() - start
    record = {"inputs": inputs, "rows": rows, "sha256": _sha256(db_path)}
    stamp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return BuildResult(db_path, rows, seconds, rebuilt=True)
