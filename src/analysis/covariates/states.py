"""State-level tables: the committed state policy facts and county values added up by state."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.covariates.common import ratio
from analysis.covariates.elections import two_party_share
from analysis.covariates.harmonize import log_growth
from analysis.covariates.schemas import POLICY_DATES, STATE_AGGREGATES_SCHEMA
from analysis.geo.states import CENSUS_REGIONS
from analysis.geo.states import states as state_table

STATE_POLICIES = "state_policies.csv"
DATE_COLUMNS = list(POLICY_DATES)
POPULATIONS = ["population", "population_census2020", "population_pep2022", "population_pep2023"]


def load_state_policies(path: Path | None = None) -> pd.DataFrame:
    """``data/manual/state_policies.csv`` with ISO dates parsed and ``state_fips`` added.

    Each law has four dates (:data:`POLICY_DATES`), blank where the sources give none (a law
    known only by its year keeps the dates blank and the year in ``year``). A date that is not
    YYYY-MM-DD, a year that is not a whole number or an unknown state is an error naming the
    file, the row (line) and the column."""
    path = path or paths.MANUAL / STATE_POLICIES
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in DATE_COLUMNS:
        frame[column] = _parse(frame[column], path, column, "%Y-%m-%d", "a YYYY-MM-DD date")
        frame[column] = frame[column].astype("datetime64[s]")
    frame["year"] = _parse(frame["year"], path, "year", None, "a year").astype(int)
    frame["notes"] = frame.notes.replace("", None)
    codes = state_table().set_index("state_usps").state_fips
    unknown = sorted(set(frame.state_usps) - set(codes.index))
    if unknown:
        raise ValueError(f"{path}: unknown state codes {unknown}")
    frame.insert(2, "state_fips", frame.state_usps.map(codes))
    return frame.sort_values(["state_usps", "year", "policy_id"]).reset_index(drop=True)


def _parse(values: pd.Series, path: Path, column: str, fmt: str | None, what: str) -> pd.Series:
    """Dates (``fmt``) or whole numbers (``fmt`` None); blanks stay missing, anything else that
    does not parse is an error naming the line of ``path`` and the column."""
    if fmt is None:
        parsed = pd.to_numeric(values.where(values.str.fullmatch(r"\d{4}")), errors="coerce")
    else:
        parsed = pd.to_datetime(values.replace("", None), format=fmt, errors="coerce")
    bad = parsed.isna() & (values != "" if fmt else values.notna())
    if bad.any():
        row = int(bad.idxmax())
        raise ValueError(f"{path}, line {row + 2}, column {column}: {values[row]!r} is not {what}")
    return parsed


def _sum_by_state(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(frame.fips.str[:2])[columns].sum(min_count=1)


def state_aggregates(table: pd.DataFrame, sources: dict, counties: pd.DataFrame) -> pd.DataFrame:
    """One row per state: counts added up over counties, shares as ratios of the sums (not means
    of county shares), votes from each election's state totals (Alaska statewide)."""
    svi = _sum_by_state(
        sources["svi"], ["population_acs", "hispanic_acs", "minority_acs", "nh_black_acs",
                         "group_quarters_acs"]
    )  # fmt: skip
    people23 = _sum_by_state(
        sources["people23"],
        ["hispanic_2020", "population_2020", "foreign_born_acs2021", "population_acs2021"],
    )
    people18 = _sum_by_state(
        sources["people18"],
        ["hispanic_2010", "population_2010", "foreign_born_acs2016", "population_acs2016"],
    )
    income = _sum_by_state(sources["income"], ["in_poverty_acs", "in_poverty_universe_acs"])
    education = _sum_by_state(sources["education"], ["bachelors_or_higher", "adults_25plus"])
    summed = table.groupby("state_fips")[[*POPULATIONS[1:], "land_area_sqmi"]].sum(min_count=1)
    population = table.population.astype(float)
    metro_population = population.where(table.metro, 0.0).groupby(table.state_fips).sum()
    regions = table.groupby("state_fips")[["census_region", "census_division"]].first()

    frame = state_table().set_index("state_fips")
    frame = frame.join(regions)
    frame["census_region_name"] = frame.census_region.map(CENSUS_REGIONS)
    frame["counties"] = counties.groupby("state_fips").size()
    frame["population"] = svi.population_acs
    frame = frame.join(summed)
    frame["population_density"] = ratio(frame.population, frame.land_area_sqmi)
    frame["hispanic_share"] = ratio(svi.hispanic_acs, svi.population_acs)
    frame["nh_white_share"] = 1 - ratio(svi.minority_acs, svi.population_acs)
    frame["nh_black_share"] = ratio(svi.nh_black_acs, svi.population_acs)
    frame["hispanic_share_census2010"] = ratio(people18.hispanic_2010, people18.population_2010)
    frame["hispanic_share_census2020"] = ratio(people23.hispanic_2020, people23.population_2020)
    frame["hispanic_growth_log_2010_2020"] = log_growth(
        people23.hispanic_2020, people18.hispanic_2010
    )
    frame["foreign_born_share"] = ratio(people23.foreign_born_acs2021, people23.population_acs2021)
    frame["foreign_born_share_acs2016"] = ratio(
        people18.foreign_born_acs2016, people18.population_acs2016
    )
    frame["poverty_rate"] = ratio(income.in_poverty_acs, income.in_poverty_universe_acs)
    frame["bachelors_share"] = ratio(education.bachelors_or_higher, education.adults_25plus)
    frame["metro_population_share"] = ratio(metro_population, svi.population_acs)
    frame["group_quarters_share"] = ratio(svi.group_quarters_acs, svi.population_acs)
    for year, election in sources["votes"].items():
        totals = election.state_totals().set_index("state_fips")
        frame[f"votes_gop_{year}"] = totals.votes_gop
        frame[f"votes_dem_{year}"] = totals.votes_dem
    for year in sources["votes"]:
        frame[f"gop_share_{year}"] = two_party_share(
            frame[f"votes_gop_{year}"], frame[f"votes_dem_{year}"]
        )
    frame["gop_swing_pp_2016_2024"] = 100 * (frame.gop_share_2024 - frame.gop_share_2016)
    frame = frame.reset_index()
    frame["census_region"] = frame.census_region.astype(int)
    frame["census_division"] = frame.census_division.astype(int)
    counts = [*POPULATIONS, *(c for c in STATE_AGGREGATES_SCHEMA.columns if c.startswith("votes_"))]
    # Sums of whole numbers (allocated Connecticut votes add back up to whole state totals).
    frame[counts] = frame[counts].round().astype("Int64")
    return frame[list(STATE_AGGREGATES_SCHEMA.columns)]
