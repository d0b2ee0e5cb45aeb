"""The place-level study of municipal adoption (analysis.study.municipal) on tiny files in the
real formats of us_geo_places_2020.csv and us_geo_place_counties.csv."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.study import municipal

HEADER = (
    "GEOID,GNIS ID,Name,Short Name,State,County GEOID,Urban Area GEOID,FIPS Class,Population,"
    "Housing Units,Land Area,Water Area,Latitude,Longitude\n"
)
PLACES = [
    # GEOID, name, short name, state, county, class, population
    ("4800100", "City of Abbott", "Abbott", "TX", "48217", "C1", "356"),
    ("4801000", "City of Alamo Heights", "Alamo Heights", "TX", "48029", "C1", "7357"),
    ("4805000", "City of Big Sandy", "Big Sandy", "TX", "48459", "C1", "1231"),
    ("4805001", "Big Sandy Census Designated Place", "Big Sandy", "TX", "48459", "U1", "50"),
    ("4874000", "City of Tye", "Tye", "TX", "48441", "C1", "1176"),
    ("4899000", "Lakeside Census Designated Place", "Lakeside", "TX", "48029", "U1", "900"),
    ("4835000", "City of Houston", "Houston", "TX", "48201", "C1", "2304580"),
    ("4008000", "Town of Bokchito", "Bokchito", "OK", "40013", "C1", "564"),
]
PLACE_COUNTIES = [(p[0], p[4]) for p in PLACES] + [("4835000", "48157")]


def write_places(path, rows=PLACES):
    lines = [f"{g},1,{n},{s},{st},{c},,{k},{pop},1,1.0,0.0,30.0,-97.0\n" for g, n, s, st, c, k, pop
             in rows]  # fmt: skip
    path.write_text(HEADER + "".join(lines))
    return path


@pytest.fixture
def places(tmp_path):
    return municipal.read_places(write_places(tmp_path / "places.csv"))


@pytest.fixture
def place_counties(tmp_path):
    path = tmp_path / "place_counties.csv"
    path.write_text("Place GEOID,County GEOID\n" + "".join(f"{p},{c}\n" for p, c in PLACE_COUNTIES))
    return municipal.read_place_counties(path)


AGENCY_COLUMNS = ["agency_key", "agency", "state", "agency_type", "agency_category",
                  "county_fips", "county_fips_all"]  # fmt: skip


@pytest.fixture
def agencies():
    rows = [
        ("TX|ALAMO HEIGHTS PD", "Alamo Heights Police Department", "TX", "Municipality",
         "municipal police", "48029", None),
        ("TX|BIG SANDY PD", "Big Sandy Police Departement", "TX", "Municipality",
         "municipal police", "48459", None),
        # Houston spans 48201 and 48157; placed in 48157 it still finds its place.
        ("TX|HOUSTON PD", "City of Houston Police Department", "TX", "Municipality",
         "municipal police", "48157", "48157"),
        ("TX|LAKESIDE PD", "Lakeside Police Department", "TX", "Municipality",
         "municipal police", "48029", None),
        # Tye in the wrong county: no place of that name there.
        ("TX|TYE PD", "Tye Police Department", "TX", "Municipality", "municipal police",
         "48167", None),
        ("TX|HARRIS COUNTY SO", "Harris County Sheriff's Office", "TX", "County", "sheriff",
         "48201", None),
        ("OK|BOKCHITO PD", "Bokchito Police Department", "OK", "Municipality",
         "municipal police", None, None),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=AGENCY_COLUMNS)


def history(keys, date="2026-05-11"):
    return pd.DataFrame(
        {
            "snapshot_date": pd.Timestamp(date),
            "list": "participating",
            "in_time_series": True,
            "agency_key": list(keys),
        }
    )


@pytest.fixture
def covariates():
    return pd.DataFrame(
        {
            "fips": ["48029", "48459", "48201", "48217", "48441", "40013", "48157"],
            "gop_share_2024": [0.45, 0.8, 0.47, 0.75, 0.7, 0.8, 0.5],
            "hispanic_share": [0.6, 0.1, 0.45, 0.2, 0.2, 0.05, 0.25],
            "foreign_born_share": [0.12, 0.03, 0.26, 0.05, 0.05, 0.02, 0.2],
        }
    )


def test_read_places(places):
    assert len(places) == len(PLACES)
    assert places.population.dtype == "Int64" and places.population.iloc[0] == 356
    assert places.set_index("place_geoid").incorporated.to_dict()["4805001"] == False  # noqa: E712


def test_read_places_names_the_bad_row(tmp_path):
    rows = [*PLACES[:2], ("48X", "City of X", "X", "TX", "48029", "C1", "5")]
    with pytest.raises(ValueError, match=r"row 4, column 'GEOID'"):
        municipal.read_places(write_places(tmp_path / "bad.csv", rows))
    rows = [*PLACES[:2], ("4800200", "City of Y", "Y", "TX", "48029", "C1", "many")]
    with pytest.raises(ValueError, match=r"row 4, column 'Population'"):
        municipal.read_places(write_places(tmp_path / "bad.csv", rows))


def test_match_places_by_name(agencies, places, place_counties):
    m = municipal.match_places(agencies, places, place_counties).set_index("agency_key")
    assert "TX|HARRIS COUNTY SO" not in m.index  # not a municipal agency
    assert m.place_geoid.fillna("none").to_dict() == {
        "TX|ALAMO HEIGHTS PD": "4801000",
        "TX|BIG SANDY PD": "4805000",  # the city, not the CDP of the same name
        "TX|HOUSTON PD": "4835000",
        "TX|LAKESIDE PD": "none",
        "TX|TYE PD": "none",
        "OK|BOKCHITO PD": "none",
    }
    assert "census-designated" in m.match_note["TX|LAKESIDE PD"]
    assert "no incorporated place" in m.match_note["TX|TYE PD"]
    assert m.match_note["OK|BOKCHITO PD"] == "agency not placed in a county"
    assert (m.match_rule == municipal.RULE_NAME).all()


def test_jurisdiction_columns_take_over(agencies, places, place_counties):
    levels = agencies.assign(
        jurisdiction_level=["municipal"] * 5 + ["county", "municipal"],
        jurisdiction_geoid=["4801000", "4805000", "4835000", None, "4874000", "48201",
                            "4008000"],
    )  # fmt: skip
    m = municipal.match_places(levels, places, place_counties).set_index("agency_key")
    assert (m.match_rule == municipal.RULE_GEOID).all()
    assert m.place_geoid["TX|TYE PD"] == "4874000" and m.place_geoid["OK|BOKCHITO PD"] == "4008000"
    assert pd.isna(m.place_geoid["TX|LAKESIDE PD"])


def test_place_table_and_summary(agencies, places, place_counties, covariates):
    keys = ["TX|ALAMO HEIGHTS PD", "TX|HOUSTON PD", "TX|TYE PD", "TX|HARRIS COUNTY SO"]
    study = municipal.municipal_places(
        agencies, history(keys), covariates, places=places, place_counties=place_counties
    )
    table = study.places.set_index("place_geoid")
    # Incorporated places of TX only (no Oklahoma place is on the list); CDPs left out.
    assert sorted(table.index) == ["4800100", "4801000", "4805000", "4835000", "4874000"]
    assert table.on_list.to_dict() == {
        "4800100": 0, "4801000": 1, "4805000": 0, "4835000": 1, "4874000": 0
    }  # fmt: skip
    assert table.gop_share_2024["4801000"] == 0.45  # its main county 48029
    assert table.size_bin["4835000"] == "250k+" and table.size_bin["4800100"] == "<1k"
    summary = study.summary.set_index("size_bin")
    assert summary.loc["all sizes", ["places", "on_list"]].tolist() == [5, 2]
    assert summary.loc["5k-10k", "share_on_list"] == 1.0
    assert summary.loc["1k-2.5k", ["places", "on_list"]].tolist() == [2, 0]
    assert summary.loc["all sizes", "median_population_on_list"] == (7357 + 2304580) / 2
    assert summary.loc["all sizes", "gop_share_2024_other"] == pytest.approx((0.75 + 0.8 + 0.7) / 3)
    low, high = summary.loc["all sizes", ["share_ci_low", "share_ci_high"]]
    assert low < 0.4 < high
    assert study.matches.on_list.sum() == 3  # Tye is on the list but unmatched
    assert study.snapshot_date == pd.Timestamp("2026-05-11")


def test_place_figure_draws_both_panels(agencies, places, place_counties, covariates):
    import matplotlib

    matplotlib.use("Agg")
    from analysis.report import figures

    keys = ["TX|ALAMO HEIGHTS PD", "TX|HOUSTON PD", "TX|HARRIS COUNTY SO"]
    study = municipal.municipal_places(
        agencies, history(keys), covariates, places=places, place_counties=place_counties
    )
    fig = figures.municipal_places_plot(study.places, study.summary, title="places")
    left, right = fig.axes
    assert (
        left.get_xscale() == "log"
        and len(right.patches)
        == ((study.summary.size_bin != "all sizes") & (study.summary.places > 0)).sum()
    )
