"""Binary-outcome models of adoption: logit, probit, complementary log-log and the linear
probability model, with robust or clustered standard errors, optional fixed effects,
standardized covariates and average marginal effects.

Design matrices are built here from column names, not from formulas, so term names do not
depend on the statsmodels formula engine (style.md 3.7): ``Intercept``, each covariate's own
name, and ``<column>[T.<level>]`` for fixed-effect dummies (the first sorted level is the
reference).
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats._common import require_columns, scales_from, unique_columns
from analysis.stats.codes import SPARSE_IRLS_ROWS, group_codes, matrix_rank
from analysis.stats.frame_arrays import FrameArrays, design_matrix, drop_nonvarying_rows
from analysis.stats.model_tables import (  # noqa: F401 (names callers import from here)
    COEFFICIENT_COLUMNS,
    COEFFICIENT_SCALES,
    MARGINAL_EFFECT_COLUMNS,
    RESULT_COLUMNS,
    SPEC_COLUMNS,
    _finish,
    _inference,
    _se_label,
    _term_type,
    frames,
    stacked,
    values_of,
)
from analysis.stats.spec import ModelSpec

# statsmodels (~2 s to import) is imported where a model is fitted, not with this module:
# notebooks that only use the closed-form pieces (analysis.stats.bivariate) never load it.


class _Links(Mapping):
    """estimator -> statsmodels link class (``Logit``, ``Probit``, ``CLogLog``), imported on
    first use."""

    _NAMES = {"logit": "Logit", "probit": "Probit", "cloglog": "CLogLog"}

    def __getitem__(self, name: str):
        from statsmodels.genmod.families import links

        return getattr(links, self._NAMES[name])

    def __iter__(self):
        return iter(self._NAMES)

    def __len__(self) -> int:
        return len(self._NAMES)


LINKS = _Links()


@dataclass(frozen=True)
class ModelFit:
    """One fitted model.

    ``coefficients`` and ``marginal_effects`` are tidy tables (columns
    ``COEFFICIENT_COLUMNS`` / ``MARGINAL_EFFECT_COLUMNS``); ``scales`` the (mean, sd) used to
    z-score covariates; ``n`` the estimation sample; ``n_dropped`` rows dropped for missing
    values; ``dropped_levels`` fixed-effect levels dropped because the outcome does not vary
    inside them (binary GLMs only) and ``n_fe_dropped`` their rows; ``result`` the statsmodels
    results object; ``design`` the design matrix (for prediction and checks).
    """

    coefficients: pd.DataFrame
    marginal_effects: pd.DataFrame
    scales: pd.DataFrame
    n: int
    n_dropped: int
    dropped_levels: tuple[str, ...]
    n_fe_dropped: int
    converged: bool
    result: Any
    design: pd.DataFrame
    sample: pd.DataFrame


def _drop_nonvarying_levels(
    sample: pd.DataFrame, outcome: str, fixed_effects: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Drop fixed-effect levels whose outcome is all 0 or all 1.

    In a binary GLM such a level's dummy goes to -inf/+inf (perfect separation) and its rows
    carry no information on the other coefficients, so dropping them gives the same
    estimates with a well-defined fit. Repeats until stable (levels of several effects).
    """
    arrays = FrameArrays(sample)
    y = arrays.floats(outcome)
    rows, dropped = drop_nonvarying_rows(arrays, np.arange(len(sample)), y, fixed_effects)
    return sample.iloc[rows], dropped


