"""Variable families on toy frames: substitutions and flags land in the table and the QA log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.covariates import variables
from analysis.covariates.elections import Votes
from analysis.covariates.qa import QaLog


@pytest.fixture
def qa():
    return QaLog(core_variables=("median_household_income",))


def test_economy_uses_saipe_only_where_the_acs_median_is_suppressed(qa):
    sources = {
        "income": pd.DataFrame(
            {
                "fips": ["01001", "48301"],
                "median_income_acs": [62660.0, np.nan],
                "median_income_saipe": [66444.0, 100917.0],
                "poverty_pct_acs": [13.5, 1.2],
            }
        ),
        "education": pd.DataFrame({"fips": ["01001", "48301"], "bachelors_pct": [29.6, 0.0]}),
        "svi": pd.DataFrame({"fips": ["01001", "48301"], "unemployment_pct": [2.8, 0.0]}),
    }
    frame = variables.economy(sources, qa).set_index("fips")
    assert frame.median_household_income.tolist() == [62660.0, 100917.0]
    assert frame.median_income_from_saipe.tolist() == [False, True]
    assert frame.loc["01001", "bachelors_share"] == 0.296
    assert frame.loc["01001", "poverty_rate"] == 0.135
    notes = qa.frame(pd.Series({"48301": "Loving County"}))
    assert notes[["fips", "status", "method"]].values.tolist() == [
        ["48301", "substituted", "saipe_2021"]
    ]


def test_votes_flag_alaska_and_kalawao_and_compute_the_swing(qa):
    counties = pd.DataFrame({"fips": ["02013", "15005", "15009"], "state_usps": ["AK", "HI", "HI"]})

    def election(year, maui_gop):
        maui = pd.DataFrame(
            {"fips": ["15009"], "votes_gop": [maui_gop], "votes_dem": [100 - maui_gop]}
        )
        return Votes(year, "src", maui, alaska_gop=55.0, alaska_dem=45.0)

    votes = {2016: election(2016, 30.0), 2020: election(2020, 32.0), 2024: election(2024, 36.0)}
    frame = variables.votes(counties, votes, qa).set_index("fips")
    assert frame.gop_share_2024.tolist() == [0.55, 0.36, 0.36]
    assert frame.loc["15005", "gop_swing_pp_2016_2024"] == pytest.approx(6.0)
    assert frame.gop_share_statewide_alaska.tolist() == [True, False, False]
    assert frame.gop_share_from_maui.tolist() == [False, True, False]
    notes = qa.frame(pd.Series(dtype=str))
    assert set(notes.method) == {"alaska_statewide", "maui_share"}
    assert len(notes) == 2 * 4  # two counties x (three shares + swing)


def test_rurality_marks_metro_codes_and_group_quarters_heavy_counties():
    rucc = pd.DataFrame({"fips": ["01001", "13259"], "rucc_2023": [3.0, 4.0]})
    svi = pd.DataFrame(
        {"fips": ["01001", "13259"], "group_quarters_acs": [5.0, 1721.0],
         "population_acs": [1000.0, 5121.0]}
    )  # fmt: skip
    frame = variables.rurality(rucc, svi).set_index("fips")
    assert frame.metro.tolist() == [True, False]
    assert frame.group_quarters_heavy.tolist() == [False, True]
    assert str(frame.rucc_2023.dtype) == "Int64"
