"""Prose of the few-cluster inference for the state-level terms (report 70), built from
``table70_mandate_inference`` and ``table70_placebo_size``
(:func:`analysis.study.timing.few_cluster_tables`).

The text follows the few-cluster p-values, not the conventional ones: a term is called
distinguishable from zero only when both the wild cluster bootstrap and the randomization
inference p-values are below ``alpha``.
"""

from __future__ import annotations

import pandas as pd

from analysis.report.text import esc, fmt_ci, fmt_int, fmt_p, fmt_pct

PP = 100
TERM_LABELS = {"mandate_in_force": "State mandate in force", "prohibited": "State prohibition"}


def inference_intro(n_clusters: int) -> str:
    """What carries the inference for the state-level terms, and why."""
    return (
        "The cloglog hazard ratios above stay as the descriptive model. Inference on the "
        "state-level terms is carried by a linear-probability hazard (LPM) on the same risk "
        "set with the same terms and fixed effects: its coefficient is the difference in the "
        "monthly probability of first adoption, in percentage points (pp), and it is the model "
        "for which the few-cluster methods exist. A state law is a state-level treatment, so "
        "what counts is how many states carry it, not how many counties: with state effects "
        "only the states whose law switches on inside the window identify it. Beside the "
        f"conventional test (CRV1 errors clustered by state: {fmt_int(n_clusters)} states in the "
        "primary risk set; t "
        "with G − 1 degrees of freedom) each term gets a wild cluster restricted bootstrap "
        "(null imposed; Webb weights when at most 12 states carry the term) and randomization "
        "inference over states (the real laws' switch months given to randomly drawn states, "
        "the model refitted, the clustered t-statistic compared). pyfixest's own `ritest` is "
        "not used for the latter: it holds the term constant within a state and draws each "
        "state's value independently, which erases the switch month and changes the number "
        "of treated states from draw to draw."
    )


def _verdict(row, alpha: float) -> str:
    few = [row.p_value_few_cluster, row.p_value_ri]
    if all(p < alpha for p in few):
        return "distinguishable from zero under both few-cluster tests"
    return "the data cannot distinguish it from zero once the few treated states are counted"


def state_term_lines(table: pd.DataFrame, alpha: float = 0.05) -> str:
    """One line per term and model: the LPM estimate and interval in pp, the conventional,
    wild-bootstrap and randomization p-values, the states that carry it, and the verdict
    from the few-cluster p-values (``table``: ``table70_mandate_inference``)."""
    lines = []
    for row in table.itertuples(index=False):
        label = f"**{TERM_LABELS.get(row.term, esc(row.term))}**, {esc(row.model)}"
        if pd.isna(row.estimate):
            lines.append(f"- {label}: {esc(row.method)}, so no estimate or test.")
            continue
        states = f" ({esc(row.treated_clusters)})" if row.treated_clusters else ""
        lines.append(
            f"- {label}: {fmt_ci(row.estimate, row.ci_low, row.ci_high, 1, PP, signed=True)} "
            f"pp; conventional clustered {fmt_p(row.p_value)}, wild cluster bootstrap "
            f"{fmt_p(row.p_value_few_cluster)}, randomization inference "
            f"{fmt_p(row.p_value_ri, floor=1 / (row.ri_reps + 1))}; "
            f"{fmt_int(row.n_treated_clusters)} of {fmt_int(row.n_clusters)} states carry the "
            f"term{states}: {_verdict(row, alpha)}."
        )
    return "\n".join(lines)


def few_treated_caveat(table: pd.DataFrame) -> str:
    """Why neither few-cluster test is decisive when two or three states carry a term."""
    fewest = table.dropna(subset=["estimate"])["n_treated_clusters"].min()
    return (
        f"With as few as {fmt_int(fewest)} states carrying a term neither few-cluster test is "
        "decisive: the restricted bootstrap tends to be conservative with very few treated "
        "clusters, and randomization inference treats every state as equally likely to have "
        "passed the law (Texas, with 254 counties, is not a typical state). The "
        "randomization p-value comparing coefficients instead of t-statistics is in the "
        "table's `p_value_ri_coef`. A mandate state's adoption is compliance, not local "
        "preference; the prohibition term compares counties that state law forbids to sign "
        "with the rest, so it mostly records that they did not sign."
    )


def placebo_size_note(sizes: pd.DataFrame) -> str:
    """The measured size of the conventional clustered test on this design
    (``sizes``: ``table70_placebo_size``), in place of an assumed correction."""
    if sizes.empty:
        raise ValueError("no placebo-size result to describe")
    lines = [
        "How far the conventional clustered test can be trusted here is measured, not assumed: "
        "placebo laws with the real switch months are given to randomly drawn states that "
        "have no such law, added to the same model, and the conventional test's rejection "
        "rate is counted (a valid test rejects in 5% of draws)."
    ]
    for row in sizes.itertuples(index=False):
        lines.append(
            f"- {TERM_LABELS.get(row.term, esc(row.term))}, {esc(row.model)}: rejects in "
            f"**{fmt_pct(row.rejection_rate)}** of {fmt_int(row.n_valid)} placebo draws "
            f"(95% interval {fmt_pct(row.ci_low)}–{fmt_pct(row.ci_high)}) at a nominal "
            f"{fmt_pct(row.alpha, 0)}."
        )
    worst = sizes.loc[sizes["rejection_rate"].idxmax()]
    ratio = worst.rejection_rate / worst.alpha
    lines.append("")  # the verdict is a paragraph of its own, after the list
    lines.append(
        f"At worst the conventional test rejects a true null {ratio:.1f} "
        "times as often as it should, which is why the text follows the few-cluster p-values."
        if worst.rejection_rate > 2 * worst.alpha
        else "The conventional test holds roughly its size on this design; the text still "
        "follows the few-cluster p-values."
    )
    return "\n".join(lines)
