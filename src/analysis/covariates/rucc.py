"""USDA ERS Rural-Urban Continuum Codes 2023 (long format, latin-1): the code and the Census 2020
population of every county of the 2023 list, Connecticut planning regions included."""

from __future__ import annotations

import pandas as pd

from analysis.covariates.common import SourceContext, as_number
from analysis.fetch import require

RUCC_2023 = "usda_ers_rucc/Ruralurbancontinuumcodes2023.csv"
METRO_CODES = (1, 2, 3)


def read_rucc(ctx: SourceContext) -> pd.DataFrame:
    """One row per county: ``rucc_2023`` and ``population_census2020``.

    The file has one row per (FIPS, attribute); it is pivoted first, so the row ledger counts
    one row per code.
    """
    raw = pd.read_csv(require(RUCC_2023, ctx.raw_dir), encoding="latin-1", dtype=str)
    wide = raw.pivot(index="FIPS", columns="Attribute", values="Value").reset_index()
    wide["rucc_2023"] = as_number(wide.RUCC_2023)
    wide["population_census2020"] = as_number(wide.Population_2020)
    return ctx.take(wide, "FIPS", RUCC_2023, ["rucc_2023", "population_census2020"])
