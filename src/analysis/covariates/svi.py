"""CDC/ATSDR Social Vulnerability Index 2022 (ACS 2018-22), county file: population, Hispanic and
non-Hispanic race counts, unemployment and group quarters, natively on the 2023 county list."""

from __future__ import annotations

import pandas as pd

from analysis.covariates.common import SourceContext
from analysis.fetch import require

SVI_2022 = "cdc_svi/SVI_2022_US_county.csv"
MISSING_CODE = -999  # SVI's code for a suppressed estimate
COLUMNS = {
    "E_TOTPOP": "population_acs",
    "E_HISP": "hispanic_acs",
    "E_MINRTY": "minority_acs",  # everyone except non-Hispanic white alone
    "E_AFAM": "nh_black_acs",
    "EP_UNEMP": "unemployment_pct",
    "E_GROUPQ": "group_quarters_acs",
}


def read_svi(ctx: SourceContext) -> pd.DataFrame:
    """One row per county: the SVI columns above under their new names (counts and a percent)."""
    path = require(SVI_2022, ctx.raw_dir)
    # The file starts with a UTF-8 BOM and writes FIPS without its leading zero.
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype={"FIPS": str}, usecols=["FIPS", *COLUMNS])
    raw = raw.rename(columns=COLUMNS)
    values = list(COLUMNS.values())
    raw[values] = raw[values].where(raw[values] != MISSING_CODE)
    return ctx.take(raw, "FIPS", SVI_2022, values)
