"""The border-pair builder on a toy map: two rows of four squares, two 'states'."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.stats import spatial
from analysis.study import borders

IDS = [f"{r}{c}" for r in range(2) for c in range(4)]
STATES = pd.Series({i: ("AR" if int(i[1]) < 2 else "MO") for i in IDS})


def toy_edges():
    cells = [box(c, -r, c + 1, -r + 1) for r in range(2) for c in range(4)]
    return spatial.queen_weights(gpd.GeoDataFrame({"fips": IDS}, geometry=cells)).edges()


def policies(rows):
    base = {"signed_date": pd.NaT, "effective_date": pd.NaT, "deadline_date": pd.NaT,
            "prohibition_date": pd.NaT, "verification": "secondary report"}  # fmt: skip
    frame = pd.DataFrame([{**base, **r} for r in rows])
    for column in ("signed_date", "effective_date", "deadline_date", "prohibition_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_state_law_status_orders_mandates_and_prohibitions():
    table = policies(
        [
            {"policy_id": "AR-1", "state_usps": "AR", "policy_type": "must hold", "year": 2025,
             "signed_date": "2025-04-18"},
            {"policy_id": "GA-1", "state_usps": "GA", "policy_type": "must request", "year": 2024,
             "signed_date": "2024-05-01"},
            {"policy_id": "MD-1", "state_usps": "MD", "policy_type": "prohibition", "year": 2026,
             "signed_date": "2026-02-17", "prohibition_date": "2026-07-01"},
        ]
    )  # fmt: skip
    laws = borders.state_law_status(table, "2026-03-01", ["AR", "GA", "MD", "MO"]).set_index(
        "state"
    )
    assert laws.law.to_dict() == {
        "AR": "must hold or enter", "GA": "must request", "MD": "prohibition", "MO": "none"
    }  # fmt: skip
    before = borders.state_law_status(table, "2025-03-01", ["AR", "MD"]).set_index("state")
    assert before.law.to_dict() == {"AR": "none", "MD": "none"}


def test_pairs_differences_and_dyadic_se_by_hand():
    laws = pd.DataFrame({"state": ["AR", "MO"], "rank": [2, 0]})
    pairs = borders.border_pairs(toy_edges(), STATES, laws)
    # Across the line between columns 1 and 2: two rook and two diagonal pairs, AR side first.
    assert sorted(zip(pairs.law_fips, pairs.other_fips, strict=True)) == [
        ("01", "02"), ("01", "12"), ("11", "02"), ("11", "12")
    ]  # fmt: skip
    assert set(pairs.border) == {"AR-MO"} and set(pairs.contrast) == {"must hold or enter vs none"}
    outcome = pd.Series({"00": 0, "01": 1, "10": 1, "11": 1, "02": 0, "12": 1, "03": 1, "13": 0})
    diffs = borders.pair_differences(pairs, outcome).set_index(["law_fips", "other_fips"])
    assert diffs.difference.to_dict() == {
        ("01", "02"): 1, ("01", "12"): 0, ("11", "02"): 1, ("11", "12"): 0
    }  # fmt: skip
    # Residuals +-0.5; pairs sharing a county: (01,02)-(01,12), (01,02)-(11,02),
    # (11,12)-(01,12), (11,12)-(11,02): cross products cancel, e'Se = 1, SE = 1 / 4.
    assert borders.dyadic_se(diffs.reset_index()) == pytest.approx(0.25)
    summary = borders.border_summary(diffs.reset_index(), n_boot=50, seed=1)
    row = summary[summary.scope == "border"].iloc[0]
    assert (row.n_pairs, row.n_law_counties, row.n_other_counties) == (4, 2, 2)
    assert row.difference == pytest.approx(0.5) and row.law_share_adopted == 1.0
    pooled = summary[summary.scope == "pooled"]
    assert pooled.contrast.tolist() == [borders.POOLED_MANDATE]


def test_prohibition_side_is_the_law_side_and_same_laws_give_no_pairs():
    prohibition = pd.DataFrame({"state": ["AR", "MO"], "rank": [0, -1]})
    pairs = borders.border_pairs(toy_edges(), STATES, prohibition)
    assert set(pairs.law_state) == {"MO"} and set(pairs.law) == {"prohibition"}
    same = pd.DataFrame({"state": ["AR", "MO"], "rank": [1, 1]})
    assert borders.border_pairs(toy_edges(), STATES, same).empty


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="without a state"):
        borders.border_pairs(toy_edges(), STATES.drop("00"), pd.DataFrame())
    laws = pd.DataFrame({"state": ["AR"], "rank": [2]})
    with pytest.raises(ValueError, match="no row for states"):
        borders.border_pairs(toy_edges(), STATES, laws)
