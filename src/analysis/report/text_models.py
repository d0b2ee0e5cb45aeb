"""Prose of the adoption reports (notebooks 50, 60, 70 and 90) built from their result tables.

Each function takes the tidy tables the notebook computed and returns the Markdown text the
reader sees, so every number in a sentence comes from a table and the wording is tested.
Probabilities appear in percentage points (``PP``) where the text says "pp".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.report.text import esc, fmt_ci, fmt_date, fmt_int, fmt_pct
from analysis.study.variables import COVARIATE_LABELS, OUTCOMES

PP = 100
"""Probabilities are shown in percentage points."""


def _row(table: pd.DataFrame, column: str, key: str) -> pd.Series | None:
    """The row of ``table`` whose ``column`` is ``key`` (None if there is none)."""
    rows = table.set_index(column)
    return rows.loc[key] if key in rows.index else None


# --- 50: correlates


def correlates_intro(
    counties: pd.DataFrame,
    outcome: str,
    mandates: pd.DataFrame,
    *,
    exact_only: bool = False,
    mandates_left_out: bool = False,
) -> str:
    """The snapshot, how many counties have ``outcome``, and the coded mandate states with the
    date each counts from (the signing date unless only a year is known) and how sure it is."""
    n_adopted = int(counties[outcome].sum())
    snapshot = fmt_date(counties.snapshot_date.iloc[0])
    return (
        f"Status at the snapshot of **{snapshot}**. Of {fmt_int(len(counties))} counties, "
        f"{fmt_int(n_adopted)} ({fmt_pct(n_adopted / len(counties))}) have "
        f"the analysed outcome, *{OUTCOMES[outcome]}*"
        + (" (high-confidence matches only)" if exact_only else "")
        + ". States with a coded mandate: "
        + ", ".join(
            f"{esc(r.state)} ({esc(r.policy_types)}, from {fmt_date(r.start_date)}: "
            f"{esc(r.start_rule)}, {esc(r.verification)})"
            for r in mandates.itertuples()
        )
        + ("; they are left out here." if mandates_left_out else ".")
    )


def sign_flips(effects: pd.DataFrame, names: Sequence[str], labels: Mapping[str, str]) -> str:
    """The covariates whose slopes in the ``model`` groups of ``effects`` (pooled and within
    states) have opposite signs."""
    wide = effects.pivot(index="term", columns="model", values="estimate")
    flipped = [labels[t] for t in names if np.sign(wide.loc[t]).nunique() > 1]
    return (
        "Covariates whose pooled and within-state slopes have opposite signs: "
        + (", ".join(flipped) if flipped else "none")
        + "."
    )


def binned_extremes(
    binned: pd.DataFrame, covariates: Sequence[str], labels: Mapping[str, str]
) -> str:
    """Adoption rate in the lowest and the highest bin of each covariate, as a list."""
    lines = []
    for name in covariates:
        b = binned[binned.covariate == name]
        low, high = b.iloc[0], b.iloc[-1]
        lines.append(
            f"- {labels.get(name, name)}: {fmt_pct(low.rate)} "
            f"[{fmt_pct(low.ci_low)}, {fmt_pct(low.ci_high)}] of counties in the lowest "
            f"decile (mean {low.x_mean:.2f}) against {fmt_pct(high.rate)} "
            f"[{fmt_pct(high.ci_low)}, {fmt_pct(high.ci_high)}] in the highest "
            f"(mean {high.x_mean:.2f}); Wilson 95% intervals."
        )
    return "\n".join(lines)


def decomposition_summary(decomposition: pd.DataFrame, covariate: str = "gop_share_2024") -> str:
    """Between and within states for one covariate (empty if it is not in the table)."""
    g = _row(decomposition, "covariate", covariate)
    if g is None:
        return ""
    return (
        f"For the 2024 Republican share, {fmt_pct(g.cov_within_share)} of the "
        f"covariance with adoption lies within states (95% interval "
        f"{fmt_pct(g.within_share_ci_low)} to {fmt_pct(g.within_share_ci_high)}, "
        f"{fmt_int(g.n_boot)} state-bootstrap draws). The slope is "
        f"{100 * g.slope_between:.1f} percentage points per SD between states and "
        f"{100 * g.slope_within:.1f} within states; "
        f"{fmt_pct(g.x_between_share)} of the variation in vote share lies between "
        f"states."
    )


def literature_agreement(signs: pd.DataFrame) -> str:
    """How many testable expectations match, across counties and within states."""
    testable = signs[signs.found_pooled != "not available"]
    return (
        f"Of {len(testable)} testable expectations, {int(testable.agrees_pooled.sum())} match "
        f"across counties and {int(testable.agrees_within_state.sum())} within states."
    )


# --- 60: adoption models


def models_intro(counties: pd.DataFrame, outcome: str, labels: Mapping[str, str]) -> str:
    snapshot = fmt_date(counties.snapshot_date.iloc[0])
    return (
        f"Snapshot **{snapshot}**: {fmt_int(counties[outcome].sum())} of "
        f"{fmt_int(len(counties))} counties have *{OUTCOMES[outcome]}*. "
        f"Covariates (z-scored, so effects are per SD): {', '.join(labels.values())}."
    )


def focal_effects(
    main: pd.DataFrame, focal: Sequence[str], names: Sequence[str], labels: Mapping[str, str]
) -> str:
    """Each focal term's marginal effect by estimator without and with state FE (``main``:
    the state-clustered rows of the model grid), and the counties the FE logit leaves out."""
    key = main.set_index(["estimator", "fixed_effects", "term"])
    lines = []
    for term in [t for t in focal if t in names]:
        parts = []
        for estimator in ("logit", "lpm"):
            a, b = key.loc[(estimator, "none", term)], key.loc[(estimator, "state", term)]
            parts.append(
                f"{estimator}: {fmt_ci(a.estimate, a.ci_low, a.ci_high, 1, PP)} without "
                f"and {fmt_ci(b.estimate, b.ci_low, b.ci_high, 1, PP)} with state FE"
            )
        lines.append(
            f"- **{labels[term]}** (pp per SD, state-clustered 95% CI): " + "; ".join(parts)
        )
    n_fe_dropped = int(key.loc[("logit", "state")].n_fe_dropped.iloc[0])
    lines.append(
        f"- The logit with state FE leaves out {fmt_int(n_fe_dropped)} counties in states "
        "without variation in adoption."
    )
    return "\n".join(lines)


def fe_survival(fe_comparison: pd.DataFrame, term: str = "gop_share_2024") -> str:
    """How much of one term's LPM slope survives state FE (empty if it is not modelled)."""
    g = _row(fe_comparison, "term", term)
    if g is None:
        return ""
    return (
        f"The LPM slope of the 2024 Republican share falls from {PP * g.estimate_pooled:.1f} "
        f"to {PP * g.estimate_within:.1f} percentage points per SD with state FE: "
        f"{fmt_pct(g.within_to_pooled)} of the pooled association survives."
    )


