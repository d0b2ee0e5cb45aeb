"""Datasette's metadata for ``atlas.sqlite``, generated from the committed data dictionaries and
``data/catalog.csv``.

Every table gets its title and description (``descriptions``), a description of every column
(the dictionary's description, its unit and its source), its sources with their licences and
publisher pages (the catalog entries of the folders the dictionary names), facets on the state,
model, agency type, jurisdiction level and status columns it has, and the database gets the
canned queries of ``queries``, each with an example link whose values come from the data.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

from analysis import io, paths
from analysis.errors import UserError
from analysis.explore import descriptions, queries
from analysis.explore.database import DB_NAME
from analysis.fetch import CatalogEntry, load_catalog

FACET_COLUMNS = ("state", "state_usps", "model", "agency_type", "jurisdiction_level", "status")
LABEL_COLUMNS = {"agencies": "agency", "agreements": "agency", "jurisdictions": "name"}
PROJECT_LICENCE = "MIT (this repository's code and hand-made tables)"


def metadata_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.stem}-metadata.json")


def catalog_folders(entries: list[CatalogEntry]) -> dict[str, list[CatalogEntry]]:
    folders: dict[str, list[CatalogEntry]] = defaultdict(list)
    for entry in entries:
        folders[entry.path.split("/")[0]].append(entry)
    return dict(folders)


def _landing(entry: CatalogEntry) -> str:
    """The publisher page's URL: the first URL in the catalog's landing_page text."""
    for word in entry.landing_page.split():
        if word.startswith(("https://", "http://")):
            return word.rstrip(";,)")
    return entry.url


def column_description(row: dict[str, str]) -> str:
    unit = descriptions.column_unit(row["column"], row["dtype"])
    text = row["description"].rstrip(".") + "."
    if unit:
        text += f" Unit: {unit}."
    return f"{text} Source: {row['source']}."


def table_sources(name: str, folders: dict[str, list[CatalogEntry]]) -> list[dict[str, str]]:
    """The sources of a table: catalog folders with their licences and pages, and the
    committed data/manual files its dictionary names."""
    sources = [row["source"] for row in io.read_dictionary(name)]
    out = []
    for folder in descriptions.source_folders(sources, list(folders)):
        entries = folders[folder]
        licences = list(dict.fromkeys(e.license for e in entries))
        out.append(
            {
                "label": descriptions.FOLDER_LABELS.get(folder, folder),
                "folder": f"data/raw/{folder}/ ({len(entries)} files in data/catalog.csv)",
                "license": "; ".join(licences),
                "url": _landing(entries[0]),
            }
        )
    for manual in descriptions.manual_files(sources):
        out.append(
            {
                "label": f"{manual} (committed, hand-made from the sources it cites)",
                "folder": manual,
                "license": PROJECT_LICENCE,
                "url": "",
            }
        )
    if not out:
        raise UserError(f"{io.dictionary_path(name)}: no source names a catalog folder or file")
    return out


def _sources_html(sources: list[dict[str, str]]) -> str:
    items = []
    for s in sources:
        label = html.escape(s["label"])
        if s["url"]:
            label = f'<a href="{html.escape(s["url"])}">{label}</a>'
        items.append(
            f"<li>{label}: {html.escape(s['folder'])}; licence {html.escape(s['license'])}</li>"
        )
    return "<p>Sources:</p><ul>" + "".join(items) + "</ul>"


def table_metadata(name: str, columns: list[str], folders: dict) -> dict:
    """One table's metadata; every column of the table must be in its data dictionary."""
    title, description = descriptions.table_text(name)
    dictionary = {row["column"]: row for row in io.read_dictionary(name)}
    undocumented = [c for c in columns if c not in dictionary]
    absent = [c for c in dictionary if c not in columns]
    if undocumented or absent:
        raise UserError(
            f"table {name!r} vs {io.dictionary_path(name)}: undocumented columns {undocumented}, "
            f"documented but absent {absent}"
        )
    sources = table_sources(name, folders)
    meta = {
        "title": title,
        "description_html": f"<p>{html.escape(description)}</p>" + _sources_html(sources),
        "source": "; ".join(s["label"] for s in sources),
        "license": "; ".join(dict.fromkeys(s["license"] for s in sources)),
        "columns": {c: column_description(dictionary[c]) for c in columns},
    }
    if sources[0]["url"]:
        meta["source_url"] = sources[0]["url"]
    units = {c: u for c, u in descriptions.PINT_UNITS.items() if c in columns}
    if units:
        meta["units"] = units
    facets = [c for c in FACET_COLUMNS if c in columns]
    if facets:
        meta["facets"] = facets
    if name in LABEL_COLUMNS:
        meta["label_column"] = LABEL_COLUMNS[name]
    return meta


