"""Counties with an agreement and the people in them, on a three-county toy country."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.study import exposure

JAN, FEB, MAR = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31"])


@pytest.fixture
def county_agreements():
    return pd.DataFrame(
        {
            "snapshot_date": [JAN, FEB, FEB, MAR],
            "county_fips": ["01001", "01001", "01003", "01003"],
            "agreements": [1, 2, 1, 1],
            "tfm": [0, 1, 0, 1],
            "jem": [1, 1, 1, 0],
            "wso": [0, 0, 0, 0],
        }
    )


@pytest.fixture
def covariates():
    return pd.DataFrame(
        {
            "fips": ["01001", "01003", "01005"],
            "population": [100.0, 300.0, 600.0],
            "hispanic_share": [0.5, 0.0, 0.1],
            "foreign_born_share": [0.1, 0.2, 0.0],
        }
    )


def test_county_status_is_the_snapshot_by_county(county_agreements):
    status = exposure.county_status(county_agreements, FEB)
    assert status.index.tolist() == ["01001", "01003"]
    assert status["tfm"].tolist() == [1, 0]


def test_placement_tables():
    history = pd.DataFrame(
        {
            "snapshot_date": [FEB] * 4 + [JAN],
            "agency_key": ["TX|a", "TX|a", "TX|b", "TX|dps", "TX|old"],
            "agreement_key": ["TX|a|JEM", "TX|a|TFM", "TX|b|TFM", "TX|dps|TFM", "TX|old|JEM"],
            "agency_type": ["County", "County", "Municipality", "State", "County"],
        }
    )
    agencies = pd.DataFrame(
        {
            "agency_key": ["TX|a", "TX|b", "TX|dps", "TX|old"],
            "state": ["TX"] * 4,
            "agency": ["A County", "B PD", "DPS", "Old"],
            "agency_type": ["County", "Municipality", "State", "County"],
            "county_fips": ["48001", None, None, "48003"],
            "match_method": ["county_column", "unmatched", "statewide", "name"],
            "match_conflict": [True, False, False, False],
            "match_note": ["", "no place", "state agency", ""],
        }
    )
    snap = exposure.placed_agreements(history, agencies, FEB)
    assert snap["placed"].tolist() == [True, True, False, False]
    quality = exposure.placement_quality(snap)
    assert quality["agency_type"].tolist() == ["County", "Municipality", "State"]
    assert quality[["agreements", "placed", "conflicts"]].values.tolist() == [
        [2, 2, 2], [1, 0, 0], [1, 0, 0]
    ]  # fmt: skip
    assert quality["placed_share"].tolist() == [1.0, 0.0, 0.0]
    methods = exposure.placement_methods(snap).set_index("match_method")
    assert methods.loc["county_column", "County"] == 2
    unplaced = exposure.unplaced_agencies(agencies, snap)
    assert unplaced["agency"].tolist() == ["DPS", "B PD"]  # by method: statewide < unmatched


def test_map_dates_adds_latest_and_drops_missing():
    dates = exposure.map_dates(["2025-01-31", "2025-02-15", "2026-01-01"], MAR, [JAN, MAR])
    assert dates == [JAN, MAR]
