"""Source readers on tiny files written in each source's real format: BOM, latin-1, long format,
thousands separators, unpadded codes, both Connecticut sets, retired codes, Alaska districts and
DC wards whose codes collide with county codes, MEDSL's pseudo-county, Kalawao."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.covariates import atlas, elections, ers, pep, rucc, svi
from analysis.covariates.common import RowLedger, SourceContext

COUNTIES = frozenset(
    {"01001", "01003", "02013", "02020", "02063", "02066", "09110", "11001", "15005", "15009",
     "29095", "31103", "35013", "46102", "48301", "51019"}
)  # fmt: skip


def write(root, relpath, text, encoding="utf-8"):
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


@pytest.fixture
def ctx(tmp_path):
    return SourceContext(tmp_path, COUNTIES, RowLedger())


def ledger_totals(ctx, source):
    frame = ctx.ledger.frame()
    return frame[frame.source == source].groupby("outcome").rows.sum().to_dict()


def test_svi_reads_bom_unpadded_codes_and_missing_code(ctx):
    write(
        ctx.raw_dir,
        svi.SVI_2022,
        "\ufeffST,STATE,FIPS,E_TOTPOP,E_HISP,E_MINRTY,E_AFAM,EP_UNEMP,E_GROUPQ,E_HU\n"
        "01,Alabama,1001,58761,1864,16128,11496,2.8,551,24000\n"
        "09,Connecticut,9110,977165,174513,400000,100000,6.9,38285,400000\n"
        "35,New Mexico,35013,219561,-999,160000,3000,8.1,5000,80000\n",
    )
    frame = svi.read_svi(ctx).set_index("fips")
    assert frame.index.tolist() == ["01001", "09110", "35013"]
    assert frame.loc["01001", "hispanic_acs"] == 1864
    assert np.isnan(frame.loc["35013", "hispanic_acs"])  # -999 is SVI's missing code
    assert frame.loc["09110", "unemployment_pct"] == 6.9
    assert ledger_totals(ctx, svi.SVI_2022) == {"county": 3}


def test_rucc_pivots_the_latin1_long_format(ctx):
    rows = [
        ("1001", "AL", "Autauga County", "Population_2020", "58805"),
        ("1001", "AL", "Autauga County", "RUCC_2023", "2"),
        ("1001", "AL", "Autauga County", "Description",
         '"Metro - Counties in metro areas of 250,000 to 1 million population"'),
        ("35013", "NM", "Doña Ana County", "Population_2020", "219561"),
        ("35013", "NM", "Doña Ana County", "RUCC_2023", "3"),
        ("35013", "NM", "Doña Ana County", "Description", "Metro"),
        ("72001", "PR", "Adjuntas Municipio", "Population_2020", "18181"),
        ("72001", "PR", "Adjuntas Municipio", "RUCC_2023", "2"),
        ("72001", "PR", "Adjuntas Municipio", "Description", "Metro"),
    ]  # fmt: skip
    text = "FIPS,State,County_Name,Attribute,Value\n" + "".join(",".join(r) + "\n" for r in rows)
    write(ctx.raw_dir, rucc.RUCC_2023, text, encoding="latin-1")
    frame = rucc.read_rucc(ctx).set_index("fips")
    assert frame.rucc_2023.to_dict() == {"01001": 2, "35013": 3}
    assert frame.population_census2020.to_dict() == {"01001": 58805, "35013": 219561}
    assert ledger_totals(ctx, rucc.RUCC_2023) == {"county": 2, "territory": 1}


CO_EST = (
    "SUMLEV,REGION,DIVISION,STATE,COUNTY,STNAME,CTYNAME,ESTIMATESBASE2020,POPESTIMATE2020,"
    "POPESTIMATE2021,POPESTIMATE2022\n"
    "40,3,6,1,0,Alabama,Alabama,5024356,5031362,5049846,118194\n"
    "50,3,6,1,1,Alabama,Autauga County,58802,58902,59210,59759\n"
    "50,3,6,1,3,Alabama,Baldwin County,231761,233219,239361,58435\n"
)


def test_pep_pads_state_and_county_codes(ctx):
    write(ctx.raw_dir, pep.CO_EST_2022, CO_EST)
    frame = pep.read_pep(ctx).set_index("fips")
    assert frame.population_pep2022.to_dict() == {"01001": 59759, "01003": 58435}
    assert set(frame.census_region) == {3} and set(frame.census_division) == {6}
    assert ledger_totals(ctx, pep.CO_EST_2022) == {"county": 2, "state_total": 1}
    states = pep.state_rows(ctx.raw_dir)
    assert states.to_dict("records") == [
        {"state_fips": "01", "population_pep2022": 118194, "census_region": 3,
         "census_division": 6}
    ]  # fmt: skip


EDUCATION_HEADER = (
    "\ufeffFIPS Code,State,Area name,2023 Rural-urban Continuum Code,"
    '"Less than a high school diploma, 2018-22","High school diploma only, 2018-22",'
    '"Some college or associate\'s degree, 2018-22","Bachelor\'s degree or higher, 2018-22",'
    '"Percent of adults with less than a high school diploma, 2018-22",'
    '"Percent of adults with a high school diploma only, 2018-22",'
    '"Percent of adults completing some college or associate\'s degree, 2018-22",'
    '"Percent of adults with a bachelor\'s degree or higher, 2018-22"\n'
)


def test_education_takes_regions_and_drops_blank_old_ct_and_retired_rows(ctx):
    write(
        ctx.raw_dir,
        ers.EDUCATION,
        EDUCATION_HEADER
        + '00000,US,United States,,"24,599,698","59,741,825","64,508,122","77,751,347",10.9,'
        "26.4,28.5,34.3\n"
        '01001,AL,Autauga County,2,"3,857","12,517","11,935","11,879",9.6,31.1,29.7,29.6\n'
        "02261,AK,Valdez-Cordova Census Area,,,,,,,,,\n"
        "09001,CT,Fairfield County,,,,,,,,,\n"
        '09110,CT,"Capitol Planning Region, Connecticut",1,"60,675","169,941","167,081",'
        '"277,549",9.0,25.2,24.7,41.1\n'
        "48301,TX,Loving County,9,2,10,51,,3.2,15.9,81,0\n",
    )
    frame = ers.read_education(ctx).set_index("fips")
    assert frame.index.tolist() == ["01001", "09110", "48301"]
    assert frame.loc["01001", "bachelors_or_higher"] == 11879
    assert frame.loc["01001", "adults_25plus"] == 3857 + 12517 + 11935 + 11879
    assert frame.loc["48301", "bachelors_pct"] == 0  # blank count, published percent 0
    assert ledger_totals(ctx, ers.EDUCATION) == {"county": 3, "empty_row": 2, "national_total": 1}


def test_population_estimates_take_the_region_rows_for_2023(ctx):
    write(
        ctx.raw_dir,
        ers.POPULATION,
        "\ufeffFIPStxt,State,Area_Name,CENSUS_2020_POP,POP_ESTIMATE_2023\n"
        '09001,CT,Fairfield County,"957,419",\n'
        '09110,CT,Capitol Planning Region,,"975,328"\n',
    )
    frame = ers.read_population_2023(ctx)
    assert frame.to_dict("records") == [{"fips": "09110", "population_pep2023": 975328}]


PEOPLE_2018_HEADER = (
    "FIPS,State,County,HispanicNum2010,TotalPop2010,ForeignBornPct,ForeignBornNum,TotalPopACS\n"
)


def test_atlas_2018_merges_bedford_city_and_keeps_valdez_cordova(ctx):
    write(
        ctx.raw_dir,
        atlas.PEOPLE_2018,
        PEOPLE_2018_HEADER + "51000,VA,Virginia,631825,8001024,12.0,990000,8200000\n"
        "51019,VA,Bedford,1090,68676,2.2,1699,76933\n"
        "51515,VA,Bedford,134,6222,,,\n"
        "02261,AK,Valdez-Cordova,349,9636,5.3,502,9522\n"
        "46102,SD,Oglala Lakota,298,13586,0.2,32,14263\n"
        "02201,AK,Prince of Wales-Outer Ketchikan,,,,,\n",
        encoding="latin-1",
    )
    frame = atlas.read_people_2018(ctx).set_index("fips")
    assert frame.index.tolist() == ["02261", "46102", "51019"]
    bedford = frame.loc["51019"]
    assert (bedford.hispanic_2010, bedford.population_2010) == (1090 + 134, 68676 + 6222)
    assert bedford.foreign_born_acs2016 == 1699  # ACS 2012-16 already has current boundaries
    assert ledger_totals(ctx, atlas.PEOPLE_2018) == {
        "county": 2, "empty_row": 1, "merged": 1, "split_parent": 1, "state_total": 1
    }  # fmt: skip


def test_atlas_income_recovers_the_poverty_universe(ctx):
    write(
        ctx.raw_dir,
        atlas.INCOME_2023,
        "\ufeffFIPS,State,County,Median_HH_Inc_ACS,Poverty_Rate_ACS,NumAll_inPOV_ACS,MedHHInc\n"
        "01001,AL,Autauga,62660,13.57847378,7847,66444\n"
        "35013,NM,Dona Ana,,1.204819277,1,100917\n"
        "51515,VA,Bedford,,,,\n",
    )
    frame = atlas.read_income_2023(ctx).set_index("fips")
    assert frame.loc["01001", "in_poverty_universe_acs"] == pytest.approx(57790, abs=1)
    assert np.isnan(frame.loc["35013", "median_income_acs"])
    assert frame.loc["35013", "median_income_saipe"] == 100917
    assert ledger_totals(ctx, atlas.INCOME_2023) == {"county": 2, "empty_row": 1}


TONMCG_HEADER = (
    "state_name,county_fips,county_name,votes_gop,votes_dem,total_votes,diff,per_gop,per_dem,"
    "per_point_diff\n"
)


def test_2024_sums_alaska_districts_and_dc_wards_before_reading_codes(ctx):
    write(
        ctx.raw_dir,
        elections.TONMCG[2024],
        TONMCG_HEADER + "Alabama,01001,Autauga County,20484,7439,28190,13045.0,0.7,0.3,0.4\n"
        "Alaska,02001,State House District 1,4861,3367,8228,1494.0,0.6,0.4,0.2\n"
        "Alaska,02013,State House District 13,3000,2000,5100,1000.0,0.6,0.4,0.2\n"
        "Alaska,02020,State House District 20,1000,4000,5100,-3000.0,0.2,0.8,-0.6\n"
        "Connecticut,09110,Capitol Planning Region,200000,280000,490000,-1.0,0.4,0.6,-0.2\n"
        "District of Columbia,11001,Ward 1,1000,30000,31500,-29000.0,0.03,0.95,-0.9\n"
        "District of Columbia,11002,Ward 2,2000,25000,27500,-23000.0,0.07,0.91,-0.8\n"
        "Hawaii,15009,Maui County,22621,38905,62893,-16284.0,0.36,0.62,-0.26\n",
    )
    votes = elections.read_tonmcg(ctx, 2024)
    frame = votes.counties.set_index("fips")
    assert frame.index.tolist() == ["01001", "09110", "11001", "15009"]  # no 02013, no 02020
    assert frame.loc["11001"].tolist() == [3000, 55000]  # the wards, not Ward 1 alone
    assert (votes.alaska_gop, votes.alaska_dem) == (8861, 9367)
    assert ledger_totals(ctx, elections.TONMCG[2024]) == {
        "alaska_statewide": 3, "county": 3, "dc_summed": 2
    }  # fmt: skip
    totals = votes.state_totals().set_index("state_fips")
    assert totals.loc["02"].tolist() == [8861, 9367] and totals.loc["11"].tolist() == [3000, 55000]


def test_2020_keeps_old_connecticut_counties_for_allocation(ctx):
    write(
        ctx.raw_dir,
        elections.TONMCG[2020],
        TONMCG_HEADER + "Alaska,02901,District 1,3511,3477,7360,34,0.48,0.47,0.005\n"
        "Connecticut,09001,Fairfield County,169039,295595,470000,-1,0.36,0.63,-0.27\n"
        "District of Columbia,11001,District of Columbia,18586,317323,344356,-1,0.05,0.92,-0.9\n",
    )
    votes = elections.read_tonmcg(ctx, 2020)
    assert votes.counties.fips.tolist() == ["09001", "11001"]
    assert ledger_totals(ctx, elections.TONMCG[2020]) == {
        "alaska_statewide": 1, "dc_summed": 1, "old_ct_allocated": 1
    }  # fmt: skip


def test_a_state_name_that_disagrees_with_the_code_is_an_error(ctx):
    write(
        ctx.raw_dir,
        elections.TONMCG[2024],
        TONMCG_HEADER + "Georgia,01001,Autauga County,1,1,2,0,0.5,0.5,0\n",
    )
    with pytest.raises(ValueError, match="state name and FIPS disagree"):
        elections.read_tonmcg(ctx, 2024)


MEDSL_HEADER = '"state","county","fips","trump16","clinton16","otherpres16","romney12"\n'
TONMCG_2016_HEADER = (
    ",votes_dem,votes_gop,total_votes,per_dem,per_gop,diff,per_point_diff,state_abbr,"
    "county_name,combined_fips\n"
)


def test_2016_recodes_merges_repairs_and_takes_alaska_once(ctx):
    write(
        ctx.raw_dir,
        elections.MEDSL,
        MEDSL_HEADER + '"Missouri","Jackson",29095,91557,71237,10481,93199\n'
        '"Missouri","Kansas City",36000,24654,97735,5000,40000\n'
        '"South Dakota","Oglala Lakota",46113,241,2510,100,NA\n'
        '"Virginia","Bedford",51019,30659,9768,1000,20000\n'
        '"Virginia","Bedford",51515,0,0,0,1527\n'
        '"Nebraska","Keya Paha",31103,460,0,19,393\n',
    )
    write(
        ctx.raw_dir,
        elections.TONMCG[2016],
        TONMCG_2016_HEADER
        + '0,93003.0,130413.0,246588.0,0.377,0.528,"37,410",15.17%,AK,Alaska,2013\n'
        '1,93003.0,130413.0,246588.0,0.377,0.528,"37,410",15.17%,AK,Alaska,2020\n'
        "2,39.0,458.0,514.0,0.07,0.89,419,81.52%,NE,Keya Paha County,31103\n"
        "3,9768.0,30659.0,41000.0,0.2,0.7,0,0%,VA,Bedford County,51019\n",
    )
    votes = elections.read_2016(ctx)
    frame = votes.counties.set_index("fips")
    assert frame.loc["29095"].tolist() == [91557 + 24654, 71237 + 97735]
    assert frame.loc["46102"].tolist() == [241, 2510]
    assert frame.loc["51019"].tolist() == [30659, 9768]
    assert frame.loc["31103"].tolist() == [458, 39]  # MEDSL's zero replaced from tonmcg
    assert votes.substituted == ("31103",)
    assert (votes.alaska_gop, votes.alaska_dem) == (130413, 93003)
    assert ledger_totals(ctx, elections.MEDSL) == {"county": 3, "merged": 2, "renamed": 1}
    assert ledger_totals(ctx, elections.TONMCG[2016]) == {
        "alaska_statewide": 1, "statewide_copy": 1, "substituted": 1, "unused_source": 1
    }  # fmt: skip


def test_county_shares_give_alaska_the_statewide_share_and_kalawao_maui():
    votes = elections.Votes(
        2024,
        "src",
        pd.DataFrame({"fips": ["01001", "15009"], "votes_gop": [3, 1], "votes_dem": [1, 3]}),
        alaska_gop=6,
        alaska_dem=4,
    )
    fips = pd.Series(["01001", "02013", "02020", "15005", "15009"])
    shares, from_maui = elections.county_shares(fips, votes)
    assert shares.tolist() == [0.75, 0.6, 0.6, 0.25, 0.25]
    assert from_maui == ["15005"]


def test_two_party_share_ignores_third_parties_and_empty_counts():
    shares = elections.two_party_share(pd.Series([60.0, 0.0]), pd.Series([40.0, 0.0]))
    assert shares.iloc[0] == 0.6 and pd.isna(shares.iloc[1])
