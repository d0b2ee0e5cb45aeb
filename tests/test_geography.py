"""The county geography: state table, names, FIPS changes, the Gazetteer and town readers, and the
TopoJSON decoder, on tiny fixtures written here in the real formats."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely

from analysis.geo import shapes as shapes_module
from analysis.geo.counties import (
    FIPS_CHANGES,
    GAZETTEER_COUSUBS_CURRENT,
    GAZETTEER_COUSUBS_OLD_CT,
    ct_towns,
    is_county_fips,
    normalize_county_name,
    read_gazetteer_counties,
    recode_fips,
    split_county_name,
)
from analysis.geo.shapes import TOPOJSON, county_geometry
from analysis.geo.states import states as state_table
from analysis.geo.topojson import decode_topojson

GAZ_HEADER = (
    "USPS\tGEOID\tANSICODE\tNAME\tALAND\tAWATER\tALAND_SQMI\tAWATER_SQMI\tINTPTLAT\t"
    "INTPTLONG" + " " * 20
)


def write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_states_are_the_50_states_and_dc():
    table = state_table()
    assert len(table) == 51 and table.state_fips.is_unique and table.state_usps.is_unique
    assert table.state_fips.str.fullmatch(r"\d{2}").all()
    dc = table.set_index("state_usps").loc["DC"]
    assert (dc.state_fips, dc.state_name) == ("11", "District of Columbia")
    assert "72" not in set(table.state_fips)  # Puerto Rico is not a state


def test_is_county_fips_rejects_totals_and_territories():
    codes = pd.Series(["01001", "00000", "01000", "72001", "66010", "1001", "09110"])
    assert is_county_fips(codes).tolist() == [
        True, False, False, False, False, False, True
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("full", "name", "kind"),
    [
        ("Doña Ana County", "Doña Ana", "County"),
        ("Baltimore city", "Baltimore", "city"),
        ("Carson City", "Carson City", ""),
        ("Juneau City and Borough", "Juneau", "City and Borough"),
        ("Capitol Planning Region", "Capitol", "Planning Region"),
        ("Kusilvak Census Area", "Kusilvak", "Census Area"),
        ("District of Columbia", "District of Columbia", ""),
    ],
)
def test_split_county_name(full, name, kind):
    assert split_county_name(full) == (name, kind)


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["St. Louis County", "Saint Louis", "ST LOUIS COUNTY", "St. Louis city"], "stlouis"),
        (["Doña Ana County", "Dona Ana"], "donaana"),
        (["De Soto Parish", "DeSoto County"], "desoto"),
        (["La Salle Parish", "LaSalle County"], "lasalle"),
        (["Ste. Genevieve County", "Sainte Genevieve"], "stegenevieve"),
        (["Prince George's County"], "princegeorges"),
        (["Carson City"], "carsoncity"),
        (["Charles City County"], "charlescity"),
    ],
)
def test_normalize_county_name(names, key):
    assert {normalize_county_name(n) for n in names} == {key}


def test_recode_fips_renames_and_merges_but_leaves_splits():
    codes = pd.Series(["46113", "02270", "51515", "02261", "01001"])
    assert recode_fips(codes).tolist() == ["46102", "02158", "51019", "02261", "01001"]
    split = next(c for c in FIPS_CHANGES if c.kind == "split")
    assert split.new_fips == ("02063", "02066")


def test_read_gazetteer_counties_strips_padding_and_drops_puerto_rico(tmp_path):
    path = write(
        tmp_path / "gaz.txt",
        GAZ_HEADER
        + "\nAL\t01003\t00161527\tBaldwin County\t1\t2\t1589.863\t437.41\t30.659218\t"
        "-87.746067" + " " * 30
        + "\nNM\t35013\t00929108\tDoña Ana County\t1\t2\t3807.764\t2.8\t32.35\t-106.83  "
        "\nPR\t72001\t01804480\tAdjuntas Municipio\t1\t2\t66.7\t0.1\t18.18\t-66.75 \n",
    )  # fmt: skip
    table = read_gazetteer_counties(path)
    assert table.fips.tolist() == ["01003", "35013"]
    assert table.longitude.tolist() == [-87.746067, -106.83]
    row = table.set_index("fips").loc["35013"]
    assert (row.state_usps, row.county_name, row.county_type) == ("NM", "Doña Ana", "County")
    assert (row.name_key, row.land_area_sqmi) == ("donaana", 3807.764)


COUSUB_2018 = (
    "USPS\tGEOID\tANSICODE\tNAME\tFUNCSTAT\tALAND\tAWATER\tALAND_SQMI\tAWATER_SQMI\tINTPTLAT\t"
    "INTPTLONG\n"
    "CT\t0900108070\t00213396\tBridgeport town\tA\t1\t1\t16.0\t3.0\t41.18\t-73.19\n"
    "CT\t0900100000\t00000000\tCounty subdivisions not defined\tF\t0\t9\t0.\t116.7\t41.0\t-73.2\n"
    "CT\t0900956060\t00213484\tNew Haven town\tA\t1\t1\t18.7\t1.5\t41.31\t-72.92\n"
    "CT\t0900900000\t00000000\tCounty subdivisions not defined\tF\t0\t9\t0.\t231.3\t41.1\t-72.8\n"
    "MA\t2500100000\t00000000\tCounty subdivisions not defined\tF\t0\t9\t0.\t1.0\t41.0\t-70.0\n"
)
COUSUB_2025 = (
    "USPS|GEOID|GEOIDFQ|ANSICODE|NAME|FUNCSTAT|ALAND|AWATER|ALAND_SQMI|AWATER_SQMI|INTPTLAT|"
    "INTPTLONG\n"
    "CT|0912008070|0600000US0912008070|00213396|Bridgeport town|A|1|1|16.0|3.0|41.18|-73.19\n"
    "CT|0912000000|0600000US0912000000|00000000|County subdivisions not defined|F|0|9|0.|89.0|"
    "41.09|-73.17\n"
    "CT|0917056060|0600000US0917056060|00213484|New Haven town|A|1|1|18.7|1.5|41.31|-72.92\n"
)


def test_ct_towns_join_old_counties_and_regions_on_the_town_code(tmp_path):
    write(tmp_path / GAZETTEER_COUSUBS_OLD_CT, COUSUB_2018)
    write(tmp_path / GAZETTEER_COUSUBS_CURRENT, COUSUB_2025)
    towns = ct_towns(tmp_path)
    assert towns.to_dict("records") == [
        {"town_code": "08070", "town_name": "Bridgeport town", "old_county_fips": "09001",
         "region_fips": "09120", "land_area_sqmi": 16.0},
        {"town_code": "56060", "town_name": "New Haven town", "old_county_fips": "09009",
         "region_fips": "09170", "land_area_sqmi": 18.7},
    ]  # fmt: skip


def test_ct_towns_refuses_a_town_missing_from_one_file(tmp_path):
    write(tmp_path / GAZETTEER_COUSUBS_OLD_CT, COUSUB_2018)
    current = "\n".join(line for line in COUSUB_2025.splitlines() if "New Haven" not in line)
    write(tmp_path / GAZETTEER_COUSUBS_CURRENT, current + "\n")
    with pytest.raises(ValueError, match="only one Gazetteer"):
        ct_towns(tmp_path)


# A quantised, delta-encoded topology (scale 0.5, translate 10, 20): counties 01001 and 01003
# are unit squares sharing one arc (01003 walks it backwards, ~0); 01005 is a MultiPolygon with
# a holed square, a ring that collapsed to two points and a second square; 01007 has no
# geometry; 01009 is a self-crossing "bow tie"; 72001 (Puerto Rico) is not a county.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "objects": {
        "counties": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "01001"},
                {"type": "Polygon", "arcs": [[2, -1]], "id": "01003"},
                {"type": "MultiPolygon", "arcs": [[[3], [4]], [[5]], [[6]]], "id": "01005"},
                {"type": None, "id": "01007"},
                {"type": "Polygon", "arcs": [[7]], "id": "01009"},
                {"type": "Polygon", "arcs": [[6]], "id": "72001"},
            ],
        },
        "states": {
            "type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "arcs": [[0, 1]], "id": "01"}],
        },
    },
    "arcs": [
        [[2, 0], [0, 2]],
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
        [[10, 0], [6, 0], [0, 6], [-6, 0], [0, -6]],
        [[12, 2], [0, 2], [2, 0], [0, -2], [-2, 0]],
        [[20, 0], [0, 0]],
        [[30, 0], [2, 0], [0, 2], [-2, 0], [0, -2]],
        [[40, 0], [2, 2], [0, -2], [-2, 2], [0, -2]],
    ],
}


def test_decode_topojson_rebuilds_polygons_from_shared_arcs():
    features = {fid: shape for fid, _, shape in decode_topojson(TOPOLOGY, "counties")}
    assert features["01001"].equals(shapely.box(10, 20, 11, 21))
    assert features["01003"].equals(shapely.box(11, 20, 12, 21))
    assert features["01001"].touches(features["01003"])
    holed = features["01005"]
    assert holed.geom_type == "MultiPolygon" and len(holed.geoms) == 2  # collapsed ring dropped
    assert holed.area == pytest.approx(9 - 1 + 1)
    assert len(holed.geoms[0].interiors) == 1
    assert features["01007"] is None
    bow_tie = features["01009"]
    assert bow_tie.is_valid and bow_tie.geom_type == "MultiPolygon"
    assert bow_tie.area == pytest.approx(0.5)


def fake_county_list(codes):
    return pd.DataFrame(
        {"fips": codes, "county_name_full": [f"County {c}" for c in codes], "state_usps": "AL"}
    )


@pytest.mark.parametrize("projection", ["albers", "lonlat"])
def test_county_geometry_keeps_one_row_per_county(tmp_path, monkeypatch, projection):
    write(tmp_path / TOPOJSON[projection], json.dumps(TOPOLOGY))
    codes = ["01001", "01003", "01005", "01007", "01009"]
    monkeypatch.setattr(shapes_module, "county_list", lambda raw_dir=None: fake_county_list(codes))
    frame = county_geometry(tmp_path, projection=projection)
    assert frame.fips.tolist() == codes  # Puerto Rico left out, the empty county kept
    assert list(frame.columns) == ["fips", "county_name_full", "state_usps", "geometry"]
    assert frame.geometry.isna().tolist() == [False, False, False, True, False]
    first = frame.geometry.iloc[0]
    if projection == "albers":  # screen y grows downwards: negated so north is up
        assert first.equals(shapely.box(10, -21, 11, -20)) and frame.crs is None
    else:
        assert first.equals(shapely.box(10, 20, 11, 21)) and frame.crs == "EPSG:4326"


def test_county_geometry_refuses_a_county_without_a_feature(tmp_path, monkeypatch):
    write(tmp_path / TOPOJSON["albers"], json.dumps(TOPOLOGY))
    codes = ["01001", "01011"]
    monkeypatch.setattr(shapes_module, "county_list", lambda raw_dir=None: fake_county_list(codes))
    with pytest.raises(ValueError, match="01011"):
        county_geometry(tmp_path)


def test_unknown_projection_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="projection"):
        county_geometry(tmp_path, projection="mercator")


def test_decode_arcs_at_once_equals_arc_by_arc():
    import numpy as np

    from analysis.geo.topojson import _decode_arcs_each, decode_arcs

    rng = np.random.default_rng(0)
    raw = [rng.integers(-500, 500, size=(int(n), 2)).tolist() for n in rng.integers(1, 9, 40)]
    for transform in ({"scale": [0.0123, 0.0071], "translate": [-120.5, 20.25]}, None):
        topology = {"arcs": raw, **({"transform": transform} if transform else {})}
        fast, slow = decode_arcs(topology), _decode_arcs_each(raw, transform)
        assert len(fast) == len(slow)
        assert all(np.array_equal(a, b) for a, b in zip(fast, slow, strict=True))
    # Positions with a third value fall back to the arc-by-arc path.
    assert len(decode_arcs({"arcs": [[[0, 0, 7], [1, 1, 7]], [[2, 2, 7]]]})) == 2


def test_county_geometry_is_built_once_and_handed_out_as_copies(tmp_path, monkeypatch):
    write(tmp_path / TOPOJSON["albers"], json.dumps(TOPOLOGY))
    calls = []

    def counted(raw_dir=None):
        calls.append(raw_dir)
        return fake_county_list(["01001", "01003"])

    monkeypatch.setattr(shapes_module, "county_list", counted)
    first = county_geometry(tmp_path)
    first.loc[0, "fips"] = "changed"
    second = county_geometry(tmp_path)
    assert len(calls) == 1
    assert second.fips.tolist() == ["01001", "01003"]  # a caller's edit is not kept
    path = tmp_path / TOPOJSON["albers"]
    path.write_text(json.dumps(TOPOLOGY) + " ", encoding="utf-8")  # a new version of the file
    county_geometry(tmp_path)
    assert len(calls) == 2
