"""Which agreements end, and when: the agreement x snapshot-interval risk set, exits that follow
a state prohibition apart from the others, a discrete-time hazard of ending, and entries
against exits.

**Risk set** (:func:`exit_panel`). The snapshots are the participating lists of the time series
(``agreements_history.in_time_series``; the dates ``agreements.gone_at`` refers to). An
agreement listed at snapshot ``t0`` is at risk in the interval to the next snapshot ``t1``; the
interval's ``outcome`` is

- ``exit``: the agreement is absent from ``t1`` and every later list, and the ICE history found
  no successor for it (``agreements.lineage == "exit"``, see :mod:`analysis.ice.lineage`);
- ``renamed`` / ``uncertain``: absent from then on, but with a clear (``successor``) or a
  possible (``successor_uncertain``) successor under another key: not an exit, the interval is
  censored (the successor carries on under its own key);
- ``flicker``: absent from ``t1`` but listed again later: not an exit;
- ``listed``: still listed at ``t1``.

``event`` is 1 for ``exit`` only. An interval's covariates: the agreement's model, its agency's
jurisdiction level (``agencies.jurisdiction_level``), the state, ``prohibition_enacted``
(the state had enacted a prohibition by ``t1``: the rule of
:func:`analysis.study.borders.state_law_status`, so Maryland from its signing on 2026-02-17),
the change of the Republican two-party share 2020 -> 2024 in the agency's county
(``gop_change_pp``, percentage points; missing for state agencies, which have no county) and
the interval's length.

**Why an exit** (:func:`exit_reasons`): ``after a prohibition`` when the state had enacted a
prohibition by the first list without the agreement (NJ's directive of 2018, Maryland's 2026
law), else ``no prohibition``: an agency's or ICE's decision, or a termination the lists do not
explain (ICE publishes no list of terminations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.study import borders

OUTCOMES = ("listed", "exit", "renamed", "uncertain", "flicker")
AFTER_PROHIBITION = "after a prohibition"
NO_PROHIBITION = "no prohibition"
LEVELS = ("county", "municipal", "state", "other")
MODELS = ("JEM", "TFM", "WSO")


def series_dates(history: pd.DataFrame) -> pd.DatetimeIndex:
    """The participating snapshots of the time series, sorted."""
    keep = (history["list"] == "participating") & history["in_time_series"].astype(bool)
    dates = history["snapshot_date"][keep.to_numpy(dtype=bool)]  # one column, not every one
    return pd.DatetimeIndex(sorted(pd.to_datetime(dates).unique()))


def _prohibition_dates(state_policies: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """For each date, the states with a prohibition enacted by then (long: date, state): the
    ``"prohibition"`` rows of :func:`analysis.study.borders.state_law_status`, whose rule is
    ``borders._prohibitions_enacted`` (the mandates it also computes play no part here). Each
    prohibition's start is computed once (``borders._prohibition_starts``) and compared
    with every date."""
    states = set(state_policies["state_usps"].unique())
    starts = borders._prohibition_starts(state_policies)
    laws = list(zip(starts["state_usps"].tolist(), starts["start"].tolist(), strict=True))
    rows = []
    for date in dates:
        date = pd.Timestamp(date)
        enacted = {state for state, start in laws if start <= date}  # NaT: never
        rows.extend((date, s) for s in sorted(enacted & states))
    return pd.DataFrame(rows, columns=["date", "state"])


def exit_panel(
    history: pd.DataFrame,
    agreements: pd.DataFrame,
    agencies: pd.DataFrame,
    covariates: pd.DataFrame,
    state_policies: pd.DataFrame,
) -> pd.DataFrame:
    """The agreement x interval risk set (module docstring), one row per agreement and
    interval it starts listed in, sorted by interval end and key. Columns: ``agreement_key``,
    ``state``, ``model``, ``agency_level``, ``county_fips``, ``t0``, ``t1``, ``period`` (year of
    ``t1``), ``interval_days``, ``outcome``, ``event``, ``prohibition_enacted``, ``gop_change_pp``,
    and 0/1 indicators ``tfm``, ``wso``, ``municipal``, ``state_agency``, ``other_level``."""
    dates = series_dates(history)
    rows = history[["agreement_key", "snapshot_date"]]  # the columns used, before filtering
    participating = (history["list"] == "participating").to_numpy(dtype=bool)
    rows = rows[participating & pd.to_datetime(rows["snapshot_date"]).isin(dates).to_numpy()]
    listed = rows[["agreement_key", "snapshot_date"]].drop_duplicates()
    listed = listed.assign(snapshot_date=pd.to_datetime(listed["snapshot_date"]))
    position = pd.Series(np.arange(len(dates)), index=dates)
    listed["i"] = position[listed["snapshot_date"]].to_numpy()
    listed = listed[listed["i"] < len(dates) - 1]
    info = agreements.set_index("agreement_key")
    unknown = sorted(set(listed["agreement_key"].tolist()) - set(info.index.tolist()))
    if unknown:
        raise ValueError(f"agreements_history keys missing from agreements: {unknown[:5]}")
    panel = listed.assign(t0=dates[listed["i"]], t1=dates[listed["i"] + 1])
    key = panel["agreement_key"]
    # listed at t1 too: (key, i + 1) among the listed (key, i), as integer codes
    key_codes, _ = pd.factorize(pd.concat([rows["agreement_key"], key], ignore_index=True))
    seen_i = position[pd.to_datetime(rows["snapshot_date"])].to_numpy()
    width = len(dates) + 1
    seen = key_codes[: len(rows)].astype(np.int64) * width + seen_i
    on_next = np.isin(key_codes[len(rows) :].astype(np.int64) * width + listed["i"].to_numpy() + 1,
                      seen[key_codes[: len(rows)] >= 0])  # fmt: skip
    gone_here = pd.to_datetime(info["gone_at"]).reindex(key).to_numpy() == panel["t1"].to_numpy()
    lineage = info["lineage"].reindex(key).to_numpy()
    outcome = np.select(
        [np.asarray(on_next), gone_here & (lineage == "exit"), gone_here & (lineage == "successor"),
         gone_here & (lineage == "successor_uncertain")],
        ["listed", "exit", "renamed", "uncertain"], default="flicker",
    )  # fmt: skip
    panel["outcome"] = outcome
    panel["event"] = (outcome == "exit").astype(int)
    for column in ("state", "model", "agency_key"):
        panel[column] = info[column].reindex(key).to_numpy()
    places = agencies.set_index("agency_key")
    panel["agency_level"] = places["jurisdiction_level"].reindex(panel["agency_key"]).to_numpy()
    panel["county_fips"] = places["county_fips"].reindex(panel["agency_key"]).to_numpy()
    votes = covariates.assign(fips=covariates["fips"].astype(str)).set_index("fips")
    change = 100 * (votes["gop_share_2024"] - votes["gop_share_2020"])
    panel["gop_change_pp"] = change.reindex(panel["county_fips"].astype(str)).to_numpy()
    panel.loc[panel["county_fips"].isna(), "gop_change_pp"] = np.nan
    banned = _prohibition_dates(state_policies, dates)
    state_codes, _ = pd.factorize(pd.concat([banned["state"], panel["state"]], ignore_index=True))
    banned_codes = state_codes[: len(banned)].astype(np.int64) * width + (
        position[pd.DatetimeIndex(banned["date"])].to_numpy() if len(banned) else 0
    )
    panel_codes = state_codes[len(banned) :].astype(np.int64) * width + listed["i"].to_numpy() + 1
    enacted = np.isin(panel_codes, banned_codes) & (state_codes[len(banned) :] >= 0)
    panel["prohibition_enacted"] = enacted.astype(int)
    panel["period"] = panel["t1"].dt.year.astype(str)
    panel["interval_days"] = (panel["t1"] - panel["t0"]).dt.days
    panel["log_interval_days"] = np.log(panel["interval_days"])
    indicators = {"tfm": ("model", "TFM"), "wso": ("model", "WSO"),
                  "municipal": ("agency_level", "municipal"),
                  "state_agency": ("agency_level", "state"),
                  "other_level": ("agency_level", "other")}  # fmt: skip
    for name, (column, value) in indicators.items():
        panel[name] = (panel[column] == value).astype(int)
    columns = ["agreement_key", "state", "model", "agency_level", "county_fips", "t0", "t1",
               "period", "interval_days", "log_interval_days", "outcome", "event",
               "prohibition_enacted", "gop_change_pp", *indicators]  # fmt: skip
    return panel[columns].sort_values(["t1", "agreement_key"], ignore_index=True)


def exit_reasons(panel: pd.DataFrame) -> pd.DataFrame:
    """Every exit of ``panel`` (``event == 1``), with ``reason``: :data:`AFTER_PROHIBITION`
    when ``prohibition_enacted`` at the first list without it, else :data:`NO_PROHIBITION`."""
    exits = panel[panel["event"] == 1].copy()
    exits["reason"] = np.where(exits["prohibition_enacted"] == 1, AFTER_PROHIBITION, NO_PROHIBITION)
    columns = ["agreement_key", "state", "model", "agency_level", "t0", "t1", "reason"]
    return exits[columns].rename(columns={"t1": "gone_at", "t0": "last_seen"})


def exits_by_reason(exits: pd.DataFrame) -> pd.DataFrame:
    """Exits per state and reason, with the models and the first and last exit date."""
    models = {name.lower(): (exits["model"] == name).to_numpy(dtype=int) for name in MODELS}
    grouped = exits.assign(**models).groupby(["reason", "state"], sort=True)
    out = grouped.agg(
        exits=("agreement_key", "size"),
        jem=("jem", "sum"),
        tfm=("tfm", "sum"),
        wso=("wso", "sum"),
        first_exit=("gone_at", "min"),
        last_exit=("gone_at", "max"),
    ).reset_index()
    for column in ("first_exit", "last_exit"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.sort_values(["reason", "exits", "state"], ascending=[True, False, True],
                           ignore_index=True)  # fmt: skip


def entries_and_exits(panel: pd.DataFrame, agreements: pd.DataFrame, dates) -> pd.DataFrame:
    """Per snapshot after the first: ``entries`` (agreements first listed then that are not
    a successor of a gone agreement), ``renamed_in`` (successors), ``exits`` and
    ``exits_after_prohibition`` (gone at that snapshot), ``net``."""
    dates = pd.DatetimeIndex(dates)
    successors = set(agreements["successor_key"].dropna())
    first = pd.to_datetime(agreements["first_seen"])
    is_successor = agreements["agreement_key"].isin(successors)
    exits = panel[panel["event"] == 1]
    banned = exits["prohibition_enacted"] == 1
    out = pd.DataFrame({"snapshot_date": dates[1:]})
    after = pd.DatetimeIndex(out["snapshot_date"])

    def per_date(values, keep) -> list[int]:  # how many of values[keep] fall on each date
        codes = after.get_indexer(pd.DatetimeIndex(values))
        codes = codes[np.asarray(keep, dtype=bool) & (codes >= 0)]
        return np.bincount(codes, minlength=len(after)).tolist()

    successor = is_successor.to_numpy(dtype=bool)
    out["entries"] = per_date(first, ~successor)
    out["renamed_in"] = per_date(first, successor)
    out["exits"] = per_date(exits["t1"], np.ones(len(exits), dtype=bool))
    out["exits_after_prohibition"] = per_date(exits["t1"], banned.to_numpy(dtype=bool))
    out["net"] = out["entries"] - out["exits"]
    return out


def state_balance(panel: pd.DataFrame, agreements: pd.DataFrame, dates) -> pd.DataFrame:
    """Per state over the window (after the first snapshot): entries, exits, exits after a
    prohibition, the exit-to-entry ratio, sorted by exits then state."""
    dates = pd.DatetimeIndex(dates)
    successors = set(agreements["successor_key"].dropna())
    first = pd.to_datetime(agreements["first_seen"])
    new = agreements[(first > dates[0]) & ~agreements["agreement_key"].isin(successors)]
    entries = new.groupby("state").size()
    exits = panel[panel["event"] == 1]
    out = pd.DataFrame({"entries": entries, "exits": exits.groupby("state").size()})
    out["exits_after_prohibition"] = (
        exits[exits["prohibition_enacted"] == 1].groupby("state").size()
    )
    out = out.fillna(0).astype(int)
    out["exits_per_entry"] = np.where(out["entries"] > 0, out["exits"] / out["entries"].clip(1),
                                      np.nan)  # fmt: skip
    out = out.rename_axis("state").reset_index()
    return out.sort_values(["exits", "state"], ascending=[False, True], ignore_index=True)


TERMS = ["tfm", "wso", "municipal", "state_agency", "other_level", "prohibition_enacted"]
"""The exit model's terms besides partisanship: model (against JEM), agency level (against a
county-level agency) and the state prohibition."""
PARTISANSHIP = "gop_change_pp"


def exit_model_terms(panel: pd.DataFrame, with_partisanship: bool) -> list[str]:
    """The terms that vary in ``panel`` (a level or model never listed is left out)."""
    terms = [t for t in TERMS if panel[t].nunique() > 1]
    return terms + ([PARTISANSHIP] if with_partisanship else []) + ["log_interval_days"]


def fit_exit_models(panel: pd.DataFrame, *, seed: int = 0, reps: int = 9999) -> pd.DataFrame:
    """Two cloglog hazards of an agreement ending (year effects, state-clustered CR1):
    ``all agreements`` (no partisanship term) and ``with partisanship change`` (agreements of
    agencies placed in a county; the 2020 -> 2024 change per SD over those intervals), with
    hazard ratios; then the linear probability version of the second (pyfixest's feols numbers
    from arrays, :mod:`analysis.stats.crv1`; year effects,
    CR1 by state) with a wild cluster bootstrap p-value (Rademacher weights, null imposed,
    ``reps`` draws, ``seed``) for the state-level ``prohibition_enacted`` term
    (``p_wild``). Rows: one per model and term; ``unit`` says the scale of ``estimate``
    (cloglog: log hazard ratio, with ``hazard_ratio`` beside it; LPM: percentage points of
    the probability of ending in an interval, the partisanship term per SD)."""
    from analysis.stats import ModelSpec, fit_cloglog_hazard

    tables = []
    for label, partisan in [("all agreements", False), ("with partisanship change", True)]:
        data = panel.dropna(subset=[PARTISANSHIP]) if partisan else panel
        terms = exit_model_terms(data, partisan)
        spec = ModelSpec(standardize=(PARTISANSHIP,) if partisan else False)
        fit = fit_cloglog_hazard(data, terms, month_col="period", spec=spec)
        table = fit.coefficients.assign(
            model=label, n_events=int(data["event"].sum()), unit="log hazard ratio"
        )
        tables.append(table[table["term_type"] == "covariate"])
    data = panel.dropna(subset=[PARTISANSHIP]).copy()
    terms = exit_model_terms(data, True)
    sd = data[PARTISANSHIP].std(ddof=1)
    data[PARTISANSHIP] = (data[PARTISANSHIP] - data[PARTISANSHIP].mean()) / sd
    tables.append(_lpm_wild(data, terms, seed=seed, reps=reps))
    return pd.concat(tables, ignore_index=True)


def _lpm_wild(data: pd.DataFrame, terms: list[str], *, seed: int, reps: int) -> pd.DataFrame:
    from analysis.stats import wcr
    from analysis.stats.crv1 import crv1_ols

    # The numbers of pyfixest's feols (period effects absorbed, CR1 by state) and its wild
    # bootstrap from arrays (analysis.stats.crv1), without importing pyfixest; pyfixest where
    # those do not apply.
    states = pd.factorize(data["state"], sort=True)[0]
    periods = pd.factorize(data["period"], sort=True)[0]
    fit = None
    if (periods >= 0).all() and (states >= 0).all():
        x = data[terms].to_numpy(dtype=float, na_value=np.nan)
        fit = crv1_ols(data["event"].to_numpy(dtype=float), x, terms, states, periods)
    if fit is None or not wcr.applies("rademacher", fit.n_clusters, reps):
        return _lpm_wild_pyfixest(data, terms, seed=seed, reps=reps)
    out = pd.DataFrame(
        {"term": fit.names, "estimate": fit.estimate, "std_error": fit.std_error,
         "p_value": fit.p_value, "ci_low": fit.ci_low, "ci_high": fit.ci_high}
    )  # fmt: skip
    p_wild = np.nan
    if "prohibition_enacted" in terms:
        p_wild = wcr.wild_bootstrap_p_arrays(
            fit.y, fit.one_hot, fit.one_hot_names, fit.clusters, "prohibition_enacted",
            reps=reps, seed=seed, weights="rademacher",
        )  # fmt: skip
    return _lpm_table(out, terms, p_wild, n=fit.n, data=data)


def _lpm_table(out: pd.DataFrame, terms, p_wild: float, *, n: int, data) -> pd.DataFrame:
    scaled = ["estimate", "std_error", "ci_low", "ci_high"]
    out[scaled] = 100 * out[scaled]  # percentage points per interval
    out["p_wild"] = np.nan
    if "prohibition_enacted" in terms:
        out.loc[out["term"] == "prohibition_enacted", "p_wild"] = p_wild
    return out.assign(
        model="LPM with partisanship change (pp per SD)",
        n=int(n),
        n_clusters=int(data["state"].nunique()),
        n_events=int(data["event"].sum()),
        term_type="covariate",
        unit="pp per interval",
    )


def _lpm_wild_pyfixest(
    data: pd.DataFrame, terms: list[str], *, seed: int, reps: int
) -> pd.DataFrame:
    import pyfixest as pf

    from analysis.stats.wcr import wild_bootstrap_p

    # wildboottest needs numeric cluster ids (text ids fail in its numba kernels)
    data = data.assign(state_id=pd.factorize(data["state"], sort=True)[0])
    formula = f"event ~ {' + '.join(terms)} | period"
    fit = pf.feols(formula, data=data, vcov={"CRV1": "state_id"})
    tidy = fit.tidy().reset_index().rename(columns={"Coefficient": "term"})
    out = pd.DataFrame(
        {
            "term": tidy["term"],
            "estimate": tidy["Estimate"],
            "std_error": tidy["Std. Error"],
            "p_value": tidy["Pr(>|t|)"],
            "ci_low": tidy["2.5%"],
            "ci_high": tidy["97.5%"],
        }
    )
    p_wild = np.nan
    if "prohibition_enacted" in terms:
        p_wild = wild_bootstrap_p(
            fit, "prohibition_enacted", cluster="state_id", reps=reps, seed=seed,
            weights="rademacher",
        )  # fmt: skip
    return _lpm_table(out, terms, p_wild, n=fit._N, data=data)
