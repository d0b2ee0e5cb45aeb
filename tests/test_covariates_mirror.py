"""The covariate tables built from the real files: coverage, cross-source sanity checks, the
harmonisation rules on the counties they concern, determinism."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from analysis import io
from analysis.covariates import build, elections, pep
from analysis.geo.counties import county_list

pytestmark = pytest.mark.mirror

# Official national totals: FEC, "Federal Elections 2016/2020/2024" (official presidential
# general election results). Test expectations only; nothing in the build uses them.
OFFICIAL_VOTES = {
    2016: (62_984_828, 65_853_514),  # Trump, Clinton
    2020: (74_223_975, 81_283_501),  # Trump, Biden
    2024: (77_302_580, 75_017_613),  # Trump, Harris
}
TOLERANCE = 0.005


@pytest.fixture(scope="module")
def tables(raw_dir):
    return build.assemble(raw_dir)


@pytest.fixture(scope="module")
def county(tables):
    return tables["county_covariates"].set_index("fips", drop=False)


def test_one_row_per_county_of_the_geography(raw_dir, county):
    assert county.fips.tolist() == county_list(raw_dir).fips.tolist()


def test_at_least_3140_counties_have_every_core_variable(county):
    complete = county[list(build.CORE_VARIABLES)].notna().all(axis=1)
    assert (complete == county.core_complete).all()
    assert complete.sum() >= 3140


def test_every_gap_and_every_non_plain_value_is_in_the_qa_table(tables, county):
    qa = tables["county_covariates_qa"]
    listed = set(zip(qa.fips, qa.variable, strict=True))
    for column in county.columns:
        for fips in county.fips[county[column].isna()]:
            assert (fips, column) in listed, (fips, column)
    flag_methods = {
        "ct_allocated": "ct_town_allocation",
        "gop_share_statewide_alaska": "alaska_statewide",
        "gop_share_from_maui": "maui_share",
        "median_income_from_saipe": "saipe_2021",
        "change_on_valdez_cordova": "valdez_cordova_combined",
    }
    for flag, method in flag_methods.items():
        flagged = set(county.fips[county[flag]])
        assert flagged and flagged == set(qa.fips[qa.method == method]), flag
    assert set(qa.fips.dropna()) <= set(county.fips)
    assert "noncitizen_share" in set(qa.variable[qa.scope == "all counties"])


def data_rows(path, source):
    if source.endswith("Ruralurbancontinuumcodes2023.csv"):
        return pd.read_csv(path, encoding="latin-1", dtype=str).FIPS.nunique()
    sep = "\t" if path.suffix == ".txt" else ","
    return len(pd.read_csv(path, sep=sep, encoding="latin-1", dtype=str))


def test_the_ledger_accounts_for_every_input_row(raw_dir, tables):
    ledger = tables["county_covariates_inputs"]
    for source, rows in ledger.groupby("source").rows.sum().items():
        assert rows == data_rows(raw_dir / source, source), source
    assert (ledger.outcome == "unknown").sum() == 0


def test_acs_and_census_hispanic_shares_agree(county):
    assert county.hispanic_share.corr(county.hispanic_share_census2020) > 0.98


@pytest.mark.parametrize("year", sorted(OFFICIAL_VOTES))
def test_national_vote_totals_match_official_results(tables, year):
    states = tables["state_aggregates"]
    gop, dem = OFFICIAL_VOTES[year]
    assert states[f"votes_gop_{year}"].sum() == pytest.approx(gop, rel=TOLERANCE)
    assert states[f"votes_dem_{year}"].sum() == pytest.approx(dem, rel=TOLERANCE)


def test_state_population_sums_equal_the_source_state_rows(raw_dir, tables):
    source = pep.state_rows(raw_dir).set_index("state_fips").population_pep2022
    summed = tables["state_aggregates"].set_index("state_fips").population_pep2022
    assert (summed == source.reindex(summed.index)).all()


def test_connecticut_has_nine_planning_regions_with_allocated_values(county):
    ct = county[county.state_usps == "CT"]
    assert ct.fips.tolist() == [f"091{d}0" for d in range(1, 10)]
    assert ct.ct_allocated.all() and ct.core_complete.all()
    assert county.ct_allocated.sum() == 9


def test_connecticut_allocation_reproduces_a_share_known_on_regions(county):
    """Census 2020 Hispanic shares allocated from old counties against the ACS 2018-22 shares
    SVI publishes natively for the regions: within 2 points everywhere."""
    ct = county[county.state_usps == "CT"]
    assert (ct.hispanic_share_census2020 - ct.hispanic_share).abs().max() < 0.02


def test_connecticut_allocation_keeps_state_totals(raw_dir, tables):
    votes = pd.read_csv(raw_dir / elections.TONMCG[2020], dtype={"county_fips": str})
    old_counties = votes[votes.state_name == "Connecticut"]
    ct = tables["state_aggregates"].set_index("state_usps").loc["CT"]
    assert ct.votes_gop_2020 == old_counties.votes_gop.sum()
    assert ct.votes_dem_2020 == old_counties.votes_dem.sum()
    atlas = pd.read_csv(
        raw_dir / "usda_ers_atlas/atlas2023_People.csv", encoding="utf-8-sig", dtype={"FIPS": str}
    ).set_index("FIPS")
    state_share = atlas.loc["09000", "HispanicNum2020"] / atlas.loc["09000", "TotalPop2020"]
    assert ct.hispanic_share_census2020 == pytest.approx(state_share, rel=1e-9)


def test_alaska_boroughs_share_the_statewide_result(raw_dir, county):
    alaska = county[county.state_usps == "AK"]
    assert len(alaska) == 30 and alaska.gop_share_statewide_alaska.all()
    votes = pd.read_csv(raw_dir / elections.TONMCG[2024])
    districts = votes[votes.state_name == "Alaska"]
    statewide = districts.votes_gop.sum() / (districts.votes_gop.sum() + districts.votes_dem.sum())
    assert (alaska.gop_share_2024 == statewide).all()
    assert alaska.gop_share_2016.nunique() == alaska.gop_share_2020.nunique() == 1


def test_dc_2024_is_the_sum_of_its_wards(raw_dir, county):
    votes = pd.read_csv(raw_dir / elections.TONMCG[2024])
    wards = votes[votes.state_name == "District of Columbia"]
    assert len(wards) == 8
    share = wards.votes_gop.sum() / (wards.votes_gop.sum() + wards.votes_dem.sum())
    assert county.loc["11001", "gop_share_2024"] == share


def test_keya_paha_2016_votes_come_from_tonmcg(tables, county):
    qa = tables["county_covariates_qa"]
    noted = qa[(qa.fips == "31103") & (qa.method == "tonmcg_2016")]
    assert sorted(noted.variable) == ["gop_share_2016", "gop_swing_pp_2016_2024"]
    assert 0.85 < county.loc["31103", "gop_share_2016"] < 0.95  # not MEDSL's 1.0


def test_kalawao_takes_maui_votes(county):
    kalawao, maui = county.loc["15005"], county.loc["15009"]
    assert kalawao.gop_share_from_maui and not maui.gop_share_from_maui
    for year in (2016, 2020, 2024):
        assert kalawao[f"gop_share_{year}"] == maui[f"gop_share_{year}"]


def test_renamed_and_split_counties_carry_values(county):
    for fips in ("46102", "02158", "02063", "02066", "51019"):
        row = county.loc[fips]
        assert row.core_complete and not np.isnan(row.hispanic_growth_log_2010_2020), fips
    assert county.loc["02063", "hispanic_share_census2010"] == pytest.approx(
        county.loc["02066", "hispanic_share_census2010"]
    )
    assert county.change_on_valdez_cordova.sum() == 2


def test_known_counties_look_right(county):
    los_angeles, harris, miami = county.loc["06037"], county.loc["48201"], county.loc["12086"]
    assert 9.5e6 < los_angeles.population < 10.2e6 and 0.45 < los_angeles.hispanic_share < 0.52
    assert 4.5e6 < harris.population < 5.0e6 and harris.metro and harris.rucc_2023 == 1
    assert miami.foreign_born_share > 0.5 and miami.gop_share_2024 > 0.5 > miami.gop_share_2016
    loving = county.loc["48301"]
    assert loving.population < 200 and loving.median_income_from_saipe and loving.rucc_2023 == 9
    assert county.loc["13259", "group_quarters_heavy"]  # Stewart GA: ICE detention centre
    assert county.loc["11001", "gop_share_2024"] < 0.1


def test_state_aggregates_cover_the_51_states(tables):
    states = tables["state_aggregates"]
    assert len(states) == 51 and states.counties.sum() == 3144
    assert states.set_index("state_usps").loc["CA", "counties"] == 58


def test_two_builds_are_byte_identical(raw_dir, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    written = build.build_county_covariates(raw_dir, first)
    build.build_county_covariates(raw_dir, second)
    assert written["county_covariates"] == 3144
    for name in written:
        for suffix in (".csv", ".parquet"):
            file = f"{name}{suffix}"
            assert (first / file).read_bytes() == (second / file).read_bytes(), file


def test_every_column_is_documented_with_a_source(tables):
    for name, frame in tables.items():
        io.check_against_dictionary(frame, name)
        with open(io.dictionary_path(name), newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert all(r["description"].strip() and r["source"].strip() for r in rows), name
        dtypes = {r["column"]: r["dtype"] for r in rows}
        assert dtypes == {c: str(t) for c, t in frame.dtypes.items()}, name
