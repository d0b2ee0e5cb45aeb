"""OLS with CRV1 errors clustered by one variable and at most one absorbed fixed effect: the
numbers of pyfixest's ``feols(..., vcov={"CRV1": cluster})`` (estimates, standard errors, t,
p-values and intervals from the t distribution with G - 1 degrees of freedom) from plain
arrays, without importing pyfixest (numba, ~2.5 s).

As pyfixest: the coefficients solve ``X'X b = X'y`` (``scipy.linalg.solve``, positive
definite) on the design with the fixed effect demeaned away (within-transformation, exact for
one effect: Frisch-Waugh-Lovell), the sandwich is ``ssc (X'X)^-1 M (X'X)^-1`` with
``M = sum_g s_g s_g'`` and ``ssc = (N - 1) / (N - k) * G / (G - 1)``, ``k`` counting the
fixed effect's levels (pyfixest's "nonnested" rule). Cases in which pyfixest would do more
(drop a singleton level, a collinear column or rows with missing values, or count a fixed
effect nested in the clusters) are not covered: :func:`crv1_ols` returns None, and the caller
fits with pyfixest. :attr:`CRV1Fit.one_hot` is the design with the fixed effect as dummies,
what pyfixest's ``_model_matrix_one_hot`` gives the wild bootstrap
(:func:`analysis.stats.wcr.wild_bootstrap_p_arrays`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve
from scipy.special import stdtr, stdtrit


@dataclass(frozen=True)
class CRV1Fit:
    """Estimates and inference of the named terms (arrays in ``names`` order); ``one_hot``
    and ``one_hot_names`` the design with intercept and fixed-effect dummies, ``y`` the
    outcome and ``clusters`` the integer cluster codes (for the wild bootstrap)."""

    names: list[str]
    estimate: np.ndarray
    std_error: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n: int
    n_clusters: int
    y: np.ndarray
    one_hot: np.ndarray
    one_hot_names: list[str]
    clusters: np.ndarray


def _demean(values: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if values.ndim == 1:
        return values - (np.bincount(codes, weights=values) / counts)[codes]
    return np.column_stack([_demean(column, codes, counts) for column in values.T])


def crv1_ols(
    y: np.ndarray,
    x: np.ndarray,
    names: Sequence[str],
    clusters: np.ndarray,
    fixed_effect: np.ndarray | None = None,
    *,
    alpha: float = 0.05,
) -> CRV1Fit | None:
    """``y`` on the columns ``x`` (named ``names``), with an intercept, or with the
    ``fixed_effect`` (integer codes 0..L-1, all present) absorbed instead; CRV1 by the integer
    ``clusters``. None where pyfixest would act otherwise (see the module docstring)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    clusters = np.asarray(clusters)
    names = [str(n) for n in names]
    if not (np.isfinite(y).all() and np.isfinite(x).all()):
        return None
    n = len(y)
    if fixed_effect is None:
        design = np.column_stack([np.ones(n), x])
        names_fit, k_fe = ["Intercept", *names], 0
        one_hot, one_hot_names = design, names_fit
        yt = y
    else:
        codes = np.asarray(fixed_effect, dtype=np.intp)
        counts = np.bincount(codes)
        if (counts < 2).any():
            return None  # a singleton (or absent) level: pyfixest drops its rows
        pairs = np.unique(np.column_stack([codes, clusters]), axis=0)
        if np.unique(pairs[:, 0]).size == pairs.shape[0]:
            return None  # every level inside one cluster: pyfixest's nested count differs
        design, yt = _demean(x, codes, counts), _demean(y, codes, counts)
        names_fit, k_fe = names, counts.size
        dummies = (codes[:, None] == np.arange(1, counts.size)).astype(float)
        one_hot = np.column_stack([np.ones(n), x, dummies])
        one_hot_names = ["Intercept", *names, *[f"fe[{i}]" for i in range(1, counts.size)]]
    if np.linalg.matrix_rank(one_hot) < one_hot.shape[1]:
        return None  # pyfixest drops collinear columns
    txx = design.T @ design
    beta = solve(txx, design.T @ yt, assume_a="pos").flatten()
    residuals = yt - design @ beta
    scores = design * residuals[:, None]
    levels, inverse = np.unique(clusters, return_inverse=True)
    g = levels.size
    cluster_scores = np.zeros((g, scores.shape[1]))
    np.add.at(cluster_scores, inverse, scores)
    meat = cluster_scores.T @ cluster_scores
    bread = np.linalg.inv(txx)
    df_k = design.shape[1] + k_fe
    ssc = (n - 1) / (n - df_k) * g / (g - 1)
    vcov = ssc * (bread @ meat @ bread)
    se = np.sqrt(np.diag(vcov))
    t = beta / se
    df_t = g - 1
    p = 2 * (1 - stdtr(df_t, np.abs(t)))
    z = np.abs(stdtrit(df_t, alpha / 2))
    return CRV1Fit(
        names=names_fit,
        estimate=beta,
        std_error=se,
        statistic=t,
        p_value=p,
        ci_low=beta - z * se,
        ci_high=beta + z * se,
        n=n,
        n_clusters=g,
        y=y,
        one_hot=one_hot,
        one_hot_names=one_hot_names,
        clusters=clusters,
    )
