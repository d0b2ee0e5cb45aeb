"""Census places of any size in placement, the place-over-ICE-COUNTY rule and every agency's
jurisdiction, on tiny files written here in the real layouts (2023 county Gazetteer, 2025 cousub
and place Gazetteers, us_geo places / place counties / county subdivisions). Names and codes are
real; populations, areas and the namesake "Riverside" rows are written for the tests."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.geo import places as gp
from analysis.geo.counties import read_gazetteer_counties
from analysis.locate import crosswalks as cwmod
from analysis.locate import jurisdictions as jur
from analysis.locate import locate_agency, tables
from analysis.locate.overrides import agency_key_name, load_overrides

COUNTIES = [
    ("OK", "40013", "Bryan County"), ("TX", "48441", "Taylor County"),
    ("TX", "48167", "Galveston County"), ("WV", "54019", "Fayette County"),
    ("WV", "54039", "Kanawha County"), ("NH", "33007", "Coos County"),
    ("NY", "36059", "Nassau County"), ("FL", "12073", "Leon County"),
    ("FL", "12086", "Miami-Dade County"), ("TX", "48201", "Harris County"),
]  # fmt: skip
PLACES = [  # USPS, GEOID, NAME, LSAD, FUNCSTAT, counties (principal first), population
    ("OK", "4007350", "Bokchito town", "43", "A", ("40013",), "495"),
    ("TX", "4874132", "Tye city", "25", "A", ("48441",), "933"),
    ("WV", "5455468", "Montgomery city", "25", "A", ("54039", "54019"), "1635"),
    ("TX", "4869272", "Southside Place city", "25", "A", ("48201",), "1631"),
    ("TX", "4862000", "Riverside city", "25", "A", ("48441",), "500"),
    ("TX", "4862001", "Riverside city", "25", "A", ("48167",), "400"),
    ("FL", "1270600", "Tallahassee city", "25", "A", ("12073",), "196169"),
    ("NH", "3326420", "Hudson CDP", "57", "S", ("33007",), "7000"),
]
COUSUBS = [("NH", "3300761780", "Pittsburg town", "281.3", "691")]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    root = tmp_path_factory.mktemp("jurisdictions")
    county_lines = ["\t".join(("USPS", "GEOID", "ANSICODE", "NAME", "ALAND", "AWATER",
                               "ALAND_SQMI", "AWATER_SQMI", "INTPTLAT", "INTPTLONG"))]  # fmt: skip
    county_lines += [f"{s}\t{f}\t0\t{n}\t1\t0\t1.0\t0.0\t30.0\t-90.0" for s, f, n in COUNTIES]
    counties = read_gazetteer_counties(_write(root / "counties.txt", county_lines))
    gaz = _write(
        root / "places.txt",
        ["USPS|GEOID|GEOIDFQ|ANSICODE|NAME|LSAD|FUNCSTAT|ALAND|AWATER|ALAND_SQMI|AWATER_SQMI|"
         "INTPTLAT|INTPTLONG"]
        + [f"{s}|{g}|1600000US{g}|0|{n}|{ls}|{fs}|1|0|1.0|0.|30.0|-90.0"
           for s, g, n, ls, fs, _, _ in PLACES],
    )  # fmt: skip
    pc = _write(
        root / "place_counties.csv",
        ["Place GEOID,County GEOID"] + [f"{g},{c}" for _, g, *_, cs, _ in PLACES for c in cs],
    )
    p2020 = _write(
        root / "places_2020.csv",
        ["GEOID,GNIS ID,Name,Short Name,State,County GEOID,Urban Area GEOID,FIPS Class,"
         "Population,Housing Units,Land Area,Water Area,Latitude,Longitude"]
        + [f"{g},1,{n},{n},{s},{cs[0]},,C1,{pop},1,1.0,0.0,30.0,-90.0"
           for s, g, n, _, _, cs, pop in PLACES],
    )  # fmt: skip
    cs2020 = _write(
        root / "cousubs_2020.csv",
        ["GEOID,GNIS ID,Name,County GEOID,FIPS Class,Population,Housing Units,Land Area,"
         "Water Area,Latitude,Longitude"]
        + [f"{g},1,Town of Pittsburg,{g[:5]},T1,{pop},1,1.0,0.0,45.0,-71.0"
           for _, g, _, _, pop in COUSUBS],
    )  # fmt: skip
    places = gp.build_places(
        gp.read_gazetteer_places(gaz), gp.read_place_counties(pc), gp.read_places_2020(p2020)
    )
    cousubs = pd.DataFrame(
        [{"USPS": s, "GEOID": g, "NAME": n, "ALAND_SQMI": a} for s, g, n, a, _ in COUSUBS]
    )
    geonames = pd.DataFrame(columns=["lat", "lon", "name", "admin1", "admin2", "cc"])
    populations = counties[["fips", "state_usps"]].assign(
        population_2020=pd.array(range(10_000, 10_000 + len(counties)), dtype="Int64"),
        population_source="test",
    )
    states = pd.DataFrame(
        {"fips": ["48", "12"], "state_usps": ["TX", "FL"], "population_2020": [29145505, 21538187],
         "population_source": "test"}
    )  # fmt: skip
    overrides = _write(
        root / "overrides.csv",
        ["state,agency,county_fips,reason",
         'NH,Pittsburgh Police Department,33007,"test: the Town of Pittsburg, Coos County"'],
    )  # fmt: skip
    return {
        "cw": cwmod.build_crosswalks(
            counties, cousubs, geonames, load_overrides(overrides), places=places
        ),
        "cw_without_places": cwmod.build_crosswalks(counties, cousubs, geonames),
        "geo": jur.build_geo(
            places, gp.read_cousubs_2020(cs2020), pd.concat([populations, states])
        ),
    }


def loc(cw, name, state, county=None):
    return locate_agency(name, state, county, crosswalks=cw)


def test_place_under_1000_residents_found_only_in_the_census_gazetteer(frames):
    result = loc(frames["cw"], "Bokchito Police Department", "OK")
    assert (result.county_fips, result.match_method) == ("40013", "place_census")
    assert "Bokchito town" in result.match_note and result.exact
    # without the Census places no source has the town
    assert loc(frames["cw_without_places"], "Bokchito Police Department", "OK").county_fips is None
    # ICE's COUNTY is a typo ("Bryant"): the exact place decides, the note keeps COUNTY's reading
    typo = loc(frames["cw"], "Bokchito Police Department", "OK", "Bryant County")
    assert (typo.county_fips, typo.match_method, typo.conflict) == ("40013", "place_census", False)
    assert "typo fix" in typo.match_note and "Bryant County" in typo.match_note


def test_unique_place_wins_over_a_contradicting_ice_county(frames):
    result = loc(frames["cw"], "Tye Police Department", "TX", "Galveston County")
    assert (result.county_fips, result.match_method) == ("48441", "place_census")
    assert result.conflict and result.alternative_fips == "48167"
    assert [a.fips for a in result.alternatives] == ["48441", "48167"]
    assert "wins over COUNTY 'Galveston County'" in result.match_note
    agencies = pd.DataFrame(
        [{"agency_key": "TX|TYE POLICE DEPARTMENT", "state": "TX",
          "agency": "Tye Police Department", "agency_type": "Municipality",
          "agency_category": "municipal police", "status": "active", "n_agreements": 1,
          "county_ice": "Galveston County"}]
    )  # fmt: skip
    qa = tables.location_qa(agencies, {"TX|TYE POLICE DEPARTMENT": result})
    row = qa.iloc[0]
    assert (row["qa_issue"], row["county_fips"], row["county_fips_alternative"]) == (
        "conflict", "48441", "48167",
    )  # fmt: skip
    assert {a["fips"] for a in json.loads(row["alternatives"])} == {"48441", "48167"}


def test_namesakes_leave_ice_county_in_charge(frames):
    result = loc(frames["cw"], "Riverside Police Department", "TX", "Galveston County")
    assert (result.county_fips, result.match_method, result.conflict) == (
        "48167", "ice_county_exact", False,
    )  # fmt: skip
    # and without COUNTY two places of that name leave the agency unplaced, with both
    alone = loc(frames["cw"], "Riverside Police Department", "TX")
    assert alone.match_method == "unmatched"
    assert {a.fips for a in alone.alternatives} == {"48441", "48167"}


def test_place_spanning_counties_agrees_with_ice_in_a_minor_county(frames):
    result = loc(frames["cw"], "Montgomery Police Department", "WV", "Fayette County")
    assert (result.county_fips, result.match_method, result.conflict) == (
        "54019", "ice_county_exact", False,
    )  # fmt: skip
    assert set(result.all_counties) == {"54019", "54039"}
    free = loc(frames["cw"], "Montgomery Police Department", "WV")
    assert free.county_fips == "54039" and "holding most of it" in free.match_note


@pytest.mark.parametrize(
    ("name", "state", "county", "category", "level", "geoid", "population"),
    [
        ("Nassau County Sheriff's Office", "NY", "Nassau County", "sheriff", "county", "36059",
         None),
        ("Nassau County Police Department", "NY", "Nassau County", "municipal police", "county",
         "36059", None),
        ("Miami-Dade Corrections and Rehabilitation", "FL", "Miami-Dade County",
         "corrections or jail", "county", "12086", None),
        ("Tye Police Department", "TX", "Galveston County", "municipal police", "municipal",
         "4874132", 933),
        ("Bokchito Police Department", "OK", None, "municipal police", "municipal", "4007350",
         495),
        ("Pittsburg Police Department", "NH", "Coos County", "municipal police", "municipal",
         "3300761780", 691),
        ("Pittsburgh Police Department", "NH", "Coos County", "municipal police", "municipal",
         "3300761780", 691),
        ("Texas Department of Public Safety", "TX", None, "state police or patrol", "state",
         "48", 29145505),
        ("Florida State University Police Department", "FL", "Leon County", "campus police",
         "other", "12073", None),
        ("Tallahassee Airport Police Department", "FL", "Leon County",
         "airport or port authority", "other", "12073", None),
        ("Galveston County Constable Precinct 2", "TX", "Galveston County", "constable", "other",
         "48167", None),
        ("Harris County Regional Police Department", "TX", "Harris County", "municipal police",
         "other", "48201", None),
        ("Seminole Nation Tribal Police", "TX", "Harris County", "municipal police", "other",
         "48201", None),
        ("Hudson Police Department", "NH", "Coos County", "municipal police", "municipal", None,
         None),
    ],
)  # fmt: skip
def test_jurisdiction_of_each_kind_of_agency(
    frames, name, state, county, category, level, geoid, population
):
    cw, geo = frames["cw"], frames["geo"]
    where = loc(cw, name, state, county)
    found = jur.assign(agency_key_name(name), state, category, where, cw, geo)
    assert (found.level, found.geoid) == (level, geoid), found.evidence
    if level in ("county", "other"):
        population = int(geo.populations.at[geoid, "population_2020"])
    assert found.population == population
    assert found.evidence
    if geoid is None:  # a CDP is not a jurisdiction: no unit, and the evidence says so
        assert "no incorporated Census place" in found.evidence


def test_unplaced_and_territory_agencies(frames):
    cw, geo = frames["cw"], frames["geo"]
    guam = jur.assign("GUAM POLICE DEPARTMENT", "GU", "municipal police",
                      loc(cw, "Guam Police Department", "GU"), cw, geo)  # fmt: skip
    assert (guam.level, guam.geoid, guam.kind) == ("state", "66", "territory")
    assert guam.population is None
    nowhere = loc(cw, "Nowhere County Sheriff's Office", "TX")
    found = jur.assign("NOWHERE COUNTY SHERIFF'S OFFICE", "TX", "sheriff", nowhere, cw, geo)
    assert (found.level, found.geoid) == ("county", None) and "no county" in found.evidence


def test_jurisdictions_table_one_row_per_geoid(frames):
    cw, geo = frames["cw"], frames["geo"]
    agencies = {
        "NY|NASSAU COUNTY SHERIFF'S OFFICE": ("Nassau County Sheriff's Office", "NY", "sheriff"),
        "NY|NASSAU COUNTY POLICE DEPARTMENT": ("Nassau County Police Department", "NY",
                                               "municipal police"),
        "WV|MONTGOMERY POLICE DEPARTMENT": ("Montgomery Police Department", "WV",
                                            "municipal police"),
        "TX|TEXAS DEPARTMENT OF PUBLIC SAFETY": ("Texas Department of Public Safety", "TX",
                                                 "state police or patrol"),
    }  # fmt: skip
    found = {
        k: jur.assign(agency_key_name(n), s, c, loc(cw, n, s), cw, geo)
        for k, (n, s, c) in agencies.items()
    }
    table = tables.jurisdictions_table(found).set_index("geoid")
    assert list(table.index) == ["36059", "48", "5455468"]
    assert table.loc["36059", "n_agencies"] == 2 and table.loc["36059", "level"] == "county"
    montgomery = table.loc["5455468"]
    assert (montgomery.level, montgomery.principal_county_fips) == ("place", "54039")
    assert montgomery.county_fips_all == "54039|54019" and montgomery.population_2020 == 1635
    assert table.loc["48", "level"] == "state" and pd.isna(table.loc["48", "county_fips_all"])
