"""Schemas at the boundary of every covariate table: codes, ranges, types, uniqueness.

Each is an :class:`analysis.tables.FrameSchema` (strict, ordered; ``.schema()`` is its pandera
schema): a table that passes its checks, run here, is not handed to pandera, which is imported
only to report a table with a problem. The schemas are built on first use
(``schemas.COUNTY_SCHEMA``, a validator below), and the reports import this module only for its
constants (:data:`MANDATE_TYPES`, :data:`POLICY_DATES`)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FIPS = r"^\d{5}$"
MANDATE_TYPES = ("must hold", "must request", "must enter")
"""Policy types that oblige local agencies to seek or hold an agreement (state-laws.md)."""
NON_MANDATE_TYPES = (
    "state-agency directive", "not enacted", "enactment not verified", "notification duty",
    "grants only",
)  # fmt: skip
"""Instruments recorded so that nobody codes them as mandates (state-laws.md "Not mandates")."""
POLICY_TYPES = (*MANDATE_TYPES, "prohibition", *NON_MANDATE_TYPES)
POLICY_DATES = ("signed_date", "effective_date", "deadline_date", "prohibition_date")
"""Signed (anticipation starts), effective (the duty exists), compliance deadline, and for a
prohibition the date from which an agreement may no longer be held."""
VERIFICATION_LEVELS = ("primary text read", "secondary report", "unverified")


def _ordered(df: pd.DataFrame, early: str, late: str) -> pd.Series:
    """True where ``early`` is on or before ``late`` or either is missing."""
    return df[early].isna() | df[late].isna() | (df[early] <= df[late])


@cache
def _built() -> dict:
    """Every schema of this module, by name (built once; pandera's objects only on demand)."""
    from analysis.tables import Field, FrameSchema, RowCheck, Rule

    SHARE = (Rule("in_range", (0, 1)),)
    POSITIVE = (Rule("gt", (0,)),)

    def _share(nullable: bool = False) -> Field:
        return Field(float, SHARE, nullable=nullable)

    def _number(nullable: bool = False, checks=()) -> Field:
        return Field(float, tuple(checks), nullable=nullable)

    def _count() -> Field:
        return Field("Int64", POSITIVE)

    # Columns the county table and the state aggregates share, in this order.
    REGION_COLUMNS = {
        "census_region": Field(int, Rule("isin", ([1, 2, 3, 4],))),
        "census_region_name": Field(str),
        "census_division": Field(int, Rule("in_range", (1, 9))),
    }
    POPULATION_COLUMNS = {
        "population": _count(),
        "population_census2020": _count(),
        "population_pep2022": _count(),
        "population_pep2023": _count(),
        "land_area_sqmi": _number(checks=POSITIVE),
        "population_density": _number(checks=POSITIVE),
    }
    ETHNICITY_COLUMNS = {
        "hispanic_share": _share(),
        "nh_white_share": _share(),
        "nh_black_share": _share(),
        "hispanic_share_census2010": _share(),
        "hispanic_share_census2020": _share(),
        "hispanic_growth_log_2010_2020": _number(),
    }

    COUNTY_SCHEMA = FrameSchema(
        {
            "fips": Field(str, Rule("str_matches", (FIPS,)), unique=True),
            "state_fips": Field(str, Rule("str_matches", (r"^\d{2}$",))),
            "state_usps": Field(str, Rule("str_matches", (r"^[A-Z]{2}$",))),
            "state_name": Field(str),
            "county_name_full": Field(str),
            **REGION_COLUMNS,
            **POPULATION_COLUMNS,
            "log_population_density": _number(),
            **ETHNICITY_COLUMNS,
            "hispanic_share_change_pp_2010_2020": _number(checks=[Rule("in_range", (-100, 100))]),
            "foreign_born_share": _share(),
            "foreign_born_share_acs2016": _share(),
            "foreign_born_share_change_pp": _number(checks=[Rule("in_range", (-100, 100))]),
            "foreign_born_growth_log": _number(),
            "median_household_income": _number(checks=POSITIVE),
            "log_median_household_income": _number(),
            "poverty_rate": _share(),
            "median_income_from_saipe": Field(bool),
            "bachelors_share": _share(),
            "unemployment_rate": _share(),
            "gop_share_2016": _share(),
            "gop_share_2020": _share(),
            "gop_share_2024": _share(),
            "gop_swing_pp_2016_2024": _number(checks=[Rule("in_range", (-100, 100))]),
            "gop_share_statewide_alaska": Field(bool),
            "gop_share_from_maui": Field(bool),
            "rucc_2023": Field("Int64", Rule("in_range", (1, 9))),
            "metro": Field(bool),
            "group_quarters_share": _share(),
            "group_quarters_heavy": Field(bool),
            "ct_allocated": Field(bool),
            "change_on_valdez_cordova": Field(bool),
            "core_complete": Field(bool),
        },
        checks=RowCheck(lambda df: df.fips.is_monotonic_increasing, "sorted by fips"),
    )
    COUNTY_COLUMNS = list(COUNTY_SCHEMA.columns)

    QA_SCHEMA = FrameSchema(
        {
            "scope": Field(str, Rule("isin", (["county", "all counties"],))),
            "fips": Field(str, Rule("str_matches", (FIPS,)), nullable=True),
            "county_name_full": Field(str, nullable=True),
            "variable": Field(str),
            "core": Field(bool),
            "status": Field(
                str,
                Rule(
                    "isin",
                    (
                        [
                            "missing",
                            "allocated",
                            "statewide",
                            "substituted",
                            "combined_area",
                            "not_available",
                        ],
                    ),
                ),
            ),  # fmt: skip
            "method": Field(str),
            "reason": Field(str),
        },
        unique=["scope", "fips", "variable", "status"],
    )

    INPUTS_SCHEMA = FrameSchema(
        {
            "source": Field(str),
            "outcome": Field(str),
            "rows": Field(int, Rule("gt", (0,))),
            "detail": Field(str),
        },
    )

    STATE_AGGREGATES_SCHEMA = FrameSchema(
        {
            "state_fips": Field(str, Rule("str_matches", (r"^\d{2}$",)), unique=True),
            "state_usps": Field(str, Rule("str_matches", (r"^[A-Z]{2}$",)), unique=True),
            "state_name": Field(str),
            **REGION_COLUMNS,
            "counties": Field(int, Rule("gt", (0,))),
            **POPULATION_COLUMNS,
            **ETHNICITY_COLUMNS,
            "foreign_born_share": _share(),
            "foreign_born_share_acs2016": _share(),
            "poverty_rate": _share(),
            "bachelors_share": _share(),
            "metro_population_share": _share(),
            "group_quarters_share": _share(),
            **{
                f"{name}_{year}": _count()
                for year in (2016, 2020, 2024)
                for name in ("votes_gop", "votes_dem")
            },
            **{f"gop_share_{year}": _share() for year in (2016, 2020, 2024)},
            "gop_swing_pp_2016_2024": _number(checks=[Rule("in_range", (-100, 100))]),
        },
    )

    STATE_POLICIES_SCHEMA = FrameSchema(
        {
            "policy_id": Field(str, unique=True),
            "state_usps": Field(str, Rule("str_matches", (r"^[A-Z]{2}$",))),
            "state_fips": Field(str, Rule("str_matches", (r"^\d{2}$",))),
            "instrument": Field(str),
            "policy_type": Field(str, Rule("isin", (POLICY_TYPES,))),
            "applies_to": Field(str),
            "summary": Field(str),
            "year": Field(int, Rule("in_range", (1996, 2030))),
            **{column: Field("datetime64[s]", nullable=True) for column in POLICY_DATES},
            "source_url": Field(str, Rule("str_matches", (r"^https://\S+$",))),
            "verification": Field(str, Rule("isin", (VERIFICATION_LEVELS,))),
            "verification_note": Field(str, Rule("str_length", options=(("min_value", 20),))),
            "notes": Field(str, nullable=True),
        },
        checks=[
            RowCheck(lambda df: _ordered(df, "signed_date", "effective_date"),
                     "effective on or after signing"),
            RowCheck(lambda df: _ordered(df, "effective_date", "deadline_date"),
                     "deadline on or after the effective date"),
            RowCheck(lambda df: _ordered(df, "signed_date", "deadline_date"),
                     "deadline on or after signing"),
            RowCheck(lambda df: _ordered(df, "signed_date", "prohibition_date"),
                     "prohibition on or after signing"),
            RowCheck(
                lambda df: df.signed_date.isna() | (df.signed_date.dt.year == df.year),
                "signed_date falls in year",
            ),
            RowCheck(
                lambda df: df.prohibition_date.isna() | (df.policy_type == "prohibition"),
                "only a prohibition has a prohibition_date",
            ),
        ],
    )  # fmt: skip

    return {name: value for name, value in locals().items() if name in BUILT_ON_USE}


BUILT_ON_USE = (
    "SHARE",
    "POSITIVE",
    "REGION_COLUMNS",
    "POPULATION_COLUMNS",
    "ETHNICITY_COLUMNS",
    "COUNTY_SCHEMA",
    "COUNTY_COLUMNS",
    "QA_SCHEMA",
    "INPUTS_SCHEMA",
    "STATE_AGGREGATES_SCHEMA",
    "STATE_POLICIES_SCHEMA",
)
"""The names :func:`_built` defines (any other name, e.g. ``__path__`` that the import system
asks for, is not found without building the schemas)."""


def __getattr__(name: str):
    if name not in BUILT_ON_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _built()[name]


def county_covariates(frame: pd.DataFrame) -> pd.DataFrame:
    return _built()["COUNTY_SCHEMA"].validate(frame)


def county_covariates_qa(frame: pd.DataFrame) -> pd.DataFrame:
    return _built()["QA_SCHEMA"].validate(frame)


def county_covariates_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    return _built()["INPUTS_SCHEMA"].validate(frame)


def state_aggregates(frame: pd.DataFrame) -> pd.DataFrame:
    return _built()["STATE_AGGREGATES_SCHEMA"].validate(frame)


def state_policies(frame: pd.DataFrame) -> pd.DataFrame:
    return _built()["STATE_POLICIES_SCHEMA"].validate(frame)
