"""Prose of the summary (report 90), built from the key findings and the tables behind them.

The summary leads with the preferred specification and its few-cluster p-values, brings the
Hispanic-share results of every page into one paragraph, then gives mandates, diffusion, exits
and the caveats. Every number comes from ``key_findings.json`` (formatted by
:mod:`analysis.report.findings`) or from a table a report saved.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.covariates.schemas import MANDATE_TYPES
from analysis.report.findings import format_p, format_value
from analysis.report.key_findings import PP, finding_text

ALPHA = 0.05


def _value(item: Mapping) -> str:
    return format_value(item["value"], item["unit"])


def _details(item: Mapping) -> str:
    """The interval and p-values of a finding, without the value the sentence already gives."""
    rest = finding_text(item)[len(_value(item)) :].strip(" ;")
    if rest.startswith("(95% CI "):  # the sentence's own parentheses hold it
        close = rest.index(")")
        rest = rest[1:close] + rest[close + 1 :]
    return rest


def _few_cluster_p(item: Mapping) -> float | None:
    p = item.get("p_value_few_cluster")
    return p if p is not None else item.get("p_value")


def _holds(item: Mapping) -> bool:
    """Significant at 5% by the few-cluster p-value where there is one."""
    p = _few_cluster_p(item)
    return p is not None and p < ALPHA


def preferred_model_paragraph(by_id: Mapping[str, Mapping], description: str) -> str:
    """The preferred model's partisanship associations, pooled and within states."""
    pooled, within = by_id["gop_share_ame_pooled"], by_id["gop_share_ame_within_state"]
    verdict = (
        "Both hold under the wild cluster bootstrap."
        if _holds(pooled) and _holds(within)
        else "Not both hold under the wild cluster bootstrap; read them with its p-values."
    )
    return (
        f"**The preferred model** ({description}). Counties with a higher 2024 Republican "
        f"share are more likely to have a county-level agency with an agreement: "
        f"**{_value(pooled)}** across all counties ({_details(pooled)}) and "
        f"**{_value(within)}** when counties are compared only with counties of the same "
        f"state ({_details(within)}). {verdict} The within-state figure is the smaller "
        "because state laws, state politics and regional history are absorbed by the state "
        "fixed effects; both are associations conditional on the other covariates."
    )


def hispanic_synthesis(
    by_id: Mapping[str, Mapping],
    robustness: pd.DataFrame,
    spec_curve: pd.DataFrame,
    *,
    outcome: str,
    estimator: str = "lpm",
    term: str = "hispanic_share",
) -> str:
    """One paragraph on Hispanic share: pooled, within states, without the mandate states
    (``robustness``: report 60's table, state FE) and across the specification curve."""
    pooled, within = by_id["hispanic_share_ame_pooled"], by_id["hispanic_share_ame_within_state"]
    rows = robustness[(robustness.term == term) & (robustness.estimator == estimator)]
    without = rows[rows["sample"].str.startswith("without")]
    curve = spec_curve[(spec_curve.focal == term) & (spec_curve.status == "ok")]
    primary = curve[curve.outcome == outcome]
    parts = [
        f"**Hispanic share.** Across all counties, counties with a larger Hispanic share are "
        f"more likely to have a county-level agency with an agreement ({finding_text(pooled)}); "
        f"within states the association is {_value(within)} ({_details(within)})."
    ]
    if not without.empty:
        w = without.iloc[0]
        parts.append(
            f"Leaving out the mandate states ({w['sample'][len('without ') :]}), the "
            f"within-state {estimator.upper()} slope is {PP * w.estimate:+.1f} pp per SD "
            f"(95% CI {PP * w.ci_low:+.1f} to {PP * w.ci_high:+.1f})."
        )
    if not curve.empty:
        positive = (curve.estimate > 0).mean()
        significant = (curve.p_value < ALPHA).mean()
        parts.append(
            f"Across the {len(curve)} cells of the specification curve (all with state fixed "
            f"effects) the estimate is positive in {positive:.0%} and significant at 5% in "
            f"{significant:.0%} (state-clustered), with a median of "
            f"{PP * curve.estimate.median():+.1f} pp per SD"
            + (
                f" ({PP * primary.estimate.median():+.1f} for the primary outcome)."
                if not primary.empty
                else "."
            )
        )
    if _holds(pooled) and not _holds(within):
        verdict = (
            "What to conclude: the national association is mostly a difference between "
            "states (which states adopt); inside a state, Hispanic share does not reliably "
            "distinguish adopting from other counties."
        )
    elif _holds(within):
        verdict = (
            "What to conclude: the association survives the comparison within states, but "
            "its size depends on the specification."
        )
    else:
        verdict = (
            "What to conclude: neither the association across counties nor the one within "
            "states survives the wild cluster bootstrap, so the data show no reliable "
            "association with Hispanic share once the few large states that drive it are "
            "allowed their own errors."
        )
    return " ".join([*parts, verdict])


