"""Inference for terms that vary at the state level, when few states carry them.

A state mandate or prohibition is a state-level treatment. With state-clustered errors the
usable information is the number of *treated* states, not the number of counties: with state
fixed effects only the states whose law switches on inside the window identify the term (two,
Arkansas and Texas, for the mandates). Conventional cluster-robust (CRV1) tests then reject far
too often. This module gives, beside the CRV1 result of a linear-probability fit (pyfixest's
``feols``, the Python port of R's fixest):

- :func:`wild_cluster_bootstrap`: the wild cluster *restricted* bootstrap (WCR, the null
  imposed) of pyfixest/``wildboottest``, with Webb's six-point weights when the clusters, or
  the clusters that carry the term, are few (:func:`bootstrap_weights`), Rademacher otherwise;
- :func:`randomization_inference`: the real laws' schedules (their switch months) reassigned to
  randomly drawn states, the model refitted, and the observed CRV1 t-statistic compared with
  the draws (randomization-t). pyfixest's own ``Feols.ritest(cluster=...)`` is not used: it
  draws each cluster's value of the term independently from the values seen (0 or 1, constant
  within the cluster), which both erases the switch month of a time-varying state law and
  changes the number of treated states from draw to draw; this design keeps both fixed;
- :func:`placebo_size`: placebo laws with the real switch months given to random states
  without a real law, and the share of draws in which the conventional CRV1 test rejects at
  ``alpha``: the size of that test measured on this design;
- :func:`county_term_inference`: the LPM of a county outcome on standardized covariates, with
  CRV1 and WCR p-values per term.

Randomness comes only from ``seed`` arguments; the draws are reproducible.

Speed: a randomization or placebo draw changes one column of the fit, so the draws are not
refitted with pyfixest but computed exactly by Frisch-Waugh-Lovell, all at once
(:mod:`analysis.stats.fwl`; pyfixest refits remain the fallback when pyfixest dropped
singleton rows or collinear regressors), and the WCR bootstrap is wildboottest's computation
vectorised, with the design built once per fit (:mod:`analysis.stats.wcr`). Both give
pyfixest's numbers to rounding.
"""

from __future__ import annotations

import dataclasses
import warnings
import weakref
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyfixest as pf

from analysis.stats._common import (
    binary_outcome,
    complete_cases,
    require_columns,
    resolve_scales,
    standardization_scales,
    unique_columns,
    wilson_interval,
)
from analysis.stats.fwl import FixedEffects, OneColumnRefits
from analysis.stats.fwl_draws import StateDrawRefits
from analysis.stats.panel import add_state_period_indicator, to_months
from analysis.stats.wcr import wild_bootstrap_p

#: At or below this many clusters (or clusters carrying the term) the bootstrap uses Webb's
#: six-point weights: Rademacher weights give only 2^G distinct draws, too few to resolve a
#: p-value when G is small (Webb 2023, "Reworking wild bootstrap-based inference for
#: clustered errors", Canadian Journal of Economics).
FEW_CLUSTERS = 12
_CLUSTER = "_cluster"
# The fixed-effects projection of a fit, shared by its randomization and placebo draws.
_FIXED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class LPMFit:
    """A linear-probability fit and what it was fitted on.

    ``model``: the pyfixest ``Feols``; ``sample``: the estimation rows (the original columns,
    standardized terms replaced by their z-scores, ``_cluster`` integer codes);
    ``n_dropped``: rows left out for a missing or infinite value; ``scales``: the (mean, sd)
    each standardized term was z-scored with."""

    model: object
    sample: pd.DataFrame
    outcome: str
    terms: tuple[str, ...]
    fixed_effects: tuple[str, ...]
    cluster: str
    alpha: float
    n_dropped: int
    scales: pd.DataFrame

    @property
    def n_clusters(self) -> int:
        return int(self.sample[_CLUSTER].nunique())

    def term_row(self, term: str) -> dict[str, float]:
        """Estimate, CRV1 standard error, t, p (t with G - 1 df) and interval of ``term``."""
        if term not in self.model.coef().index:
            raise KeyError(
                f"{term!r} is not among the estimated terms {list(self.model.coef().index)}"
            )
        tidy = self.model.tidy(alpha=self.alpha).loc[term]
        return {
            "estimate": float(tidy["Estimate"]),
            "std_error": float(tidy["Std. Error"]),
            "t_value": float(tidy["t value"]),
            "p_value": float(tidy["Pr(>|t|)"]),
            "ci_low": float(tidy.iloc[4]),
            "ci_high": float(tidy.iloc[5]),
        }


