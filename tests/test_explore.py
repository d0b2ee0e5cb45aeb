"""The explorer: tiny processed tables in the real formats -> atlas.sqlite (FTS, indexes, types,
same bytes twice, rebuilt only when an input changed), its Datasette metadata (every table and
column), the canned queries, the real Datasette server on 127.0.0.1; and the real tables."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from analysis import io, paths
from analysis.errors import UserError
from analysis.explore import database, descriptions, metadata, queries
from analysis.fetch import load_catalog

SNAP_1, SNAP_2 = "2025-01-31", "2025-02-28"
COLLIER = "FL|COLLIER COUNTY SHERIFF'S OFFICE"
NAPLES = "FL|NAPLES POLICE DEPARTMENT"
HARRIS = "TX|HARRIS COUNTY CONSTABLE PRECINCT 4"
ATLANTA = "GA|ATLANTA POLICE DEPARTMENT"
AGENCIES = [
    # key, agency, type, county, county name, all counties, level, status, active, ever
    (COLLIER, "Collier County Sheriff's Office", "County", "12021", "Collier County", "12021",
     "county", "active", "JEM|TFM", "JEM|TFM"),
    (NAPLES, "Naples Police Department", "Municipality", "12021", "Collier County", "12021",
     "municipal", "active", "TFM", "TFM"),
    (HARRIS, "Harris County Constable Precinct 4", "County", "48201", "Harris County", "48201",
     "other", "gone", None, "WSO"),
    (ATLANTA, "Atlanta Police Department", "Municipality", "13121", "Fulton County",
     "13121|13089", "municipal", "active", "TFM", "TFM"),
]  # fmt: skip
# snapshot -> agreements listed (agency key, model)
LISTED = {
    SNAP_1: [(COLLIER, "JEM"), (HARRIS, "WSO"), (ATLANTA, "TFM")],
    SNAP_2: [(COLLIER, "JEM"), (COLLIER, "TFM"), (NAPLES, "TFM"), (ATLANTA, "TFM")],
}
COLLIER_TFM_MOA = "https://www.ice.gov/doclib/287gMOA/collierCoFL_TFM_MOA_02.24.2025.pdf"


def typed(name: str, records: list[dict]) -> pd.DataFrame:
    """A frame with exactly the dictionary's columns and dtypes; unnamed columns empty."""
    out = {}
    for row in io.read_dictionary(name):
        col, dtype = row["column"], row["dtype"]
        values = pd.Series([r.get(col) for r in records], dtype="object")
        if dtype.startswith("datetime64"):
            out[col] = pd.to_datetime(values).astype(dtype)
        elif dtype == "bool":
            out[col] = values.fillna(False).astype(bool)
        elif dtype == "int64":
            out[col] = values.fillna(0).astype("int64")
        elif dtype in ("Int64", "float64"):
            out[col] = values.astype(dtype)
        else:
            out[col] = values.astype("str").where(values.notna(), None)
    return pd.DataFrame(out)


def tiny_tables() -> dict[str, pd.DataFrame]:
    agencies = [
        dict(agency_key=k, state=k[:2], agency=a, agency_type=t, county_fips=f, county_name=n,
             county_state=k[:2], county_fips_all=all_, jurisdiction_level=lvl, status=s,
             models_active=act, models_ever=ever, n_agreements=len(ever.split("|")),
             first_seen=SNAP_2 if k == NAPLES else SNAP_1,
             last_seen=SNAP_1 if k == HARRIS else SNAP_2, match_method="ice_county_exact")
        for k, a, t, f, n, all_, lvl, s, act, ever in AGENCIES
    ]  # fmt: skip
    names = {a["agency_key"]: a for a in agencies}
    history = [
        dict(snapshot_date=date, file=f"ice_287g/participating_{date}.xlsx", list="participating",
             in_time_series=True, sheet_row=i + 2, state=key[:2], agency=names[key]["agency"],
             agency_key=key, agreement_key=f"{key}|{model}", model=model,
             agency_type=names[key]["agency_type"],
             moa_url=COLLIER_TFM_MOA if (key, model) == (COLLIER, "TFM") else None)
        for date, listed in LISTED.items() for i, (key, model) in enumerate(listed)
    ]  # fmt: skip
    agreements = [
        dict(agreement_key=f"{k}|{m}", state=k[:2], agency_key=k, agency=names[k]["agency"],
             model=m, agency_type=names[k]["agency_type"],
             status="gone" if k == HARRIS else "active", n_snapshots=1)
        for k, m in sorted({pair for listed in LISTED.values() for pair in listed})
    ]  # fmt: skip
    counties = [
        dict(fips=f, state_fips=f[:2], state_usps=s, county_name_full=n)
        for f, s, n in [("12021", "FL", "Collier County"), ("13089", "GA", "DeKalb County"),
                        ("13121", "GA", "Fulton County"), ("48201", "TX", "Harris County")]
    ]  # fmt: skip
    states = [
        dict(state_fips=f, state_usps=s, state_name=n, counties=c)
        for f, s, n, c in [("12", "FL", "Florida", 67), ("13", "GA", "Georgia", 159),
                           ("48", "TX", "Texas", 254)]
    ]  # fmt: skip
    return {
        "agencies": typed("agencies", agencies),
        "agreements": typed("agreements", agreements),
        "agreements_history": typed("agreements_history", history),
        "county_covariates": typed("county_covariates", counties),
        "state_aggregates": typed("state_aggregates", states),
    }


