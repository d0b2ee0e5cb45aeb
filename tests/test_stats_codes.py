"""The remembered design ranks (analysis.stats.codes.matrix_rank) and the bivariate effects'
shared masks (analysis.stats.bivariate) give the numbers computed afresh."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats import codes
from analysis.stats.adoption_models import fit_adoption_model
from analysis.stats.bivariate import bivariate_effects
from analysis.stats.spec import ModelSpec


def test_remembered_ranks_tell_matrices_with_equal_column_sums_apart():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4))
    assert codes.matrix_rank(x) == codes.matrix_rank(x.copy()) == 4
    swapped = x.copy()
    swapped[[0, 1]] = swapped[[1, 0]]  # same column sums (up to rounding), other matrix
    swapped[:, 3] = swapped[:, 0] + swapped[:, 1]
    assert codes.matrix_rank(swapped) == np.linalg.matrix_rank(swapped) == 3
    same_sums = x.copy()
    same_sums[[0, 1]] = same_sums[[1, 0]]
    same_sums[:, 3] = 2 * same_sums[:, 2]
    assert codes.matrix_rank(same_sums) == 3
    for _ in range(codes._RANKS_MAX + 3):
        codes.matrix_rank(rng.normal(size=(20, 3)))
    assert len(codes._RANKS) <= codes._RANKS_MAX
    assert codes.matrix_rank(x) == 4


def test_sparse_design_remembers_only_an_equal_design():
    rng = np.random.default_rng(3)
    n = codes.SPARSE_IRLS_ROWS
    x = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    x[rng.random(x.shape) < 0.5] = 0
    rows, rank = codes.sparse_design(x)
    assert rank == np.linalg.matrix_rank(x) == 4
    assert (rows != codes.dense_to_csr(x)).nnz == 0
    again, _ = codes.sparse_design(x.copy())
    assert again is rows  # an equal design: the remembered form
    collinear = x.copy()
    collinear[:, 3] = collinear[:, 1] + collinear[:, 2]  # same shape, another matrix
    other, rank = codes.sparse_design(collinear)
    assert other is not rows and rank == np.linalg.matrix_rank(collinear) == 3
    assert (other != codes.dense_to_csr(collinear)).nnz == 0
    assert codes.matrix_rank(collinear) == 3 and codes.matrix_rank(x) == 4
    x[0, 1] += 1.0  # a modified design is not taken for the remembered one
    assert (codes.sparse_design(x)[0] != codes.dense_to_csr(x)).nnz == 0


def test_bivariate_masks_drop_what_complete_cases_drops():
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame(
        {
            "state": rng.choice(list("ABCDEFGHIJ"), n),
            "x": rng.normal(size=n),
            "w": rng.normal(size=n),
        }
    )
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-df.x))).astype(float)
    df.loc[df.index[:5], "y"] = np.nan
    df.loc[df.index[5:9], "w"] = np.inf
    df.loc[df.index[9:12], "state"] = None
    for spec in [ModelSpec(estimator="lpm"), ModelSpec(estimator="lpm", excluded=("C",))]:
        for fe in (False, True):
            choice = spec.with_state_fe(fe)
            fast = bivariate_effects(df, "y", ["x", "w"], choice)
            full = pd.concat(
                [
                    fit_adoption_model(df, "y", [name], choice).marginal_effects
                    for name in ["x", "w"]
                ],
                ignore_index=True,
            ).assign(state_fe=fe)
            numbers = fast.select_dtypes("float").columns
            pd.testing.assert_frame_equal(fast.drop(columns=numbers), full.drop(columns=numbers))
            np.testing.assert_allclose(fast[numbers], full[numbers], rtol=1e-10, atol=0)
