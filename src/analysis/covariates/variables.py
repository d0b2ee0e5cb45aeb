"""The county variables, one function per family, each returning a frame keyed by ``fips`` on
the 2023 county list; values that are not plain county values are noted in the QA log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.covariates import elections, rucc
from analysis.covariates.common import percent_to_share, ratio
from analysis.covariates.harmonize import change_between
from analysis.covariates.qa import QaLog
from analysis.geo.states import CENSUS_REGIONS

GROUP_QUARTERS_HEAVY = 0.10  # share of residents in prisons, detention centres, dorms, barracks


def regions(pep_frame: pd.DataFrame) -> pd.DataFrame:
    frame = pep_frame[["fips", "census_region", "census_division"]].copy()
    frame["census_region_name"] = frame.census_region.map(CENSUS_REGIONS)
    return frame[["fips", "census_region", "census_region_name", "census_division"]]


def population(counties: pd.DataFrame, sources: dict) -> pd.DataFrame:
    frame = counties[["fips", "land_area_sqmi"]].merge(
        sources["svi"][["fips", "population_acs"]], on="fips", how="left"
    )
    frame = frame.merge(sources["rucc"][["fips", "population_census2020"]], on="fips", how="left")
    frame = frame.merge(sources["pep"][["fips", "population_pep2022"]], on="fips", how="left")
    frame = frame.merge(sources["pep2023"], on="fips", how="left")
    density = ratio(frame.population_acs.astype(float), frame.land_area_sqmi)
    counts = ["population_acs", "population_census2020", "population_pep2022", "population_pep2023"]
    # Every county has all four counts (the schema checks); whole numbers are stored as such.
    frame[counts] = frame[counts].astype("Int64")
    return pd.DataFrame(
        {
            "fips": frame.fips,
            "population": frame.population_acs,
            "population_census2020": frame.population_census2020,
            "population_pep2022": frame.population_pep2022,
            "population_pep2023": frame.population_pep2023,
            "land_area_sqmi": frame.land_area_sqmi,
            "population_density": density,
            "log_population_density": np.log(density),
        }
    )


def race_ethnicity(svi_frame: pd.DataFrame) -> pd.DataFrame:
    total = svi_frame.population_acs
    return pd.DataFrame(
        {
            "fips": svi_frame.fips,
            "hispanic_share": ratio(svi_frame.hispanic_acs, total),
            "nh_white_share": 1 - ratio(svi_frame.minority_acs, total),
            "nh_black_share": ratio(svi_frame.nh_black_acs, total),
        }
    )


def level_and_change(
    new: pd.DataFrame, old: pd.DataFrame, counts: tuple[str, str, str, str], names: dict
) -> pd.DataFrame:
    """The newer share of each county, and the older share, change and log growth from
    :func:`change_between`; ``counts`` = (part, whole, old part, old whole), ``names`` renames
    new_share, old_share, change_pp and growth_log (and orders them)."""
    part, whole, old_part, old_whole = counts
    change = change_between(new, old, part, whole, old_part, old_whole)
    level = pd.DataFrame({"fips": new.fips, "new_share": ratio(new[part], new[whole])})
    frame = level.merge(change, on="fips", how="outer", validate="one_to_one")
    return frame.rename(columns=names)[["fips", *names.values()]]


def hispanic_change(people23: pd.DataFrame, people18: pd.DataFrame) -> pd.DataFrame:
    counts = ("hispanic_2020", "population_2020", "hispanic_2010", "population_2010")
    names = {
        "old_share": "hispanic_share_census2010",
        "new_share": "hispanic_share_census2020",
        "growth_log": "hispanic_growth_log_2010_2020",
        "change_pp": "hispanic_share_change_pp_2010_2020",
    }
    return level_and_change(people23, people18, counts, names)


def foreign_born(people23: pd.DataFrame, people18: pd.DataFrame) -> pd.DataFrame:
    counts = (
        "foreign_born_acs2021", "population_acs2021", "foreign_born_acs2016", "population_acs2016"
    )  # fmt: skip
    names = {
        "new_share": "foreign_born_share",
        "old_share": "foreign_born_share_acs2016",
        "change_pp": "foreign_born_share_change_pp",
        "growth_log": "foreign_born_growth_log",
    }
    return level_and_change(people23, people18, counts, names)


def economy(sources: dict, qa: QaLog) -> pd.DataFrame:
    income = sources["income"]
    # Where the ACS median is suppressed (Loving TX), SAIPE 2021 from the same file stands in.
    use_saipe = income.median_income_acs.isna() & income.median_income_saipe.notna()
    qa.note(
        income.fips[use_saipe],
        ["median_household_income"],
        "substituted",
        "saipe_2021",
        "ACS 2017-21 median household income suppressed; SAIPE 2021 model estimate "
        "(atlas2023_Income MedHHInc) used instead.",
    )
    median = income.median_income_acs.where(~use_saipe, income.median_income_saipe)
    frame = pd.DataFrame(
        {
            "fips": income.fips,
            "median_household_income": median,
            "log_median_household_income": np.log(median),
            "poverty_rate": percent_to_share(income.poverty_pct_acs),
            "median_income_from_saipe": use_saipe,
        }
    )
    education = sources["education"]
    frame = frame.merge(
        pd.DataFrame(
            {
                "fips": education.fips,
                "bachelors_share": percent_to_share(education.bachelors_pct),
            }
        ),
        on="fips",
        how="outer",
        validate="one_to_one",
    )
    unemployment = sources["svi"][["fips", "unemployment_pct"]]
    frame = frame.merge(unemployment, on="fips", how="outer", validate="one_to_one")
    frame["unemployment_rate"] = percent_to_share(frame.pop("unemployment_pct"))
    return frame


def votes(counties: pd.DataFrame, votes: dict, qa: QaLog) -> pd.DataFrame:
    frame = counties[["fips"]].copy()
    alaska = counties.state_usps == "AK"
    from_maui: set[str] = set()
    for year, election in votes.items():
        frame[f"gop_share_{year}"], filled = elections.county_shares(frame.fips, election)
        from_maui.update(filled)
    frame["gop_swing_pp_2016_2024"] = 100 * (frame.gop_share_2024 - frame.gop_share_2016)
    vote_columns = [f"gop_share_{y}" for y in votes] + ["gop_swing_pp_2016_2024"]
    qa.note(
        frame.fips[alaska],
        vote_columns,
        "statewide",
        "alaska_statewide",
        "Alaska reports presidential votes by house district, which do not nest in boroughs; "
        "every borough gets the statewide two-party share (2016: tonmcg's statewide row).",
    )
    qa.note(
        sorted(from_maui),
        vote_columns,
        "substituted",
        "maui_share",
        "Kalawao's few voters are counted with Maui County; Maui's two-party share is used.",
    )
    for election in votes.values():
        qa.note(
            election.substituted,
            [f"gop_share_{election.year}", "gop_swing_pp_2016_2024"],
            "substituted",
            f"tonmcg_{election.year}",
            f"The preferred source gives a major candidate 0 votes here (a transcription "
            f"error); both parties' {election.year} votes are taken from tonmcg.",
        )
    frame["gop_share_statewide_alaska"] = alaska
    frame["gop_share_from_maui"] = frame.fips.isin(from_maui)
    return frame


def rurality(rucc_frame: pd.DataFrame, svi_frame: pd.DataFrame) -> pd.DataFrame:
    frame = rucc_frame[["fips", "rucc_2023"]].copy()
    frame["rucc_2023"] = frame.rucc_2023.astype("Int64")
    frame["metro"] = frame.rucc_2023.isin(rucc.METRO_CODES).astype(bool)
    group_quarters = pd.DataFrame(
        {
            "fips": svi_frame.fips,
            "group_quarters_share": ratio(svi_frame.group_quarters_acs, svi_frame.population_acs),
        }
    )
    frame = frame.merge(group_quarters, on="fips", how="outer", validate="one_to_one")
    frame["group_quarters_heavy"] = frame.group_quarters_share >= GROUP_QUARTERS_HEAVY
    return frame
