"""Agency -> county rules on tiny crosswalks written here in the raw files' layouts (2023 county
Gazetteer, 2025 cousub Gazetteer, GeoNames cities1000). The places and counties are real names,
the rows are written for the tests (areas and coordinates are made up)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.fuzzy import clear_winner
from analysis.geo.counties import read_gazetteer_counties
from analysis.locate import crosswalks as cwmod
from analysis.locate import locate_agency, names
from analysis.locate.evidence import Alternative, unique_by_fips
from analysis.locate.overrides import load_overrides

COUNTY_HEADER = "\t".join(
    ("USPS", "GEOID", "ANSICODE", "NAME", "ALAND", "AWATER", "ALAND_SQMI", "AWATER_SQMI",
     "INTPTLAT", "INTPTLONG")
)  # fmt: skip
COUNTIES = [
    ("FL", "12021", "Collier County"), ("FL", "12069", "Lake County"),
    ("FL", "12035", "Flagler County"), ("FL", "12097", "Osceola County"),
    ("LA", "22103", "St. Tammany Parish"), ("LA", "22071", "Orleans Parish"),
    ("LA", "22031", "De Soto Parish"),
    ("AK", "02020", "Anchorage Municipality"), ("AK", "02150", "Kodiak Island Borough"),
    ("AK", "02185", "North Slope Borough"),
    ("PA", "42003", "Allegheny County"), ("PA", "42075", "Lebanon County"),
    ("PA", "42005", "Armstrong County"), ("PA", "42125", "Washington County"),
    ("NJ", "34029", "Ocean County"),
    ("NH", "33011", "Hillsborough County"), ("NH", "33007", "Coos County"),
    ("CT", "09110", "Capitol Planning Region"),
    ("VA", "51059", "Fairfax County"), ("VA", "51600", "Fairfax city"),
    ("VA", "51153", "Prince William County"), ("VA", "51685", "Manassas Park city"),
    ("MD", "24005", "Baltimore County"), ("MD", "24510", "Baltimore city"),
    ("NV", "32510", "Carson City"),
    ("AR", "05091", "Miller County"), ("AR", "05115", "Pope County"),
    ("TX", "48037", "Bowie County"), ("MN", "27035", "Crow Wing County"),
    ("MI", "26125", "Oakland County"), ("MI", "26163", "Wayne County"),
    ("OK", "40025", "Cimarron County"), ("GA", "13207", "Monroe County"),
    ("GA", "13297", "Walton County"),
    ("NY", "36005", "Bronx County"), ("NY", "36047", "Kings County"),
    ("NY", "36061", "New York County"), ("NY", "36081", "Queens County"),
    ("NY", "36085", "Richmond County"),
]  # fmt: skip
COUSUB_HEADER = (
    "USPS|GEOID|GEOIDFQ|ANSICODE|NAME|FUNCSTAT|ALAND|AWATER|ALAND_SQMI|AWATER_SQMI|INTPTLAT|"
    "INTPTLONG"
)
COUSUBS = [
    ("NH", "3301137940", "Hudson town", "28.3"), ("NH", "3300761780", "Pittsburg town", "281.0"),
    ("PA", "4207516520", "Cornwall borough", "9.6"),
    ("PA", "4200581024", "Washington township", "30.1"),
    ("PA", "4212581040", "Washington township", "18.2"),
    ("NJ", "3402973125", "Toms River township", "40.5"),
    ("CT", "0911037070", "Hartford town", "17.4"),
    ("PA", "4200361000", "Pittsburgh city", "55.4"),
    # a city split by a county line: two pieces, the larger in Wayne
    ("MI", "2616380700", "Southfield city", "20.0"), ("MI", "2612574900", "Southfield city", "6.0"),
    ("PA", "4200390000", "Upper St. Clair CCD", "10.0"),
    ("PA", "4200300000", "County subdivisions not defined", "0.0"),
]  # fmt: skip
GEONAMES = [
    ("Naples", "Florida", "Collier County"), ("Kissimmee", "Florida", "Osceola County"),
    ("Texarkana", "Arkansas", "Miller County"), ("Kodiak", "Alaska", "Kodiak Island Borough"),
    ("Boise City", "Oklahoma", "Cimarron County"), ("Monroe", "Georgia", "Walton County"),
    ("Manassas Park", "Virginia", "City of Manassas Park"),
    ("Bunnell", "Florida", "Flagler County"),
]  # fmt: skip


@pytest.fixture(scope="module")
def cw(tmp_path_factory):
    root = tmp_path_factory.mktemp("locate")
    gaz = root / "counties.txt"
    lines = [COUNTY_HEADER] + [
        f"{st}\t{fips}\t0\t{name}\t1\t0\t1.0\t0.0\t30.0\t-80.0" for st, fips, name in COUNTIES
    ]
    gaz.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counties = read_gazetteer_counties(gaz)
    cousubs = pd.DataFrame(
        [{"USPS": st, "GEOID": g, "NAME": n, "ALAND_SQMI": a} for st, g, n, a in COUSUBS]
    )
    geonames = pd.DataFrame(
        [
            {"lat": "30.0", "lon": "-80.0", "name": n, "admin1": s, "admin2": c, "cc": "US"}
            for n, s, c in GEONAMES
        ]
    )
    overrides_csv = root / "overrides.csv"
    overrides_csv.write_text(
        "state,agency,county_fips,reason\n"
        'FL,University of Florida Police Department,12021,"test: campus placed by hand"\n',
        encoding="utf-8",
    )
    return cwmod.build_crosswalks(counties, cousubs, geonames, load_overrides(overrides_csv))


def loc(cw, name, state, county=None, agency_type=None):
    return locate_agency(name, state, county, agency_type=agency_type, crosswalks=cw)


# --- name parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "state", "county"),
    [
        ("COLLIER COUNTY SHERIFF'S OFFICE", "FL", "COLLIER COUNTY"),
        ("SHERIFF OF ST. TAMMANY PARISH", "LA", "ST. TAMMANY PARISH"),
        ("LAKE COUNTY JAIL", "FL", "LAKE COUNTY"),
        ("NORTH SLOPE BOROUGH POLICE DEPARTMENT", "AK", "NORTH SLOPE BOROUGH"),
        ("CORNWALL BOROUGH POLICE DEPARTMENT", "PA", None),  # a PA borough is a municipality
        ("TAMPA POLICE DEPARTMENT", "FL", None),
    ],
)
def test_county_from_name(key, state, county):
    assert names.county_from_name(key, state) == county


@pytest.mark.parametrize(
    ("key", "text", "base", "kind"),
    [
        ("CITY OF MORROW POLICE DEPARTMENT", "MORROW", "MORROW", "city"),
        ("LOCUST TOWNSHIP POLICE DEPARTMENT", "LOCUST TOWNSHIP", "LOCUST", "township"),
        ("CORNWALL BOROUGH POLICE DEPARTMENT", "CORNWALL BOROUGH", "CORNWALL", "borough"),
        ("BOISE CITY POLICE DEPARTMENT", "BOISE CITY", "BOISE", "city"),
        ("TOWN OF HUDSON POLICE DEPARTMENT", "HUDSON", "HUDSON", "town"),
        ("MELBOURNE INTERNATIONAL AIRPORT POLICE DEPARTMENT", "MELBOURNE", "MELBOURNE", None),
    ],
)
def test_place_from_name(key, text, base, kind):
    assert names.place_from_name(key) == names.PlaceName(text, base, kind)


def test_place_key_folds_saint_and_punctuation():
    assert names.place_key("St. Augustine Beach") == names.place_key("Saint Augustine Beach")
    assert names.place_key("Cut 'N' Shoot") == "cutnshoot"


# --- rules ----------------------------------------------------------------------------------


def test_sheriff_by_ice_county_and_by_name(cw):
    by_county = loc(cw, "Collier County Sheriff's Office", "FL", "Collier County")
    assert (by_county.county_fips, by_county.match_method) == ("12021", "ice_county_exact")
    by_name = loc(cw, "Collier County Sheriff's Office", "Florida", "#N/A")
    assert (by_name.county_fips, by_name.match_method, by_name.exact) == (
        "12021",
        "agency_name",
        True,
    )


def test_louisiana_parishes(cw):
    assert loc(cw, "Sheriff of St. Tammany Parish", "LA").county_fips == "22103"
    assert loc(cw, "Orleans Parish Sheriff's Office", "LA", "Orleans").county_fips == "22071"
    # "DeSoto" and "De Soto" are one key; a missing suffix gets the parish
    assert loc(cw, "DeSoto Parish Sheriff's Office", "LA").county_fips == "22031"


@pytest.mark.parametrize(
    ("county", "fips", "method"),
    [
        ("Lake Conty", "12069", "ice_county_exact"),  # misspelled suffix
        ("Flager County", "12035", "ice_county_fuzzy"),
        ("Pop County", "05115", "ice_county_fuzzy"),
    ],
)
def test_typos_in_county(cw, county, fips, method):
    state = "AR" if fips.startswith("05") else "FL"
    result = loc(cw, "Some County Sheriff's Office", state, county, "County")
    assert (result.county_fips, result.match_method) == (fips, method)
    if method.endswith("fuzzy"):
        assert "edit distance 1" in result.match_note and result.match_score < 100
        assert not result.exact


def test_alaska_boroughs_and_troopers(cw):
    assert loc(cw, "North Slope Borough Police Department", "AK").county_fips == "02185"
    assert loc(cw, "Kodiak Police Department", "AK").county_fips == "02150"
    troopers = loc(cw, "Alaska State Troopers", "AK")
    assert (troopers.county_fips, troopers.match_method) == (None, "statewide")


def test_pennsylvania_and_new_jersey_boroughs_and_townships(cw):
    cornwall = loc(cw, "Cornwall Borough Police Department", "PA")
    assert (cornwall.county_fips, cornwall.match_method) == ("42075", "place_cousub")
    assert loc(cw, "Toms River Township Police Department", "NJ").county_fips == "34029"


def test_repeated_township_needs_a_county_hint(cw):
    plain = loc(cw, "Washington Township Police Department", "PA")
    assert plain.match_method == "unmatched" and plain.county_fips is None
    assert {a.fips for a in plain.alternatives} == {"42005", "42125"}
    hinted = loc(cw, "Washington Township Police Department", "PA", "Washington County")
    assert hinted.county_fips == "42125" and not hinted.conflict


def test_new_england_towns_and_connecticut_regions(cw):
    assert loc(cw, "Hudson Police Department", "NH").county_fips == "33011"
    hartford = loc(cw, "Hartford Police Department", "CT")
    assert hartford.county_fips == "09110"  # the town's planning region, not old Hartford County
    old = loc(cw, "Hartford Police Department", "CT", "Hartford County")
    assert old.county_fips == "09110" and old.match_method == "place_cousub"


def test_virginia_independent_cities(cw):
    city = loc(cw, "City of Fairfax Police Department", "VA", "Fairfax County")
    assert (city.county_fips, city.match_method) == ("51600", "independent_city")
    assert city.conflict and city.alternative_fips == "51059"
    county = loc(cw, "Fairfax County Police Department", "VA")
    assert county.county_fips == "51059"
    assert loc(cw, "Manassas Park Police Department", "VA").county_fips == "51685"
    sheriff = loc(cw, "Manassas Park County Sheriff's Office", "VA", "Manassas Park County")
    assert sheriff.county_fips == "51685" and sheriff.match_score < 100 and not sheriff.exact


def test_other_county_equivalent_cities(cw):
    assert loc(cw, "Baltimore Police Department", "MD").county_fips == "24510"
    assert loc(cw, "Baltimore County Police Department", "MD").county_fips == "24005"
    assert loc(cw, "Carson City Sheriff's Office", "NV").county_fips == "32510"


def test_multi_county_city_gets_principal_and_full_list(cw):
    city = loc(cw, "Southfield Police Department", "MI")
    assert city.county_fips == "26163" and city.all_counties == ("26163", "26125")
    hinted = loc(cw, "Southfield Police Department", "MI", "Oakland County")
    assert hinted.county_fips == "26125" and set(hinted.all_counties) == {"26125", "26163"}
    assert not hinted.conflict
    nyc = loc(cw, "New York City Police Department", "NY")
    assert nyc.county_fips == "36061" and len(nyc.all_counties) == 5


def test_place_names_that_contain_city(cw):
    assert loc(cw, "Boise City Police Department", "OK").county_fips == "40025"
    assert loc(cw, "Kissimmee PD", "FL").match_method == "place_geonames"


@pytest.mark.parametrize(
    "name",
    ["Florida Department of Law Enforcement", "Florida Highway Patrol", "Texas National Guard"],
)
def test_state_agencies_are_statewide(cw, name):
    state = "TX" if "Texas" in name else "FL"
    result = loc(cw, name, state, "Collier County", "State")
    assert (result.county_fips, result.match_method) == (None, "statewide")
    assert "headquarters" in result.match_note


def test_state_typed_agency_with_no_local_evidence_is_statewide(cw):
    assert loc(cw, "Florida Gaming Board", "FL", None, "State").match_method == "statewide"


def test_county_filed_under_the_wrong_state(cw):
    crow = loc(cw, "Crow Wing County Sheriff's Office", "MASSACHUSETTS", "Crow Wing County")
    assert crow.county_fips == "27035" and crow.conflict
    assert "another state" in crow.match_note


def test_texarkana_conflict_keeps_both_candidates(cw):
    result = loc(cw, "Texarkana PD", "ARKANSAS", "Bowie County")
    assert result.county_fips == "05091" and result.conflict
    assert result.alternative_fips == "48037"
    assert "decided by place_geonames" in result.match_note


def test_county_that_repeats_the_place_name(cw):
    result = loc(cw, "Monroe Police Department", "GA", "Monroe County")
    assert result.county_fips == "13297" and result.conflict
    assert result.alternative_fips == "13207"


def test_known_ambiguous_agency_is_not_resolved(cw):
    result = loc(cw, "Pittsburgh Police Department", "NH")
    assert result.match_method == "unmatched" and result.county_fips is None
    assert {"33007", "42003"} <= {a.fips for a in result.alternatives}


def test_territories_and_unmatched_have_reasons(cw):
    guam = loc(cw, "Guam Police Department", "GUAM", "Kattan District")
    assert guam.match_method == "territory" and "GU" in guam.match_note
    nowhere = loc(cw, "Nowhere Police Department", "FL")
    assert nowhere.match_method == "unmatched" and "not found" in nowhere.match_note


def test_manual_override_wins_and_records_the_rules(cw):
    result = loc(cw, "University of Florida PD", "FL")
    assert (result.county_fips, result.match_method) == ("12021", "manual_override")
    assert "rules gave: unmatched" in result.match_note


def test_location_json_keys(cw):
    data = loc(cw, "Texarkana PD", "AR", "Bowie County").to_dict()
    assert list(data)[:5] == [
        "county_fips",
        "county_name",
        "match_method",
        "match_score",
        "alternatives",
    ]
    json.dumps(data)


def test_unknown_state_is_an_error(cw):
    with pytest.raises(ValueError, match="unknown state"):
        loc(cw, "X Police Department", "ZZ")


def test_clear_winner_needs_the_minimum_and_the_margin():
    counties = ["pope", "polk", "pike"]
    assert clear_winner("popee", counties, 85, 5) == ("pope", pytest.approx(88.9, abs=0.1))
    assert clear_winner("pxke", counties, 85, 5) is None  # best below the minimum
    assert clear_winner("pol", ["polk", "pole"], 80, 5) is None  # a tie: no clear winner
    assert clear_winner("pole", ["pole"], 85, 5) == ("pole", 100.0)  # no runner-up
    assert clear_winner("pole", [], 85, 5) is None


def test_alternatives_keep_their_json_key_order():
    county = cwmod.County("12021", "FL", "Collier County", "County")
    alternative = Alternative.of_county(county, "other_state", "a note")
    assert list(alternative.to_dict()) == ["fips", "name", "state", "method", "score", "note"]
    assert alternative.score == 100.0
    twins = [alternative, Alternative("12069", "Lake County", "FL", "x", 90.0, "")]
    later = Alternative("12021", "Collier County", "FL", "agency_name", 100.0, "later")
    assert unique_by_fips([*twins, later]) == [later, twins[1]]
