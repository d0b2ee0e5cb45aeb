"""Who adopted in three eras of 287(g): the same county-level (sheriff) model for 2005-12,
2017-19 and 2025-26.

Outcome per era: a county's county-level agency (its sheriff, a county jail or county police)
took part. For 2005-12 and 2017-19 that is a mark in any year of the era in the Washington
Post's panel (:mod:`analysis.covariates.wapo_panel`); for 2025-26 it is the current data's
primary outcome, ``county_agency_agreement`` at the last snapshot on or before ``as_of``.

Universe: every county with a county sheriff (the same in all eras), i.e. all counties but
those of the states without county sheriffs (:data:`NO_COUNTY_SHERIFF`).

Covariates (:data:`ERAS`): partisanship, Hispanic share, Hispanic growth, population density
(log), each from the latest vintage in the mirror measured before the era; for 2005-12 no
vintage before 2005 is in the mirror, so the earliest ones are used (the 2012 vote and the
2010 Census, measured inside the era) and :func:`vintage_table` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.covariates.vintages import VINTAGES
from analysis.stats.lpm_wild import fit_lpm_wild

ROLES = ("partisanship", "hispanic_share", "hispanic_growth", "density")
ROLE_LABELS = {
    "partisanship": "Republican two-party share",
    "hispanic_share": "Hispanic share",
    "hispanic_growth": "Hispanic growth (log ratio)",
    "density": "Population density (log)",
}
BOOTSTRAP_ROLES = ("partisanship", "hispanic_share", "hispanic_growth")

NO_COUNTY_SHERIFF = {
    "AK": "no counties or sheriffs (boroughs; State Troopers)",
    "CT": "county sheriffs abolished in 2000 (State Marshals)",
    "DC": "no county; U.S. Marshals",
    "HI": "sheriffs are a state division",
    "RI": "sheriffs are a state division",
}
"""States left out of every era: they have no county sheriff who could hold an agreement."""

CURRENT_VINTAGES = {
    "gop_share_2024": ("tonmcg 2024 presidential results", "2024 election"),
    "hispanic_share": ("CDC/ATSDR SVI 2022: E_HISP / E_TOTPOP", "ACS 2018-22"),
    "hispanic_growth_log_2010_2020": (
        "USDA ERS Atlas 2018 and 2023 Hispanic counts",
        "Census 2010 to 2020",
    ),
    "log_population_density": ("Gazetteer 2023 land area; population ACS 2018-22", "2018-22"),
    "gop_share_2016": ("MEDSL election context 2018: trump16, clinton16", "2016 election"),
}


@dataclass(frozen=True)
class Era:
    label: str
    years: tuple[int, ...] | None  # panel years; None = the current ICE data
    columns: dict[str, str]  # role -> covariate column
    timing: str  # when the covariates are measured relative to the era

    @property
    def source(self) -> str:
        return "Washington Post panel" if self.years else "ICE lists (current data)"


ERAS = (
    Era(
        "2005-2012",
        tuple(range(2005, 2013)),
        {
            "partisanship": "gop_share_2012",
            "hispanic_share": "hispanic_share_census2010",
            "hispanic_growth": "hispanic_growth_log_2000_2010",
            "density": "log_population_density_2010",
        },
        "inside the era (no earlier vintage in the mirror)",
    ),
    Era(
        "2017-2019",
        (2017, 2018, 2019),
        {
            "partisanship": "gop_share_2016",
            "hispanic_share": "hispanic_share_acs2016",
            "hispanic_growth": "hispanic_growth_log_2000_2010",
            "density": "log_population_density_2016",
        },
        "before the era",
    ),
    Era(
        "2025-26",
        None,
        {
            "partisanship": "gop_share_2024",
            "hispanic_share": "hispanic_share",
            "hispanic_growth": "hispanic_growth_log_2010_2020",
            "density": "log_population_density",
        },
        "before the era (density: 2018-22 population on 2023 land area)",
    ),
)


def vintage_table(eras=ERAS) -> pd.DataFrame:
    """One row per era and covariate: ``era``, ``covariate`` (label), ``column``, ``source``,
    ``vintage``, ``timing``."""
    known = {**VINTAGES, **CURRENT_VINTAGES}
    rows = []
    for era in eras:
        for role in ROLES:
            column = era.columns[role]
            source, vintage = known[column]
            rows.append(
                {
                    "era": era.label,
                    "covariate": ROLE_LABELS[role],
                    "column": column,
                    "source": source,
                    "vintage": vintage,
                    "timing": era.timing,
                }
            )
    return pd.DataFrame(rows)


def sheriff_universe(counties: pd.DataFrame) -> pd.DataFrame:
    """The counties with a county sheriff (``state`` not in :data:`NO_COUNTY_SHERIFF`)."""
    return counties[~counties["state"].isin(NO_COUNTY_SHERIFF)].reset_index(drop=True)


def era_frame(
    era: Era, counties: pd.DataFrame, placed_panel: pd.DataFrame, current_outcome: str
) -> pd.DataFrame:
    """``fips``, ``state``, ``adopted`` and the four role columns for one era over the sheriff
    universe of ``counties`` (which carries every covariate column and ``current_outcome``)."""
    frame = sheriff_universe(counties)
    if era.years is None:
        adopted = frame[current_outcome].astype(int)
    else:
        rows = placed_panel[placed_panel["level"] == "county"]
        marked = rows[[f"y{y}" for y in era.years]].any(axis=1)
        counties_marked = set(rows.loc[marked, "county_fips"])
        outside = counties_marked - set(frame["fips"])
        if outside:
            raise ValueError(f"panel counties outside the sheriff universe: {sorted(outside)}")
        adopted = frame["fips"].isin(counties_marked).astype(int)
    out = frame[["fips", "state"]].assign(adopted=adopted.to_numpy())
    for role in ROLES:
        out[role] = frame[era.columns[role]].to_numpy(dtype=float)
    return out


def era_models(
    counties: pd.DataFrame,
    placed_panel: pd.DataFrame,
    *,
    current_outcome: str = "county_agency_agreement",
    reps: int = 999,
    seed: int = 0,
    eras=ERAS,
) -> pd.DataFrame:
    """The LPM per SD (:func:`analysis.stats.lpm_wild.fit_lpm_wild`) of each era, z-scores over
    that era's analysis counties, with the wild bootstrap p for :data:`BOOTSTRAP_ROLES`:
    ``era``, ``source``, ``covariate`` (label), ``role`` and the LPM columns, plus
    ``n_adopted``."""
    tables = []
    for era in eras:
        frame = era_frame(era, counties, placed_panel, current_outcome)
        fit = fit_lpm_wild(
            frame, "adopted", list(ROLES), bootstrap_terms=BOOTSTRAP_ROLES, reps=reps, seed=seed
        )
        used = frame.dropna(subset=list(ROLES))
        tables.append(
            fit.rename(columns={"term": "role"}).assign(
                era=era.label,
                source=era.source,
                covariate=lambda d: d.role.map(ROLE_LABELS),
                n_adopted=int(used["adopted"].sum()),
            )
        )
    table = pd.concat(tables, ignore_index=True)
    front = ["era", "source", "covariate", "role"]
    return table[front + [c for c in table.columns if c not in front]]


NOT_COMPARABLE = [
    "Agency universe: the Post's panel lists sheriffs (and a few state and municipal agencies, "
    "left out here); the 2025-26 outcome counts every county-level agency on ICE's lists "
    "(sheriffs, county jails, county police).",
    "Models: the Warrant Service Officer model did not exist before 2019, so none of the "
    "2005-12 and 2017-19 agreements is a WSO; the Task Force Model ended in 2012 and was "
    "revived in 2025, so 2017-19 is jail models only.",
    "Outcome window: the panel marks participation in any year of an era (eight years for "
    "2005-12, three for 2017-19); 2025-26 is the status at one snapshot.",
    "Mandates: Florida (2022), Georgia (2024), Texas and Arkansas (2025) require agreements "
    "in 2025-26; no state did in the earlier eras.",
    "Covariate timing: no vintage before 2005 is in the mirror, so the 2005-12 covariates "
    "(2012 vote, 2010 Census) are measured inside that era.",
]


def with_earlier_vintages(counties: pd.DataFrame, vintages: pd.DataFrame) -> pd.DataFrame:
    """``counties`` with the columns of :func:`analysis.covariates.vintages.earlier_vintages`
    it lacks (a column both carry, like the 2010 Hispanic share, must agree and is kept once)."""
    shared = [c for c in vintages if c != "fips" and c in counties]
    both = counties[["fips", *shared]].merge(vintages[["fips", *shared]], on="fips", how="left")
    for column in shared:
        a, b = both[f"{column}_x"], both[f"{column}_y"]
        if ((a - b).abs() > 1e-9).any():
            raise ValueError(f"{column}: the county covariates and the earlier vintages disagree")
    extra = vintages.drop(columns=shared)
    return counties.merge(extra, on="fips", how="left", validate="one_to_one")
