"""The county geography on the real files: the 2023 list, Connecticut's towns and the maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.geo.counties import OLD_CT_COUNTIES, county_list, ct_towns
from analysis.geo.shapes import county_geometry, state_geometry
from analysis.geo.states import states as state_table

pytestmark = pytest.mark.mirror

CT_REGIONS = ["09110", "09120", "09130", "09140", "09150", "09160", "09170", "09180", "09190"]
# The atlas has no 1:10m polygon for these tiny Virginia independent cities.
NO_POLYGON = {
    "albers": ["51570", "51610", "51678", "51685"],
    "lonlat": ["51610"],
}


@pytest.fixture(scope="module")
def counties(raw_dir):
    return county_list(raw_dir)


def test_county_list_is_the_2023_list(counties):
    assert len(counties) == 3144 and counties.fips.is_unique
    assert counties.fips.is_monotonic_increasing
    assert set(counties.state_fips) == set(state_table().state_fips)
    assert counties[counties.state_usps == "CT"].fips.tolist() == CT_REGIONS
    assert not counties.fips.isin(OLD_CT_COUNTIES).any()
    assert {"02063", "02066", "02158", "46102"} <= set(counties.fips)
    assert not counties.fips.isin(["02261", "02270", "46113", "51515"]).any()
    assert (counties.state_usps == "AK").sum() == 30


def test_only_independent_cities_share_a_name_key_with_a_county(counties):
    repeated = counties[counties.duplicated(["state_fips", "name_key"], keep=False)]
    assert set(repeated.county_type) == {"County", "city"}
    assert sorted(repeated.fips) == [
        "24005", "24510", "29189", "29510", "51059", "51067", "51159", "51161",
        "51600", "51620", "51760", "51770",
    ]  # fmt: skip


def test_state_table_agrees_with_the_addfips_list(raw_dir):
    path = raw_dir / "fips_lists/addfips_states.csv"
    listed = pd.read_csv(path, dtype=str)  # alias rows repeat a code ("D.C.")
    listed = set(zip(listed.fips, listed.postal, listed.name, strict=True))
    ours = set(state_table().itertuples(index=False, name=None))
    assert ours <= listed


def test_gazetteer_land_area_agrees_with_svi(raw_dir, counties):
    svi = pd.read_csv(
        raw_dir / "cdc_svi/SVI_2022_US_county.csv",
        encoding="utf-8-sig",
        dtype={"FIPS": str},
        usecols=["FIPS", "AREA_SQMI"],
    )
    area = svi.assign(fips=svi.FIPS.str.zfill(5)).set_index("fips").AREA_SQMI
    gap = (counties.set_index("fips").land_area_sqmi - area).abs()
    assert gap.notna().all() and (gap <= 0.01 * area + 0.5).mean() > 0.99


def test_ct_towns_nest_in_old_counties_and_regions(raw_dir):
    towns = ct_towns(raw_dir)
    assert len(towns) == 169 and towns.town_code.is_unique
    assert sorted(towns.old_county_fips.unique()) == sorted(OLD_CT_COUNTIES)
    assert sorted(towns.region_fips.unique()) == CT_REGIONS
    # Greater Bridgeport lies wholly in Fairfield County; Fairfield reaches three regions.
    assert set(towns[towns.region_fips == "09120"].old_county_fips) == {"09001"}
    assert set(towns[towns.old_county_fips == "09001"].region_fips) == {"09120", "09140", "09190"}


@pytest.mark.parametrize("projection", ["albers", "lonlat"])
def test_county_geometry_matches_the_county_list(raw_dir, counties, projection):
    frame = county_geometry(raw_dir, projection=projection)
    assert frame.fips.tolist() == counties.fips.tolist()
    assert frame.fips[frame.geometry.isna()].tolist() == NO_POLYGON[projection]
    shapes = frame.geometry.dropna()
    assert shapes.is_valid.all() and not shapes.is_empty.any()
    assert set(shapes.geom_type) == {"Polygon", "MultiPolygon"}


def test_lonlat_polygons_hold_the_gazetteer_internal_points(raw_dir, counties):
    frame = county_geometry(raw_dir, projection="lonlat").merge(
        counties[["fips", "latitude", "longitude"]], on="fips"
    )
    frame = frame[frame.geometry.notna()]
    points = shapely.points(frame.longitude, frame.latitude)
    # A 1:10m outline can miss an internal point near a generalised coast by a little.
    inside = shapely.contains(shapely.buffer(frame.geometry.values, 0.02), points)
    assert inside.mean() > 0.995


def test_albers_areas_track_land_areas(raw_dir, counties):
    frame = county_geometry(raw_dir, projection="albers").merge(
        counties[["fips", "land_area_sqmi"]], on="fips"
    )
    lower48 = frame[~frame.state_usps.isin(["AK", "HI"]) & frame.geometry.notna()]
    correlation = np.corrcoef(np.log(lower48.geometry.area), np.log(lower48.land_area_sqmi))
    assert correlation[0, 1] > 0.99


def test_state_geometry_has_the_50_states_and_dc(raw_dir):
    frame = state_geometry(raw_dir, projection="albers")
    assert frame.state_fips.tolist() == state_table().state_fips.tolist()
    assert frame.geometry.is_valid.all()
