"""``analysis build covariates``: assemble, check and write the county covariate tables.

Tables written to ``data/processed`` (Parquet + CSV, each with a committed dictionary):

- ``county_covariates``: one row per county of the 2023 list (3,144), sorted by ``fips``;
- ``county_covariates_qa``: every missing or non-plain value with its reason;
- ``county_covariates_inputs``: what happened to every input row (the row ledger);
- ``state_aggregates``: the same variables added up by state;
- ``state_policies``: the committed table of state 287(g) mandates and prohibitions, validated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.covariates import atlas, elections, ers, pep, rucc, schemas, states, svi, variables
from analysis.covariates.common import SPLIT_CHILD_TO_PARENT, RowLedger, SourceContext
from analysis.covariates.connecticut import cell_populations
from analysis.covariates.harmonize import ConnecticutCells, income_on_regions
from analysis.covariates.qa import QaLog
from analysis.fetch import require
from analysis.geo.counties import (
    GAZETTEER_COUNTIES,
    GAZETTEER_COUSUBS_CURRENT,
    GAZETTEER_COUSUBS_OLD_CT,
    county_list,
    ct_towns,
)
from analysis.io import write_table

CORE_VARIABLES = (
    "population", "hispanic_share", "foreign_born_share", "median_household_income",
    "poverty_rate", "bachelors_share", "gop_share_2020", "gop_share_2024", "rucc_2023",
)  # fmt: skip
VALDEZ_CORDOVA_SUCCESSORS = tuple(SPLIT_CHILD_TO_PARENT)

TABLES = (
    "county_covariates",
    "county_covariates_qa",
    "county_covariates_inputs",
    "state_aggregates",
    "state_policies",
)


def build_county_covariates(raw_dir: Path, out_dir: Path) -> dict[str, int]:
    """Build every covariate table from the raw files and write them; {table: rows}."""
    tables = assemble(raw_dir)
    return {name: write_table(tables[name], name, out_dir) for name in TABLES}


def assemble(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """All covariate tables, validated, without writing anything."""
    counties = county_list(raw_dir)
    ctx = SourceContext(raw_dir, frozenset(counties.fips), RowLedger())
    _account_gazetteer(ctx, len(counties))
    sources = _read_sources(ctx)
    towns = ct_towns(raw_dir)
    _account_towns(ctx, towns)
    ct = ConnecticutCells(
        cell_populations(
            towns,
            sources["people23"].set_index("fips").population_2020,
            sources["rucc"].set_index("fips").population_census2020,
        )
    )
    sources = _harmonize(sources, ct)
    qa = QaLog(CORE_VARIABLES)
    table = _county_table(counties, sources, qa)
    qa.note_missing(table, MISSING_REASONS)
    qa.note_table_wide(
        "noncitizen_share",
        "not_available",
        "none",
        "No fetched source has citizenship: the ACS/CVAP citizen counts the mirror holds "
        "(census_cvap_kenny) are not in data/catalog.csv, and CVAP has no citizen counts after "
        "2017. Not provided rather than mixed in from an older vintage.",
    )
    names = counties.set_index("fips").county_name_full
    return {
        "county_covariates": schemas.county_covariates(table),
        "county_covariates_qa": schemas.county_covariates_qa(qa.frame(names)),
        "county_covariates_inputs": schemas.county_covariates_inputs(ctx.ledger.frame()),
        "state_aggregates": schemas.state_aggregates(
            states.state_aggregates(table, sources, counties)
        ),
        "state_policies": schemas.state_policies(states.load_state_policies()),
    }


def _data_rows(ctx: SourceContext, relpath: str) -> int:
    with require(relpath, ctx.raw_dir).open(encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1


def _account_gazetteer(ctx: SourceContext, counties: int) -> None:
    rows = _data_rows(ctx, GAZETTEER_COUNTIES)
    ctx.ledger.add(GAZETTEER_COUNTIES, "county", counties, "the county list")
    ctx.ledger.add(GAZETTEER_COUNTIES, "territory", rows - counties, "Puerto Rico")


def _account_towns(ctx: SourceContext, towns: pd.DataFrame) -> None:
    """The town files serve only as Connecticut's crosswalk; their other rows are not used."""
    for relpath in (GAZETTEER_COUSUBS_OLD_CT, GAZETTEER_COUSUBS_CURRENT):
        rows = _data_rows(ctx, relpath)
        ctx.ledger.add(relpath, "ct_town", len(towns), "Connecticut towns: the crosswalk")
        ctx.ledger.add(relpath, "unused_source", rows - len(towns), "other subdivisions")