def _formula(outcome: str, terms: Sequence[str], fixed_effects: Sequence[str]) -> str:
    rhs = " + ".join(terms)
    return f"{outcome} ~ {rhs}" + (f" | {' + '.join(fixed_effects)}" if fixed_effects else "")


def _frame(sample: pd.DataFrame, outcome, terms, fixed_effects) -> pd.DataFrame:
    """Only the columns pyfixest needs, fixed effects as text (monthly periods included)."""
    frame = sample[unique_columns([outcome, *terms, *fixed_effects, _CLUSTER])]
    return frame.assign(**{fe: frame[fe].astype(str) for fe in fixed_effects})


def _feols(sample, outcome, terms, fixed_effects):
    with warnings.catch_warnings():
        # pyfixest 0.60 calls pandas methods with ``inplace=`` that pandas 3 deprecates.
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        # A one-county state (DC) is a singleton under state effects: pyfixest drops it, as
        # it carries no within-state information and leaves every other estimate unchanged.
        warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
        return pf.feols(
            _formula(outcome, terms, fixed_effects),
            data=_frame(sample, outcome, terms, fixed_effects),
            vcov={"CRV1": _CLUSTER},
        )


def fit_lpm(
    data: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    fixed_effects: Sequence[str] = (),
    cluster: str = "state",
    standardize: Sequence[str] = (),
    scales: pd.DataFrame | Mapping[str, tuple[float, float]] | None = None,
    alpha: float = 0.05,
) -> LPMFit:
    """Linear-probability model of the 0/1 ``outcome`` on ``terms`` with ``fixed_effects``
    (column names, e.g. ``("month", "state")``) and CRV1 errors clustered by ``cluster``.

    The terms named in ``standardize`` are z-scored with ``scales`` (a table from
    :func:`analysis.stats.standardization_scales` or a mapping name -> (mean, sd)), else over
    the estimation rows. Rows missing any used column are left out and counted."""
    terms = list(terms)
    if not terms:
        raise ValueError("fit_lpm needs at least one term")
    used = unique_columns([outcome, *terms, *fixed_effects, cluster])
    require_columns(data, used, "the LPM data")
    sample, n_dropped = complete_cases(data, used)
    if sample.empty:
        raise ValueError(f"no row of the LPM data is complete on {used}")
    binary_outcome(sample[outcome], outcome)
    chosen = resolve_scales(sample, terms, list(standardize), scales)
    z = {r.covariate: (sample[r.covariate] - r.mean) / r.sd for r in chosen.itertuples()}
    codes = pd.factorize(sample[cluster].astype(str), sort=True)[0]
    sample = sample.assign(**z, **{_CLUSTER: codes}).reset_index(drop=True)
    model = _feols(sample, outcome, terms, fixed_effects)
    return LPMFit(model, sample, outcome, tuple(terms), tuple(fixed_effects), cluster, alpha,
                  n_dropped, chosen)  # fmt: skip


def bootstrap_weights(n_clusters: int, n_treated: int | None = None) -> str:
    """ "webb" when the clusters (or the clusters carrying the term, ``n_treated``) number at
    most :data:`FEW_CLUSTERS`, else "rademacher"."""
    few = min(n_clusters, n_clusters if n_treated is None else n_treated)
    return "webb" if few <= FEW_CLUSTERS else "rademacher"


