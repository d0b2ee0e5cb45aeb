"""Border pairs: contiguous counties on two sides of a state line where the two states' 287(g)
laws differ, and the adoption difference within those pairs.

**Law of a state at a date** (:func:`state_law_status`), one of :data:`LAW_RANK`:

- ``must hold or enter`` / ``must request``: a mandate in force in that month by the signing-
  date rule of :func:`analysis.study.adoption.mandates_by_state` (FL, TX: hold or enter; GA,
  AR: request; Tennessee's 2026 law counts only from 2027, so not in the window);
- ``prohibition``: a prohibition **enacted** by the date: its signing date, else its effective
  date, else its prohibition date, else 1 January of the year after its ``year``. Maryland's
  2026 law counts from its signing (2026-02-17), when its sheriffs started to leave, not from
  the 1 July 2026 date by which agreements had to end;
- ``none`` otherwise.

**Pairs** (:func:`border_pairs`): every queen-contiguous pair of counties in two different
states whose laws differ. The **law side** is the state whose law is further from ``none``
(a prohibition against none, a mandate against none, the stronger mandate against the weaker);
a prohibition against a mandate, the mandate side. The difference is law side minus other
side, so it is positive when the law side adopts more.

**Uncertainty** (:func:`border_summary`). A county on a border belongs to several pairs, so the
pairs are not independent. Per border and pooled, the standard error of the mean difference is
dyadic-robust: the sum of products of residuals over every two pairs that share a county
(Fafchamps and Gubert 2007; Cameron and Miller 2014), which allows any correlation among pairs
with a county in common. Pooled over borders, a cluster bootstrap over state pairs (borders,
resampled with replacement, seeded) gives a second interval that also allows correlation within
a whole border.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.resampling import cluster_bootstrap_counts, percentile_interval
from analysis.study import adoption

LAW_RANK = {"prohibition": -1, "none": 0, "must request": 1, "must hold or enter": 2}
"""Law categories, from forbidding agreements to requiring one."""
STRONG_MANDATES = ("must hold", "must enter")
POOLED_MANDATE = "mandate against a weaker or no mandate"
POOLED_PROHIBITION = "prohibition against no law"
PAIR_COLUMNS = [
    "border", "contrast", "law_state", "other_state", "law", "other_law",
    "law_fips", "other_fips",
]  # fmt: skip


def _prohibition_starts(state_policies: pd.DataFrame) -> pd.DataFrame:
    """Each prohibition's state (``state_usps``) and the date it counts as enacted from
    (``start``): signing, else effective, else prohibition date, else 1 January of the year
    after its ``year`` (module docstring)."""
    rows = state_policies[state_policies["policy_type"] == "prohibition"]
    start = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[s]")
    for column in ("signed_date", "effective_date", "prohibition_date"):
        start = start.fillna(pd.to_datetime(rows[column]).astype("datetime64[s]"))
    next_year = pd.to_datetime((rows["year"].astype(int) + 1).astype(str) + "-01-01")
    start = start.fillna(next_year.astype("datetime64[s]"))
    return pd.DataFrame({"state_usps": rows["state_usps"], "start": start})


def _prohibitions_enacted(state_policies: pd.DataFrame, date: pd.Timestamp) -> set[str]:
    starts = _prohibition_starts(state_policies)
    return set(starts.loc[starts["start"] <= date, "state_usps"])


def state_law_status(state_policies: pd.DataFrame, date, states) -> pd.DataFrame:
    """The law category (:data:`LAW_RANK`) of each of ``states`` at ``date``: columns
    ``state``, ``law``, ``rank``, ``instruments`` (policy ids of the laws behind it)."""
    date = pd.Timestamp(date)
    mandates = adoption.mandates_by_state(state_policies, event="signed")
    month = pd.Period(date, "M")
    active = mandates[
        (mandates["start_month"] <= month)
        & (mandates["end_month"].isna() | (mandates["end_month"] >= month))
    ].set_index("state")
    prohibited = _prohibitions_enacted(state_policies, date)
    rows = []
    for state in sorted(set(np.asarray(states, dtype=object).tolist())):
        if state in prohibited:
            law = "prohibition"
            ids = state_policies.loc[
                (state_policies["state_usps"] == state)
                & (state_policies["policy_type"] == "prohibition"),
                "policy_id",
            ]
            instruments = "; ".join(ids)
        elif state in active.index:
            types = active.at[state, "policy_types"]
            strong = any(t in types for t in STRONG_MANDATES)
            law = "must hold or enter" if strong else "must request"
            instruments = active.at[state, "instruments"]
        else:
            law, instruments = "none", ""
        rows.append({"state": state, "law": law, "rank": LAW_RANK[law], "instruments": instruments})
    return pd.DataFrame(rows)


def border_pairs(edges: pd.DataFrame, county_states: pd.Series, laws: pd.DataFrame) -> pd.DataFrame:
    """Contiguous county pairs across state lines whose states' laws differ.

    ``edges``: contiguity ``fips, neighbor_fips`` (either or both directions);
    ``county_states``: state of each county (indexed by fips); ``laws``:
    :func:`state_law_status`. Columns :data:`PAIR_COLUMNS`: ``border`` ("TX-OK", law side
    first), ``contrast`` ("must hold or enter vs none"), the two states, laws and counties.
    Sorted by border and counties; each unordered pair once.
    """
    # plain Python strings in NumPy object arrays and dicts: no per-element Arrow access
    state_of = dict(zip(county_states.index.astype(str).tolist(),
                        county_states.tolist(), strict=True))  # fmt: skip
    a = edges.iloc[:, 0].astype(str).to_numpy(dtype=object)
    b = edges.iloc[:, 1].astype(str).to_numpy(dtype=object)
    unknown = sorted((set(a.tolist()) | set(b.tolist())) - set(state_of))
    if unknown:
        raise ValueError(f"edges name counties without a state: {unknown[:5]}")
    pairs = pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)}).drop_duplicates()
    pairs = pairs[pairs["a"] != pairs["b"]]
    pairs["state_a"] = [state_of[c] for c in pairs["a"].tolist()]
    pairs["state_b"] = [state_of[c] for c in pairs["b"].tolist()]
    pairs = pairs[pairs["state_a"] != pairs["state_b"]]
    rank = dict(zip(laws["state"].tolist(), laws["rank"].tolist(), strict=True))
    missing = sorted((set(pairs["state_a"]) | set(pairs["state_b"])) - set(rank))
    if missing:
        raise ValueError(f"laws has no row for states {missing}")
    ra = np.array([rank[c] for c in pairs["state_a"].tolist()], dtype=int)
    rb = np.array([rank[c] for c in pairs["state_b"].tolist()], dtype=int)
    differ = ra != rb
    pairs, ra, rb = pairs[differ], ra[differ], rb[differ]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in PAIR_COLUMNS})
    # The law side: further from "none"; a prohibition against a mandate: the mandate side.
    a_is_law = (np.abs(ra) > np.abs(rb)) | ((np.abs(ra) == np.abs(rb)) & (ra > rb))
    law_name = {v: k for k, v in LAW_RANK.items()}
    out = pd.DataFrame(
        {
            "law_state": np.where(a_is_law, pairs["state_a"], pairs["state_b"]),
            "other_state": np.where(a_is_law, pairs["state_b"], pairs["state_a"]),
            "law": [law_name[r] for r in np.where(a_is_law, ra, rb)],
            "other_law": [law_name[r] for r in np.where(a_is_law, rb, ra)],
            "law_fips": np.where(a_is_law, pairs["a"], pairs["b"]),
            "other_fips": np.where(a_is_law, pairs["b"], pairs["a"]),
        }
    )
    out["border"] = out["law_state"] + "-" + out["other_state"]
    out["contrast"] = out["law"] + " vs " + out["other_law"]
    return out[PAIR_COLUMNS].sort_values(["border", "law_fips", "other_fips"], ignore_index=True)


def pair_differences(pairs: pd.DataFrame, outcome: pd.Series) -> pd.DataFrame:
    """``pairs`` with ``law_adopted``, ``other_adopted`` (the 0/1 ``outcome``, indexed by
    fips) and ``difference`` (law side minus other side)."""
    values = outcome.copy()
    values.index = values.index.astype(str)
    needed = set(pairs["law_fips"]) | set(pairs["other_fips"])
    missing = sorted(needed - set(values.dropna().index))
    if missing:
        raise ValueError(f"outcome missing for border counties {missing[:5]}")
    out = pairs.assign(
        law_adopted=values[pairs["law_fips"]].to_numpy(dtype=float),
        other_adopted=values[pairs["other_fips"]].to_numpy(dtype=float),
    )
    return out.assign(difference=out["law_adopted"] - out["other_adopted"])


def dyadic_se(pairs: pd.DataFrame) -> float:
    """Dyadic-robust standard error of the mean ``difference`` over ``pairs``: with residuals
    ``e`` and ``S[p, q] = 1`` when pairs p and q share a county (p = q included),
    ``sqrt(e' S e) / P``."""
    law, other = _county_codes(pairs)
    return _dyadic_se(pairs["difference"].to_numpy(dtype=float), law, other)


def _county_codes(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The law-side and other-side counties of ``pairs`` as integer codes (one code per
    county): the same comparisons as the fips, without comparing strings."""
    fips = np.concatenate([pairs["law_fips"].to_numpy(dtype=object),
                           pairs["other_fips"].to_numpy(dtype=object)])  # fmt: skip
    codes = pd.factorize(fips)[0]
    return codes[: len(pairs)], codes[len(pairs) :]


def _dyadic_se(difference: np.ndarray, law: np.ndarray, other: np.ndarray) -> float:
    e = difference - difference.mean()
    share = (
        (law[:, None] == law[None, :])
        | (other[:, None] == other[None, :])
        | (law[:, None] == other[None, :])
        | (other[:, None] == law[None, :])
    )
    return float(np.sqrt(max(e @ share @ e, 0.0)) / len(e))


def _row(columns: dict, keep, z: float) -> dict:
    """The summary of the pairs ``keep`` (positions) of ``columns`` (arrays of the pairs)."""
    difference = columns["difference"][keep]
    law, other = columns["law"][keep], columns["other"][keep]
    mean = difference.mean()
    se = _dyadic_se(difference, law, other) if len(difference) > 1 else np.nan
    return {
        "n_pairs": len(difference),
        "n_law_counties": len(np.unique(law)),
        "n_other_counties": len(np.unique(other)),
        "law_share_adopted": columns["law_adopted"][keep].mean(),
        "other_share_adopted": columns["other_adopted"][keep].mean(),
        "difference": mean,
        "se_dyadic": se,
        "ci_low": mean - z * se,
        "ci_high": mean + z * se,
    }


def border_summary(
    diffs: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05
) -> pd.DataFrame:
    """Per border, then pooled per contrast and over all borders: pairs, counties on each
    side, shares adopted (pair-weighted), the mean difference with its dyadic-robust SE and
    normal interval; pooled rows add ``boot_ci_low`` / ``boot_ci_high``, the percentile
    interval of a cluster bootstrap over borders (``n_boot`` draws, ``seed``), and
    ``n_borders``. ``scope`` is ``border``, ``contrast`` or ``pooled`` (:data:`POOLED_MANDATE`:
    every border whose law side has a mandate; :data:`POOLED_PROHIBITION`). A border of one
    pair has no standard error (NaN)."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / 2))
    law, other = _county_codes(diffs)
    columns = {"difference": diffs["difference"].to_numpy(dtype=float), "law": law,
               "other": other, "law_adopted": diffs["law_adopted"].to_numpy(dtype=float),
               "other_adopted": diffs["other_adopted"].to_numpy(dtype=float)}  # fmt: skip
    border_names = diffs["border"].to_numpy(dtype=object)
    rows = []
    pairs_of = diffs.groupby(["border", "contrast"], sort=True).indices
    for (border, contrast), keep in sorted(pairs_of.items()):
        rows.append({"scope": "border", "border": border, "contrast": contrast,
                     "n_borders": 1, **_row(columns, keep, z)})  # fmt: skip
    by_contrast = sorted(diffs.groupby("contrast", sort=True).indices.items())
    groups = [("contrast", c, k) for c, k in by_contrast]
    mandate_side = (diffs["law"] != "prohibition").to_numpy(dtype=bool)
    for label, keep in [(POOLED_MANDATE, mandate_side), (POOLED_PROHIBITION, ~mandate_side)]:
        if keep.any():
            groups.append(("pooled", label, np.flatnonzero(keep)))
    for scope, contrast, keep in groups:
        codes, borders = pd.factorize(border_names[keep], sort=True)
        sums = np.bincount(codes, weights=columns["difference"][keep], minlength=len(borders))
        counts = np.bincount(codes, minlength=len(borders)).astype(float)
        draws = cluster_bootstrap_counts(len(borders), n_boot, seed)
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = (draws @ sums) / (draws @ counts)
        low, high = percentile_interval(replicates, alpha)
        rows.append({"scope": scope, "border": "all borders", "contrast": contrast,
                     "n_borders": len(borders), **_row(columns, keep, z),
                     "boot_ci_low": low, "boot_ci_high": high})  # fmt: skip
    return pd.DataFrame(rows)