def robustness_lines(
    robust: pd.DataFrame,
    adopted: Mapping[str, int],
    focal: Sequence[str],
    names: Sequence[str],
    labels: Mapping[str, str],
) -> str:
    """Per sample (``adopted``: label -> adopting counties), the focal terms' logit effects."""
    r = robust[robust.estimator == "logit"].set_index(["sample", "term"])
    lines = [
        f"- {esc(label)}: {fmt_int(n)} adopting counties"
        + "".join(
            f"; {labels[t]} " + fmt_ci(*r.loc[(label, t), ["estimate", "ci_low", "ci_high"]], 1, PP)
            for t in focal
            if t in names
        )
        for label, n in adopted.items()
    ]
    return "Logit with state FE, pp per SD:\n\n" + "\n".join(lines)


def spec_curve_lines(summary: pd.DataFrame) -> str:
    """One line per focal term of :func:`analysis.stats.spec_curve.curve_summary`."""
    return "\n".join(
        f"- {COVARIATE_LABELS.get(t, t)}: median {row.median_pp:.1f} pp per SD "
        f"(range {row.min_pp:.1f} to {row.max_pp:.1f}) over {int(row.fitted)} fitted "
        f"specifications; {fmt_pct(row.share_significant_positive)} positive and "
        f"significant, {fmt_pct(row.share_significant_negative)} negative and "
        "significant."
        for t, row in summary.iterrows()
    )


def forecast_summary(metrics: pd.Series, train_date: str, snapshot: str) -> str:
    """The out-of-sample scores of one forecast (a row of its ``metrics``)."""
    m = metrics
    return (
        f"Trained on the {train_date} status and scored on {fmt_int(m.n_test)} counties "
        f"without an agreement then, of which {fmt_int(m.n_test_events)} "
        f"({fmt_pct(m.observed_rate)}) had one on {snapshot}: AUC "
        f"{fmt_ci(m.auc, m.auc_ci_low, m.auc_ci_high, 2)}, Brier {m.brier:.3f} against "
        f"{m.brier_reference:.3f} for predicting the observed rate (skill {m.brier_skill:.2f}). "
        f"The mean predicted probability is {fmt_pct(m.mean_predicted)}, against an "
        f"observed rate of {fmt_pct(m.observed_rate)}: the base-rate shift."
    )


# --- 70: timing, diffusion and mandates


