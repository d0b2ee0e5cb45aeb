"""Do the street-level Task Force Model and the jail models, or municipal police and county
agencies, go with different county characteristics?

For a pair of county outcomes (a base one and another), the two are stacked (each county twice)
and one linear-probability model is fitted with every covariate and its interaction with "the
other outcome", state fixed effects per outcome, and errors clustered by state (a county's two
rows share their state's cluster). The interaction is the difference between the two
outcomes' per-SD associations, with the main models' inference: state-clustered (CRV1) and wild
cluster restricted bootstrap p-values. Covariates are z-scored over all counties (one scale).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.stats.few_cluster import fit_lpm, wild_cluster_bootstrap

PAIRS = {
    "Task Force Model minus jail models (JEM or WSO)": ("jail_model_agreement", "tfm_agreement"),
    "municipal agency minus county-level agency": (
        "county_agency_agreement",
        "municipal_agency_agreement",
    ),
}
OTHER = "_other_outcome"


def _interaction(term: str) -> str:
    return f"{term}__x_other"


def stacked_counties(
    counties: pd.DataFrame,
    base: str,
    other: str,
    covariates: Sequence[str],
    scales: Mapping[str, tuple[float, float]],
) -> pd.DataFrame:
    """Each county twice: ``y`` is ``base`` (``_other_outcome`` 0) then ``other`` (1), the
    covariates as z-scores with ``scales``, their interactions with ``_other_outcome``, and
    ``state_outcome`` (the state fixed effect per outcome)."""
    z = pd.DataFrame(
        {c: (counties[c] - scales[c][0]) / scales[c][1] for c in covariates}, index=counties.index
    )
    frames = []
    for flag, outcome in ((0, base), (1, other)):
        part = z.assign(y=counties[outcome].astype(float), state=counties["state"], **{OTHER: flag})
        part = part.assign(**{_interaction(c): part[c] * flag for c in covariates})
        frames.append(part.assign(state_outcome=part.state.astype(str) + f"|{flag}"))
    return pd.concat(frames, ignore_index=True)


def model_type_differences(
    counties: pd.DataFrame,
    covariates: Sequence[str],
    focal: Sequence[str],
    scales: Mapping[str, tuple[float, float]],
    *,
    reps: int,
    seed: int,
    pairs: Mapping[str, tuple[str, str]] = PAIRS,
) -> pd.DataFrame:
    """Per pair and focal covariate: the base outcome's association (probability per SD, with
    its 95% interval), the other outcome's, and their difference with its interval, CRV1 and
    wild-bootstrap p-values; within states (state fixed effects per outcome)."""
    rows = []
    for i, (label, (base, other)) in enumerate(pairs.items()):
        stacked = stacked_counties(counties, base, other, covariates, scales)
        terms = [*covariates, *(_interaction(c) for c in covariates)]
        fit = fit_lpm(stacked, "y", terms, fixed_effects=["state_outcome"], cluster="state")
        for j, term in enumerate(focal):
            first, gap = fit.term_row(term), fit.term_row(_interaction(term))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*singleton fixed effect.*")
                wcr = wild_cluster_bootstrap(
                    fit, _interaction(term), reps=reps, seed=seed + 10 * i + j
                )
            rows.append(
                {
                    "comparison": label, "base_outcome": base, "other_outcome": other,
                    "term": term, "base_estimate": first["estimate"],
                    "base_ci_low": first["ci_low"], "base_ci_high": first["ci_high"],
                    "other_estimate": first["estimate"] + gap["estimate"],
                    "difference": gap["estimate"], "difference_ci_low": gap["ci_low"],
                    "difference_ci_high": gap["ci_high"], "p_value": gap["p_value"],
                    "p_value_few_cluster": wcr["p_value"], "method_few_cluster": wcr["method"],
                    "n_counties": len(counties), "n_clusters": fit.n_clusters,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)
