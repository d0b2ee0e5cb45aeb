"""Census Population Estimates Vintage 2022 (``co-est2022-alldata.csv``): July 2022 population,
the April 2020 estimates base, and each county's census region and division (region names:
``analysis.geo.states.CENSUS_REGIONS``)."""

from __future__ import annotations

import pandas as pd

from analysis.covariates.common import SourceContext
from analysis.fetch import require

CO_EST_2022 = "census_pep/co-est2022-alldata.csv"
COLUMNS = {
    "POPESTIMATE2022": "population_pep2022",
    "REGION": "census_region",
    "DIVISION": "census_division",
}


def _read(raw_dir) -> pd.DataFrame:
    raw = pd.read_csv(require(CO_EST_2022, raw_dir), dtype={"STATE": str, "COUNTY": str})
    # STATE and COUNTY are unpadded; SUMLEV 40 is a state row (COUNTY 0), 50 a county.
    raw["FIPS"] = raw.STATE.str.zfill(2) + raw.COUNTY.str.zfill(3)
    return raw.rename(columns=COLUMNS)


def read_pep(ctx: SourceContext) -> pd.DataFrame:
    """One row per county: ``population_pep2022``, ``census_region``, ``census_division``."""
    raw = _read(ctx.raw_dir)
    return ctx.take(raw, "FIPS", CO_EST_2022, list(COLUMNS.values()))


def state_rows(raw_dir) -> pd.DataFrame:
    """The file's own state rows (SUMLEV 40): ``state_fips`` and the same columns, for checks."""
    raw = _read(raw_dir)
    states = raw[raw.SUMLEV == 40]
    return states.assign(state_fips=states.FIPS.str[:2])[["state_fips", *COLUMNS.values()]]
