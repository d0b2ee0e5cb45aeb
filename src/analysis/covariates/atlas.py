"""USDA ERS Atlas of Rural and Small-Town America: Census 2010 and 2020 Hispanic counts, ACS
foreign-born counts (2012-16 and 2017-21), ACS income and poverty (2017-21). Old Connecticut
counties; the 2018 release predates the Valdez-Cordova split and keeps Bedford city."""

from __future__ import annotations

import pandas as pd

from analysis.covariates.common import SourceContext
from analysis.fetch import require

PEOPLE_2023 = "usda_ers_atlas/atlas2023_People.csv"
PEOPLE_2018 = "usda_ers_atlas/atlas2018_People.csv"
INCOME_2023 = "usda_ers_atlas/atlas2023_Income.csv"

PEOPLE_2023_COLUMNS = {
    "HispanicNum2020": "hispanic_2020",
    "TotalPop2020": "population_2020",
    "ForeignBornNum": "foreign_born_acs2021",
    "TotalPopACS": "population_acs2021",
}
PEOPLE_2018_COLUMNS = {
    "HispanicNum2010": "hispanic_2010",
    "TotalPop2010": "population_2010",
    "ForeignBornNum": "foreign_born_acs2016",
    "TotalPopACS": "population_acs2016",
}
INCOME_COLUMNS = {
    "Median_HH_Inc_ACS": "median_income_acs",
    "MedHHInc": "median_income_saipe",
    "Poverty_Rate_ACS": "poverty_pct_acs",
    "NumAll_inPOV_ACS": "in_poverty_acs",
}


def _read(ctx: SourceContext, relpath: str, columns: dict, encoding: str, counts: bool):
    path = require(relpath, ctx.raw_dir)
    raw = pd.read_csv(path, encoding=encoding, dtype={"FIPS": str}, usecols=["FIPS", *columns])
    raw = raw.rename(columns=columns)
    values = list(columns.values())
    return ctx.take(raw, "FIPS", relpath, values, count_columns=tuple(values) if counts else ())


def read_people_2023(ctx: SourceContext) -> pd.DataFrame:
    """Census 2020 Hispanic and total counts; ACS 2017-21 foreign-born and total counts."""
    return _read(ctx, PEOPLE_2023, PEOPLE_2023_COLUMNS, "utf-8-sig", counts=True)


def read_people_2018(ctx: SourceContext) -> pd.DataFrame:
    """Census 2010 Hispanic and total counts; ACS 2012-16 foreign-born and total counts.
    Bedford city's 2010 counts are added into Bedford County (current boundaries)."""
    return _read(ctx, PEOPLE_2018, PEOPLE_2018_COLUMNS, "latin-1", counts=True)


def read_income_2023(ctx: SourceContext) -> pd.DataFrame:
    """ACS 2017-21 median household income, poverty rate and count; SAIPE 2021 median income.

    ``in_poverty_universe_acs`` (people whose poverty status is determined) is recovered as
    count / rate, so poverty can be added up across areas.
    """
    frame = _read(ctx, INCOME_2023, INCOME_COLUMNS, "utf-8-sig", counts=False)
    rate = frame.poverty_pct_acs / 100
    frame["in_poverty_universe_acs"] = frame.in_poverty_acs / rate.where(rate > 0)
    return frame
