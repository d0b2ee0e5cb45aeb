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


def _pandas_read(path, columns, sep=","):
    """The reference reader: what _read gave before the Arrow fast path."""
    wanted = set(columns)
    frame = pd.read_csv(
        path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
        usecols=lambda c: c.strip() in wanted,
    )  # fmt: skip
    frame.columns = frame.columns.str.strip()
    return frame[list(columns)].apply(lambda c: c.str.strip())


@pytest.mark.parametrize(
    "text",
    [
        '\ufeffA, B ,C\n1,"x, ""y""",3\n\n4, ab"c ,6\r\n7,"two\nlines",9\n',  # BOM, quotes, CRLF
        "A,B,C\n1,2\n3,4,5\n",  # a short row: pandas reads it
        "A,B,C\n",  # header only
        "A,B,A\n1,2,3\n",  # a repeated header name
    ],
)
def test_arrow_reader_equals_pandas(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    new = gp._read(path, ("B", "A"))
    pd.testing.assert_frame_equal(new, _pandas_read(path, ("B", "A")), check_exact=True)


def _reference_counties(gaz, place_counties, places_2020):
    """The loop build_places replaced: principal county and |-joined counties per place."""
    listed: dict[str, list[str]] = {}
    for place, county in zip(place_counties.place_geoid, place_counties.county_fips, strict=True):
        counties = listed.setdefault(place, [])
        if county not in counties:
            counties.append(county)
    main = dict(zip(places_2020.geoid, places_2020.county_fips, strict=True))
    principal, all_fips = [], []
    for geoid in gaz.geoid:
        counties = list(listed.get(geoid, []))
        first = main.get(geoid) or None
        if first and first in counties:
            counties.remove(first)
        if first:
            counties.insert(0, first)
        principal.append(counties[0] if counties else None)
        all_fips.append("|".join(counties) if counties else None)
    return principal, all_fips


def test_build_places_counties_equal_the_reference_loop(files):
    gaz = gp.read_gazetteer_places(files["gaz"])
    pc = gp.read_place_counties(files["place_counties"])
    # repeated pairs, a blank main county and a main county listed last
    pc = pd.concat([pc, pc.iloc[[2, 0]]], ignore_index=True)
    p2020 = gp.read_places_2020(files["places"])
    p2020.loc[p2020.geoid == "4874132", "county_fips"] = ""
    table = gp.build_places(gaz, pc, p2020)
    principal, all_fips = _reference_counties(table, pc, p2020)
    assert table.principal_county_fips.fillna("-").tolist() == [p or "-" for p in principal]
    assert table.county_fips_all.fillna("-").tolist() == [f or "-" for f in all_fips]
    assert table.loc[table.geoid == "4874132", "county_fips_all"].item() == "48441"


def test_places_memo_follows_the_files(files, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    for key, name in (("gaz", gp.GAZETTEER_PLACES), ("place_counties", gp.PLACE_COUNTIES),
                      ("places", gp.PLACES_2020)):  # fmt: skip
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(files[key].read_bytes())
    first = gp.places(raw)
    first.loc[0, "name"] = "changed by a caller"
    assert gp.places(raw).loc[0, "name"] != "changed by a caller"  # a copy each call
    gaz = raw / gp.GAZETTEER_PLACES
    gaz.write_text(gaz.read_text().replace("Tye city", "Tye village"), encoding="utf-8")
    assert gp.places(raw).set_index("geoid").loc["4874132", "kind"] == "village"
