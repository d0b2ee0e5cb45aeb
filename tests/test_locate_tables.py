"""county_agreements and agency_location_qa on tiny frames; the committed overrides file."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest

from analysis import paths
from analysis.locate import schemas, tables
from analysis.locate.evidence import Alternative
from analysis.locate.matcher import Location
from analysis.locate.overrides import COLUMNS, load_overrides
from analysis.tables import Col, Table

D1, D2 = pd.Timestamp("2025-01-31"), pd.Timestamp("2025-02-28")


def _agencies(locations: dict[str, Location]) -> pd.DataFrame:
    rows = [
        {"agency_key": "FL|A COUNTY SHERIFF'S OFFICE", "state": "FL", "is_territory": False,
         "agency": "A County Sheriff's Office", "agency_type": "County",
         "agency_type_inferred": False, "agency_category": "sheriff", "county_ice": "A County",
         "first_seen": D1, "last_seen": D2, "status": "active", "models_ever": "JEM|TFM",
         "n_agreements": 2},
        {"agency_key": "FL|B POLICE DEPARTMENT", "state": "FL", "is_territory": False,
         "agency": "B Police Department", "agency_type": "Municipality",
         "agency_type_inferred": False, "agency_category": "municipal police", "county_ice": None,
         "first_seen": D2, "last_seen": D2, "status": "active", "models_ever": "TFM",
         "n_agreements": 1},
        {"agency_key": "FL|FLORIDA HIGHWAY PATROL", "state": "FL", "is_territory": False,
         "agency": "Florida Highway Patrol", "agency_type": "State",
         "agency_type_inferred": False, "agency_category": "state police or patrol",
         "county_ice": None, "first_seen": D1, "last_seen": D2, "status": "active",
         "models_ever": "TFM", "n_agreements": 1},
    ]  # fmt: skip
    return pd.DataFrame(rows)


class _Counties(dict):
    def __missing__(self, fips):
        return type("C", (), {"state": "FL", "name": f"County {fips}"})()


class _CW:
    counties = _Counties()


LOCATIONS = {
    "FL|A COUNTY SHERIFF'S OFFICE": Location(
        "FL",
        "12001",
        "A County",
        "ice_county_exact",
        100.0,
        "COUNTY 'A County' = A County",
        (),
        ("12001",),
    ),
    "FL|B POLICE DEPARTMENT": Location(
        "FL",
        "12001",
        "A County",
        "place_geonames",
        100.0,
        "GeoNames B",
        (Alternative("12003", "County 12003", "FL", "agency_name", 100.0, "name"),),
        ("12001",),
        True,
    ),
    "FL|FLORIDA HIGHWAY PATROL": Location(
        "FL", None, None, "statewide", None, "state agency by name"
    ),
}


@pytest.fixture
def located():
    return tables.add_locations(_agencies(LOCATIONS), LOCATIONS, _CW())


def test_agencies_gain_county_columns(located):
    row = located.set_index("agency_key").loc["FL|B POLICE DEPARTMENT"]
    assert row["county_fips"] == "12001" and row["match_conflict"]
    assert row["county_fips_alternative"] == "12003" and not row["match_exact"]
    schemas.validate(located, "agencies")


def test_county_agreements_counts(located):
    history = pd.DataFrame(
        [
            (D1, "FL|A COUNTY SHERIFF'S OFFICE|JEM", "FL|A COUNTY SHERIFF'S OFFICE", "JEM"),
            (D2, "FL|A COUNTY SHERIFF'S OFFICE|JEM", "FL|A COUNTY SHERIFF'S OFFICE", "JEM"),
            (D2, "FL|A COUNTY SHERIFF'S OFFICE|JEM", "FL|A COUNTY SHERIFF'S OFFICE", "JEM"),
            (D2, "FL|A COUNTY SHERIFF'S OFFICE|TFM", "FL|A COUNTY SHERIFF'S OFFICE", "TFM"),
            (D2, "FL|B POLICE DEPARTMENT|TFM", "FL|B POLICE DEPARTMENT", "TFM"),
            (D2, "FL|FLORIDA HIGHWAY PATROL|TFM", "FL|FLORIDA HIGHWAY PATROL", "TFM"),
        ],
        columns=["snapshot_date", "agreement_key", "agency_key", "model"],
    )
    files = pd.DataFrame(
        {"list": ["participating"] * 2, "snapshot_date": [D1, D2], "in_time_series": [False, True]}
    )
    table = tables.county_agreements(history, files, located)
    schemas.validate(table, "county_agreements")
    assert list(table.columns[:15]) == [
        "snapshot_date", "county_fips", "state", "agreements", "agencies", "jem", "tfm", "wso",
        "county_type_agreements", "municipal_type_agreements", "state_type_agreements",
        "other_type_agreements", "sheriff_agreements", "agreements_exact", "in_time_series",
    ]  # fmt: skip
    last = table[table.snapshot_date == D2].iloc[0]
    assert (last.agreements, last.agencies, last.jem, last.tfm) == (3, 2, 1, 2)
    assert (last.county_type_agreements, last.municipal_type_agreements) == (2, 1)
    assert (last.sheriff_agreements, last.agreements_exact) == (2, 2)
    assert table.in_time_series.tolist() == [False, True]
    assert len(table) == 2  # the statewide patrol is not in any county


def test_qa_lists_statewide_and_conflicts(located):
    qa = tables.location_qa(located, LOCATIONS)
    schemas.validate(qa, "agency_location_qa")
    assert dict(zip(qa.agency_key, qa.qa_issue, strict=True)) == {
        "FL|B POLICE DEPARTMENT": "conflict",
        "FL|FLORIDA HIGHWAY PATROL": "statewide",
    }


def test_committed_overrides_file_is_well_formed():
    path = paths.MANUAL / "agency_county_overrides.csv"
    overrides = load_overrides(path)
    assert overrides, "no overrides read"
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    assert all(len(o.reason) > 20 for o in overrides.values())


def test_malformed_overrides_are_errors(tmp_path):
    bad = tmp_path / "o.csv"
    bad.write_text("state,agency,county_fips,reason\nFL,X PD,1201,because\n", encoding="utf-8")
    with pytest.raises(ValueError, match="5 digits"):
        load_overrides(bad)
    bad.write_text(
        "state,agency,county_fips,reason\nFL,X PD,12001,a\nFL,X Police Department,12003,b\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="repeats"):
        load_overrides(bad)


def test_table_spec_types_sorts_and_validates():
    spec = Table(
        "t",
        (
            Col("key", "str", "the key", "here", unique=True),
            Col("day", "datetime64[s]", "a day", "here", nullable=True),
            Col("n", "int64", "a count", "here", isin=(1, 2)),
        ),
        ("key",),
    )
    frame = spec.typed_frame([{"n": 2, "key": "b"}, {"key": "a", "n": 1, "day": "2025-01-31"}])
    assert list(frame.columns) == ["key", "day", "n"] and list(frame["key"]) == ["a", "b"]
    assert str(frame["day"].dtype) == "datetime64[s]" and frame["day"].isna().tolist() == [
        False,
        True,
    ]
    spec.validate(frame)
    with pytest.raises(pandera.errors.SchemaErrors):
        spec.validate(frame.assign(n=[1, 3]))
    assert spec.dictionary_rows()[0] == {
        "column": "key", "dtype": "str", "description": "the key", "source": "here"
    }  # fmt: skip
