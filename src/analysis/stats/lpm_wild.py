"""Linear probability model per SD with state-clustered errors and a wild cluster bootstrap p.

:func:`fit_lpm_wild` standardizes the named covariates over the rows it fits (z-scores over the
complete cases, so each coefficient is the difference in the adoption probability per SD),
fits OLS with pyfixest (CRV1 standard errors clustered by ``cluster``) and adds, for each
term in ``bootstrap_terms``, the wild cluster bootstrap p-value of pyfixest's
``wildboottest`` (WCR11, the null imposed, Webb six-point weights, ``reps`` draws, ``seed``;
computed by :func:`analysis.stats.wcr.wild_bootstrap_p`), which stays valid with few or
unbalanced clusters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyfixest as pf

from analysis.stats._common import complete_cases, require_columns, z_critical
from analysis.stats.wcr import wild_bootstrap_p

LPM_COLUMNS = [
    "term",
    "estimate_pp_per_sd",
    "std_error_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "p_wild",
    "n",
    "n_clusters",
    "n_dropped",
    "outcome_mean",
]


def zscores(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Each column of ``names`` as (x - mean) / SD (ddof 0) over the rows of ``frame``."""
    out = frame.copy()
    for name in names:
        sd = out[name].std(ddof=0)
        if not np.isfinite(sd) or sd == 0:
            raise ValueError(f"{name} does not vary over the {len(out)} rows: cannot standardize")
        out[name] = (out[name] - out[name].mean()) / sd
    return out


def fit_lpm_wild(
    frame: pd.DataFrame,
    outcome: str,
    terms: Sequence[str],
    *,
    cluster: str = "state",
    bootstrap_terms: Sequence[str] = (),
    reps: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per term (:data:`LPM_COLUMNS`), estimates in percentage points per SD."""
    terms = list(terms)
    require_columns(frame, [outcome, cluster, *terms], "frame")
    data, dropped = complete_cases(frame, [outcome, cluster, *terms])
    if not set(data[outcome].unique()) <= {0, 1}:
        raise ValueError(f"{outcome} must be 0/1")
    data = zscores(data.reset_index(drop=True), terms)
    # Integer cluster codes (sorted labels): wildboottest's compiled kernels need numbers.
    data[cluster] = pd.factorize(data[cluster].astype(str), sort=True)[0]
    fit = pf.feols(f"{outcome} ~ {' + '.join(terms)}", data=data, vcov={"CRV1": cluster})
    tidy = fit.tidy()
    z = z_critical(alpha)
    rows = []
    for term in terms:
        est, se = float(tidy.loc[term, "Estimate"]), float(tidy.loc[term, "Std. Error"])
        p_wild = np.nan
        if term in bootstrap_terms:
            p_wild = wild_bootstrap_p(fit, term, cluster=cluster, reps=reps, seed=seed)
        rows.append(
            {
                "term": term,
                "estimate_pp_per_sd": 100 * est,
                "std_error_pp": 100 * se,
                "ci_low_pp": 100 * (est - z * se),
                "ci_high_pp": 100 * (est + z * se),
                "p_value": float(tidy.loc[term, "Pr(>|t|)"]),
                "p_wild": p_wild,
                "n": len(data),
                "n_clusters": data[cluster].nunique(),
                "n_dropped": dropped,
                "outcome_mean": float(data[outcome].mean()),
            }
        )
    return pd.DataFrame(rows, columns=LPM_COLUMNS)
