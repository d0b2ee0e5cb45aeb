"""Agency -> county on the real files: thresholds on the latest snapshot, known placements, the
overrides file against the real agencies, and the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import cli, paths
from analysis.geo.counties import county_list
from analysis.ice.history import build_tables
from analysis.locate import load_crosswalks, locate_agency
from analysis.locate.build import location_tables
from analysis.locate.overrides import agency_key_name, load_overrides

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def tables(raw_dir):
    ice = build_tables(raw_dir)
    return ice | location_tables(ice, raw_dir)


@pytest.fixture(scope="module")
def cw(raw_dir):
    return load_crosswalks(raw_dir)


def latest_rates(tables, with_territories: bool = True) -> dict[str, float]:
    history = tables["agreements_history"]
    latest = history[history["snapshot_date"] == history["snapshot_date"].max()]
    latest = latest.drop_duplicates("agreement_key")
    if not with_territories:
        latest = latest[~latest["is_territory"]]
    placed = latest.merge(tables["agencies"][["agency_key", "county_fips"]], on="agency_key")
    return placed.groupby("agency_type")["county_fips"].apply(lambda s: s.notna().mean()).to_dict()


@pytest.mark.parametrize("with_territories", [True, False])
def test_thresholds_on_the_latest_snapshot(tables, with_territories):
    rates = latest_rates(tables, with_territories)
    assert rates["County"] >= 0.99, rates
    assert rates["Municipality"] >= 0.95, rates


def test_every_unplaced_agency_is_in_the_qa_table_with_a_reason(tables):
    agencies, qa = tables["agencies"], tables["agency_location_qa"]
    unplaced = agencies[agencies["match_method"].isin(["statewide", "unmatched", "territory"])]
    assert len(unplaced) > 0
    assert set(unplaced["agency_key"]) <= set(qa["agency_key"])
    assert qa["match_note"].str.len().gt(10).all()
    assert (
        agencies["county_fips"]
        .isna()
        .eq(agencies["match_method"].isin(["statewide", "unmatched", "territory"]))
        .all()
    )


def test_placed_counties_are_in_the_project_geography(tables, raw_dir):
    counties = set(county_list(raw_dir)["fips"])
    placed = tables["agencies"]["county_fips"].dropna()
    assert set(placed) <= counties
    for value in tables["agencies"]["county_fips_all"].dropna():
        assert set(value.split("|")) <= counties


def test_conflicts_carry_both_candidates(tables):
    agencies = tables["agencies"]
    conflicts = agencies[agencies["match_conflict"]]
    assert len(conflicts) > 0
    two_sided = conflicts["county_fips_alternative"].notna() | (
        conflicts["county_state"] != conflicts["state"]
    )
    assert two_sided.all()
    assert conflicts["match_note"].str.contains("CONFLICT|another state").all()


@pytest.mark.parametrize(
    ("key", "fips", "method"),
    [
        ("FL|COLLIER COUNTY SHERIFF'S OFFICE", "12021", "ice_county_exact"),
        ("LA|LAFOURCHE PARISH SHERIFF'S OFFICE", "22057", "ice_county_exact"),
        ("AR|TEXARKANA POLICE DEPARTMENT", "05091", "place_census"),
        ("MA|CROW WING COUNTY SHERIFF'S OFFICE", "27035", "agency_name"),
        ("OK|WICHITA COUNTY SHERIFF'S OFFICE", "48485", "manual_override"),
        ("PA|CORNWALL BOROUGH POLICE DEPARTMENT", "42075", "ice_county_exact"),
        ("FL|TAMPA POLICE DEPARTMENT", "12057", "place_census"),
        ("TX|FLORIDA DEPARTMENT OF LAW ENFORCEMENT", None, None),
    ],
)
def test_known_real_placements(tables, key, fips, method):
    agencies = tables["agencies"].set_index("agency_key")
    if fips is None:
        assert key not in agencies.index
        return
    row = agencies.loc[key]
    assert (row["county_fips"], row["match_method"]) == (fips, method)


def test_known_real_flags(tables):
    agencies = tables["agencies"].set_index("agency_key")
    texarkana = agencies.loc["AR|TEXARKANA POLICE DEPARTMENT"]
    assert texarkana["match_conflict"] and texarkana["county_fips_alternative"] == "48037"
    assert agencies.loc["FL|FLORIDA DEPARTMENT OF LAW ENFORCEMENT", "match_method"] == "statewide"
    pittsburg = agencies.loc["NH|PITTSBURGH POLICE DEPARTMENT"]  # ICE's "Pittsburgh"
    assert (pittsburg["county_fips"], pittsburg["match_method"]) == ("33007", "manual_override")
    assert "rules gave: unmatched" in pittsburg["match_note"]
    fuzzy = agencies.loc["AR|POPE COUNTY SHERIFF'S OFFICE"]
    assert (fuzzy["county_fips"], fuzzy["match_method"]) == ("05115", "ice_county_fuzzy")
    assert not fuzzy["match_exact"]


def test_virginia_independent_city_is_the_city_itself(tables, cw):
    agencies = tables["agencies"].set_index("agency_key")
    hopewell = agencies.loc["VA|HOPEWELL COUNTY SHERIFF'S OFFICE"]  # ICE: "Hopewell County"
    assert hopewell["county_fips"] == "51670" and not hopewell["match_exact"]
    assert "independent city" in hopewell["match_note"]
    roanoke = locate_agency("Roanoke Police Department", "VA", "Roanoke County", crosswalks=cw)
    assert (roanoke.county_fips, roanoke.match_method) == ("51770", "independent_city")
    assert roanoke.conflict and roanoke.alternative_fips == "51161"


def test_county_agreements_cover_every_participating_date(tables):
    panel, history = tables["county_agreements"], tables["agreements_history"]
    assert set(panel["snapshot_date"]) == set(history["snapshot_date"])
    assert pd.Timestamp("2025-01-31") in set(panel["snapshot_date"])
    assert not panel.set_index("snapshot_date").loc["2025-01-31", "in_time_series"].any()
    latest = history["snapshot_date"].max()
    on_latest = panel[panel["snapshot_date"] == latest]
    placed = tables["agencies"].loc[tables["agencies"]["county_fips"].notna(), "agency_key"]
    rows = history[(history["snapshot_date"] == latest) & history["agency_key"].isin(placed)]
    assert on_latest["agreements"].sum() == rows["agreement_key"].nunique()
    assert (
        (on_latest["jem"] + on_latest["tfm"] + on_latest["wso"]).eq(on_latest["agreements"]).all()
    )
    assert (on_latest["agreements_exact"] <= on_latest["agreements"]).all()


def test_every_override_names_a_real_agency_and_county(tables, raw_dir):
    overrides = load_overrides(paths.MANUAL / "agency_county_overrides.csv")
    keys = set(tables["agencies"]["agency_key"])
    counties = set(county_list(raw_dir)["fips"])
    for (state, name), override in overrides.items():
        assert f"{state}|{name}" in keys, f"line {override.line}: no agency {override.agency!r}"
        assert override.county_fips in counties, f"line {override.line}: bad FIPS"
        assert agency_key_name(override.agency) == name


def test_locate_an_agency_not_in_the_data(cw):
    loc = locate_agency("Town of Hudson Police Department", "New Hampshire", crosswalks=cw)
    assert (loc.county_fips, loc.match_method) == ("33011", "place_cousub")
    hartford = locate_agency("Hartford Police Department", "CT", crosswalks=cw)
    assert hartford.county_fips == "09110"  # Capitol planning region


def test_cli_locate_json(raw_dir, capsys):
    assert (
        cli.main(["locate", "Texarkana PD", "ARKANSAS", "--county", "Bowie County", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["county_fips"] == "05091" and data["match_method"] == "place_census"
    assert [a["fips"] for a in data["alternatives"]] == ["48037"]
    assert cli.main(["locate", "Texarkana PD", "AR", "--county", "Bowie County"]) == 0
    assert "  48037 Bowie County (TX)  other_state  score 100" in capsys.readouterr().out
    assert cli.main(["locate", "Collier County Sheriff's Office", "fl"]) == 0
    out = capsys.readouterr().out
    assert "12021 Collier County" in out and "agency_name" in out


def test_cli_locate_rejects_an_unknown_state(raw_dir, capsys):
    assert cli.main(["locate", "X PD", "Atlantis"]) == 1
    assert "unknown state" in capsys.readouterr().err


def test_issue_12_placements(tables):
    agencies = tables["agencies"].set_index("agency_key")
    qa = tables["agency_location_qa"].set_index("agency_key")
    bokchito = agencies.loc["OK|BOKCHITO POLICE DEPARTMENT"]  # ICE: "Bryant County"
    assert (bokchito["county_fips"], bokchito["match_method"]) == ("40013", "place_census")
    assert bokchito["jurisdiction_geoid"] == "4007350"
    assert bokchito["jurisdiction_population"] < 1000
    tye = agencies.loc["TX|TYE POLICE DEPARTMENT"]  # ICE: "Galveston County"
    assert (tye["county_fips"], tye["match_method"], tye["match_conflict"]) == (
        "48441", "place_census", True,
    )  # fmt: skip
    row = qa.loc["TX|TYE POLICE DEPARTMENT"]
    assert row["qa_issue"] == "conflict" and row["county_fips_alternative"] == "48167"
    assert {a["fips"] for a in json.loads(row["alternatives"])} == {"48441", "48167"}
    pittsburg = agencies.loc["NH|PITTSBURGH POLICE DEPARTMENT"]
    assert (pittsburg["jurisdiction_level"], pittsburg["jurisdiction_geoid"]) == (
        "municipal", "3300761780",
    )  # fmt: skip
    assert pittsburg["jurisdiction_name"] == "Pittsburg town"


def test_jurisdictions_on_the_real_agencies(tables):
    agencies, units = tables["agencies"], tables["jurisdictions"].set_index("geoid")
    assert agencies["jurisdiction_level"].notna().all()
    assert agencies["jurisdiction_evidence"].str.len().gt(10).all()
    by_level = agencies.groupby("jurisdiction_level")
    county = agencies[agencies["jurisdiction_level"].isin(["county", "other"])]
    placed = county[county["county_fips"].notna()]
    assert (placed["jurisdiction_geoid"] == placed["county_fips"]).all()
    assert county["county_fips"].isna().eq(county["jurisdiction_geoid"].isna()).all()
    state = agencies[agencies["jurisdiction_level"] == "state"]
    assert state["jurisdiction_geoid"].str.len().eq(2).all()
    assert state["match_method"].isin(["statewide", "territory"]).all()
    municipal = agencies[agencies["jurisdiction_level"] == "municipal"]
    found = municipal["jurisdiction_geoid"].dropna()
    assert found.str.len().isin([7, 10]).all()
    assert len(found) >= 0.97 * len(municipal), by_level.size()
    # a municipal jurisdiction lies in the county the agency is placed in
    for r in municipal.dropna(subset=["jurisdiction_geoid"]).itertuples():
        assert r.county_fips in units.loc[r.jurisdiction_geoid, "county_fips_all"].split("|")
    # every jurisdiction of an agency is in the table, once, with the agencies counted
    assert set(agencies["jurisdiction_geoid"].dropna()) == set(units.index)
    counted = agencies["jurisdiction_geoid"].value_counts()
    assert (units["n_agencies"] == counted.reindex(units.index)).all()
    assert units.loc[units["level"] != "state", "population_2020"].notna().mean() > 0.99
    southside = agencies.set_index("agency_key").loc["TX|SOUTHSIDE PLACE POLICE DEPARTMENT"]
    assert southside["jurisdiction_population"] < 2000  # the town, not Harris County