def mandates_and_diffusion(by_id: Mapping[str, Mapping]) -> str:
    """The mandate term with its conventional and few-cluster p-values (the text follows the
    few-cluster ones), and in-state diffusion."""
    mandate, neighbours = by_id["mandate_effect"], by_id["neighbour_adoption_hazard_ratio"]
    conventional, few = mandate.get("p_value"), mandate.get("p_value_few_cluster")
    ri = (
        f", randomization inference {format_p(mandate['p_value_ri'])}"
        if mandate.get("p_value_ri") is not None
        else ""
    )
    if few is not None and few >= ALPHA:
        reading = (
            f"With conventional state-clustered errors it looks clear ({format_p(conventional)}),"
            " but the term rests on a few mandate states, and the few-cluster tests (wild "
            f"cluster bootstrap {format_p(few)}{ri}) cannot distinguish it from no "
            "association. The report follows the few-cluster p-values."
        )
    else:
        reading = f"It holds under the wild cluster bootstrap ({format_p(few)})."
    return (
        f"**Mandates.** For counties in states whose law requires sheriffs to seek or hold an "
        f"agreement, the estimated hazard of a first adoption is higher: hazard ratio "
        f"**{_value(mandate)}** "
        f"({_details(mandate)}). {reading} Adoption in mandate states is compliance "
        "with state law, not a local choice.\n\n"
        f"**Diffusion.** {neighbours['label']}: **{_value(neighbours)}** "
        f"({_details(neighbours)}). In-state neighbours share the state's law and "
        "politics, so this is clustering in time and space, not evidence of imitation."
    )


def caveats(laws: pd.DataFrame, by_id: Mapping[str, Mapping]) -> str:
    """The main caveats, with the counts that make them concrete."""
    coded = laws[laws.policy_type.isin(MANDATE_TYPES)]
    unverified = coded[coded.verification != "primary text read"]
    return "\n".join(
        [
            "- **Mandate states are compliance, not local choice**: the county models show "
            "them apart and without them.",
            f"- **Few treated clusters**: the mandate term rests on "
            f"{by_id['mandate_effect']['sample'].split('; ')[-1]}; only few-cluster p-values "
            "(wild cluster bootstrap, randomization inference over states) are meaningful.",
            f"- **Law dates**: {len(unverified)} of the {len(coded)} mandate laws coded "
            f"({', '.join(sorted(coded.state_usps.unique()))}) have dates taken from "
            "secondary reports or unverified, not read in the primary text (report 70 lists "
            "them with their verification level).",
            "- **Alaska** reports its presidential vote by house district, not by borough: "
            "its boroughs carry the statewide share.",
            "- **Placement**: agencies are placed in counties and jurisdictions by name "
            "matching (report 30 shows the evidence and the unplaced ones); coverage counts "
            "residents of the agencies' own jurisdictions.",
        ]
    )
