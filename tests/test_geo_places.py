"""Census places, county subdivisions and 2020 populations (analysis.geo.places) on tiny files
written here in the real layouts (2025 place Gazetteer, us_geo places / county subdivisions /
place counties, ERS population estimates); the names and codes are real, the other values are
made up unless the test says so."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.geo import places as gp

GAZ_HEADER = (
    "USPS|GEOID|GEOIDFQ|ANSICODE|NAME|LSAD|FUNCSTAT|ALAND|AWATER|ALAND_SQMI|AWATER_SQMI|"
    "INTPTLAT|INTPTLONG"
)
GAZ_ROWS = [
    ("OK", "4007350", "Bokchito town", "43", "A", "0.728"),
    ("TX", "4874132", "Tye city", "25", "A", "4.814"),
    ("WV", "5455468", "Montgomery city", "25", "A", "1.621"),
    ("AL", "0100100", "Abanda CDP", "57", "S", "2.998"),
    ("IN", "1836003", "Indianapolis city (balance)", "00", "F", "361.6"),
    ("PR", "7200100", "Adjuntas zona urbana", "62", "S", "1.0"),
    ("OK", "4099999", "Newtown town", "43", "A", "1.0"),  # incorporated after 2020
]
PLACES_2020_HEADER = (
    "GEOID,GNIS ID,Name,Short Name,State,County GEOID,Urban Area GEOID,FIPS Class,Population,"
    "Housing Units,Land Area,Water Area,Latitude,Longitude"
)
PLACES_2020_ROWS = [
    ("4007350", "Town of Bokchito", "Bokchito", "OK", "40013", "495"),
    ("4874132", "City of Tye", "Tye", "TX", "48441", "933"),
    ("5455468", "City of Montgomery", "Montgomery", "WV", "54039", "1635"),
    ("0100100", "Abanda Census Designated Place", "Abanda", "AL", "01017", "48"),
    ("1836003", "Indianapolis city (balance)", "Indianapolis", "IN", "18097", ""),
]
PLACE_COUNTIES = [
    ("4007350", "40013"), ("4874132", "48441"), ("5455468", "54019"), ("5455468", "54039"),
    ("5455468", "54079"), ("0100100", "01017"),
]  # fmt: skip
COUSUB_HEADER = (
    "GEOID,GNIS ID,Name,County GEOID,FIPS Class,Population,Housing Units,Land Area,Water Area,"
    "Latitude,Longitude"
)
COUSUB_ROWS = [
    ("3300761780", "Town of Pittsburg", "33007", "T1", "691"),
    ("0911001080", "Town of Andover", "09110", "T1", "3148"),
]


def write(path, header, rows):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    gaz = write(
        tmp_path / "gaz.txt",
        GAZ_HEADER,
        [
            f"{st}|{g}|1600000US{g}|0|{n}|{lsad}|{fs}|1|0|{a}|0.|30.0|-90.0"
            for st, g, n, lsad, fs, a in GAZ_ROWS
        ],
    )
    p2020 = write(
        tmp_path / "places.csv",
        PLACES_2020_HEADER,
        [f"{g},1,{n},{sn},{st},{c},,C1,{pop},1,1.0,0.0,30.0,-90.0"
         for g, n, sn, st, c, pop in PLACES_2020_ROWS],
    )  # fmt: skip
    pc = write(
        tmp_path / "place_counties.csv",
        "Place GEOID,County GEOID",
        [f"{p},{c}" for p, c in PLACE_COUNTIES],
    )
    cs = write(
        tmp_path / "cousubs.csv",
        COUSUB_HEADER,
        [f"{g},1,{n},{c},{fc},{pop},1,1.0,0.0,45.0,-71.0" for g, n, c, fc, pop in COUSUB_ROWS],
    )
    return {"gaz": gaz, "places": p2020, "place_counties": pc, "cousubs": cs}


@pytest.mark.parametrize(
    ("name", "base", "kind"),
    [
        ("Bokchito town", "Bokchito", "town"),
        ("Indianapolis city (balance)", "Indianapolis", "city"),
        ("Juneau city and borough", "Juneau", "city"),
        ("Bethel Park municipality", "Bethel Park", "city"),
        ("Abanda CDP", "Abanda", "cdp"),
        ("Carson City", "Carson City", ""),
        ("Lexington-Fayette urban county", "Lexington-Fayette", "consolidated"),
    ],
)
def test_place_kind(name, base, kind):
    assert gp.place_kind(name) == (base, kind)


def test_places_of_any_size_with_all_their_counties(files):
    table = gp.build_places(
        gp.read_gazetteer_places(files["gaz"]),
        gp.read_place_counties(files["place_counties"]),
        gp.read_places_2020(files["places"]),
    ).set_index("geoid")
    assert "7200100" not in table.index  # Puerto Rico is outside the 50 states and DC
    bokchito = table.loc["4007350"]
    assert (bokchito.base_name, bokchito.kind, bokchito.incorporated) == ("Bokchito", "town", True)
    assert (bokchito.principal_county_fips, bokchito.population_2020) == ("40013", 495)
    # the 2020 main county is the principal, listed first, whatever the pair order
    assert table.loc["5455468", "county_fips_all"] == "54039|54019|54079"
    assert not table.loc["0100100", "incorporated"]  # a CDP has no government
    assert pd.isna(table.loc["4099999", "population_2020"])  # not in the 2020 file
    assert pd.isna(table.loc["4099999", "county_fips_all"])
    assert table.loc["1836003", "principal_county_fips"] == "18097"  # from the 2020 file only
    assert pd.isna(table.loc["1836003", "population_2020"])


def test_cousubs_2020(files):
    table = gp.read_cousubs_2020(files["cousubs"]).set_index("geoid")
    assert table.loc["3300761780", "county_fips"] == "33007"
    assert table.loc["3300761780", "population_2020"] == 691


def test_bad_inputs_name_file_row_and_column(files, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        files["cousubs"].read_text().replace("3300761780,1,Town of Pittsburg,33007,T1,691",
                                             "3300761780,1,Town of Pittsburg,33007,T1,many"),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"bad.csv: row 2, column Population: 'many'"):
        gp.read_cousubs_2020(bad)
    short = write(tmp_path / "short.csv", "Place GEOID,County GEOID", ["400735,40013"])
    with pytest.raises(ValueError, match=r"row 2, column Place GEOID: '400735' is not 7 digits"):
        gp.read_place_counties(short)
    nohead = write(tmp_path / "nohead.csv", "GEOID,Name", ["4007350,Town of Bokchito"])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['Short Name'"):
        gp.read_places_2020(nohead)


ERS_HEADER = "FIPStxt,State,Area_Name,CENSUS_2020_POP,ESTIMATES_BASE_2020"


def test_county_populations_use_the_count_and_the_ct_base(tmp_path):
    ers = write(
        tmp_path / "ers.csv",
        ERS_HEADER,
        [
            '00000,US,United States,"331,449,281","331,464,948"',
            '40000,OK,Oklahoma,"3,959,353","3,959,346"',
            '09000,CT,Connecticut,"3,605,944","3,605,912"',
            '40013,OK,Bryan County,"44,987","44,990"',
            '09110,CT,Capitol Planning Region,,"976,275"',
        ],
    )
    counties = pd.DataFrame({"fips": ["40013", "09110"], "state_usps": ["OK", "CT"]})
    table = gp.build_county_populations(counties, gp.read_ers_census_2020(ers)).set_index("fips")
    assert table.loc["40013", "population_2020"] == 44987
    assert "CENSUS_2020_POP" in table.loc["40013", "population_source"]
    assert table.loc["09110", "population_2020"] == 976275
    assert "ESTIMATES_BASE_2020" in table.loc["09110", "population_source"]
    assert table.loc["40", "population_2020"] == 3959353
    # a county with no figure at all is an error, not a silent gap
    missing = pd.DataFrame({"fips": ["40015"], "state_usps": ["OK"]})
    with pytest.raises(ValueError, match="no 2020 population for .*40015"):
        gp.build_county_populations(missing, gp.read_ers_census_2020(ers))
