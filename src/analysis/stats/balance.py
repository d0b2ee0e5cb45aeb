"""Covariate balance between two groups of counties: the standardized mean difference.

SMD = (mean of the group − mean of the others) / pooled standard deviation, with the pooled SD
the root of the average of the two sample variances (ddof 1), so it does not depend on the
group sizes. Unweighted: each county counts once; missing values are left out per covariate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def standardized_difference(group: pd.Series, others: pd.Series) -> float:
    """(mean(group) − mean(others)) / sqrt((var(group) + var(others)) / 2), NaNs dropped."""
    a, b = group.dropna(), others.dropna()
    pooled = np.sqrt((a.var() + b.var()) / 2)
    return (a.mean() - b.mean()) / pooled


def balance_table(
    frame: pd.DataFrame, indicator: str, variables: dict[str, str], *, label: str = ""
) -> pd.DataFrame:
    """One row per covariate (``variables``: column → display name): the means with and without
    ``indicator`` == 1, the SMD and the counties with a value in each group.

    ``label`` fills a ``when`` column, so tables for several dates can be stacked.
    """
    rows = []
    flagged = frame[indicator] == 1
    for column, name in variables.items():
        a, b = frame.loc[flagged, column].dropna(), frame.loc[~flagged, column].dropna()
        rows.append(
            {
                "when": label,
                "covariate": name,
                "mean_with": a.mean(),
                "mean_without": b.mean(),
                "smd": standardized_difference(a, b),
                "counties_with": len(a),
                "counties_without": len(b),
            }
        )
    return pd.DataFrame(rows)
