"""Linear probability model per SD with state-clustered errors and a wild cluster bootstrap p.

:func:`fit_lpm_wild` standardizes the named covariates over the rows it fits (z-scores over the
complete cases, so each coefficient is the difference in the adoption probability per SD),
fits OLS as pyfixest's ``feols`` does (:mod:`analysis.stats.crv1`, pyfixest itself only
where that does not apply; CRV1 standard errors clustered by ``cluster``) and adds, for each
term in ``bootstrap_terms``, the wild cluster bootstrap p-value of pyfixest's
``wildboottest`` (WCR11, the null imposed, Webb six-point weights, ``reps`` draws, ``seed``;
computed from arrays by :func:`analysis.stats.wcr.wild_bootstrap_p_arrays`), which stays
valid with few or unbalanced clusters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats import wcr
from analysis.stats._common import complete_cases, require_columns, z_critical
from analysis.stats.crv1 import crv1_ols

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
    z = z_critical(alpha)
    fit = crv1_ols(data[outcome].to_numpy(dtype=float), data[terms].to_numpy(dtype=float),
                   terms, data[cluster].to_numpy())  # fmt: skip
    if fit is None or not wcr.applies("webb", fit.n_clusters, reps):
        numbers = _pyfixest(data, outcome, terms, cluster, bootstrap_terms, reps, seed)
    else:
        # pyfixest's feols and wildboottest numbers from arrays (no pyfixest import).
        numbers = {
            term: (fit.estimate[i], fit.std_error[i], fit.p_value[i],
                   wcr.wild_bootstrap_p_arrays(fit.y, fit.one_hot, fit.one_hot_names,
                                               fit.clusters, term, reps=reps, seed=seed)
                   if term in bootstrap_terms else np.nan)
            for i, term in enumerate(fit.names) if term in terms
        }  # fmt: skip
    rows = []
    for term in terms:
        est, se, p_value, p_wild = (float(v) for v in numbers[term])
        rows.append(
            {
                "term": term,
                "estimate_pp_per_sd": 100 * est,
                "std_error_pp": 100 * se,
                "ci_low_pp": 100 * (est - z * se),
                "ci_high_pp": 100 * (est + z * se),
                "p_value": p_value,
                "p_wild": p_wild,
                "n": len(data),
                "n_clusters": data[cluster].nunique(),
                "n_dropped": dropped,
                "outcome_mean": float(data[outcome].mean()),
            }
        )
    return pd.DataFrame(rows, columns=LPM_COLUMNS)


def _pyfixest(data, outcome, terms, cluster, bootstrap_terms, reps, seed):
    """term -> (estimate, std_error, p_value, p_wild) from pyfixest's feols."""
    import pyfixest as pf

    fit = pf.feols(f"{outcome} ~ {' + '.join(terms)}", data=data, vcov={"CRV1": cluster})
    tidy = fit.tidy()
    return {
        term: (tidy.loc[term, "Estimate"], tidy.loc[term, "Std. Error"],
               tidy.loc[term, "Pr(>|t|)"],
               wcr.wild_bootstrap_p(fit, term, cluster=cluster, reps=reps, seed=seed)
               if term in bootstrap_terms else np.nan)
        for term in terms
    }  # fmt: skip