def risk_set_summary(
    months: pd.PeriodIndex,
    snapshot: str,
    status: pd.Series,
    n_county_months: int,
    n_neighbor_pairs: int,
    n_unknown_neighbors: int,
) -> str:
    """The window, the prevalent, adopting and censored counties, and the panel's size
    (``status``: counties by duration status)."""
    return (
        f"Window {months[0]} to {months[-1]} ({len(months)} months; last snapshot {snapshot}). "
        f"{fmt_int(status['prevalent'])} counties already had an agreement in the January "
        f"2025 baseline; of the {fmt_int(status['adopted'] + status['censored'])} at risk, "
        f"{fmt_int(status['adopted'])} adopted a first agreement in the window and "
        f"{fmt_int(status['censored'])} had not by {months[-1]}. The panel has "
        f"{fmt_int(n_county_months)} county-months. Queen contiguity gives "
        f"{fmt_int(n_neighbor_pairs)} neighbouring pairs; "
        f"{fmt_int(n_unknown_neighbors)} neighbour ids were unknown."
    )


def hazard_term_labels(names: Sequence[str], neighbor_step: float) -> dict[str, str]:
    """Readable labels of the hazard model's terms."""
    return {
        "mandate_in_force": "state mandate in force",
        "neighbors_in_state": f"in-state neighbours adopted (per {neighbor_step:.0%})",
        "neighbors_cross_state": f"cross-state neighbours adopted (per {neighbor_step:.0%})",
        "border_county": "borders another state",
        **{n: f"{COVARIATE_LABELS.get(n, n)} (per SD)" for n in names},
    }


def hazard_summary(
    shown: pd.DataFrame,
    models: Sequence[str],
    switching: Sequence[str],
    names: Sequence[str],
    neighbor_step: float,
) -> str:
    """Hazard ratios of the mandate, neighbour and covariate terms in the two ``models``
    (``shown``: their covariate rows with ``model`` and ``term``)."""
    h = shown.set_index(["model", "term"])
    first_model, second_model = list(models)

    def hr(model, term):
        if (model, term) not in h.index:
            return "not identified (no mandate switched on inside the window)"
        r = h.loc[(model, term)]
        return fmt_ci(r.hazard_ratio, r.hr_ci_low, r.hr_ci_high, 2)

    return "\n".join(
        [
            f"- **Mandate in force**: hazard ratio {hr(first_model, 'mandate_in_force')} with "
            f"month effects; {hr(second_model, 'mandate_in_force')} with state effects too"
            + (
                f" (identified only from the switch in {', '.join(switching)})."
                if switching
                else "."
            ),
            f"- **In-state neighbours** (per {neighbor_step:.0%} of neighbours adopted): "
            f"{hr(first_model, 'neighbors_in_state')}; with state effects "
            f"{hr(second_model, 'neighbors_in_state')}.",
            f"- **Cross-state neighbours**: {hr(first_model, 'neighbors_cross_state')}; "
            f"with state effects {hr(second_model, 'neighbors_cross_state')}.",
        ]
        + [f"- {COVARIATE_LABELS.get(n, n)} (per SD): {hr(first_model, n)}." for n in names]
    )


def km_final_lines(curves: Sequence[pd.DataFrame], last_month) -> str:
    """The last Kaplan-Meier value of each group of ``curves``, with its interval."""
    final = pd.concat(
        [km.sort_values("time", kind="stable").groupby("group", sort=False).last() for km in curves]
    )
    return (
        f"Share of at-risk counties with a first agreement by the end of {last_month} "
        "(95% interval):\n\n"
        + "\n".join(
            f"- {esc(group)}: {fmt_pct(r.cumulative_adoption)} "
            f"[{fmt_pct(r.adoption_ci_low)}, {fmt_pct(r.adoption_ci_high)}] "
            f"of {fmt_int(r.n)}"
            for group, r in final.iterrows()
        )
    )


# --- 90: summary
# A finding is a row of the key-findings table: (finding, value, as of).


def expansion_findings(
    baseline: pd.Series, now: pd.Series, tfm_share: float, fl_tx_share: float
) -> list[tuple[str, str, str]]:
    """Agreements before and now, agencies, states, the TFM and Florida + Texas shares
    (``baseline`` and ``now``: rows of :func:`analysis.study.expansion.snapshot_counts`)."""
    at = fmt_date(now["snapshot_date"])
    return [
        (
            "agreements before the expansion",
            fmt_int(baseline["agreements"]),
            fmt_date(baseline["snapshot_date"]),
        ),
        ("agreements on the latest snapshot", fmt_int(now["agreements"]), at),
        ("agencies on the latest snapshot", fmt_int(now["agencies"]), at),
        ("states (territories excluded)", str(now["states"]), at),
        ("Task Force Model share of agreements", fmt_pct(tfm_share), at),
        ("Florida and Texas share of agreements", fmt_pct(fl_tx_share), at),
    ]


