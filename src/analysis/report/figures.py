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
from analysis.study.coverage import GROUP_LABELS, MEASURE_LABELS

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


def effects_forest(
    table: pd.DataFrame,
    *,
    group: str,
    xlabel: str,
    title: str,
    label: str = "label",
    group_order: Sequence | None = None,
    scale: float = 1.0,
    legend_title: str | None = None,
):
    """:func:`forest_plot` of estimates with intervals (``estimate``, ``ci_low``,
    ``ci_high``, multiplied by ``scale``, e.g. 100 for percentage points) by ``group``, with
    the legend outside the axes on the right and a title."""
    if scale != 1:
        table = table.assign(
            estimate=table.estimate * scale,
            ci_low=table.ci_low * scale,
            ci_high=table.ci_high * scale,
        )
    fig = forest_plot(table, label=label, group=group, group_order=group_order, xlabel=xlabel)
    legend = {"title": legend_title} if legend_title else {}
    fig.axes[0].legend(**legend, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.axes[0].set_title(title)
    return fig


def hazard_ratio_plot(
    table: pd.DataFrame,
    *,
    title: str,
    group: str = "model",
    ticks: Sequence[float] = (0.5, 0.7, 1, 1.5, 2, 3),
):
    """Hazard ratios (``hazard_ratio``, ``hr_ci_low``, ``hr_ci_high`` by ``label``) on a log
    axis with the reference line at 1, one colour per ``group``."""
    fig = forest_plot(
        table,
        label="label",
        estimate="hazard_ratio",
        low="hr_ci_low",
        high="hr_ci_high",
        group=group,
        reference=1.0,
        xlabel="hazard ratio of first adoption (95% CI, state-clustered)",
    )
    ax = fig.axes[0]
    ax.set_xscale("log")
    ax.set_xticks(list(ticks), [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.legend(title=group, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title)
    return fig


def binned_rate_panels(
    binned: pd.DataFrame, covariates: Sequence[str], labels: dict[str, str], *, title: str
):
    """:func:`binned_rate_plot` of each covariate side by side, on one shared rate axis."""
    fig, axes = plt.subplots(
        1, len(covariates), figsize=(5.5 * len(covariates), 4.2), sharey=True, squeeze=False
    )
    for ax, name in zip(axes[0], covariates, strict=True):
        binned_rate_plot(
            binned[binned.covariate == name],
            xlabel=f"{labels.get(name, name)} (decile mean)",
            ax=ax,
        )
    axes[0][0].set_ylim(0, 1.05 * binned.ci_high.max())
    fig.suptitle(title)
    return fig


def between_within_plot(decomposition: pd.DataFrame, labels: dict[str, str]):
    """Between-state and within-state slopes of each covariate as paired bars
    (``decomposition`` indexed by covariate, from
    :func:`analysis.stats.decomposition.between_within_decomposition`)."""
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(decomposition) + 1.2))
    y = np.arange(len(decomposition))
    between, within = decomposition.slope_between, decomposition.slope_within
    ax.barh(y - 0.18, between, height=0.36, label="between states", color=PALETTE[0])
    ax.barh(y + 0.18, within, height=0.36, label="within states", color=PALETTE[1])
    ax.set_yticks(y, [labels[n] for n in decomposition.index])
    ax.invert_yaxis()
    ax.axvline(0, color=style.NEUTRAL, lw=0.8)
    ax.set_xlabel("slope of adoption on the covariate (probability per SD)")
    ax.legend(loc="best")
    ax.set_title("Between-state and within-state slopes")
    return fig


def calibration_panels(calibrations: dict[str, pd.DataFrame], *, title: str):
    """:func:`calibration_plot` of each labelled calibration table side by side."""
    fig, axes = plt.subplots(
        1, len(calibrations), figsize=(5 * len(calibrations), 5), squeeze=False
    )
    for ax, (label, table) in zip(axes[0], calibrations.items(), strict=True):
        calibration_plot(table, ax=ax)
        ax.set_title(label)
    fig.suptitle(title)
    return fig


def municipal_places_plot(places: pd.DataFrame, summary: pd.DataFrame, *, title: str):
    """Incorporated places with a police department on the list against the other places of
    the same states: (left) the population distribution, log scale, each group's histogram
    as a share of its places; (right) the share of places on the list by size bin with its
    Wilson interval (``places``, ``summary``: :mod:`analysis.study.municipal` tables)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    population = places.population.astype("float64")
    edges = np.logspace(0, np.log10(max(population.max(), 10)) + 0.05, 40)
    groups = [(1, "police department on the list", style.HIGHLIGHT),
              (0, "other places", style.MUTED)]  # fmt: skip
    for value, label, color in groups:
        x = population[(places.on_list == value) & population.gt(0)]
        weights = np.full(len(x), 1 / max(len(x), 1))
        left.hist(x, bins=edges, weights=weights, histtype="step", lw=2, color=color,
                  label=f"{label} (n = {len(x):,})")  # fmt: skip
    left.set_xscale("log")
    left.set_xlabel("2020 population (log scale)")
    left.set_ylabel("share of the group's places")
    left.legend(loc="upper right")
    bins = summary[(summary.size_bin != "all sizes") & (summary.places > 0)]
    x = np.arange(len(bins))
    rate = 100 * bins.share_on_list.to_numpy(float)
    err = np.vstack(
        [rate - 100 * bins.share_ci_low.to_numpy(float), 100 * bins.share_ci_high - rate]
    )
    right.bar(x, rate, color=style.HIGHLIGHT, alpha=0.8)
    right.errorbar(x, rate, yerr=err, fmt="none", color=style.NEUTRAL, capsize=3)
    right.set_xticks(x, bins.size_bin, rotation=30)
    right.set_xlabel("place population")
    right.set_ylabel("% of places on the list (95% CI)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def coverage_plot(coverage: pd.DataFrame, notes: pd.DataFrame, *, title: str):
    """Three panels (all, Hispanic, foreign-born residents): the share covered over time by
    each measure (``coverage``: long table of :func:`analysis.study.coverage.population_coverage`),
    the whole-county upper bound dashed and labelled; ``notes`` (``snapshot_date``, ``group``,
    ``measure``, ``label``) are written at the step they explain."""
    styles = {
        "jurisdiction": {"color": "black", "lw": 2.2},
        "county_agency": {"color": "#0072B2", "lw": 1.4},
        "whole_county": {"color": "#D55E00", "lw": 1.4, "ls": "--"},
    }
    fig, axes = plt.subplots(1, 3, figsize=(14, 5), sharey=True)
    for ax, group in zip(axes, GROUP_LABELS, strict=True):
        for measure, kw in styles.items():
            line = coverage[(coverage["group"] == group) & (coverage["measure"] == measure)]
            line = line.sort_values("snapshot_date")
            ax.step(line["snapshot_date"], line["share"], where="post",
                    label=MEASURE_LABELS[measure], **kw)  # fmt: skip
            mine = notes[(notes["group"] == group) & (notes["measure"] == measure)]
            for note in mine.itertuples():
                y = line.loc[line["snapshot_date"] == note.snapshot_date, "share"].iloc[0]
                ax.annotate(
                    note.label.replace(" Police Department", " PD"),
                    (note.snapshot_date, y),
                    xytext=(0.03, 0.93 - 0.09 * len(ax.texts)),
                    textcoords="axes fraction",
                    fontsize=7.5,
                    arrowprops={"arrowstyle": "->", "lw": 0.6, "color": "0.35"},
                )
        ax.set_title(GROUP_LABELS[group])
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.set_xlabel("snapshot date")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0].set_ylabel("share of residents of the 50 states and DC")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle(title)
    fig.subplots_adjust(bottom=0.24, top=0.88, wspace=0.08)
    return fig