def build_design(
    sample: pd.DataFrame,
    covariates: Sequence[str],
    fixed_effects: Sequence[str],
    scales: pd.DataFrame,
    levels: Mapping[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Intercept, covariates (z-scored where ``scales`` lists them) and fixed-effect dummies.

    ``levels`` fixes the dummy columns (to predict on new rows with a fitted model's levels);
    rows whose level is unknown get all-zero dummies, so callers must drop them.
    Returns the design and the levels used.
    """
    names, blocks = ["Intercept", *covariates], [np.ones((len(sample), 1))]
    scale_of = {r.covariate: (r.mean, r.sd) for r in scales.itertuples(index=False)}
    for name in covariates:
        x = sample[name].to_numpy(dtype=float)
        if name in scale_of:
            mean, sd = scale_of[name]
            x = (x - mean) / sd
        blocks.append(x[:, None])
    used_levels: dict[str, list[str]] = {}
    for col in fixed_effects:
        if levels:
            col_levels = list(levels[col])
            # Unknown levels get code -1, so all-zero dummies.
            codes = pd.Index(col_levels).get_indexer(sample[col].astype(str).to_numpy())
        else:
            codes, col_levels = group_codes(sample[col])
        used_levels[col] = col_levels
        names += [f"{col}[T.{level}]" for level in col_levels[1:]]
        blocks.append((codes[:, None] == np.arange(1, len(col_levels))).astype(float))
    x = np.hstack(blocks) if len(blocks) > 1 else blocks[0]
    return pd.DataFrame(x, index=sample.index, columns=names), used_levels


def _fit_statsmodels(y, design, estimator, se, groups, weights):
    from statsmodels.genmod import families
    from statsmodels.tools.sm_exceptions import SpecificationWarning

    from analysis.stats.block_irls import BlockIRLSGLM
    from analysis.stats.irls import SparseIRLSGLM
    from analysis.stats.ols_cache import CachedOLS as OLS
    from analysis.stats.ols_cache import CachedWLS as WLS

    cov_type = {
        "nonrobust": "nonrobust",
        "robust": "HC1" if estimator == "lpm" else "HC0",
        "cluster": "cluster",
    }[se]
    cov_kwds = {"groups": groups} if se == "cluster" else None
    if estimator == "lpm":
        model = OLS(y, design) if weights is None else WLS(y, design, weights=weights)
        return model.fit(cov_type=cov_type, cov_kwds=cov_kwds)
    family = families.Binomial(link=LINKS[estimator]())
    glm = SparseIRLSGLM if len(y) >= SPARSE_IRLS_ROWS else BlockIRLSGLM
    model = glm(y, design, family=family, var_weights=weights)
    with warnings.catch_warnings():
        # statsmodels warns that robust covariances are "not fully supported" with
        # var_weights; the sandwich it computes is the correct weighted-score sandwich
        # (checked in tests/test_stats_models.py against a hand-built one).
        warnings.filterwarnings(
            "ignore", message="cov_type not fully supported", category=SpecificationWarning
        )
        return model.fit(cov_type=cov_type, cov_kwds=cov_kwds)


def average_marginal_effects(
    result, design: pd.DataFrame, estimator: str, terms: Sequence[str], weights=None
) -> pd.DataFrame:
    """Average marginal effects (change in probability per unit of each term's column, so per
    SD for standardized covariates), averaged over the estimation sample (weighted by
    ``weights`` if given), with delta-method standard errors from the model's covariance.

    For the LPM it is the coefficient itself. Unweighted, the numbers equal statsmodels'
    ``get_margeff(at="overall", method="dydx")``. Returns ``term, estimate, std_error``.
    """
    estimates, std_errors = _ame_arrays(result, design, estimator, terms, weights)
    return pd.DataFrame({"term": list(terms), "estimate": estimates, "std_error": std_errors})


def _ame_arrays(result, design: pd.DataFrame, estimator: str, terms: Sequence[str], weights):
    """The estimates and standard errors of :func:`average_marginal_effects`."""
    params = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    index = [design.columns.get_loc(t) for t in terms]
    if estimator == "lpm":
        return params[index], np.sqrt(np.diag(cov)[index])
    link = LINKS[estimator]()
    x = design.to_numpy()
    eta = x @ params
    w = np.ones(len(eta)) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    density = link.inverse_deriv(eta)  # dp/deta
    slope = link.inverse_deriv2(eta)  # d2p/deta2
    mean_density = w @ density
    estimates = mean_density * params[index]
    # d AME_j / d beta = mean(density) e_j + beta_j mean(slope * x)
    jacobian = np.outer(params[index], (w * slope) @ x)
    jacobian[np.arange(len(index)), index] += mean_density
    return estimates, np.sqrt(np.einsum("ij,jk,ik->i", jacobian, cov, jacobian))


def fit_binary_model(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    spec: ModelSpec | None = None,
) -> ModelFit:
    """Fit one binary-outcome model as ``spec`` says (default :class:`ModelSpec`); the engine
    behind every estimator of this package.

    Sample: the rows ``spec.sample`` keeps, complete on the outcome, covariates, fixed effects,
    cluster and weights columns (the rest counted in ``n_dropped``); for logit/probit/cloglog
    with fixed effects, levels whose outcome is all 0 or all 1 are then dropped (listed in
    ``dropped_levels``, rows in ``n_fe_dropped``; the LPM keeps them). Standardization
    (z-scores, sd with ddof=1) uses every complete row of ``df`` *before* the states
    ``spec.excluded`` leaves out and the levels a GLM drops, unless ``spec.scales`` gives
    (mean, sd): so a logit with state FE, an LPM and a subsample fitted on the same data share
    one scale, and a column of a table never silently changes its unit. Weights are
    rescaled to mean 1 (LPM: WLS; GLMs: ``var_weights``).
    Standard errors: ``"cluster"`` (CR1, by ``cluster``), ``"robust"`` (LPM HC1, GLMs HC0)
    or ``"nonrobust"``. Intervals and p-values in the tables are normal-based.
    """
    return _tables(_estimate(df, outcome, covariates, spec or ModelSpec()))


@dataclass(frozen=True)
class _Estimates:
    """What :func:`fit_binary_model` computes before building its tables."""

    outcome: str
    covariates: list[str]
    spec: ModelSpec
    result: Any
    design: pd.DataFrame
    data: pd.DataFrame
    rows: np.ndarray
    scale_table: pd.DataFrame
    weights: np.ndarray | None
    groups: np.ndarray | None
    n_dropped: int
    n_complete: int
    dropped_levels: list[str]

    @functools.cached_property
    def sample(self) -> pd.DataFrame:
        """The estimation sample: the rows of ``data`` at positions ``rows``."""
        return self.data.iloc[self.rows]

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def converged(self) -> bool:
        return bool(getattr(self.result, "converged", True))

    def marginal_effects(self) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and standard errors of the covariates' average marginal effects."""
        return _ame_arrays(self.result, self.design, self.spec.estimator, self.covariates,
                           self.weights)  # fmt: skip


def _estimate(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    spec: ModelSpec,
    arrays: FrameArrays | None = None,
    labelled: bool = True,
):
    """Fit one model; ``arrays`` (of ``df``), shared by the fits of a grid, holds the column
    arrays so that each fit converts nothing again. ``labelled=False`` fits statsmodels on
    the design's array (the same array statsmodels takes from the frame), so the result holds
    arrays, not pandas objects named by term (for callers that read numbers only). Every step
    works on row positions and gives the arrays the pandas steps documented in
    :func:`fit_binary_model` give."""
    if arrays is None or arrays.df is not df:
        arrays = FrameArrays(df)
    estimator, se, cluster, weights = spec.estimator, spec.se, spec.cluster, spec.weights
    covariates = list(covariates)
    fixed_effects = list(spec.fixed_effects)
    used = unique_columns(
        [outcome, *covariates, *fixed_effects, cluster if se == "cluster" else None, weights]
    )
    require_columns(df, used)
    # Complete cases once: the scale rows are all of them, the sample those spec.sample keeps.
    scale_rows = arrays.complete(used)
    kept = ~arrays.excluded(spec.group, spec.excluded) if spec.excluded else None
    rows = np.flatnonzero(scale_rows if kept is None else scale_rows & kept)
    n_dropped = (len(df) if kept is None else int(kept.sum())) - len(rows)
    y = arrays.floats(outcome)[rows]
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome {outcome!r} must be coded 0/1")
    n_complete = len(rows)
    dropped_levels: list[str] = []
    if estimator != "lpm" and fixed_effects:
        rows, dropped_levels = drop_nonvarying_rows(arrays, rows, y, fixed_effects)
        y = arrays.floats(outcome)[rows]
    if not len(rows) or np.unique(y).size < 2:
        raise ValueError(f"outcome {outcome!r} does not vary in the estimation sample")
    complete_rows = np.flatnonzero(scale_rows)
    scale_table = scales_from(lambda name: arrays.floats(name)[complete_rows], covariates,
                              spec.standardize, spec.scales)  # fmt: skip
    scale_of = dict(zip(scale_table["covariate"], zip(scale_table["mean"], scale_table["sd"],
                                                      strict=True), strict=True))  # fmt: skip
    values, names = design_matrix(arrays, rows, covariates, fixed_effects, scale_of)
    design = pd.DataFrame(values, index=df.index[rows], columns=names)
    rank = matrix_rank(design.to_numpy())
    if rank < design.shape[1]:
        raise ValueError(
            f"design has rank {rank} < {design.shape[1]} columns: a covariate is collinear "
            "with others or with the fixed effects (e.g. a state-level variable with state FE)"
        )
    w = None
    if weights is not None:
        w = arrays.floats(weights)[rows]
        if (w <= 0).any():
            raise ValueError(f"weights {weights!r} must be positive")
        w = w / w.mean()
    groups = arrays.codes(cluster, rows)[0] if se == "cluster" else None
    exog = design if labelled else design.to_numpy()
    result = _fit_statsmodels(y, exog, estimator, se, groups, w)
    return _Estimates(outcome, covariates, spec, result, design, df, rows, scale_table, w, groups,
                      n_dropped, n_complete, dropped_levels)  # fmt: skip


def _tables(fit: _Estimates) -> ModelFit:
    """The tidy tables of a fitted model, with the fit."""
    coefficients, ame = frames(fit)
    return ModelFit(
        coefficients=coefficients,
        marginal_effects=ame,
        scales=fit.scale_table,
        n=fit.n,
        n_dropped=fit.n_dropped,
        dropped_levels=tuple(fit.dropped_levels),
        n_fe_dropped=fit.n_complete - fit.n,
        converged=fit.converged,
        result=fit.result,
        design=fit.design,
        sample=fit.sample,
    )


def fit_adoption_model(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    spec: ModelSpec | None = None,
    **choices,
) -> ModelFit:
    """Cross-sectional adoption model for one snapshot (one row per county).

    ``spec`` (default :class:`ModelSpec`: logit, state-clustered) with ``choices`` applied:
    any :class:`ModelSpec` field, and ``state_fe=True`` for dummies of the state column
    (reference: first state alphabetically). Binary GLMs with state FE drop states where
    every county (or none) adopted, which are listed in ``dropped_levels`` (use the LPM to
    keep them). Covariates are z-scored on the analysis sample (every complete row passed
    in) by default, so coefficients are per SD. ``marginal_effects`` holds average marginal
    effects (probability per SD).
    See :func:`fit_binary_model` for details.
    """
    return fit_binary_model(df, outcome, covariates, ModelSpec.of(spec, **choices))


@dataclass(frozen=True)
class ModelGrid:
    """Stacked tidy tables of several models (one block of rows per model)."""

    coefficients: pd.DataFrame
    marginal_effects: pd.DataFrame


def fit_adoption_models(
    df: pd.DataFrame,
    outcomes: Sequence[str],
    covariates: Sequence[str],
    *,
    estimators: Sequence[str] = ("logit", "lpm"),
    se_types: Sequence[str] = ("robust", "cluster"),
    state_fe: Sequence[bool] = (False, True),
    weights: Sequence[str | None] = (None,),
    spec: ModelSpec | None = None,
) -> ModelGrid:
    """Every combination of outcome x estimator x standard error x state FE x weights, each
    ``spec`` (default :class:`ModelSpec`) with those choices, fitted with
    :func:`fit_adoption_model` and stacked (columns as in ``ModelFit`` tables)."""
    coefficients, effects, arrays = [], [], FrameArrays(df)
    for outcome, estimator, se, fe, weight in itertools.product(
        outcomes, estimators, se_types, state_fe, weights
    ):
        choice = ModelSpec.of(spec, estimator=estimator, se=se, weights=weight, state_fe=fe)
        values = values_of(_estimate(df, outcome, covariates, choice, arrays))
        coefficients.append(values[0])
        effects.append(values[1])
    return ModelGrid(
        coefficients=stacked(coefficients, COEFFICIENT_COLUMNS),
        marginal_effects=stacked(effects, MARGINAL_EFFECT_COLUMNS),
    )


def sample_effects(
    samples: Mapping[str, pd.DataFrame],
    outcome: str,
    covariates: Sequence[str],
    **grid: Any,
) -> pd.DataFrame:
    """The marginal effects of :func:`fit_adoption_models` (``grid``: its keyword choices) on
    each named sample, stacked with ``sample`` (the name) and ``adopted`` (counties with the
    outcome in it): the robustness table of a model across samples."""
    frames = [
        fit_adoption_models(frame, [outcome], covariates, **grid).marginal_effects.assign(
            sample=label, adopted=int(frame[outcome].sum())
        )
        for label, frame in samples.items()
    ]
    return pd.concat(frames, ignore_index=True)