def treated_clusters(fit: LPMFit, term: str) -> list[str]:
    """The clusters that carry ``term``: with a fixed effect for the cluster variable, those
    in which the term varies (the only ones that identify it); otherwise those in which it is
    ever non-zero."""
    if fit.cluster in fit.fixed_effects:
        carrying = fit.sample.groupby(fit.cluster)[term].nunique() > 1
    else:
        carrying = fit.sample[term].ne(0).groupby(fit.sample[fit.cluster]).any()
    return sorted(str(s) for s in carrying[carrying].index)


def wild_cluster_bootstrap(
    fit: LPMFit, term: str, *, reps: int = 999, seed: int, weights: str = "auto"
) -> dict[str, object]:
    """Two-sided p-value of ``term = 0`` from pyfixest's wild cluster restricted bootstrap
    (WCR-11: the null imposed, CRV1 t-statistic bootstrapped, clustered by the fit's cluster).

    ``weights``: "webb", "rademacher" or "auto" (:func:`bootstrap_weights` on the number of
    clusters and of clusters carrying the term). Returns ``p_value``, ``weights``, ``method``
    and ``reps``."""
    if weights == "auto":
        weights = bootstrap_weights(fit.n_clusters, len(treated_clusters(fit, term)))
    p_value = wild_bootstrap_p(fit.model, term, cluster=_CLUSTER, reps=reps, seed=seed,
                               weights=weights)  # fmt: skip
    method = (
        f"wild cluster restricted bootstrap (null imposed), {weights.capitalize()} weights, "
        f"{reps} reps, clustered by {fit.cluster} (pyfixest/wildboottest)"
    )
    return {"p_value": p_value, "weights": weights, "method": method,
            "reps": reps}  # fmt: skip


def _schedules(schedules: pd.DataFrame) -> pd.DataFrame:
    require_columns(schedules, ["state", "start_month"], "schedules")
    if schedules.empty:
        raise ValueError("schedules is empty: there is no state-level term to reassign")
    return schedules.reset_index(drop=True)


def _assigned(fit, schedules, states, name, month_col):
    periods = schedules.assign(state=list(states))
    return add_state_period_indicator(fit.sample, periods, name, month_col=month_col)


def _t_of(fit: LPMFit, sample, terms, term) -> tuple[float, float]:
    """The refitted (coefficient, CRV1 t) of ``term``; NaN when the fixed effects absorb it."""
    model = _feols(sample, fit.outcome, terms, fit.fixed_effects)
    if term not in model.coef().index:
        return float("nan"), float("nan")
    return float(model.coef()[term]), float(model.tstat()[term])


def _placebo_p(fit: LPMFit, sample) -> float:
    model = _feols(sample, fit.outcome, [*fit.terms, "placebo"], fit.fixed_effects)
    return model.pvalue()["placebo"] if "placebo" in model.coef().index else np.nan


def _refits(fit: LPMFit, position: int, controls: list[str], extra: int):
    """The exact FWL refits of one column of ``fit``'s model (:class:`OneColumnRefits`), or
    None when pyfixest dropped rows (singletons) or regressors (collinearity): then the draws
    are refitted with pyfixest."""
    model = fit.model
    if len(fit.sample) != model._N or list(model._collin_vars):
        return None
    fe = _FIXED.get(model)
    if fe is None:
        codes = [pd.factorize(fit.sample[f].astype(str))[0] for f in fit.fixed_effects]
        fe = _FIXED[model] = FixedEffects(codes or [np.zeros(len(fit.sample), dtype=int)])
    return OneColumnRefits(fit.sample[fit.outcome].to_numpy(dtype=float),
                           fit.sample[controls].to_numpy(dtype=float), fe,
                           fit.sample[_CLUSTER].to_numpy(), position=position,
                           df_k=int(model._df_k) + extra)  # fmt: skip