@pytest.fixture
def processed(tmp_path) -> Path:
    out = tmp_path / "processed"
    for name, frame in tiny_tables().items():
        io.write_table(frame, name, out)
    return out


@pytest.fixture
def built(processed) -> Path:
    return database.build_database(processed).path


def query(db: Path, sql: str, params=()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_database_tables_types_fts_and_indexes(built, processed):
    rows = {r["name"] for r in query(built, "select name from sqlite_master where type='table'")}
    assert set(tiny_tables()) <= rows
    for name, frame in tiny_tables().items():
        assert query(built, f"select count(*) n from [{name}]")[0]["n"] == len(frame)
        columns = [r["name"] for r in query(built, f"pragma table_info([{name}])")]
        assert columns == list(frame.columns)
    # ?_search= finds agency, place and county names
    hits = query(
        built,
        "select a.agency_key, a.county_fips, a.models_active from agencies a "
        "join agencies_fts f on f.rowid = a.rowid where agencies_fts match ? order by 1",
        ("naples",),
    )
    assert [tuple(r) for r in hits] == [(NAPLES, "12021", "TFM")]
    by_county = query(built, "select rowid from agencies_fts where agencies_fts match 'fulton'")
    assert len(by_county) == 1
    assert query(built, "select count(*) n from agreements_history_fts")[0]["n"] == 7
    indexes = {
        (r["tbl_name"], r["sql"].split("(")[-1].strip(')[] "'))
        for r in query(built, "select tbl_name, sql from sqlite_master where type='index' "
                       "and sql is not null")
    }  # fmt: skip
    for table, column in [("agencies", "state"), ("agencies", "county_fips"),
                          ("agreements", "model"), ("agreements_history", "snapshot_date"),
                          ("agreements_history", "agreement_key"),
                          ("county_covariates", "state_usps")]:  # fmt: skip
        assert (table, column) in indexes, (table, column)
    collier = query(built, "select * from agencies where agency_key = ?", (COLLIER,))[0]
    assert collier["first_seen"] == SNAP_1 and collier["match_conflict"] == 0
    assert collier["match_score"] is None and collier["jurisdiction_population"] is None
    pk = [r["name"] for r in query(built, "pragma table_info(agencies)") if r["pk"]]
    assert pk == ["agency_key"]


def test_same_bytes_twice_and_rebuilt_only_when_an_input_changes(processed, tmp_path):
    first = database.build_database(processed, tmp_path / "a.sqlite")
    second = database.build_database(processed, tmp_path / "b.sqlite")
    assert first.rebuilt and second.rebuilt
    assert first.path.read_bytes() == second.path.read_bytes()
    again = database.build_database(processed, tmp_path / "a.sqlite")
    assert not again.rebuilt and again.rows == first.rows
    frame = io.read_table("agencies", processed)
    io.write_table(frame.iloc[:3], "agencies", processed)
    changed = database.build_database(processed, tmp_path / "a.sqlite")
    assert changed.rebuilt and changed.rows["agencies"] == 3
    with open(changed.path, "ab") as fh:  # an altered database is rebuilt too
        fh.write(b"\0")
    assert database.build_database(processed, tmp_path / "a.sqlite").rebuilt


def test_a_table_unlike_its_dictionary_is_an_error(processed):
    frame = io.read_table("agreements", processed).assign(extra=1)
    io.write_table(frame, "agreements", processed, documented=False)
    with pytest.raises(UserError, match=r"'agreements'.*undocumented columns \['extra'\]"):
        database.build_database(processed)


def test_a_repeated_primary_key_is_an_error(processed):
    frame = io.read_table("agencies", processed)
    io.write_table(pd.concat([frame, frame.iloc[:1]]), "agencies", processed)
    with pytest.raises(UserError, match="agency_key: not a row key of 'agencies'"):
        database.build_database(processed)


def test_metadata_covers_every_table_and_column(built):
    meta = metadata.build_metadata(built)
    tables = meta["databases"]["atlas"]["tables"]
    assert set(tables) == set(tiny_tables())
    for name, table in tables.items():
        documented = [r["column"] for r in io.read_dictionary(name)]
        assert list(table["columns"]) == documented
        assert all(table["columns"].values()), name
        assert table["title"] and table["description_html"] and table["source"], name
        assert table["license"], name
    agreements = tables["agreements"]
    assert agreements["facets"] == ["state", "model", "agency_type", "status"]
    assert "jurisdiction_level" in tables["agencies"]["facets"]
    assert "Unit: date, YYYY-MM-DD" in agreements["columns"]["first_seen"]
    assert "public domain" in agreements["license"]
    assert agreements["source_url"] == "https://www.ice.gov/identify-and-arrest/287g"
    county = tables["county_covariates"]["columns"]
    assert "Unit: share from 0 to 1" in county["hispanic_share"]
    assert "Unit: percentage points" in county["gop_swing_pp_2016_2024"]
    assert tables["county_covariates"]["units"] == {"land_area_sqmi": "mi^2"}
    canned = meta["databases"]["atlas"]["queries"]
    assert set(canned) == set(queries.QUERIES)
    assert canned["snapshot_changes"]["params"] == ["old", "new"]
    assert f"old={SNAP_1}&amp;new={SNAP_2}" in canned["snapshot_changes"]["description_html"]
    path = metadata.write_metadata(meta, metadata.metadata_path(built))
    assert json.loads(path.read_text(encoding="utf-8")) == meta


def test_metadata_fails_when_a_column_is_missing_from_the_dictionary(built):
    folders = metadata.catalog_folders(load_catalog())
    columns = [r["column"] for r in io.read_dictionary("agencies")]
    with pytest.raises(UserError, match=r"undocumented columns \['nickname'\]"):
        metadata.table_metadata("agencies", [*columns, "nickname"], folders)
    with pytest.raises(UserError, match=r"documented but absent \['county_fips'\]"):
        metadata.table_metadata("agencies", [c for c in columns if c != "county_fips"], folders)
    with pytest.raises(UserError, match="no title and description"):
        descriptions.table_text("not_a_table")


def test_every_committed_dictionary_has_a_title_and_sources():
    folders = metadata.catalog_folders(load_catalog())
    assert set(folders) <= set(descriptions.FOLDER_LABELS)
    for path in sorted((paths.DATA / "dictionaries").glob("*.csv")):
        assert descriptions.table_text(path.stem)
        assert metadata.table_sources(path.stem, folders), path.stem


@pytest.mark.parametrize("county", ["12021", "Collier", "collier county", " COLLIER County "])
def test_agreements_in_a_county(built, county):
    rows = query(built, queries.AGREEMENTS_IN_COUNTY, {"county": county})
    got = [(r["agency"], r["model"], r["placement"], r["moa_url"]) for r in rows]
    assert got == [
        ("Collier County Sheriff's Office", "JEM", "principal county", None),
        ("Collier County Sheriff's Office", "TFM", "principal county", COLLIER_TFM_MOA),
        ("Naples Police Department", "TFM", "principal county", None),
    ]
    assert {r["county_fips"] for r in rows} == {"12021"}


def test_agreements_in_a_second_county_of_an_agency(built):
    rows = query(built, queries.AGREEMENTS_IN_COUNTY, {"county": "DeKalb"})
    assert [(r["agency"], r["placement"]) for r in rows] == [
        ("Atlanta Police Department", "one of its counties")
    ]
    assert query(built, queries.AGREEMENTS_IN_COUNTY, {"county": ""}) == []


@pytest.mark.parametrize("state", ["FL", "fl", "Florida"])
def test_the_agencies_of_a_state(built, state):
    rows = query(built, queries.STATE_AGENCIES, {"state": state})
    assert [(r["agency"], r["county_fips"], r["jurisdiction_level"]) for r in rows] == [
        ("Collier County Sheriff's Office", "12021", "county"),
        ("Naples Police Department", "12021", "municipal"),
    ]


def test_what_changed_between_two_snapshots(built):
    rows = query(built, queries.SNAPSHOT_CHANGES, {"old": SNAP_1, "new": SNAP_2})
    assert [
        (r["change"], r["agency_key"], r["models_before"], r["models_after"]) for r in rows
    ] == [
        ("added", NAPLES, None, "TFM"),
        ("models changed", COLLIER, "JEM", "JEM|TFM"),
        ("removed", HARRIS, "WSO", None),
    ]
    back = query(built, queries.SNAPSHOT_CHANGES, {"old": SNAP_2, "new": SNAP_1})
    assert [r["change"] for r in back] == ["added", "models changed", "removed"]
    assert query(built, queries.SNAPSHOT_CHANGES, {"old": "2025-01-30", "new": SNAP_2}) == []
    dates = query(built, queries.SNAPSHOT_DATES)
    assert [(r["snapshot_date"], r["agreements"], r["agencies"]) for r in dates] == [
        (SNAP_1, 3, 3),
        (SNAP_2, 4, 3),
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_the_datasette_server_answers_a_search(processed):
    port = free_port()
    env = os.environ | {
        "ANALYSIS_PROCESSED_DIR": str(processed),
        "PYTHONPATH": str(Path(database.__file__).parents[2]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "explore", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/atlas"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get_json(f"{base}.json")
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "Datasette did not answer within 90 s"
                time.sleep(0.5)
        found = get_json(f"{base}/agencies.json?_search=Naples&_shape=objects")
        assert [(r["agency"], r["county_fips"], r["models_active"]) for r in found["rows"]] == [
            ("Naples Police Department", "12021", "TFM")
        ]
        canned = get_json(f"{base}/agreements_in_county.json?county=12021&_shape=objects")
        assert [r["model"] for r in canned["rows"]] == ["JEM", "TFM", "TFM"]
        served = get_json(f"http://127.0.0.1:{port}/-/metadata.json")
        assert served["databases"]["atlas"]["tables"]["agencies"]["title"] == "Agencies"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"serving atlas.sqlite at http://127.0.0.1:{port}/atlas" in output
    assert "explore: stopped" in output


def test_a_taken_port_is_a_clear_error():
    from analysis.explore.serve import check_port

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(UserError, match="is not free"):
            check_port(sock.getsockname()[1])


@pytest.mark.mirror
def test_the_real_tables(raw_dir, tmp_path_factory):
    from analysis.build.stages import build

    out = tmp_path_factory.mktemp("processed")
    build([], raw_dir, out, echo=lambda _m: None)
    result = database.build_database(out)
    names = sorted(p.stem for p in out.glob("*.parquet"))
    assert list(result.rows) == names
    assert names == sorted(p.stem for p in (paths.DATA / "dictionaries").glob("*.csv"))
    for name in names:
        assert result.rows[name] == len(io.read_table(name, out)), name
    meta = metadata.build_metadata(result.path)
    assert set(meta["databases"]["atlas"]["tables"]) == set(names)

    agencies = io.read_table("agencies", out)
    collier = agencies[agencies["agency_key"] == COLLIER].iloc[0]
    hits = query(
        result.path,
        "select a.agency_key, a.county_fips, a.models_ever from agencies a join agencies_fts f "
        "on f.rowid = a.rowid where agencies_fts match ?",
        ('"Collier County Sheriff"',),
    )
    assert (COLLIER, collier["county_fips"], collier["models_ever"]) in [tuple(r) for r in hits]

    history = io.read_table("agreements_history", out)
    dates = sorted(history.loc[history["in_time_series"], "snapshot_date"].unique())
    old, new = (pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates[-2:])
    keys = {
        d: set(history.loc[history["snapshot_date"] == pd.Timestamp(d), "agency_key"])
        for d in (old, new)
    }
    rows = query(result.path, queries.SNAPSHOT_CHANGES, {"old": old, "new": new})
    assert {r["agency_key"] for r in rows if r["change"] == "added"} == keys[new] - keys[old]
    assert {r["agency_key"] for r in rows if r["change"] == "removed"} == keys[old] - keys[new]

    agreements = io.read_table("agreements", out)
    fips = collier["county_fips"]
    in_county = agencies.loc[
        ("|" + agencies["county_fips_all"].fillna("") + "|").str.contains(f"|{fips}|", regex=False),
        "agency_key",
    ]
    expected = set(agreements.loc[agreements["agency_key"].isin(in_county), "agreement_key"])
    rows = query(result.path, queries.AGREEMENTS_IN_COUNTY, {"county": fips})
    assert {r["agreement_key"] for r in rows} == expected and expected
