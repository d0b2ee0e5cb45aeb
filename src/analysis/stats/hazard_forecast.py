"""Forecasts from a discrete-time hazard: fit on a unit x month risk set, extrapolate the
probability of an event by a horizon, with parametric-bootstrap intervals.

The model is a complementary log-log GLM with one baseline level per *period* (a few named
stretches of calendar time, e.g. before and after a law) and covariates. A unit still at risk
after the data has, for each of ``k`` further months in the last period, hazard
``h = 1 - exp(-exp(eta))`` and probability ``1 - (1 - h) ** k`` of the event by the horizon.
Intervals come from coefficient vectors drawn from their estimated normal distribution
(mean and cluster-robust covariance), with a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from analysis.stats._common import complete_cases, require_columns


@dataclass(frozen=True)
class HazardFit:
    """``params`` and ``cov`` over ``names`` (the period levels ``period[<p>]`` then the
    terms), ``periods`` in order, the rows used and the events."""

    params: pd.Series
    cov: pd.DataFrame
    periods: tuple[str, ...]
    terms: tuple[str, ...]
    n: int
    n_events: int

    def table(self) -> pd.DataFrame:
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        return pd.DataFrame(
            {"term": self.params.index, "estimate": self.params.to_numpy(), "std_error": se}
        ).assign(hazard_ratio=lambda d: np.exp(d.estimate))


def _design(frame: pd.DataFrame, period: str, periods: Sequence[str], terms: Sequence[str]):
    unknown = sorted(set(frame[period]) - set(periods))
    if unknown:
        raise ValueError(f"{period} has values {unknown} outside the periods {list(periods)}")
    dummies = pd.DataFrame(
        {f"period[{p}]": (frame[period] == p).astype(float).to_numpy() for p in periods}
    )
    x = frame[list(terms)].astype(float).reset_index(drop=True)
    return pd.concat([dummies, x], axis=1)


def fit_period_hazard(
    panel: pd.DataFrame,
    terms: Sequence[str],
    *,
    period: str = "period",
    periods: Sequence[str] | None = None,
    event: str = "event",
    cluster: str | None = "fips",
) -> HazardFit:
    """Cloglog hazard of ``event`` on period levels and ``terms`` (covariance clustered by
    ``cluster``, HC0 without). ``periods`` (default: the values seen, in order of appearance)
    must each hold at least one event, or its level is not estimable."""
    require_columns(panel, [event, period, *terms] + ([cluster] if cluster else []), "panel")
    data, _ = complete_cases(panel, [event, period, *terms])
    periods = tuple(periods or pd.unique(data[period]))
    empty = [p for p in periods if data.loc[data[period] == p, event].sum() == 0]
    if empty:
        raise ValueError(f"no event in the period(s) {empty}: their baseline is not estimable")
    x = _design(data, period, periods, terms)
    y = data[event].astype(float).to_numpy()
    family = families.Binomial(link=families.links.CLogLog())
    model = GLM(y, x, family=family)
    if cluster:
        groups = pd.factorize(data[cluster].astype(str), sort=True)[0]
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    else:
        res = model.fit(cov_type="HC0")
    names = list(x.columns)
    return HazardFit(
        params=pd.Series(np.asarray(res.params), index=names),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=names, columns=names),
        periods=periods,
        terms=tuple(terms),
        n=len(data),
        n_events=int(y.sum()),
    )


def probability_by_horizon(
    fit: HazardFit, units: pd.DataFrame, months: int, *, period: str | None = None, params=None
) -> np.ndarray:
    """Probability that each unit of ``units`` (one row per unit at risk, with the terms) has
    the event within ``months`` further months of ``period`` (default: the last period).
    ``params`` (an array over ``fit.params``' names, or 2-D: one row per draw) replaces the
    estimates; with 2-D params the result is draws x units."""
    if months < 0:
        raise ValueError(f"months must be >= 0, not {months}")
    period = period or fit.periods[-1]
    if period not in fit.periods:
        raise ValueError(f"unknown period {period!r}; the fit has {list(fit.periods)}")
    x = units[list(fit.terms)].astype(float).to_numpy()
    if np.isnan(x).any():
        raise ValueError("units have missing covariates: no forecast for them")
    theta = np.atleast_2d(fit.params.to_numpy() if params is None else np.asarray(params))
    base = theta[:, fit.periods.index(period)]
    eta = base[:, None] + theta[:, len(fit.periods) :] @ x.T
    survive_month = np.exp(-np.exp(eta))
    prob = 1 - survive_month**months
    return prob[0] if params is None or np.ndim(params) == 1 else prob


def coefficient_draws(fit: HazardFit, draws: int, seed: int) -> np.ndarray:
    """``draws`` coefficient vectors from N(params, cov) (a parametric bootstrap)."""
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(fit.params.to_numpy(), fit.cov.to_numpy(), size=draws)


def simulate_period_hazard(
    n_units: int,
    periods: Sequence[tuple[str, int, float]],
    beta: Sequence[float],
    *,
    seed: int,
) -> pd.DataFrame:
    """A unit x month risk set from a known cloglog hazard, for tests: ``periods`` is a list of
    (name, months, baseline log-log level); covariates ``x0``, ``x1``, ... are standard
    normal with coefficients ``beta``. Returns ``fips``, ``month`` (0, 1, ...), ``period``,
    ``event``, the covariates, ``true_hazard``; units leave at their event."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_units, len(beta)))
    lin = x @ np.asarray(beta, dtype=float)
    rows = []
    at_risk = np.ones(n_units, dtype=bool)
    month = 0
    for name, length, level in periods:
        for _ in range(length):
            h = 1 - np.exp(-np.exp(level + lin))
            ev = rng.random(n_units) < h
            idx = np.flatnonzero(at_risk)
            rows.append(
                pd.DataFrame(
                    {
                        "fips": idx.astype(str),
                        "month": month,
                        "period": name,
                        "event": ev[idx].astype(int),
                        "true_hazard": h[idx],
                        **{f"x{j}": x[idx, j] for j in range(len(beta))},
                    }
                )
            )
            at_risk &= ~ev
            month += 1
    return pd.concat(rows, ignore_index=True)
