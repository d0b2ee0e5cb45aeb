"""County covariates of earlier vintages, for comparing adoption across eras (2005-12, 2017-19).

Read from files already in the catalog, on the current county list (renamed and merged codes
recoded, merged counts added up, by :meth:`SourceContext.take`):

- ``usda_ers_atlas/atlas2018_People.csv`` (latin-1): Census 2010 ``HispanicNum2010``,
  ``TotalPop2010``, ``LandAreaSQMiles2010``; PEP ``TotalPopEst2016``; the Hispanic change
  2000-10 ``HispanicPopChangeRate0010`` (percent), from which the 2000 Hispanic count is
  recovered as ``H2010 / (1 + rate / 100)`` (blank where the 2000 count was 0 or the county
  did not exist, e.g. Broomfield CO);
- ``medsl_election_context_2018/election-context-2018.csv``: the 2012 presidential vote
  (``romney12``, ``obama12``) and the ACS 2012-16 ``hispanic_pct`` over ``total_population``
  (Kansas City MO's pseudo-county 36000 is added into Jackson 29095, Bedford city into
  Bedford County; Oglala Lakota's 46113 is recoded; no Alaska).

Each derived column names its vintage: :data:`VINTAGES` gives the source and years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.covariates.common import SourceContext, as_fips, ratio
from analysis.covariates.elections import KANSAS_CITY, MEDSL, two_party_share
from analysis.covariates.harmonize import log_growth
from analysis.fetch import require

PEOPLE_2018 = "usda_ers_atlas/atlas2018_People.csv"
ATLAS_COUNTS = {
    "HispanicNum2010": "hispanic_2010",
    "TotalPop2010": "population_2010",
    "LandAreaSQMiles2010": "land_sqmi_2010",
    "TotalPopEst2016": "population_pep2016",
}
HISPANIC_CHANGE_0010 = "HispanicPopChangeRate0010"
MEDSL_COUNTS = ["romney12", "obama12", "total_population", "hispanic_acs2016"]

VINTAGES = {
    "gop_share_2012": ("MEDSL election context 2018: romney12, obama12", "2012 election"),
    "hispanic_share_census2010": (
        "USDA ERS Atlas 2018: HispanicNum2010 / TotalPop2010",
        "Census 2010",
    ),
    "hispanic_growth_log_2000_2010": (
        "USDA ERS Atlas 2018: HispanicNum2010, HispanicPopChangeRate0010",
        "Census 2000 to 2010",
    ),
    "log_population_density_2010": (
        "USDA ERS Atlas 2018: TotalPop2010 / LandAreaSQMiles2010",
        "Census 2010",
    ),
    "hispanic_share_acs2016": (
        "MEDSL election context 2018: hispanic_pct x total_population",
        "ACS 2012-16",
    ),
    "log_population_density_2016": (
        "USDA ERS Atlas 2018: TotalPopEst2016 / LandAreaSQMiles2010",
        "PEP 2016, land 2010",
    ),
}
"""Column -> (source file and fields, vintage)."""


def _atlas_2018(ctx: SourceContext) -> pd.DataFrame:
    path = require(PEOPLE_2018, ctx.raw_dir)
    raw = pd.read_csv(
        path,
        encoding="latin-1",
        dtype={"FIPS": str},
        usecols=["FIPS", *ATLAS_COUNTS, HISPANIC_CHANGE_0010],
    ).rename(columns=ATLAS_COUNTS)
    rate = raw.pop(HISPANIC_CHANGE_0010)
    # -100 % (Blaine NE: no Hispanic resident in 2010) leaves the 2000 count unknown.
    lost = rate <= -100
    ctx.ledger.add(
        PEOPLE_2018,
        "hispanic_2000_unknown",
        lost.sum(),
        f"{HISPANIC_CHANGE_0010} -100: {', '.join(raw.FIPS[lost])}",
    )
    rate = rate.where(~lost)
    # A count, so merged codes (Bedford city) add up like the others.
    raw["hispanic_2000"] = (raw["hispanic_2010"] / (1 + rate / 100)).round()
    values = [*ATLAS_COUNTS.values(), "hispanic_2000"]
    return ctx.take(raw, "FIPS", PEOPLE_2018, values, count_columns=tuple(values))


def _medsl(ctx: SourceContext) -> pd.DataFrame:
    path = require(MEDSL, ctx.raw_dir)
    raw = pd.read_csv(
        path, usecols=["state", "fips", "romney12", "obama12", "total_population", "hispanic_pct"]
    )
    raw["hispanic_acs2016"] = raw["hispanic_pct"] / 100 * raw["total_population"]
    raw = raw.drop(columns="hispanic_pct")
    raw["fips"] = as_fips(raw["fips"])
    state, pseudo, county = KANSAS_CITY
    is_kc = (raw["state"] == state) & (raw["fips"] == pseudo)
    kansas_city = raw.loc[is_kc, MEDSL_COUNTS].sum(min_count=1)
    ctx.ledger.add(MEDSL, "merged", is_kc.sum(), f"{pseudo} Kansas City, MO -> {county}")
    frame = ctx.take(raw[~is_kc], "fips", MEDSL, MEDSL_COUNTS, count_columns=tuple(MEDSL_COUNTS))
    at = frame["fips"] == county
    for column in ("romney12", "obama12"):
        frame.loc[at, column] += (
            float(kansas_city[column]) if pd.notna(kansas_city[column]) else 0.0
        )
    return frame


def earlier_vintages(ctx: SourceContext) -> pd.DataFrame:
    """One row per county of ``ctx`` (``fips`` plus the columns of :data:`VINTAGES`); missing
    where a source has no value (Alaska in MEDSL, counties created after 2000 for growth)."""
    atlas = _atlas_2018(ctx).set_index("fips")
    medsl = _medsl(ctx).set_index("fips")
    index = pd.Index(sorted(ctx.county_fips), name="fips")
    atlas, medsl = atlas.reindex(index), medsl.reindex(index)
    land = atlas["land_sqmi_2010"]
    out = pd.DataFrame(index=index)
    out["gop_share_2012"] = two_party_share(medsl["romney12"], medsl["obama12"])
    out["hispanic_share_census2010"] = ratio(atlas["hispanic_2010"], atlas["population_2010"])
    out["hispanic_growth_log_2000_2010"] = log_growth(
        atlas["hispanic_2010"], atlas["hispanic_2000"]
    )
    out["log_population_density_2010"] = np.log(ratio(atlas["population_2010"], land))
    out["hispanic_share_acs2016"] = ratio(medsl["hispanic_acs2016"], medsl["total_population"])
    out["log_population_density_2016"] = np.log(ratio(atlas["population_pep2016"], land))
    return out.reset_index()