def expansion_summary(
    baseline: pd.Series, now: pd.Series, tfm_share: float, fl_tx_share: float
) -> str:
    return (
        f"- ICE listed **{fmt_int(baseline['agreements'])}** agreements on "
        f"{fmt_date(baseline['snapshot_date'])} and **{fmt_int(now['agreements'])}** "
        f"on {fmt_date(now['snapshot_date'])} ({now['agreements'] / baseline['agreements']:.1f}×),"
        f" held by {fmt_int(now['agencies'])} agencies in {now['states']} states.\n"
        f"- The Task Force Model, absent in January 2025, is **{fmt_pct(tfm_share)}** of "
        "agreements now.\n"
        f"- Florida and Texas hold **{fmt_pct(fl_tx_share)}** of all agreements."
    )


def coverage_findings(head: dict[str, float], date) -> list[tuple[str, str, str]]:
    """The residents covered (``head``: :func:`analysis.study.coverage.coverage_headline`):
    by jurisdiction for all, Hispanic and foreign-born residents, and the whole-county upper
    bound."""
    at = fmt_date(date)
    return [
        ("US residents in the jurisdiction of an agency with an agreement",
         fmt_pct(head["jurisdiction_all"]), at),
        ("Hispanic residents, the same", fmt_pct(head["jurisdiction_hispanic"]), at),
        ("foreign-born residents, the same", fmt_pct(head["jurisdiction_foreign_born"]), at),
        ("US residents in a county with any placed agreement (upper bound)",
         fmt_pct(head["whole_county_all"]), at),
    ]  # fmt: skip


# --- state laws

EVENT_WORDS = {"signed": "signing date", "effective": "effective date"}
VERIFICATION_ORDER = ("primary text read", "secondary report", "unverified")


def state_laws_note(laws: pd.DataFrame, event: str = "signed") -> str:
    """Which date of each law the timing model uses, and how sure the dates are.

    ``laws``: :func:`analysis.study.adoption.state_laws` (one row per mandate or prohibition
    with ``kind``, ``state_usps``, ``policy_id``, the four dates as text and
    ``verification``). ``event``: "signed" (the primary coding) or "effective"."""
    if event not in EVENT_WORDS:
        raise ValueError(f"event must be one of {sorted(EVENT_WORDS)}, not {event!r}")
    other = EVENT_WORDS["effective" if event == "signed" else "signed"]
    levels = laws["verification"].value_counts()
    read = int(levels.get("primary text read", 0))
    order = [lv for lv in VERIFICATION_ORDER if lv in levels.index]
    order += sorted(set(levels.index) - set(order))
    level_text = ", ".join(f"{fmt_int(levels[lv])} {esc(lv)}" for lv in order)
    dated = laws[["signed_date", "effective_date", "prohibition_date"]].ne("").any(axis=1)
    undated = ", ".join(esc(p) for p in laws.loc[~dated, "policy_id"])
    mandates = laws[(laws["kind"] == "mandate") & dated]
    column = f"{event}_date"
    fallback = ", ".join(esc(p) for p in mandates.loc[mandates[column].eq(""), "policy_id"])
    lines = [
        f"- **Event date.** The mandate term switches on in the month of each law's "
        f"{EVENT_WORDS[event]} (the {other} is the robustness check); where that date is not "
        f"recorded the other one is used{f' ({fallback})' if fallback else ''}, and a law known "
        "only by its year counts from 1 January of the next year.",
        "- **Prohibitions.** Counties of a state that forbids agreements leave the risk set from "
        "the month of its prohibition date (else its effective date, else the year rule).",
        f"- **How sure.** {fmt_int(len(laws))} laws: {level_text}. "
        + (
            "None was checked against its primary text"
            if read == 0
            else f"{fmt_int(read)} checked against the primary text"
        )
        + "; the source links follow each publisher's pattern and were not opened.",
    ]
    if undated:
        lines.append(f"- **Year only** (no day recorded): {undated}.")
    return "\n".join(lines)


def mandate_timing_summary(grid: pd.DataFrame) -> str:
    """The mandate term's hazard ratio under each date and risk set.

    ``grid``: one row per fit with ``event`` ("signed"/"effective"), ``risk_set`` (text),
    ``hazard_ratio``, ``hr_ci_low``, ``hr_ci_high``, ``n`` (county-months)."""
    lines = []
    for row in grid.itertuples(index=False):
        lines.append(
            f"- {EVENT_WORDS[row.event].capitalize()}, {esc(row.risk_set)}: hazard ratio "
            f"{fmt_ci(row.hazard_ratio, row.hr_ci_low, row.hr_ci_high, 2)} "
            f"({fmt_int(row.n)} county-months)."
        )
    lines.append(
        "These are associations over few treated states (see below); mandate-state adoption "
        "is compliance, not local preference."
    )
    return "\n".join(lines)
