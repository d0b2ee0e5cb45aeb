"""The history build on a small synthetic archive: duplicates, flip-flops, lineage, accounting,
determinism, schemas and dictionaries."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime

import pandas as pd
import pandera.errors
import pytest
from test_ice_fixtures import participating, pending_list, workbook_era, write_index

from analysis import paths
from analysis.fetch import sha256_file
from analysis.ice import schemas
from analysis.ice.history import agencies_table, build_history, build_tables
from analysis.ice.lineage import JurisdictionNames
from analysis.io import read_dictionary
from analysis.locate import schemas as location_schemas
from analysis.locate.build import build_locations

A_JEM = ("TEXAS", "Alpha County Sheriff's Office", "Jail Enforcement Model", datetime(2020, 6, 9))
A_TFM = ("TEXAS", "Alpha County Sheriff's Office", "Task Force Model", datetime(2025, 4, 1))
B_TFM = ("FLORIDA", "Bravo Police Department", "Task Force Model", datetime(2025, 2, 27))
MACRO = ("FLORIDA", "Macro Island Police Department", "Task Force Model", datetime(2025, 3, 1))
MARCO = ("FLORIDA", "Marco Island Police Department", "Task Force Model", datetime(2025, 3, 1))
EXIT = ("OHIO", "Exit County Sheriff's Office", "Warrant Service Officer", datetime(2020, 1, 2))
FLICKER = ("OHIO", "Flicker Police Department", "Task Force Model", datetime(2025, 3, 2))

# Same name and model in two states: Maryland has a Carroll County (an exit, not Kentucky's);
# Massachusetts has no Crow Wing County (Minnesota's sheriff under the wrong state).
MD_CARROLL = ("MARYLAND", "Carroll County Sheriff's Office", "Warrant Service Officer",
              datetime(2025, 3, 1))  # fmt: skip
KY_CARROLL = ("KENTUCKY", "Carroll County Sheriff's Office", "Warrant Service Officer",
              datetime(2025, 6, 1))  # fmt: skip
MA_CROW = ("MASSACHUSETTS", "Crow Wing County Sheriff's Office", "Warrant Service Officer",
           datetime(2025, 3, 1))  # fmt: skip
MN_CROW = ("MINNESOTA", "Crow Wing County Sheriff's Office", "Warrant Service Officer",
           datetime(2025, 3, 1))  # fmt: skip
NAMES = JurisdictionNames(
    counties={"MD": frozenset({"carroll"}), "KY": frozenset({"carroll"}),
              "MA": frozenset({"middlesex"}), "MN": frozenset({"crowwing"}),
              "TX": frozenset({"alpha"}), "FL": frozenset(), "OH": frozenset({"exit"})},
    places={"FL": frozenset({"bravo", "marcoisland"}), "OH": frozenset({"flicker"})},
)  # fmt: skip

SNAPSHOTS = {
    "2025-03-31": [A_JEM, B_TFM, MACRO, EXIT, FLICKER, MD_CARROLL, MA_CROW],
    "2025-04-30": [A_JEM, A_TFM, B_TFM, MARCO, EXIT, MD_CARROLL, MN_CROW],
    "2025-05-29": [A_JEM, A_TFM, B_TFM, MARCO, EXIT, MD_CARROLL, MN_CROW],  # repeat of 04-30
    "2025-06-27": [A_JEM, A_TFM, B_TFM, MARCO, FLICKER, KY_CARROLL, MN_CROW],
    "2025-07-30": [A_JEM, A_TFM, B_TFM, MARCO, EXIT, MD_CARROLL, MN_CROW],  # flip-flop to 04-30
}
# a live download on 2025-08-29: Bravo is gone
LIVE = [A_JEM, A_TFM, MARCO, FLICKER, KY_CARROLL, MN_CROW]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """raw_dir with archived snapshots, a pending list, the quirky workbook (dated first, so it
    does not interrupt the others) and a live file."""
    root = tmp_path_factory.mktemp("archive")
    raw_dir = root / "raw"
    entries = []
    for snapshot_date, rows in SNAPSHOTS.items():
        file = f"ice_287g/participating_{snapshot_date}.xlsx"
        participating(raw_dir / file, rows)
        entries.append((file, snapshot_date, "participating"))
    pending_list(
        raw_dir / "ice_287g/pending_2025-03-31.xlsx",
        [["TEXAS", "Alpha County Sheriff's Office", "County", "Alpha County", "Task Force Model"],
         ["OHIO", "Pending Only Police Department", "Municipality", "#N/A", "Task Force Model"]],
    )  # fmt: skip
    entries.append(("ice_287g/pending_2025-03-31.xlsx", "2025-03-31", "pending"))
    workbook_era(raw_dir / "ice_287g/quirks_2025-03-01.xlsx")
    entries.append(("ice_287g/quirks_2025-03-01.xlsx", "2025-03-01", "participating"))
    index = write_index(root / "ice_snapshots.csv", raw_dir, entries)

    live = participating(raw_dir / "ice_287g/latest/participating_2025-08-29.xlsx", LIVE)
    with open(raw_dir / "ice_287g/latest/LATEST.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "snapshot_date", "list_by_name", "url", "ice_file_name",
                         "retrieved_utc", "sha256", "bytes"])  # fmt: skip
        writer.writerow(
            ["ice_287g/latest/participating_2025-08-29.xlsx", "2025-08-29", "participating",
             "https://www.ice.gov/x.xlsx", "x.xlsx", "2025-08-29T12:00:00Z", sha256_file(live),
             live.stat().st_size]
        )  # fmt: skip
    return raw_dir, index


@pytest.fixture(scope="module")
def tables(archive):
    raw_dir, index = archive
    tables = build_tables(raw_dir, index=index, workers=1, names=NAMES)
    history, pending = tables["agreements_history"], tables["pending_history"]
    files = tables["ice_snapshot_files"]
    return tables | {"agencies": agencies_table(history, pending, tables["agreements"], files)}


def test_every_row_is_accounted_for(tables):
    files = tables["ice_snapshot_files"]
    assert (files["rows_in"] == files["rows_clean"] + files["rows_quarantined"]).all()
    assert files["rows_clean"].sum() == len(tables["agreements_history"]) + len(
        tables["pending_history"]
    )
    assert files["rows_quarantined"].sum() == len(tables["ice_quarantine"]) == 2
    assert tables["ice_quarantine"]["reason"].notna().all()
    archived = files[files["source"] == "archive"]
    assert (archived["rows_in"] == archived["manifest_rows"]).all()


def test_content_duplicates_leave_the_time_series(tables):
    files = tables["ice_snapshot_files"].set_index("file")
    repeat = files.loc["ice_287g/participating_2025-05-29.xlsx"]
    assert not repeat["in_time_series"]
    assert repeat["duplicate_of"] == "ice_287g/participating_2025-04-30.xlsx"
    assert repeat["excluded_reason"].startswith("repeat: same content as the previous snapshot")
    flip = files.loc["ice_287g/participating_2025-07-30.xlsx"]
    assert not flip["in_time_series"] and flip["excluded_reason"].startswith("flip-flop")
    assert flip["duplicate_of"] == "ice_287g/participating_2025-04-30.xlsx"
    assert files["in_time_series"].sum() == len(files) - 2
    live = files.loc["ice_287g/latest/participating_2025-08-29.xlsx"]
    assert (live["source"], live["in_time_series"]) == ("live", True)
    history = tables["agreements_history"]
    assert not history.loc[history["file"].str.contains("05-29"), "in_time_series"].any()


def test_agreements_life_span_and_lineage(tables):
    agreements = tables["agreements"].set_index("agreement_key")
    alpha = agreements.loc["TX|ALPHA COUNTY SHERIFF'S OFFICE|JEM"]
    assert (alpha["status"], alpha["first_seen"]) == ("active", pd.Timestamp("2025-03-31"))
    assert alpha["n_snapshots"] == 4 and alpha["signed_first"] == pd.Timestamp("2020-06-09")

    macro = agreements.loc["FL|MACRO ISLAND POLICE DEPARTMENT|TFM"]
    assert (macro["status"], macro["gone_at"]) == ("gone", pd.Timestamp("2025-04-30"))
    assert macro["lineage"] == "successor"
    assert macro["successor_key"] == "FL|MARCO ISLAND POLICE DEPARTMENT|TFM"

    exit_ = agreements.loc["OH|EXIT COUNTY SHERIFF'S OFFICE|WSO"]
    # seen until the repeat of 04-30 (the list was unchanged), not in the flip-flop copy
    assert exit_["last_seen"] == pd.Timestamp("2025-05-29")
    assert exit_["gone_at"] == pd.Timestamp("2025-06-27")
    assert exit_["lineage"] == "exit" and pd.isna(exit_["successor_key"])

    bravo = agreements.loc["FL|BRAVO POLICE DEPARTMENT|TFM"]
    assert bravo["last_seen"] == pd.Timestamp("2025-06-27")  # the flip-flop does not count
    assert (bravo["gone_at"], bravo["lineage"]) == (pd.Timestamp("2025-08-29"), "exit")

    flicker = agreements.loc["OH|FLICKER POLICE DEPARTMENT|TFM"]
    assert (flicker["status"], flicker["n_gaps"]) == ("active", 1)


def test_a_successor_in_another_state_only_when_the_first_state_is_impossible(tables):
    agreements = tables["agreements"].set_index("agreement_key")
    carroll = agreements.loc["MD|CARROLL COUNTY SHERIFF'S OFFICE|WSO"]
    assert carroll["gone_at"] == pd.Timestamp("2025-06-27")
    assert carroll["lineage"] == "exit" and pd.isna(carroll["successor_key"])
    assert carroll["cross_state_check"].startswith("not linked (MD has a county named CARROLL)")
    crow = agreements.loc["MA|CROW WING COUNTY SHERIFF'S OFFICE|WSO"]
    assert (crow["lineage"], crow["successor_key"]) == (
        "successor", "MN|CROW WING COUNTY SHERIFF'S OFFICE|WSO",
    )  # fmt: skip
    assert "first state impossible: MA has no county named CROW WING" in crow["cross_state_check"]
    assert agreements["cross_state_check"].notna().sum() == 2


def test_agencies(tables):
    agencies = tables["agencies"].set_index("agency_key")
    alpha = agencies.loc["TX|ALPHA COUNTY SHERIFF'S OFFICE"]
    assert (alpha["models_active"], alpha["models_ever"], alpha["n_agreements"]) == (
        "JEM|TFM",
        "JEM|TFM",
        2,
    )
    assert alpha["first_pending"] == pd.Timestamp("2025-03-31")
    assert alpha["agency_category"] == "sheriff" and alpha["agency_type"] == "County"
    assert agencies.loc["FL|BRAVO POLICE DEPARTMENT", "status"] == "gone"
    assert "OH|PENDING ONLY POLICE DEPARTMENT" not in agencies.index
    assert agencies.loc["GU|GUAM DEPARTMENT OF CORRECTIONS", "is_territory"]


def test_pending_rows_have_their_own_table(tables):
    pending = tables["pending_history"]
    assert set(pending["list"]) == {"pending"} and len(pending) == 2
    assert pending["signed"].isna().all()


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_build_is_byte_identical_and_independent_of_workers(archive, tmp_path):
    raw_dir, index = archive
    first = build_history(raw_dir, tmp_path / "a", index=index, workers=1, names=NAMES)
    build_history(raw_dir, tmp_path / "b", index=index, workers=2, names=NAMES)
    assert first["agreements_history"] > 0 and set(first) == set(schemas.TABLES)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert len(_digests(tmp_path / "a")) == 2 * len(schemas.TABLES)  # parquet + csv


def test_locate_stage_reads_the_ice_stage_tables(archive, tables, tmp_path):
    """The ICE stage writes no location table; the locate stage, run on its output, writes
    agencies (not located: the fixture has no crosswalk files) and the three empty tables."""
    raw_dir, index = archive
    ice = build_history(raw_dir, tmp_path, index=index, workers=1, names=NAMES)
    assert not {"agencies", "county_agreements", "agency_location_qa"} & set(ice)
    written = build_locations(raw_dir, tmp_path)
    assert written == {"agencies": len(tables["agencies"]), "agency_location_qa": 0,
                       "county_agreements": 0, "jurisdictions": 0}  # fmt: skip
    agencies = pd.read_parquet(tmp_path / "agencies.parquet")
    assert list(agencies.columns) == location_schemas.TABLES["agencies"].column_names
    assert (agencies["match_method"] == "not_located").all()
    first = _digests(tmp_path)
    build_locations(raw_dir, tmp_path)  # again, on its own output: the same bytes
    assert _digests(tmp_path) == first


def test_schema_rejects_broken_accounting(tables):
    files = tables["ice_snapshot_files"].copy()
    files.loc[0, "rows_clean"] += 1
    with pytest.raises(pandera.errors.SchemaErrors, match="rows_in != rows_clean"):
        schemas.validate(files, "ice_snapshot_files")


def test_schema_rejects_unknown_model(tables):
    history = tables["agreements_history"].copy()
    history.loc[0, "model"] = "XYZ"
    with pytest.raises(pandera.errors.SchemaErrors):
        schemas.validate(history, "agreements_history")


@pytest.mark.parametrize(
    "table",
    [
        registry.TABLES[name]
        for registry in (schemas, location_schemas)
        for name in sorted(registry.TABLES)
    ],
    ids=lambda t: t.name,
)
def test_committed_dictionaries_match_the_schemas(table):
    # after changing a table's columns: python -c "import analysis.ice.schemas as s;
    # s.write_dictionaries()" (or analysis.locate.schemas)
    assert (paths.DATA / "dictionaries" / f"{table.name}.csv").is_file()
    assert read_dictionary(table.name) == table.dictionary_rows()
