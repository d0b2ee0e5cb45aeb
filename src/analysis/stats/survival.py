"""Kaplan-Meier adoption curves for monthly discrete time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._common import complete_cases, z_critical

KM_COLUMNS = [
    "grouping",
    "group",
    "time",
    "n_at_risk",
    "n_events",
    "n_censored",
    "survival",
    "std_error",
    "ci_low",
    "ci_high",
    "cumulative_adoption",
    "adoption_ci_low",
    "adoption_ci_high",
    "n",
    "n_dropped",
]
CONF_TYPES = ("log-log", "linear")


def _product_limit(time: np.ndarray, event: np.ndarray, grid: np.ndarray, alpha, conf_type):
    at_risk = (time[None, :] >= grid[:, None]).sum(axis=1)
    events = ((time[None, :] == grid[:, None]) & (event[None, :] == 1)).sum(axis=1)
    censored = ((time[None, :] == grid[:, None]) & (event[None, :] == 0)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / at_risk, 0.0)
        survival = np.cumprod(1 - hazard)
        # Greenwood: Var S(t) = S(t)^2 sum_{j<=t} d_j / (n_j (n_j - d_j))
        greenwood = np.cumsum(np.where(at_risk > 0, events / (at_risk * (at_risk - events)), 0.0))
        std_error = survival * np.sqrt(greenwood)
        z = z_critical(alpha)
        if conf_type == "linear":
            low, high = survival - z * std_error, survival + z * std_error
        else:
            # Interval for log(-log S), mapped back (stays inside [0, 1]).
            log_log = np.log(-np.log(survival))
            half = z * np.sqrt(greenwood) / np.abs(np.log(survival))
            low, high = np.exp(-np.exp(log_log + half)), np.exp(-np.exp(log_log - half))
            low = np.where(greenwood == 0, survival, low)
            high = np.where(greenwood == 0, survival, high)
    return {
        "time": grid,
        "n_at_risk": at_risk,
        "n_events": events,
        "n_censored": censored,
        "survival": survival,
        "std_error": std_error,
        "ci_low": np.clip(low, 0, 1),
        "ci_high": np.clip(high, 0, 1),
    }


def kaplan_meier(
    durations: pd.DataFrame,
    *,
    time: str = "time",
    event: str = "event",
    group: str | None = None,
    group_order: Sequence | None = None,
    alpha: float = 0.05,
    conf_type: str = "log-log",
) -> pd.DataFrame:
    """Product-limit estimate of the share not yet adopted, by month, overall or by ``group``.

    ``durations``: one row per county with an integer month index ``time`` (the month of
    adoption, or of censoring) and ``event`` (1 adopted, 0 censored), e.g.
    :func:`analysis.stats.panel.adoption_durations` (prevalent counties have no ``time`` and
    are dropped with the other incomplete rows; ``n_dropped`` counts them).
    Within a month, censored counties are at risk (censoring follows events).

    One row per group and month from 0 to the last observed month, including months without
    events: ``grouping`` (the group column's name, or "all"), ``group``, ``time``,
    ``n_at_risk``, ``n_events``, ``n_censored``, ``survival`` S(t) = share not adopted by the
    end of month t, ``std_error`` (Greenwood), ``ci_low/ci_high`` (``conf_type="log-log"``
    default, or ``"linear"``), ``cumulative_adoption`` = 1 - S(t) with its interval
    ``adoption_ci_low/high``, and the group's ``n`` and the table's ``n_dropped``.
    Group order follows ``group_order``, else a categorical's order, else sorted values.
    """
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, not {conf_type!r}")
    sample, n_dropped = complete_cases(durations, [time, event, group])
    times = sample[time].to_numpy(dtype=float)
    if (times < 0).any() or (times != np.round(times)).any():
        raise ValueError(f"{time!r} must hold whole months >= 0")
    events = sample[event].to_numpy(dtype=int)
    grid = np.arange(0, int(times.max()) + 1 if times.size else 0)
    if group is None:
        labels, levels = np.zeros(len(sample), dtype=int), ["all"]
    else:
        values = sample[group]
        if group_order is not None:
            levels = list(group_order)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            levels = [c for c in values.cat.categories if (values == c).any()]
        else:
            levels = sorted(values.unique())
        labels = np.full(len(sample), -1)
        for k, level in enumerate(levels):
            labels[(values == level).to_numpy()] = k
    frames = []
    for k, level in enumerate(levels):
        chosen = labels == k
        curve = _product_limit(times[chosen], events[chosen], grid, alpha, conf_type)
        frame = pd.DataFrame(curve).assign(group=level, n=int(chosen.sum()))
        frames.append(frame[frame.n_at_risk > 0])
    table = pd.concat(frames, ignore_index=True).assign(
        grouping=group or "all",
        cumulative_adoption=lambda d: 1 - d.survival,
        adoption_ci_low=lambda d: 1 - d.ci_high,
        adoption_ci_high=lambda d: 1 - d.ci_low,
        n_dropped=n_dropped,
    )
    return table[KM_COLUMNS]


def quantile_groups(
    values: pd.Series, q: int = 3, labels: Sequence[str] | None = None
) -> pd.Series:
    """Quantile groups of a covariate (terciles by default) as an ordered categorical, e.g.
    partisanship terciles for :func:`kaplan_meier`; missing values stay missing."""
    if labels is None:
        labels = {3: ["low", "middle", "high"]}.get(q, [f"q{k + 1}" for k in range(q)])
    return pd.qcut(values, q=q, labels=list(labels))