def _active(fit: LPMFit, schedules: pd.DataFrame, month_col: str) -> list[np.ndarray]:
    """Per schedule, the rows of ``fit.sample`` whose month it is in force (0/1 floats)."""
    month = fit.sample[month_col]
    ordinal = (month.dt.year * 12 + month.dt.month).to_numpy()
    end = (
        schedules["end_month"]
        if "end_month" in schedules
        else pd.Series(pd.NaT, index=schedules.index)
    )
    active = []
    for start, stop in zip(to_months(schedules["start_month"]), to_months(end), strict=True):
        on = ordinal >= start.year * 12 + start.month
        if not pd.isna(stop):
            on &= ordinal <= stop.year * 12 + stop.month
        active.append(on.astype(float))
    return active


def _state_draws(fit: LPMFit, refits, schedules, month_col, observed=None):
    """The draws' refits from per-state sums (:class:`StateDrawRefits`), or None when a state
    spans clusters or the real schedules do not rebuild the ``observed`` column (then every
    draw is projected as a column, :meth:`OneColumnRefits.fit`)."""
    if refits is None:
        return None
    states = fit.sample["state"].astype(str).to_numpy()
    if observed is not None:
        rebuilt = _draw_columns(fit, schedules, [list(schedules["state"])], month_col)[:, 0]
        if not np.array_equal(rebuilt, fit.sample[observed].to_numpy(dtype=float)):
            return None
    try:
        return StateDrawRefits(refits, states, _active(fit, schedules, month_col))
    except ValueError:
        return None


def _draw_columns(fit: LPMFit, schedules: pd.DataFrame, drawn, month_col: str) -> np.ndarray:
    """The indicator of each draw (n x draws): row i is 1 when its state was given schedule j
    and schedule j is in force in its month (as :func:`add_state_period_indicator`)."""
    sample = fit.sample
    active = _active(fit, schedules, month_col)
    rows = sample.groupby(sample["state"].astype(str)).indices
    columns = np.zeros((len(drawn), len(sample)))
    for i, states in enumerate(drawn):
        for j, state in enumerate(states):
            at = rows.get(str(state))
            if at is not None:
                columns[i, at] = active[j][at]
    return columns.T


def _ri_p(observed: float, draws: np.ndarray) -> float:
    valid = draws[np.isfinite(draws)]
    return (1 + int((np.abs(valid) >= abs(observed) - 1e-12).sum())) / (1 + valid.size)


def randomization_inference(
    fit: LPMFit,
    term: str,
    schedules: pd.DataFrame,
    *,
    reps: int = 200,
    seed: int,
    month_col: str = "month",
) -> dict[str, object]:
    """Randomization-t p-value of ``term`` over states.

    Each draw gives the real laws' schedules (``schedules``: one row per state with
    ``start_month`` and optionally ``end_month``) to as many distinct states drawn at random
    from the fit's states, rebuilds ``term`` from them, refits the same model and keeps the
    CRV1 t-statistic (``p_value``; ``p_value_coef`` compares the coefficient instead).
    p = (1 + #draws with |t| >= |t observed|) / (1 + valid draws); a draw
    whose term is absorbed by the fixed effects has no t and is counted in ``n_invalid``."""
    schedules = _schedules(schedules)
    observed = fit.term_row(term)
    states = np.array(sorted(fit.sample[fit.cluster].astype(str).unique()))
    if len(schedules) > len(states):
        raise ValueError(f"{len(schedules)} schedules but only {len(states)} states to draw")
    rng = np.random.default_rng(seed)
    drawn = [rng.choice(states, size=len(schedules), replace=False) for _ in range(reps)]
    refits = _refits(fit, fit.terms.index(term), [t for t in fit.terms if t != term], 0)
    if refits is None:
        draws = np.array([_t_of(fit, _assigned(fit, schedules, s, term, month_col), fit.terms,
                                term) for s in drawn]).reshape(reps, 2)  # fmt: skip
        observed_stat = observed["estimate"], observed["t_value"]
    else:
        fast = _state_draws(fit, refits, schedules, month_col, observed=term)
        if fast is None:
            draws = np.column_stack(refits.fit(_draw_columns(fit, schedules, drawn, month_col)))
            coef, t = refits.fit(fit.sample[term].to_numpy())
        else:
            draws = np.column_stack(fast.fit(drawn))
            coef, t = fast.fit([list(schedules["state"])])
        # The observed statistics on the same exact path, so that a draw reproducing the
        # observed column ties with it exactly.
        observed_stat = float(coef[0]), float(t[0])
    n_valid = int(np.isfinite(draws[:, 1]).sum())
    if n_valid == 0:
        raise ValueError(f"no randomization draw identified {term!r}")
    method = (
        f"randomization inference over states (randomization-t): the {len(schedules)} real "
        f"schedules (switch months) given to random states, CRV1 t compared, {reps} draws "
        + ("(pyfixest refits)" if refits is None else "(exact Frisch-Waugh-Lovell refits)")
    )
    return {"p_value": _ri_p(observed_stat[1], draws[:, 1]),
            "p_value_coef": _ri_p(observed_stat[0], draws[:, 0]), "method": method,
            "reps": reps, "n_invalid": reps - n_valid, "t_observed": observed["t_value"],
            "draws": draws}  # fmt: skip


