"""The adoption study's variables: the outcomes, the covariates with the labels a reader sees,
the multivariable model's covariates, and the signs the literature leads one to expect.

The expectations are a reviewed table, ``data/manual/literature_expectations.csv`` (its header
comment explains the columns); :func:`sign_comparison` sets this project's estimates against
them.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.locate.jurisdictions import LEVELS

PRIMARY_OUTCOME = "county_agency_agreement"
"""The primary county outcome: a county-level agency (sheriff, county police, county jail or
corrections) holds an agreement. It does not depend on how many towns the county has."""

AGENCY_LEVEL_OUTCOMES = {
    "county_agency_agreement": "a county-level agency holds an agreement (primary)",
    "any_agreement": "any agency in the county holds an agreement",
    "municipal_agency_agreement": "a municipal agency in the county holds an agreement",
}
"""The outcomes by agency level, primary first (column -> label). "Any agency" and "a
municipal agency" are secondary: they turn on whether any town's police signed, so they rise
mechanically with the number of agencies a county has."""

OUTCOMES = {
    **AGENCY_LEVEL_OUTCOMES,
    "tfm_agreement": "any agency holds a Task Force Model agreement",
    "jail_model_agreement": "any agency holds a jail model (JEM or WSO) agreement",
}
"""Binary county outcomes built by :func:`analysis.study.adoption.county_outcomes`
(column -> label), the agency-level ones first."""

SECONDARY_OUTCOMES = [k for k in AGENCY_LEVEL_OUTCOMES if k != PRIMARY_OUTCOME]
"""The agency-level outcomes shown beside the primary one."""

JURISDICTION_LEVELS = LEVELS
"""Values of ``agencies.jurisdiction_level`` (defined where the locate stage assigns them)."""

COVARIATE_LABELS = {
    "gop_share_2024": "Republican share 2024",
    "gop_share_2016": "Republican share 2016",
    "gop_swing_pp_2016_2024": "Republican swing 2016-24 (pp)",
    "hispanic_share": "Hispanic share",
    "hispanic_growth_log_2010_2020": "Hispanic growth 2010-20 (log)",
    "hispanic_share_change_pp_2010_2020": "Hispanic share change 2010-20 (pp)",
    "foreign_born_share": "Foreign-born share",
    "foreign_born_share_change_pp": "Foreign-born share change (pp)",
    "foreign_born_growth_log": "Foreign-born growth (log)",
    "nh_black_share": "Non-Hispanic Black share",
    "log_population_density": "Population density (log)",
    "log_population": "Population (log)",
    "rucc_2023": "Rural-urban code (1 metro ... 9 rural)",
    "metro": "Metro county",
    "log_median_household_income": "Median household income (log)",
    "poverty_rate": "Poverty rate",
    "bachelors_share": "Bachelor's degree share",
    "unemployment_rate": "Unemployment rate",
    "group_quarters_share": "Group-quarters share",
}
"""Covariates of the correlation atlas, with readable labels (all from county_covariates)."""

MODEL_COVARIATES = [
    "gop_share_2024",
    "hispanic_share",
    "hispanic_growth_log_2010_2020",
    "foreign_born_share",
    "foreign_born_share_change_pp",
    "log_population_density",
    "log_median_household_income",
    "bachelors_share",
]
"""The multivariable model's covariates: partisanship, Hispanic and foreign-born level and
change, rurality (density), income and education."""

LITERATURE_EXPECTATIONS = paths.MANUAL / "literature_expectations.csv"
EXPECTATION_COLUMNS = ["covariate", "expected_sign", "literature"]


def covariate_labels(names) -> dict[str, str]:
    """Each name with its label (the name itself where :data:`COVARIATE_LABELS` has none)."""
    return {name: COVARIATE_LABELS.get(name, name) for name in names}


def literature_expectations(path: str | Path = LITERATURE_EXPECTATIONS) -> pd.DataFrame:
    """The reviewed table of expected signs: ``covariate``, ``expected_sign``,
    ``literature``, in file order (the leading ``#`` lines are its documentation)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith("#"))
    table = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    if list(table.columns) != EXPECTATION_COLUMNS:
        raise ValueError(f"{path} must have columns {EXPECTATION_COLUMNS}, not {list(table)}")
    if table["covariate"].duplicated().any() or (table["expected_sign"] == "").any():
        raise ValueError(f"{path}: one row per covariate, each with an expected sign")
    return table


def sign_comparison(
    results: pd.DataFrame,
    *,
    label: str = "term",
    estimate: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    expectations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare estimated signs with the literature's (:func:`literature_expectations`).

    ``results`` has one row per term with an interval, in the column layout of
    :func:`analysis.report.figures.forest_plot` (``label``, ``estimate``, ``low``, ``high``).
    ``found`` is "+" or "-" where the interval excludes 0, "0 (n.s.)" where it does not, and
    "not available" for expectations without an estimate; ``agrees`` says whether ``found``
    matches the first character of ``expected_sign`` (missing where not testable).
    """
    expectations = literature_expectations() if expectations is None else expectations
    table = expectations.merge(
        results[[label, estimate, low, high]].rename(columns={label: "covariate"}),
        on="covariate",
        how="left",
    )
    found = np.where(
        table[estimate].isna(),
        "not available",
        np.where(table[low] > 0, "+", np.where(table[high] < 0, "-", "0 (n.s.)")),
    )
    expected = table["expected_sign"].str[0]
    agrees = pd.Series(
        np.where(
            found == "not available",
            None,
            [f[0] == e for f, e in zip(found, expected, strict=True)],
        ),
        dtype="boolean",
    )
    return table.assign(found=found, agrees=agrees)


def literature_signs(pooled: pd.DataFrame, within: pd.DataFrame) -> pd.DataFrame:
    """The expectations with the signs found across counties (``pooled`` estimates) and
    within states (``within``): ``found_pooled``, ``agrees_pooled``, ``found_within_state``,
    ``agrees_within_state``."""
    signs_pooled = sign_comparison(pooled)
    signs_within = sign_comparison(within)
    return signs_pooled[EXPECTATION_COLUMNS].assign(
        found_pooled=signs_pooled.found,
        agrees_pooled=signs_pooled.agrees,
        found_within_state=signs_within.found,
        agrees_within_state=signs_within.agrees,
    )
