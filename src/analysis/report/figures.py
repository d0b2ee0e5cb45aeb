"""Figures from the tidy tables of :mod:`analysis.stats`; each returns a matplotlib Figure.

Deterministic: no randomness, and group colours follow the order passed in (Okabe-Ito
palette), never the order rows happen to arrive in.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report import style

# Okabe-Ito, colour-blind safe; group k gets colour k of the order given.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _order(values: pd.Series, order: Sequence | None) -> list:
    if order is not None:
        return list(order)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (values == c).any()]
    return list(dict.fromkeys(values))


def forest_plot(
    table: pd.DataFrame,
    *,
    label: str = "term",
    estimate: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    group: str | None = None,
    group_order: Sequence | None = None,
    reference: float | None = 0.0,
    xlabel: str = "estimate (95% CI)",
    ax=None,
):
    """Point estimates with interval bars, one row per ``label`` (top to bottom in table
    order); with ``group``, estimates of the same label are offset and coloured by group
    (e.g. standardized effects by outcome, or pooled vs within-state)."""
    labels = list(dict.fromkeys(table[label]))
    groups = _order(table[group], group_order) if group else [None]
    fig, ax = _axes(ax, (7, 0.35 * len(labels) * max(1, len(groups)) ** 0.5 + 1.2))
    step = 0.7 / max(1, len(groups))
    for k, level in enumerate(groups):
        rows = table if level is None else table[table[group] == level]
        y = np.array([labels.index(v) for v in rows[label]], dtype=float)
        y = y + (k - (len(groups) - 1) / 2) * step
        est = rows[estimate].to_numpy(dtype=float)
        err = np.vstack([est - rows[low].to_numpy(float), rows[high].to_numpy(float) - est])
        color = style.NEUTRAL if level is None else PALETTE[k % len(PALETTE)]
        ax.errorbar(est, y, xerr=err, fmt="o", color=color, ms=4, capsize=2, label=level)
    if reference is not None:
        ax.axvline(reference, color=style.NEUTRAL, lw=0.8, ls="--")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if group:
        ax.legend(title=group, loc="best")
    return fig


def binned_rate_plot(binned: pd.DataFrame, *, xlabel: str | None = None, ax=None):
    """Adoption rate with Wilson intervals against the bin mean of the covariate
    (:func:`analysis.stats.binned.binned_adoption_rates`)."""
    fig, ax = _axes(ax, (6, 4))
    err = np.vstack([binned.rate - binned.ci_low, binned.ci_high - binned.rate])
    ax.errorbar(binned.x_mean, binned.rate, yerr=err, fmt="o-", color=style.NEUTRAL, capsize=2)
    name = binned["covariate"].iloc[0] if "covariate" in binned and len(binned) else ""
    ax.set_xlabel(xlabel or f"{name} (bin mean)")
    ax.set_ylabel("adoption rate (95% CI)")
    ax.set_ylim(bottom=0)
    return fig


def km_plot(
    km: pd.DataFrame,
    *,
    group_order: Sequence | None = None,
    months: Sequence | None = None,
    adoption: bool = True,
    ax=None,
):
    """Kaplan-Meier curves (:func:`analysis.stats.survival.kaplan_meier`) as steps with
    shaded intervals: cumulative adoption (default) or the share not yet adopted. The
    curve starts at month 0 from 0 adopted; ``months`` labels the month index."""
    fig, ax = _axes(ax, (7, 4.2))
    value, lo, hi = (
        ("cumulative_adoption", "adoption_ci_low", "adoption_ci_high")
        if adoption
        else ("survival", "ci_low", "ci_high")
    )
    start = 0.0 if adoption else 1.0
    for k, level in enumerate(_order(km["group"], group_order)):
        rows = km[km["group"] == level].sort_values("time")
        t = np.r_[rows.time.min(), rows.time.to_numpy() + 1]
        y = np.r_[start, rows[value].to_numpy()]
        color = PALETTE[k % len(PALETTE)]
        ax.step(t, y, where="post", color=color, label=f"{level} (n={rows.n.iloc[0]:,})")
        ax.fill_between(
            t[1:], rows[lo], rows[hi], step="post", color=color, alpha=0.15, linewidth=0
        )
    if months is not None:
        # Tick k marks the start of month k, i.e. the end of month k - 1.
        ticks = np.arange(0, len(months) + 1, max(1, len(months) // 5))
        labels = [str(pd.Period(months[0], "M") + int(t)) for t in ticks]
        ax.set_xticks(ticks, labels, rotation=30, ha="right")
    ax.set_xlabel("month")
    ax.set_ylabel("share adopted" if adoption else "share not yet adopted")
    ax.set_ylim(0, 1)
    ax.legend(title=km["grouping"].iloc[0], loc="best")
    return fig


def spec_curve_plot(
    spec: pd.DataFrame,
    focal: str,
    *,
    settings: Sequence[str] = ("outcome", "estimator", "sample", "weights"),
    ylabel: str = "average marginal effect per SD (95% CI)",
):
    """Specification curve for one focal term: estimates sorted by size with intervals
    (significant ones highlighted), and below them which choices made each specification."""
    rows = spec[(spec.focal == focal) & spec.estimate.notna()].sort_values("rank")
    choices = [(s, v) for s in settings for v in dict.fromkeys(rows[s].astype(str))]
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        sharex=True,
        figsize=(9, 4 + 0.22 * len(choices)),
        gridspec_kw={"height_ratios": [2.2, 0.22 * len(choices) + 0.3]},
    )
    x = np.arange(len(rows))
    colors = np.where(rows.significant, style.HIGHLIGHT, style.NEUTRAL)
    top.vlines(x, rows.ci_low, rows.ci_high, colors=colors, lw=1, alpha=0.6)
    top.scatter(x, rows.estimate, c=colors, s=12, zorder=3)
    top.axhline(0, color=style.NEUTRAL, lw=0.8, ls="--")
    top.set_ylabel(ylabel)
    top.set_title(focal)
    for k, (setting, value) in enumerate(choices):
        used = rows[setting].astype(str).to_numpy() == value
        bottom.scatter(x[used], np.full(used.sum(), k), marker="|", color=style.NEUTRAL, s=40)
    bottom.set_yticks(range(len(choices)), [f"{s}: {v}" for s, v in choices])
    bottom.invert_yaxis()
    bottom.set_xlabel("specification (sorted by estimate)")
    bottom.grid(False)
    return fig


def calibration_plot(calibration: pd.DataFrame, *, ax=None):
    """Observed adoption rate (Wilson interval) against mean predicted probability per bin
    (:func:`analysis.stats.forecast.calibration_table`), with the diagonal."""
    fig, ax = _axes(ax, (5, 5))
    top = float(max(calibration.ci_high.max(), calibration.mean_predicted.max(), 0.05))
    ax.plot([0, top], [0, top], color=style.NEUTRAL, lw=0.8, ls="--", label="perfect")
    err = np.vstack(
        [
            calibration.observed_rate - calibration.ci_low,
            calibration.ci_high - calibration.observed_rate,
        ]
    )
    ax.errorbar(
        calibration.mean_predicted,
        calibration.observed_rate,
        yerr=err,
        fmt="o",
        color=style.HIGHLIGHT,
        capsize=2,
        label="bins",
    )
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed adoption rate (95% CI)")
    ax.legend(loc="upper left")
    return fig
