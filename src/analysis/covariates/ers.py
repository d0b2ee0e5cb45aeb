"""USDA ERS county data files: educational attainment (ACS 2018-22) and population estimates
(PEP Vintage 2023). Both carry Connecticut twice, old counties and planning regions, each set
filled only in some columns."""

from __future__ import annotations

import pandas as pd

from analysis.covariates.common import SourceContext
from analysis.fetch import require

EDUCATION = "usda_ers_county_data/ers_Education.csv"
POPULATION = "usda_ers_county_data/ers_PopulationEstimates.csv"
BACHELORS_PERCENT = "Percent of adults with a bachelor's degree or higher, 2018-22"
EDUCATION_LEVELS = {
    "Less than a high school diploma, 2018-22": "less_than_high_school",
    "High school diploma only, 2018-22": "high_school_only",
    "Some college or associate's degree, 2018-22": "some_college",
    "Bachelor's degree or higher, 2018-22": "bachelors_or_higher",
}


def read_education(ctx: SourceContext) -> pd.DataFrame:
    """One row per county: ``bachelors_pct`` (the published percent of adults 25+),
    ``bachelors_or_higher`` and ``adults_25plus`` (the four levels summed, for state sums).

    The published percent is used for counties: where a level count is blank and its percent
    is 0 (Loving TX), the count is zero, not unknown.
    """
    path = require(EDUCATION, ctx.raw_dir)
    raw = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={"FIPS Code": str},
        thousands=",",
        usecols=["FIPS Code", BACHELORS_PERCENT, *EDUCATION_LEVELS],
    ).rename(columns={BACHELORS_PERCENT: "bachelors_pct", **EDUCATION_LEVELS})
    levels = list(EDUCATION_LEVELS.values())
    raw["adults_25plus"] = raw[levels].sum(axis=1, min_count=1)
    values = ["bachelors_pct", "bachelors_or_higher", "adults_25plus"]
    return ctx.take(raw, "FIPS Code", EDUCATION, values)


def read_population_2023(ctx: SourceContext) -> pd.DataFrame:
    """One row per county: ``population_pep2023`` (July 2023, Vintage 2023)."""
    path = require(POPULATION, ctx.raw_dir)
    raw = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={"FIPStxt": str},
        thousands=",",
        usecols=["FIPStxt", "POP_ESTIMATE_2023"],
    ).rename(columns={"POP_ESTIMATE_2023": "population_pep2023"})
    return ctx.take(raw, "FIPStxt", POPULATION, ["population_pep2023"])