def example_values(conn: sqlite3.Connection) -> dict[str, str]:
    """Parameter values for the example links, taken from the data: the county and the state
    with the most agreements, and the last two snapshots of the time series."""
    values: dict[str, str] = {}
    row = conn.execute(
        "select a.county_fips, count(*) n from agreements g join agencies a using (agency_key) "
        "where a.county_fips is not null group by a.county_fips order by n desc, a.county_fips "
        "limit 1"
    ).fetchone()
    if row:
        values["county"] = row[0]
    row = conn.execute(
        "select state, count(*) n from agencies group by state order by n desc, state limit 1"
    ).fetchone()
    if row:
        values["state"] = row[0]
    dates = conn.execute(
        "select distinct snapshot_date from agreements_history where list = 'participating' "
        "and in_time_series order by snapshot_date desc limit 2"
    ).fetchall()
    if len(dates) == 2:
        values["new"], values["old"] = dates[0][0], dates[1][0]
    return values


def canned_queries(conn: sqlite3.Connection) -> dict[str, dict]:
    from urllib.parse import urlencode

    examples = example_values(conn)
    out = {}
    for name, query in queries.QUERIES.items():
        params = [p for p in ("county", "state", "old", "new") if f":{p}" in query["sql"]]
        text = html.escape(query["description"])
        if params and all(p in examples for p in params):
            link = f"/{DB_NAME}/{name}?" + urlencode({p: examples[p] for p in params})
            shown = ", ".join(f"{p} = {examples[p]}" for p in params)
            text += f' Example: <a href="{html.escape(link)}">{html.escape(shown)}</a>.'
        out[name] = {
            "sql": query["sql"].strip(),
            "title": query["title"],
            "description_html": text,
            "params": params,
            "hide_sql": True,
        }
    return out


def build_metadata(db_path: Path, catalog: Path | None = None) -> dict:
    """The metadata of every table of ``db_path`` and the database's canned queries."""
    folders = catalog_folders(load_catalog(catalog or paths.CATALOG))
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type = 'table' and sql not like "
                "'CREATE VIRTUAL TABLE%' and name not like '%\\_fts\\_%' escape '\\' "
                "order by name"
            )
        ]
        tables = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
            tables[name] = table_metadata(name, columns, folders)
        first, last, n = conn.execute(
            "select min(snapshot_date), max(snapshot_date), count(distinct snapshot_date) "
            "from agreements_history"
        ).fetchone()
        database = {"tables": tables, "queries": canned_queries(conn)}
    finally:
        conn.close()
    database["description_html"] = (
        f"<p>Every processed table of the 287(g) atlas: ICE's participating lists from {first} "
        f"to {last} ({n} snapshots), each agency placed in its county and jurisdiction, and "
        "the county and state characteristics. Search a table with its search box (agency, "
        "place and county names); each column's description gives its unit and source.</p>"
    )
    return {
        "title": "The 287(g) atlas",
        "description_html": (
            "<p>287(g) agreements between ICE and state and local law-enforcement agencies, "
            "built from public data verified by sha256 (data/catalog.csv).</p>"
        ),
        "license": "Each table lists its sources and their licences; code MIT",
        "source": "data/catalog.csv: every raw file with its public URL and sha256",
        "source_url": "https://www.ice.gov/identify-and-arrest/287g",
        "databases": {DB_NAME: database},
    }


def write_metadata(metadata: dict, path: Path) -> Path:
    """Write the metadata as JSON (fixed key order); leave the file alone when unchanged."""
    text = json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