def placebo_size(
    fit: LPMFit,
    schedules: pd.DataFrame,
    *,
    draws: int = 200,
    seed: int,
    alpha: float = 0.05,
    exclude: Sequence[str] = (),
    month_col: str = "month",
) -> dict[str, object]:
    """Rejection rate at ``alpha`` of the conventional CRV1 test of a placebo law.

    Each draw gives the real schedules to distinct random states outside ``exclude`` (the
    states with a real law), adds the placebo to the fit's terms, refits and records whether
    its CRV1 p-value is below ``alpha``. Returns ``rejection_rate`` with its Wilson interval
    (``ci_low``, ``ci_high``), ``n_rejected``, ``n_valid`` (draws whose placebo was not
    absorbed by the fixed effects), ``draws``, ``alpha`` and ``method``."""
    schedules = _schedules(schedules)
    states = np.array(sorted(set(fit.sample[fit.cluster].astype(str).unique()) - set(exclude)))
    if len(schedules) > len(states):
        raise ValueError(f"{len(schedules)} schedules but only {len(states)} placebo states")
    rng = np.random.default_rng(seed)
    drawn = [rng.choice(states, size=len(schedules), replace=False) for _ in range(draws)]
    refits = _refits(fit, len(fit.terms), list(fit.terms), 1)
    if refits is None:
        p_values = np.array([_placebo_p(fit, _assigned(fit, schedules, s, "placebo", month_col))
                             for s in drawn])  # fmt: skip
    else:
        fast = _state_draws(fit, refits, schedules, month_col)
        if fast is None:
            t = refits.fit(_draw_columns(fit, schedules, drawn, month_col))[1]
        else:
            t = fast.fit(drawn)[1]
        p_values = refits.p_values(t)
    valid = p_values[np.isfinite(p_values)]
    if valid.size == 0:
        raise ValueError("no placebo draw was identified")
    rejected = int((valid < alpha).sum())
    low, high = wilson_interval(np.array([rejected]), np.array([valid.size]), 0.05)
    method = (
        f"placebo laws with the {len(schedules)} real switch months given to random states "
        f"without a real law; CRV1 test at {alpha:.0%}, {draws} draws"
    )
    return {"rejection_rate": rejected / valid.size, "ci_low": float(low[0]),
            "ci_high": float(high[0]), "n_rejected": rejected, "n_valid": int(valid.size),
            "draws": draws, "alpha": alpha, "method": method}  # fmt: skip


def crv1_method(fit: LPMFit) -> str:
    return f"LPM, CRV1 clustered by {fit.cluster} ({fit.n_clusters} clusters, t with G - 1 df)"


