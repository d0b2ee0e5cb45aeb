"""The standardized mean difference on numbers small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.balance import balance_table, standardized_difference


def test_standardized_difference_uses_the_average_of_the_variances():
    group, others = pd.Series([1.0, 3.0]), pd.Series([0.0, 0.0, 0.0, np.nan])
    # var(group) = 2, var(others) = 0: pooled SD 1, mean difference 2.
    assert standardized_difference(group, others) == pytest.approx(2.0)
    assert standardized_difference(others, group) == pytest.approx(-2.0)


def test_balance_table_one_row_per_covariate():
    frame = pd.DataFrame(
        {
            "any_agreement": [1, 1, 0, 0, 0],
            "x": [1.0, 3.0, 0.0, 2.0, np.nan],
            "y": [5.0, 5.0, 4.0, 6.0, 5.0],
        }
    )
    table = balance_table(frame, "any_agreement", {"x": "X share", "y": "Y"}, label="latest")
    assert table.columns.tolist() == ["when", "covariate", "mean_with", "mean_without", "smd",
                                      "counties_with", "counties_without"]  # fmt: skip
    x = table.set_index("covariate").loc["X share"]
    assert (x["when"], x["mean_with"], x["mean_without"]) == ("latest", 2.0, 1.0)
    assert x["smd"] == pytest.approx(1 / np.sqrt(2))
    assert (x["counties_with"], x["counties_without"]) == (2, 2)
    assert table.set_index("covariate").loc["Y", "smd"] == pytest.approx(0.0)