def _read_sources(ctx: SourceContext) -> dict:
    return {
        "svi": svi.read_svi(ctx),
        "pep": pep.read_pep(ctx),
        "rucc": rucc.read_rucc(ctx),
        "education": ers.read_education(ctx),
        "pep2023": ers.read_population_2023(ctx),
        "people23": atlas.read_people_2023(ctx),
        "people18": atlas.read_people_2018(ctx),
        "income": atlas.read_income_2023(ctx),
        "votes": elections.read_all(ctx),
    }


def _harmonize(sources: dict, ct: ConnecticutCells) -> dict:
    """Sources with Connecticut's old counties replaced by planning regions."""
    votes = sources["votes"]
    return {
        **sources,
        "people23": ct.counts(sources["people23"], list(atlas.PEOPLE_2023_COLUMNS.values())),
        "people18": ct.counts(sources["people18"], list(atlas.PEOPLE_2018_COLUMNS.values())),
        "income": income_on_regions(sources["income"], ct),
        # 2024 is native to regions and gives the pattern for the older elections.
        "votes": {
            year: v if year == 2024 else ct.votes(v, votes[2024].counties)
            for year, v in votes.items()
        },
    }


def _county_table(counties: pd.DataFrame, sources: dict, qa: QaLog) -> pd.DataFrame:
    people23, people18 = sources["people23"], sources["people18"]
    frame = counties[["fips", "state_fips", "state_usps", "state_name", "county_name_full"]]
    parts = [
        variables.regions(sources["pep"]),
        variables.population(counties, sources),
        variables.race_ethnicity(sources["svi"]),
        variables.hispanic_change(people23, people18),
        variables.foreign_born(people23, people18),
        variables.economy(sources, qa),
        variables.votes(counties, sources["votes"], qa),
        variables.rurality(sources["rucc"], sources["svi"]),
    ]
    for part in parts:
        unknown = set(part.fips) - set(counties.fips)
        if unknown:
            raise ValueError(f"county codes outside the county list: {sorted(unknown)}")
        frame = frame.merge(part, on="fips", how="left", validate="one_to_one")
    frame = _flags(frame, qa)
    return frame.sort_values("fips").reset_index(drop=True)


CT_ALLOCATED = [
    "hispanic_share_census2010", "hispanic_share_census2020", "hispanic_growth_log_2010_2020",
    "hispanic_share_change_pp_2010_2020", "foreign_born_share", "foreign_born_share_acs2016",
    "foreign_born_share_change_pp", "foreign_born_growth_log", "poverty_rate",
    "gop_share_2016", "gop_share_2020", "gop_swing_pp_2016_2024",
]  # fmt: skip
CT_BLENDED = ["median_household_income", "log_median_household_income"]
SPLIT_COMBINED = [
    "hispanic_share_census2010", "hispanic_growth_log_2010_2020",
    "hispanic_share_change_pp_2010_2020", "foreign_born_share_acs2016",
    "foreign_born_share_change_pp", "foreign_born_growth_log",
]  # fmt: skip


def _flags(frame: pd.DataFrame, qa: QaLog) -> pd.DataFrame:
    regions = frame.fips[frame.state_usps == "CT"]
    qa.note(
        regions,
        CT_ALLOCATED,
        "allocated",
        "ct_town_allocation",
        "Source has Connecticut's old counties only; counts were spread over planning regions "
        "by estimated town-cell population (votes along the region's 2024 result).",
    )
    qa.note(
        regions,
        CT_BLENDED,
        "allocated",
        "ct_population_weighted_mean",
        "Source has Connecticut's old counties only; the region's value is the "
        "population-weighted mean of old-county medians, not a true median.",
    )
    qa.note(
        VALDEZ_CORDOVA_SUCCESSORS,
        SPLIT_COMBINED,
        "combined_area",
        "valdez_cordova_combined",
        "The 2010 census and ACS 2012-16 predate the 2019 split of Valdez-Cordova (02261); "
        "the base and the change are those of the combined area, given to both successors.",
    )
    frame["ct_allocated"] = frame.state_usps == "CT"
    frame["change_on_valdez_cordova"] = frame.fips.isin(VALDEZ_CORDOVA_SUCCESSORS)
    frame["core_complete"] = frame[list(CORE_VARIABLES)].notna().all(axis=1)
    return frame[schemas.COUNTY_COLUMNS]


# Reasons for values that stay missing after every rule above; build fails on any other gap.
MISSING_REASONS: dict[str, str] = {}
