"""Prose of the outcomes by agency level (notebooks 50, 60 and 90): the primary outcome (a
county-level agency holds an agreement) against the secondary ones (any agency in the county; a
municipal agency in the county), and the place-level view of municipal adoption.

Split from :mod:`analysis.report.text_models` (which would pass the 500-line limit); each
function takes the notebooks' result tables and returns Markdown, so every number comes from a
table. Probabilities appear in percentage points (``PP``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.report.text import esc, fmt_ci, fmt_int, fmt_pct
from analysis.study.variables import (
    AGENCY_LEVEL_OUTCOMES,
    COVARIATE_LABELS,
    OUTCOMES,
    PRIMARY_OUTCOME,
)

PP = 100
"""Probabilities are shown in percentage points."""


def agency_level_counts(counties: pd.DataFrame) -> str:
    """Counties under each agency-level outcome, and those that count as adopters under "any
    agency" only through a municipal or other non-county agency."""
    n = len(counties)
    sums = {k: int(counties[k].sum()) for k in AGENCY_LEVEL_OUTCOMES}
    county = counties[PRIMARY_OUTCOME] == 1
    not_county = int(((counties["any_agreement"] == 1) & ~county).sum())
    municipal_only = int(((counties["municipal_agency_agreement"] == 1) & ~county).sum())
    rule = counties["agency_level_rule"].iloc[0]
    parts = [f"{fmt_int(v)} ({fmt_pct(v / n)}) {OUTCOMES[k]}" for k, v in sums.items()]
    return (
        f"Of {fmt_int(n)} counties: " + "; ".join(parts) + ". "
        f"{fmt_int(not_county)} counties count as adopters under *any agency* only through a "
        f"non-county agency ({fmt_int(municipal_only)} of them through a municipal one). "
        f"Agency level from {esc(rule)}."
    )


def _level_effect(effects: pd.DataFrame, outcome: str, fe: str, term: str, estimator: str):
    rows = effects[
        (effects.outcome == outcome)
        & (effects.fixed_effects == fe)
        & (effects.term == term)
        & (effects.estimator == estimator)
    ]
    return None if rows.empty else rows.iloc[0]


def outcome_level_effects(
    effects: pd.DataFrame, terms: Sequence[str], estimator: str = "lpm"
) -> str:
    """Per agency-level outcome (primary first), each term's effect without and with state FE
    (``effects``: state-clustered marginal effects with ``outcome``, ``estimator``,
    ``fixed_effects``, ``term``); terms or outcomes not in the table are left out."""
    lines = []
    for outcome, label in AGENCY_LEVEL_OUTCOMES.items():
        parts = []
        for term in terms:
            a, b = (
                _level_effect(effects, outcome, fe, term, estimator) for fe in ("none", "state")
            )
            if a is None or b is None:
                continue
            parts.append(
                f"{COVARIATE_LABELS.get(term, term)} "
                f"{fmt_ci(a.estimate, a.ci_low, a.ci_high, 1, PP)} pooled, "
                f"{fmt_ci(b.estimate, b.ci_low, b.ci_high, 1, PP)} within states"
            )
        if parts:
            lines.append(f"- *{label}*: " + "; ".join(parts) + ".")
    return f"{estimator.upper()}, pp per SD, state-clustered 95% CI:\n\n" + "\n".join(lines)


def outcome_levels_explanation(
    effects: pd.DataFrame, term: str = "log_population_density", estimator: str = "lpm"
) -> str:
    """Why the county-level outcome leads, with ``term``'s pooled and within-state effect under
    each agency-level outcome (``effects`` as in :func:`outcome_level_effects`)."""
    pooled = {k: _level_effect(effects, k, "none", term, estimator) for k in AGENCY_LEVEL_OUTCOMES}
    within = {k: _level_effect(effects, k, "state", term, estimator) for k in AGENCY_LEVEL_OUTCOMES}
    if any(r is None for r in [*pooled.values(), *within.values()]):
        return ""
    label = COVARIATE_LABELS.get(term, term).lower()

    def pp(row):
        return f"{PP * row.estimate:+.1f} pp"

    gap = PP * (pooled["any_agreement"].estimate - pooled[PRIMARY_OUTCOME].estimate)
    comparison = (
        f"{abs(gap):.1f} pp per SD {'larger' if gap > 0 else 'smaller'} under *any agency* "
        "than under the county-level outcome"
    )
    return (
        "The primary outcome is whether a **county-level agency** (sheriff, county police, "
        "county jail) holds an agreement: one agency per county, so the outcome does not grow "
        "with the number of agencies. *Any agency in the county* turns on whether any "
        "small-town police department signed, which ties it to how many agencies a county has "
        "(more departments, more chances that one signed). The "
        f"{label} association under each outcome: {pp(pooled[PRIMARY_OUTCOME])} per SD for a "
        f"county-level agency, {pp(pooled['any_agreement'])} for any agency and "
        f"{pp(pooled['municipal_agency_agreement'])} for a municipal agency across counties "
        f"({estimator.upper()}); within states {pp(within[PRIMARY_OUTCOME])}, "
        f"{pp(within['any_agreement'])} and {pp(within['municipal_agency_agreement'])}. "
        f"Across counties the density association is {comparison}. These are associations: "
        "denser counties have more departments that could sign, whatever they would choose."
    )