def state_term_inference(
    fit: LPMFit,
    term: str,
    schedules: pd.DataFrame,
    *,
    model: str,
    reps: int = 999,
    ri_reps: int = 200,
    seed: int,
) -> dict[str, object]:
    """One row of the few-cluster table for the state-level ``term`` of ``fit``: the CRV1
    estimate, interval and p, the WCR p (:func:`wild_cluster_bootstrap`), the RI p
    (:func:`randomization_inference`), the clusters and the treated (with the cluster's fixed
    effect: switching) clusters. A term no cluster carries is not identified: the row says so
    and has no estimate."""
    treated = treated_clusters(fit, term)
    row: dict[str, object] = {"term": term, "model": model, "estimator": "LPM (feols)"}
    base = {"n": len(fit.sample), "n_clusters": fit.n_clusters,
            "n_treated_clusters": len(treated), "treated_clusters": ", ".join(treated),
            "reps": reps, "ri_reps": ri_reps, "seed": seed}  # fmt: skip
    if not treated or term not in fit.model.coef().index:
        missing = dict.fromkeys(["estimate", "std_error", "ci_low", "ci_high", "p_value",
                                 "p_value_few_cluster", "p_value_ri", "p_value_ri_coef"],
                                np.nan)  # fmt: skip
        why = f"not identified: no {fit.cluster} in which {term} varies"
        return {**row, **missing, "method": why, "method_few_cluster": why, "method_ri": why,
                **base}  # fmt: skip
    conv = fit.term_row(term)
    wcr = wild_cluster_bootstrap(fit, term, reps=reps, seed=seed)
    ri = randomization_inference(fit, term, schedules, reps=ri_reps, seed=seed)
    return {**row, **{k: conv[k] for k in ("estimate", "std_error", "ci_low", "ci_high",
                                           "p_value")},
            "method": crv1_method(fit), "p_value_few_cluster": wcr["p_value"],
            "method_few_cluster": wcr["method"], "p_value_ri": ri["p_value"],
            "method_ri": ri["method"], "p_value_ri_coef": ri["p_value_coef"],
            "ri_invalid_draws": ri["n_invalid"], **base}  # fmt: skip


def county_term_inference(
    counties: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    state_fe: bool,
    reps: int = 999,
    seed: int,
    scales: pd.DataFrame | Mapping[str, tuple[float, float]] | None = None,
    cluster: str = "state",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """LPM of the 0/1 county ``outcome`` on the standardized ``terms`` (optionally with state
    fixed effects), CRV1 errors by state and a WCR p-value per term.

    ``scales``: term -> (mean, sd) (or a :func:`standardization_scales` table) computed over
    ALL counties, so every z-score is on one scale whatever rows the fit keeps; None computes
    them over ``counties``. One row per term: ``estimate`` (probability per SD), ``ci_low``,
    ``ci_high``, ``p_value`` and ``method`` (CRV1), ``p_value_few_cluster`` and
    ``method_few_cluster`` (WCR), ``n``, ``n_dropped``, ``n_clusters``, ``reps``, ``seed``."""
    terms = list(terms)
    if scales is None:
        scales = standardization_scales(counties, terms)
    fit = fit_lpm(counties, outcome, terms, fixed_effects=["state"] if state_fe else [],
                  cluster=cluster, standardize=terms, scales=scales, alpha=alpha)  # fmt: skip
    rows = []
    for i, term in enumerate(terms):
        conv = fit.term_row(term)
        wcr = wild_cluster_bootstrap(fit, term, reps=reps, seed=seed + i)
        rows.append({"term": term, "model": "LPM, state effects" if state_fe else "LPM, pooled",
                     "estimate": conv["estimate"], "unit": "probability per SD",
                     "ci_low": conv["ci_low"], "ci_high": conv["ci_high"],
                     "p_value": conv["p_value"], "method": crv1_method(fit),
                     "p_value_few_cluster": wcr["p_value"],
                     "method_few_cluster": wcr["method"], "n": len(fit.sample),
                     "n_dropped": fit.n_dropped, "n_clusters": fit.n_clusters, "reps": reps,
                     "seed": seed + i})  # fmt: skip
    return pd.DataFrame(rows)
