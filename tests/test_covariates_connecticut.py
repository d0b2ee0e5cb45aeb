"""Connecticut's old counties onto planning regions, and changes across the Valdez-Cordova split,
on toy numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.covariates import connecticut
from analysis.covariates.elections import Votes
from analysis.covariates.harmonize import (
    ConnecticutCells,
    change_between,
    income_on_regions,
    log_growth,
)
from analysis.geo.counties import OLD_CT_COUNTIES

# Two old counties A, B and three regions: R1 lies in A, R3 in B, R2 straddles both.
A, B, R1, R2, R3 = "09001", "09003", "09120", "09140", "09110"
TOWNS = pd.DataFrame(
    {
        "town_code": ["1", "2", "3", "4"],
        "old_county_fips": [A, A, B, B],
        "region_fips": [R1, R2, R2, R3],
        "land_area_sqmi": [10.0, 10.0, 30.0, 10.0],
    }
)
COUNTY_POPULATION = pd.Series({A: 300.0, B: 200.0})
REGION_POPULATION = pd.Series({R1: 100.0, R2: 250.0, R3: 150.0})


@pytest.fixture
def cells():
    return connecticut.cell_populations(TOWNS, COUNTY_POPULATION, REGION_POPULATION)


def test_cell_populations_meet_both_margins(cells):
    assert cells.loc[A, R1] == pytest.approx(100)  # R1 lies wholly in A
    assert cells.loc[A, R2] == pytest.approx(200)
    assert cells.loc[B, R2] == pytest.approx(50)
    assert cells.loc[B, R3] == pytest.approx(150)
    assert cells.loc[A, R3] == 0 and cells.loc[B, R1] == 0  # no shared town, no people


def test_cell_populations_split_a_free_overlap_by_land_area():
    towns = pd.DataFrame(
        {
            "old_county_fips": [A, A, B, B],
            "region_fips": [R1, R2, R1, R2],
            "land_area_sqmi": [1.0, 3.0, 3.0, 1.0],
        }
    )
    cells = connecticut.cell_populations(
        towns, pd.Series({A: 100.0, B: 100.0}), pd.Series({R1: 100.0, R2: 100.0})
    )
    np.testing.assert_allclose(cells.sum(axis=1), [100, 100])
    np.testing.assert_allclose(cells.sum(axis=0), [100, 100])
    assert cells.loc[A, R2] == pytest.approx(75)  # the land-area seed decides the free split


def test_cell_populations_refuse_inconsistent_margins():
    with pytest.raises(ValueError, match="margins differ"):
        connecticut.cell_populations(TOWNS, COUNTY_POPULATION * 2, REGION_POPULATION)
    with pytest.raises(ValueError, match="missing"):
        connecticut.cell_populations(TOWNS, COUNTY_POPULATION.drop(B), REGION_POPULATION)


def test_distribute_keeps_totals_and_assumes_a_uniform_rate(cells):
    foreign_born = pd.DataFrame({"n": [30.0, 40.0]}, index=[A, B])
    regions = connecticut.distribute(foreign_born, cells).n
    assert regions.to_dict() == pytest.approx({R1: 10, R2: 30, R3: 30})


def test_blend_is_a_population_weighted_mean(cells):
    medians = pd.DataFrame({"median": [100_000.0, 50_000.0]}, index=[A, B])
    regions = connecticut.blend(medians, cells)["median"]
    assert regions.to_dict() == pytest.approx({R1: 100_000, R2: 90_000, R3: 50_000})


def test_votes_follow_the_pattern_year_inside_each_old_county(cells):
    pattern = connecticut.vote_pattern(cells, pd.Series({R1: 60.0, R2: 100.0, R3: 30.0}))
    assert pattern.loc[A, R2] == pytest.approx(80) and pattern.loc[B, R2] == pytest.approx(20)
    older = pd.DataFrame({"gop": [140.0, 25.0]}, index=[A, B])
    regions = connecticut.distribute(older, pattern).gop
    assert regions.to_dict() == pytest.approx({R1: 60, R2: 90, R3: 15})


def all_old_counties(**columns):
    """A frame with every old Connecticut county (values from ``columns``) and one other."""
    codes = sorted(OLD_CT_COUNTIES)
    frame = pd.DataFrame({"fips": codes, **{k: [v] * len(codes) for k, v in columns.items()}})
    other = pd.DataFrame({"fips": ["01001"], **{k: [v] for k, v in columns.items()}})
    return pd.concat([other, frame], ignore_index=True)


@pytest.fixture
def halves():
    """Every old county split evenly between two regions (toy cells)."""
    codes = sorted(OLD_CT_COUNTIES)
    return ConnecticutCells(pd.DataFrame(50.0, index=codes, columns=[R3, R1]))


def test_counts_replace_old_counties_by_regions(halves):
    frame = halves.counts(all_old_counties(n=10.0), ["n"])
    assert frame.fips.tolist() == ["01001", R3, R1]
    assert frame.n.tolist() == [10.0, 40.0, 40.0]  # 8 counties x 10, half to each region


def test_income_blends_medians_and_recomputes_poverty_from_counts(halves):
    income = all_old_counties(
        median_income_acs=80_000.0,
        median_income_saipe=70_000.0,
        poverty_pct_acs=10.0,
        in_poverty_acs=10.0,
        in_poverty_universe_acs=100.0,
    )
    frame = income_on_regions(income, halves).set_index("fips")
    assert frame.loc[R1, "median_income_acs"] == pytest.approx(80_000)
    assert frame.loc[R1, "in_poverty_acs"] == pytest.approx(40)
    assert frame.loc[R1, "poverty_pct_acs"] == pytest.approx(10)
    assert frame.loc["01001", "poverty_pct_acs"] == 10.0


def test_votes_move_to_regions_along_2024(halves):
    older = Votes(
        2020, "src", all_old_counties(votes_gop=10.0, votes_dem=30.0), 1.0, 2.0, ("01001",)
    )
    pattern = pd.DataFrame({"fips": [R3, R1], "votes_gop": [1.0, 3.0], "votes_dem": [1.0, 1.0]})
    moved_votes = halves.votes(older, pattern)
    assert moved_votes.substituted == ("01001",) and moved_votes.alaska_dem == 2.0
    moved = moved_votes.counties.set_index("fips")
    assert moved.loc[R1, "votes_gop"] == pytest.approx(60)  # 80 Republican votes, 3:1
    assert moved.loc[R3, "votes_dem"] == pytest.approx(120)  # 240 Democratic votes, 1:1
    assert moved.loc["01001", "votes_gop"] == 10.0


def test_change_between_combines_valdez_cordova():
    new = pd.DataFrame(
        {"fips": ["01001", "02063", "02066"], "h": [20.0, 30.0, 10.0], "p": [100.0, 70.0, 30.0]}
    )
    old = pd.DataFrame({"fips": ["01001", "02261"], "h0": [10.0, 19.0], "p0": [100.0, 95.0]})
    change = change_between(new, old, "h", "p", "h0", "p0").set_index("fips")
    assert change.index.tolist() == ["01001", "02063", "02066"]
    assert change.loc["01001", "old_share"] == pytest.approx(0.10)
    assert change.loc["01001", "change_pp"] == pytest.approx(10.0)
    assert change.loc["02063", "old_share"] == pytest.approx(0.20)
    assert change.loc["02066", "change_pp"] == pytest.approx(100 * (40 / 100 - 0.20))
    assert change.loc["02063", "growth_log"] == pytest.approx(np.log(41 / 20))


def test_log_growth_is_finite_on_zero_bases():
    assert log_growth(pd.Series([11.0, 0.0]), pd.Series([0.0, 0.0])).tolist() == [
        pytest.approx(np.log(12)), 0.0
    ]  # fmt: skip


def _fit_reference(cells, rows, cols):
    """The proportional fitting as first written (sums taken anew at every use)."""
    for _ in range(connecticut.MAX_ITERATIONS):
        cells *= (rows / cells.sum(axis=1))[:, None]
        cells *= (cols / cells.sum(axis=0))[None, :]
        if np.abs(cells.sum(axis=1) - rows).max() <= connecticut.TOLERANCE * rows.max():
            return cells
    raise ValueError


@pytest.mark.parametrize("seed", range(5))
def test_fit_gives_the_same_bits_as_the_reference(seed):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(1e3, 1e5, size=(8, 9)) * (rng.uniform(size=(8, 9)) < 0.4)
    truth[np.arange(8), np.arange(8)] += 5e4  # every row and column holds a cell
    truth[0, 8] += 5e4
    rows, cols = truth.sum(axis=1), truth.sum(axis=0)  # margins a fit can meet
    cells = truth * rng.uniform(0.2, 5.0, size=truth.shape)  # the seed: land areas
    expected = _fit_reference(cells.copy(), rows, cols)
    assert np.array_equal(connecticut._fit(cells.copy(), rows, cols), expected)
