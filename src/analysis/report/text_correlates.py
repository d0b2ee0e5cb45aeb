"""Prose of the correlation atlas (report 50): which test each p/q-value comes from, how many
covariates pass the state-clustered tests, and the measured size of the tests."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.report.text import fmt_int
from analysis.stats.correlation import TEST_METHODS


def methods_note(n_clusters: int) -> str:
    """Where every p- and q-value of the atlas comes from."""
    return (
        f"**Tests.** Pooled: {TEST_METHODS['pooled']}. Within states: {TEST_METHODS['within']}. "
        f"G = {n_clusters} clusters (the states and DC). q-values are Benjamini–Hochberg "
        "adjustments across the table, one set per test. Pearson's r and its Fisher-z interval "
        "are descriptive only (their t-test treats counties as independent, which they are not). "
        "Slopes are in percentage points per SD of the covariate."
    )


def _names(rows: pd.DataFrame, labels: Mapping[str, str]) -> str:
    names = [labels.get(c, c) for c in rows.covariate]
    return ", ".join(names) if names else "none"


def correlation_summary(
    corr: pd.DataFrame, labels: Mapping[str, str], q_level: float = 0.05
) -> str:
    """How many covariates pass the state-clustered tests at ``q < q_level``, pooled and
    within states, against the count an independence t-test would give, and what to
    conclude."""
    passes_pooled = corr.pooled_q_value < q_level
    passes_within = corr.within_q_value < q_level
    iid = int((corr.iid_q_value < q_level).sum())
    total = len(corr)
    groups = [
        (passes_pooled & passes_within, "go with adoption both across counties and within states"),
        (
            passes_pooled & ~passes_within,
            "go with adoption across counties only: they describe differences between states "
            "(state law, state politics) more than a pattern among a state's counties",
        ),
        (
            ~passes_pooled & passes_within,
            "go with adoption only among counties of the same state: the national comparison "
            "is too noisy, or cancels out, across states",
        ),
        (
            ~passes_pooled & ~passes_within,
            "show no association that the clustered tests can tell from noise",
        ),
    ]
    lines = [f"- {_names(corr[mask], labels)} {text}." for mask, text in groups if mask.any()]
    return (
        f"**{int(passes_pooled.sum())} of {total} covariates are associated with adoption at "
        f"q < {q_level:g} across counties, and {int(passes_within.sum())} of {total} within "
        f"states**, by the state-clustered tests (an independence t-test would call {iid} of "
        f"{total} significant across counties: it treats counties of one state as independent). "
        "What to conclude, one covariate at a time (not conditional on the others):\n\n"
        + "\n".join(lines)
    )


DISPLAY_COLUMNS = {
    "pooled_pp_per_sd": "pooled (pp per SD)",
    "pooled_ci_low": "pooled CI low",
    "pooled_ci_high": "pooled CI high",
    "pooled_q_value": "pooled q",
    "within_pp_per_sd": "within (pp per SD)",
    "within_ci_low": "within CI low",
    "within_ci_high": "within CI high",
    "within_q_value": "within q",
    "r": "r (descriptive)",
    "r_within": "r within (descriptive)",
}


def size_summary(size_table: pd.DataFrame) -> str:
    """The measured rejection rates of the previous and the new tests under the null."""
    rows = {(r.test, r.smoothing_steps): r for r in size_table.itertuples(index=False)}
    first = size_table.iloc[0]
    lines = []
    for steps in sorted(size_table.smoothing_steps.unique()):
        rate = {t: rows[(t, steps)].rejection_rate for t, s in rows if s == steps}
        parts = [
            f"{name} {100 * rate[test]:.1f}%"
            for test, name in (
                ("iid_t", "independence t-test"),
                ("within_permutation", "within-state permutation"),
                ("cluster_pooled", "clustered pooled"),
                ("cluster_within", "clustered within"),
            )
            if test in rate
        ]
        lines.append(f"- smoothed {steps}× over neighbours: " + ", ".join(parts))
    return (
        f"Rejection rates at a nominal {100 * first.alpha:.0f}% on pure noise "
        f"({fmt_int(first.n_draws)} draws, seed {first.seed}, {fmt_int(first.n_units)} counties, "
        "queen contiguity from the 2023 county polygons; an outcome share of "
        f"{100 * first.outcome_share:.1f}% as in the data):\n\n"
        + "\n".join(lines)
        + "\n\nA test that holds its size rejects about 5% of the time here. The previous "
        "q-values (independence t-test) and the within-state permutation test reject several "
        "times too often; the state-clustered tests stay near 5% with mild smoothing and "
        "somewhat above it with strong smoothing, so borderline q-values deserve caution."
    )