def municipal_places_summary(summary: pd.DataFrame, matches: pd.DataFrame) -> str:
    """The place-level headline: places on the list, their share, size and county covariates
    against the other incorporated places of the same states, and the agencies not matched
    (``summary``: :func:`analysis.study.municipal.place_summary`; ``matches``: its
    ``matches`` table with ``on_list``)."""
    total = summary.set_index("size_bin").loc["all sizes"]
    bins = summary[summary.size_bin != "all sizes"]
    bins = bins[bins.places > 0]
    low, high = bins.iloc[0], bins.iloc[-1]
    listed = matches[matches.on_list == 1]
    unmatched = listed[listed.place_geoid.isna()]
    reasons = unmatched.match_note.value_counts()
    return (
        f"{fmt_int(total.on_list)} of {fmt_int(total.places)} incorporated places "
        f"({fmt_pct(total.share_on_list)}) in the states with a listed municipal agency have a "
        f"police department on the list. Their median population is "
        f"{fmt_int(total.median_population_on_list)} against "
        f"{fmt_int(total.median_population_other)} for the other places; the share on the list "
        f"runs from {fmt_pct(low.share_on_list)} of places of {esc(low.size_bin)} residents "
        f"to {fmt_pct(high.share_on_list)} of places of "
        f"{esc(high.size_bin)}. Their counties voted "
        f"{fmt_pct(total.gop_share_2024_on_list)} Republican in 2024 (other places' counties: "
        f"{fmt_pct(total.gop_share_2024_other)}), with Hispanic shares of "
        f"{fmt_pct(total.hispanic_share_on_list)} and {fmt_pct(total.hispanic_share_other)} "
        f"and foreign-born shares of {fmt_pct(total.foreign_born_share_on_list)} and "
        f"{fmt_pct(total.foreign_born_share_other)} (means over places). "
        f"{fmt_int(len(unmatched))} of {fmt_int(len(listed))} listed municipal agencies have no "
        "place: "
        + ("; ".join(f"{esc(k)} ({v})" for k, v in reasons.items()) if len(reasons) else "none")
        + "."
    )


def partisanship_levels_findings(effects: pd.DataFrame, as_of: str) -> list[tuple[str, str, str]]:
    """Key findings: the LPM slope of the 2024 Republican share per agency-level outcome,
    without and with state FE (``effects`` as in :func:`outcome_level_effects`)."""
    rows = []
    for outcome, label in AGENCY_LEVEL_OUTCOMES.items():
        for fe, where in (("none", "across states"), ("state", "within states")):
            r = _level_effect(effects, outcome, fe, "gop_share_2024", "lpm")
            if r is not None:
                value = fmt_ci(r.estimate, r.ci_low, r.ci_high, 1, PP, signed=True) + " pp"
                rows.append((f"GOP share 2024 (per SD), {label}, {where}", value, as_of))
    return rows


def partisanship_levels_summary(effects: pd.DataFrame) -> str:
    """The 2024 Republican share's LPM slope under the primary outcome, then the secondary
    ones (``effects`` as in :func:`outcome_level_effects`)."""
    a, b = (_level_effect(effects, PRIMARY_OUTCOME, fe, "gop_share_2024", "lpm")
            for fe in ("none", "state"))  # fmt: skip
    others = []
    for outcome in AGENCY_LEVEL_OUTCOMES:
        if outcome == PRIMARY_OUTCOME:
            continue
        p, w = (_level_effect(effects, outcome, fe, "gop_share_2024", "lpm")
                for fe in ("none", "state"))  # fmt: skip
        others.append(
            f"{PP * p.estimate:+.1f} and {PP * w.estimate:+.1f} pp for "
            f"*{AGENCY_LEVEL_OUTCOMES[outcome]}*"
        )
    return (
        f"One standard deviation more Republican vote share goes with a "
        f"**{PP * a.estimate:+.1f} pp** change in the probability that a county-level agency "
        f"holds an agreement across all counties (95% CI {PP * a.ci_low:+.1f} to "
        f"{PP * a.ci_high:+.1f}) and **{PP * b.estimate:+.1f} pp** within states "
        f"({PP * b.ci_low:+.1f} to {PP * b.ci_high:+.1f}), n = {fmt_int(a.n)} counties "
        "(the primary outcome). The secondary outcomes, across and within states: "
        + "; ".join(others)
        + ". The adoption reports (50-70) add covariates, outcome variants and robustness checks."
    )
