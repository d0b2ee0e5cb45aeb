"""Era comparison: the LPM with the wild bootstrap on simulated counties, the era frames,
the vintage table, and the earlier-vintage covariate readers on tiny files in the real formats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.covariates.common import RowLedger, SourceContext
from analysis.covariates.vintages import PEOPLE_2018, VINTAGES, earlier_vintages
from analysis.stats.lpm_wild import fit_lpm_wild, zscores
from analysis.study import eras


def _counties(n=900, seed=3):
    rng = np.random.default_rng(seed)
    states = np.array([f"S{k:02d}" for k in range(30)])[rng.integers(0, 30, n)]
    frame = pd.DataFrame({"state": states, "x": rng.normal(5, 2, n), "w": rng.normal(size=n)})
    z = (frame.x - frame.x.mean()) / frame.x.std(ddof=0)
    frame["y"] = (rng.random(n) < 0.3 + 0.12 * z.clip(-2, 2)).astype(int)
    return frame


def test_lpm_per_sd_recovers_slope_and_bootstrap_is_seeded():
    frame = _counties()
    a = fit_lpm_wild(frame, "y", ["x", "w"], bootstrap_terms=["x", "w"], reps=199, seed=5)
    b = fit_lpm_wild(frame, "y", ["x", "w"], bootstrap_terms=["x", "w"], reps=199, seed=5)
    pd.testing.assert_frame_equal(a, b)
    x, w = a.set_index("term").loc["x"], a.set_index("term").loc["w"]
    assert x.ci_low_pp < 12 < x.ci_high_pp and x.p_wild < 0.01
    assert w.ci_low_pp < 0 < w.ci_high_pp and w.p_wild > 0.05
    assert np.isnan(fit_lpm_wild(frame, "y", ["x"]).p_wild.iloc[0])  # no bootstrap asked


def test_lpm_errors_and_missing_rows():
    frame = _counties(200)
    frame.loc[:4, "x"] = np.nan
    assert fit_lpm_wild(frame, "y", ["x"]).n_dropped.iloc[0] == 5
    with pytest.raises(ValueError, match="0/1"):
        fit_lpm_wild(frame.assign(y=frame.y * 2), "y", ["x"])
    with pytest.raises(ValueError, match="does not vary"):
        zscores(frame.assign(c=1.0), ["c"])


def _era_counties():
    rng = np.random.default_rng(1)
    fips = ["01001", "01003", "02013", "09110", "48001", "48003", "48005", "48007"]
    frame = pd.DataFrame({"fips": fips, "state": [f[:2] for f in fips]})
    frame["state"] = frame.state.map({"01": "AL", "02": "AK", "09": "CT", "48": "TX"})
    for era in eras.ERAS:
        for column in era.columns.values():
            frame[column] = rng.normal(size=len(frame))
    frame["county_agency_agreement"] = [1, 0, 1, 0, 0, 1, 1, 0]
    return frame


def test_era_frame_universe_and_outcomes():
    counties = _era_counties()
    years = {c: [False] * 3 for c in (f"y{y}" for y in range(2005, 2020))}
    placed = pd.DataFrame(
        {"county_fips": ["01003", "48005", "48007"], "level": ["county", "county", "municipal"]}
        | years
    )
    placed.loc[0, "y2008"] = True  # 2005-12 only
    placed.loc[1, "y2018"] = True  # 2017-19 only
    placed.loc[2, "y2008"] = True  # municipal: not a county-level agency
    first, second, current = (
        eras.era_frame(e, counties, placed, "county_agency_agreement") for e in eras.ERAS
    )
    assert set(first.state) == {"AL", "TX"}  # AK and CT have no county sheriffs
    assert dict(zip(first.fips, first.adopted, strict=True))["01003"] == 1
    assert first.adopted.sum() == 1 and second.adopted.sum() == 1
    assert dict(zip(second.fips, second.adopted, strict=True))["48005"] == 1
    assert current.adopted.tolist() == [1, 0, 0, 1, 1, 0]
    assert list(first.columns) == ["fips", "state", "adopted", *eras.ROLES]
    outside = placed.assign(county_fips=["02013", "48005", "48007"])
    with pytest.raises(ValueError, match="outside the sheriff universe"):
        eras.era_frame(eras.ERAS[0], counties, outside, "county_agency_agreement")


def test_vintage_table_names_every_covariate():
    table = eras.vintage_table()
    assert len(table) == 3 * len(eras.ROLES)
    assert table.vintage.ne("").all() and table.source.ne("").all()
    first = table[table.era == "2005-2012"]
    assert set(first.vintage) == {"2012 election", "Census 2010", "Census 2000 to 2010"}
    assert first.timing.str.contains("inside the era").all()


def test_with_earlier_vintages_checks_shared_columns():
    counties = pd.DataFrame({"fips": ["01001", "01003"], "hispanic_share_census2010": [0.1, 0.2]})
    vintages = counties.assign(gop_share_2012=[0.6, 0.7])
    merged = eras.with_earlier_vintages(counties, vintages)
    assert list(merged.columns) == ["fips", "hispanic_share_census2010", "gop_share_2012"]
    with pytest.raises(ValueError, match="disagree"):
        eras.with_earlier_vintages(counties, vintages.assign(hispanic_share_census2010=[0.1, 0.3]))


def _vintage_files(raw):
    atlas = raw / PEOPLE_2018
    atlas.parent.mkdir(parents=True)
    atlas.write_bytes(
        (
            "FIPS,State,County,HispanicNum2010,TotalPop2010,LandAreaSQMiles2010,TotalPopEst2016,"
            "HispanicPopChangeRate0010,Other\n"
            "01001,AL,Autauga,1000,50000,500,55000,100,x\n"
            "31009,NE,Blaine,0,500,700,480,-100,x\n"
            "51019,VA,Bedford,1000,60000,700,70000,0,x\n"
            "51515,VA,Bedford city,100,6000,7,,25,x\n"
        ).encode("latin-1")
    )
    medsl = raw / "medsl_election_context_2018" / "election-context-2018.csv"
    medsl.parent.mkdir(parents=True)
    medsl.write_text(
        "state,county,fips,romney12,obama12,total_population,hispanic_pct\n"
        "Alabama,Autauga,1001,300,100,50000,2\n"
        "Missouri,Jackson,29095,100,100,700000,8\n"
        "Missouri,Kansas City,36000,50,150,,\n"
        "Nebraska,Blaine,31009,90,10,500,0\n"
        "Virginia,Bedford,51019,600,400,70000,1\n"
        "Virginia,Bedford city,51515,10,10,,\n"
    )


def test_earlier_vintages_on_tiny_files(tmp_path):
    _vintage_files(tmp_path)
    ledger = RowLedger()
    ctx = SourceContext(tmp_path, frozenset({"01001", "29095", "31009", "51019"}), ledger)
    frame = earlier_vintages(ctx).set_index("fips")
    assert list(frame.columns) == list(VINTAGES)
    assert frame.loc["01001", "gop_share_2012"] == pytest.approx(0.75)
    assert frame.loc["01001", "hispanic_share_census2010"] == pytest.approx(0.02)
    assert frame.loc["01001", "hispanic_growth_log_2000_2010"] == pytest.approx(np.log(1001 / 501))
    assert frame.loc["01001", "log_population_density_2010"] == pytest.approx(np.log(100))
    # Kansas City's votes go to Jackson; Bedford city's counts to Bedford County.
    assert frame.loc["29095", "gop_share_2012"] == pytest.approx(150 / 400)
    assert frame.loc["51019", "hispanic_share_census2010"] == pytest.approx(1100 / 66000)
    assert frame.loc["51019", "hispanic_growth_log_2000_2010"] == pytest.approx(np.log(1101 / 1081))
    # Blaine's 2000 count is lost at -100 %: missing, and in the ledger.
    assert np.isnan(frame.loc["31009", "hispanic_growth_log_2000_2010"])
    assert "hispanic_2000_unknown" in set(ledger.frame().outcome)
