"""Normalization of ICE cells: states, models, names and keys, dates, types, categories."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.geo import states as geo_states
from analysis.ice import normalize as nz

SNAPSHOT = date(2025, 7, 15)


@pytest.mark.parametrize(
    ("raw", "code", "match"),
    [
        ("TEXAS", "TX", "exact"),
        ("Texas", "TX", "exact"),  # the 2025-03-27 files use title case
        ("TEXAS ", "TX", "exact"),
        ("WEST VIRGINIA\u00a0", "WV", "exact"),
        ("WESt VIRGINIA", "WV", "exact"),
        ("UTAh", "UT", "exact"),
        ("AlABAMA", "AL", "exact"),
        ("WEST VIRIGINIA", "WV", "known_typo"),
        ("WEST VIRIGINA", "WV", "known_typo"),
        ("UTAHJ", "UT", "known_typo"),
        ("MCHIGAN", "MI", "known_typo"),
        ("PENNSLYVANIA", "PA", "known_typo"),
        ("MISSISIPPI", "MS", "fuzzy"),
        ("District of Columbia", "DC", "exact"),
    ],
)
def test_states_map_to_usps_with_typos(raw, code, match):
    result = nz.normalize_state(raw)
    assert (result.code, result.match, result.is_territory) == (code, match, False)


def test_territories_are_kept_and_flagged():
    assert nz.normalize_state("GUAM") == nz.StateMatch("GU", "exact", True)
    assert nz.normalize_state("Northern Mariana Islands ") == nz.StateMatch("MP", "exact", True)
    assert "GU" not in nz.STATE_CODES and "GU" in nz.TERRITORY_CODES


def test_state_lookups_are_the_one_state_table():
    names = {usps: name for _fips, usps, name in geo_states.STATES}
    assert {usps: name.upper() for usps, name in names.items()} == nz.STATE_NAMES
    assert set(names) == nz.STATE_CODES and len(nz.STATE_CODES) == 51
    assert {usps for _fips, usps, _name in geo_states.TERRITORIES} == nz.TERRITORY_CODES
    assert not nz.STATE_CODES & nz.TERRITORY_CODES
    for spelling in ("U.S. Virgin Islands", "VIRGIN ISLANDS", "Puerto Rico", "AMERICAN SAMOA"):
        assert nz.normalize_state(spelling).is_territory, spelling
    assert nz.normalize_state("VIRGIN ISLANDS") == nz.normalize_state("U.S. VIRGIN ISLANDS")


@pytest.mark.parametrize("raw", ["ATLANTIS", "W VIRGINIA", "CAROLINA", "N/A", "KANSAS CITY"])
def test_unmappable_states_are_not_guessed(raw):
    # W VIRGINIA is as close to VIRGINIA as to WEST VIRGINIA: quarantine, never pick one
    assert nz.normalize_state(raw).code is None


def test_missing_state():
    assert nz.normalize_state("  ") == nz.StateMatch(None, "missing")


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("Jail Enforcement Model", "JEM"),
        ("Jail Enforcment Model ", "JEM"),
        ("Task Force Model ", "TFM"),
        ("Task Force Officer ", "TFM"),
        ("Warrant Service Officer", "WSO"),
        ("Warrant Services Officer", "WSO"),
        ("Warrant Service Office", "WSO"),
        ("WARRANT SERVICE OFFICER", "WSO"),
        ("Harbor Patrol Model", None),
        ("Jail / Task Force", None),  # two models in one cell is not a model
        (None, None),
    ],
)
def test_models(raw, model):
    assert nz.normalize_model(raw) == model


def test_agency_name_key_follows_doc_section_6():
    assert nz.agency_display(" Calhoun County\u00a0Sheriff\u2019s  Office ") == (
        "Calhoun County Sheriff's Office"
    )
    assert nz.agency_name_key("Calhoun County Sheriff\u2019s Office ") == (
        nz.agency_name_key("CALHOUN COUNTY SHERIFF'S OFFICE")
    )
    assert nz.agency_name_key("Florida Dept. of Financial Services , CID,") == (
        "FLORIDA DEPT. OF FINANCIAL SERVICES, CID"
    )
    assert nz.agency_name_key(" \u00a0") is None


@pytest.mark.parametrize(
    ("key", "expanded"),
    [
        ("TAMPA PD", "TAMPA POLICE DEPARTMENT"),
        ("PASCO COUNTY BOCC", "PASCO COUNTY BOARD OF COUNTY COMMISSIONERS"),
        ("OKLAHOMA DPS", "OKLAHOMA DEPARTMENT OF PUBLIC SAFETY"),
        ("VIRGINIA DOC LAW ENFORCEMENT SERVICES",
         "VIRGINIA DEPARTMENT OF CORRECTIONS LAW ENFORCEMENT SERVICES"),
        ("IOWA DEPT. OF PUBLIC SAFETY", "IOWA DEPARTMENT OF PUBLIC SAFETY"),
        ("GALVESTON COUNTY CONSTABLE'S OFFICE PCT.1",
         "GALVESTON COUNTY CONSTABLE'S OFFICE PRECINCT 1"),
        ("CAPE MAY COUNTY SHERIFFS OFFICE", "CAPE MAY COUNTY SHERIFF'S OFFICE"),
        ("WALKER COUNTY SO", "WALKER COUNTY SHERIFF'S OFFICE"),
        # SO inside a name means South, not Sheriff's Office
        ("STATE CONSTABLE'S OFFICE SO MIDDLETON TWP", "STATE CONSTABLE'S OFFICE SO MIDDLETON "
         "TOWNSHIP"),
        ("FLORIDA FISH & WILDLIFE COMMISSION", "FLORIDA FISH AND WILDLIFE COMMISSION"),
        ("FLORIDA A&M UNIVERSITY", "FLORIDA A&M UNIVERSITY"),
    ],
)  # fmt: skip
def test_abbreviations_are_expanded_for_the_key(key, expanded):
    assert nz.expand_abbreviations(key) == expanded


def test_signed_from_excel_dates_and_text():
    assert nz.parse_signed(datetime(2025, 4, 14), SNAPSHOT) == nz.Signed(
        date(2025, 4, 14), None, date(2025, 4, 14)
    )
    assert nz.parse_signed("2020-06-09", SNAPSHOT).signed == date(2020, 6, 9)
    assert nz.parse_signed("4/14/2025", SNAPSHOT).signed == date(2025, 4, 14)
    assert nz.parse_signed(45761, SNAPSHOT).signed == date(2025, 4, 14)  # an Excel serial


@pytest.mark.parametrize(
    ("raw", "expected"), [("05/082025", date(2025, 5, 8)), ("7/72025", date(2025, 7, 7)),
                          ("8/282025", None)]
)  # fmt: skip
def test_signed_with_a_missing_slash_is_parsed_and_flagged(raw, expected):
    result = nz.parse_signed(raw, SNAPSHOT)
    if expected is None:  # 2025-08-28 is after the 2025-07-15 snapshot
        assert (result.signed, result.flag) == (None, "after_snapshot")
    else:
        assert (result.signed, result.flag) == (expected, "repaired_missing_slash")


def test_impossible_year_is_flagged_not_guessed():
    result = nz.parse_signed(datetime(5025, 7, 7), SNAPSHOT)
    assert result == nz.Signed(None, "impossible_year", date(2025, 7, 7))
    # the correction is offered only when it is itself possible
    assert nz.parse_signed(datetime(5025, 7, 7), date(2025, 7, 1)).corrected is None


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        (datetime(2025, 7, 17), "after_snapshot"),
        ("2025-07-16", None),  # one day of slack
        (datetime(1999, 1, 1), "before_2002"),
        ("soon", "unparseable"),
        ("02/30/2025", "unparseable"),
        (None, "missing"),
        ("  ", "missing"),
    ],
)
def test_signed_flags(raw, flag):
    result = nz.parse_signed(raw, SNAPSHOT)
    assert result.flag == flag
    assert (result.signed is None) == (flag is not None)


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("County", "County"),
        ("County ", "County"),
        ("Municipality ", "Municipality"),
        ("Muncipality ", "Municipality"),
        ("Municipal", "Municipality"),
        ("State", "State"),
        ("State Agency", "State"),
        ("#NA", None),
        ("#N/A", None),
        (None, None),
        ("Tribal", None),
    ],
)
def test_ice_type(raw, label):
    assert nz.normalize_type(raw) == label


@pytest.mark.parametrize(
    ("name", "agency_type"),
    [
        ("JACKSONVILLE SHERIFF'S OFFICE", "County"),
        ("EAST BATON ROUGE PARISH SHERIFF'S OFFICE", "County"),
        ("DEPARTMENT OF CORRECTIONS", "State"),
        ("ARIZONA DEPARTMENT OF CORRECTIONS", "State"),
        ("IDAHO STATE POLICE", "State"),
        ("TEXAS CITY POLICE DEPARTMENT", "Municipality"),
        ("WASHINGTON COUNTY DISTRICT ATTORNEY'S OFFICE", "County"),
        ("MESA POLICE DEPARTMENT", "Municipality"),
        ("OSCEOLA COUNTY CORRECTIONS DEPARTMENT", "County"),
        ("ALBERMARLE DISTRICT JAIL", "Other"),
        ("OKMULGEE COUNTY CRIMINAL JUSTICE AUTHORITY", "Other"),
        ("SOMETHING ELSE ENTIRELY", "Other"),
    ],
)
def test_type_inferred_from_the_name(name, agency_type):
    assert nz.infer_type(name) == agency_type


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("HARRIS COUNTY SHERIFF'S OFFICE", "sheriff"),
        ("WALKER COUNTY SO", "sheriff"),
        ("TAMPA POLICE DEPARTMENT", "municipal police"),
        ("STOCKDALE MARSHAL'S OFFICE", "municipal police"),
        ("NORTH PORT POLICE DEPARTMENT", "municipal police"),  # PORT in a town name
        ("LOUISIANA STATE PATROL", "state police or patrol"),
        ("OKLAHOMA DEPARTMENT OF PUBLIC SAFETY", "state police or patrol"),
        ("KANSAS BUREAU OF INVESTIGATION", "state police or patrol"),
        ("GEORGIA DEPARTMENT OF CORRECTIONS", "corrections or jail"),
        ("BULLITT COUNTY DETENTION CENTER", "corrections or jail"),
        ("UNIVERSITY OF FLORIDA POLICE DEPARTMENT", "campus police"),
        ("SANTA FE COLLEGE POLICE DEPARTMENT", "campus police"),
        ("SANFORD AIRPORT POLICE DEPARTMENT", "airport or port authority"),
        ("LEE COUNTY PORT AUTHORITY POLICE", "airport or port authority"),
        ("GALVESTON COUNTY CONSTABLE'S OFFICE PCT.1", "constable"),
        ("LANCASTER COUNTY DISTRICT ATTORNEY'S OFFICE", "prosecutor or task force"),
        ("COMET DRUG TASK FORCE", "prosecutor or task force"),
        ("FLORIDA NATIONAL GUARD", "other"),
        ("PASCO COUNTY BOARD OF COUNTY COMMISSIONERS", "other"),
    ],
)
def test_agency_category(name, category):
    assert nz.agency_category(name) == category
    assert category in nz.CATEGORIES


def test_county_level_by_name():
    assert nz.is_county_level_name("HASKELL COUNTY SHERIFF'S OFFICE")
    assert nz.is_county_level_name("PASCO COUNTY JAIL")
    assert not nz.is_county_level_name("ALACHUA POLICE DEPARTMENT")


@pytest.mark.parametrize("raw", ["#N/A", "#NA", "N/A", "", "  ", None])
def test_county_missing_markers(raw):
    assert nz.normalize_county(raw) is None


def test_county_text_is_cleaned_not_corrected():
    assert nz.normalize_county(" Lake  Conty ") == "Lake Conty"


def test_moa_urls():
    assert nz.link_url("link", " https://www.ice.gov/x.pdf") == "https://www.ice.gov/x.pdf"
    assert nz.link_url("https://web.archive.org/web/1/https://a/b.pdf", None).endswith("b.pdf")
    assert nz.link_url("link pending", None) is None
    wayback = "https://web.archive.org/web/20250131031421/https://www.ice.gov/doclib/x.pdf"
    assert nz.unwrap_wayback(wayback) == "https://www.ice.gov/doclib/x.pdf"
