"""From the processed tables to the county cross-section and the county x month panel that the
adoption notebooks (50, 60, 70) analyse.

The unit is the **county** (3,144 counties of the 2023 list), never the agreement row or the
agency. A county "has adopted" at a snapshot when at least one 287(g) agreement of ICE's
participating list is placed in it by the agency->county matcher (``county_agreements``).

Snapshots: the participating lists flagged ``in_time_series`` plus the January 2025 baseline
(2025-01-31), which is a content duplicate of 2024-12-29 and therefore flagged out of the time
series, but is the last list before the 2025 expansion. Every function takes ``as_of`` and
uses the latest snapshot on or before it (default: the latest snapshot).

Every function reads the processed tables by default and accepts them as arguments instead,
so the unit tests run on tiny synthetic frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io
from analysis.stats.adoption_models import fit_adoption_model
from analysis.stats.panel import AdoptionPanel, build_adoption_panel
from analysis.study import scope

BASELINE_DATE = scope.BASELINE_DATE

MANDATE_TYPES = ("must hold", "must request", "must enter")
"""Policy types of ``state_policies`` coded as a state mandate in force (research-context §5).
Prohibitions (CA SB 54) and state-agency directives (LA) are not mandates."""

OUTCOMES = {
    "any_agreement": "any agreement",
    "county_agency_agreement": "county agency (sheriff or county-type) agreement",
    "tfm_agreement": "Task Force Model agreement",
    "jail_model_agreement": "jail model (JEM or WSO) agreement",
}
"""Binary county outcomes built by :func:`county_outcomes` (column -> label)."""

COVARIATE_LABELS = {
    "gop_share_2024": "Republican share 2024",
    "gop_share_2016": "Republican share 2016",
    "gop_swing_pp_2016_2024": "Republican swing 2016-24 (pp)",
    "hispanic_share": "Hispanic share",
    "hispanic_growth_log_2010_2020": "Hispanic growth 2010-20 (log)",
    "hispanic_share_change_pp_2010_2020": "Hispanic share change 2010-20 (pp)",
    "foreign_born_share": "Foreign-born share",
    "foreign_born_share_change_pp": "Foreign-born share change (pp)",
    "foreign_born_growth_log": "Foreign-born growth (log)",
    "nh_black_share": "Non-Hispanic Black share",
    "log_population_density": "Population density (log)",
    "log_population": "Population (log)",
    "rucc_2023": "Rural-urban code (1 metro ... 9 rural)",
    "metro": "Metro county",
    "log_median_household_income": "Median household income (log)",
    "poverty_rate": "Poverty rate",
    "bachelors_share": "Bachelor's degree share",
    "unemployment_rate": "Unemployment rate",
    "group_quarters_share": "Group-quarters share",
}
"""Covariates of the correlation atlas, with readable labels (all from county_covariates)."""

MODEL_COVARIATES = [
    "gop_share_2024",
    "hispanic_share",
    "hispanic_growth_log_2010_2020",
    "foreign_born_share",
    "foreign_born_share_change_pp",
    "log_population_density",
    "log_median_household_income",
    "bachelors_share",
]
"""The multivariable model's covariates: partisanship, Hispanic and foreign-born level and
change, rurality (density), income and education."""

LITERATURE_EXPECTATIONS = pd.DataFrame(
    [
        (
            "gop_share_2024",
            "+",
            "Republican share is positive in nearly every county study "
            "(Wong 2012; Ramakrishnan & Wong 2010; IJPA 2023).",
        ),
        (
            "hispanic_growth_log_2010_2020",
            "+",
            "Latino growth raised adoption in the 2000s wave "
            "(Wong 2012; Creek & Yoder 2012); expected weaker under 2025-26 mandates.",
        ),
        (
            "hispanic_share",
            "+ (non-monotone)",
            "Large Hispanic share goes with signing "
            "(IJPA 2023), but punitive outcomes are least likely at 20-40% (Pedroza 2019).",
        ),
        (
            "foreign_born_share_change_pp",
            "+",
            "Rapid foreign-born growth predicts exclusionary policy (Walker & Leitner 2011).",
        ),
        (
            "log_population_density",
            "-",
            "Exclusionary policy is more likely outside central "
            "cities (Walker & Leitner 2011); sheriffs in rural counties.",
        ),
        ("bachelors_share", "-", "Education predicts inclusionary policy (Walker & Leitner 2011)."),
        (
            "unemployment_rate",
            "+",
            "Recession unemployment raised agreement probability (Barrera, Felegi & Heron 2025).",
        ),
        (
            "crime_rate",
            "0",
            "Crime does not predict adoption (Wong 2012). Not available in "
            "this project's data, so not tested.",
        ),
    ],
    columns=["covariate", "expected_sign", "literature"],
)
"""Signs the literature (research-context §4) leads one to expect, for the comparison table."""


TABLES = {
    "county_agreements": "county_agreements",
    "covariates": "county_covariates",
    "history": "agreements_history",
    "state_policies": "state_policies",
}
"""Keyword -> processed table read by :func:`load_tables`."""


def _table(name: str, given: pd.DataFrame | None) -> pd.DataFrame:
    return io.read_table(name) if given is None else given


def load_tables(processed_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The four processed tables this module needs, read once, as keyword arguments for its
    functions (``county_outcomes(as_of, **tables)``). ``processed_dir`` defaults to
    ``data/processed``."""
    folder = Path(processed_dir) if processed_dir else None
    return {key: io.read_table(name, folder) for key, name in TABLES.items()}


def snapshot_dates(as_of=None, *, history: pd.DataFrame | None = None) -> pd.DatetimeIndex:
    """:func:`analysis.study.scope.snapshot_dates` on ``agreements_history`` (read by default)."""
    return scope.snapshot_dates(_table("agreements_history", history), as_of)


def latest_snapshot(as_of=None, *, history: pd.DataFrame | None = None) -> pd.Timestamp:
    """The latest participating snapshot on or before ``as_of`` (default: the latest)."""
    return snapshot_dates(as_of, history=history)[-1]


def _counties(covariates: pd.DataFrame) -> pd.DataFrame:
    """County list with ``fips``, ``state``, ``county_name`` and the covariates as floats
    (nullable integers and booleans become float64 so models and correlations take them)."""
    frame = covariates.rename(columns={"state_usps": "state", "county_name_full": "county_name"})
    frame = frame.assign(fips=frame["fips"].astype(str))
    if frame["fips"].duplicated().any():
        raise ValueError("covariates must have one row per county")
    keep_text = {"fips", "state", "county_name", "state_fips", "state_name"}
    for col in frame.columns:
        if col in keep_text:
            continue
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
            frame[col] = frame[col].astype("Float64").astype("float64")
    if "population" in frame and "log_population" not in frame:
        frame["log_population"] = np.log(frame["population"].where(frame["population"] > 0))
    return frame


def mandates_by_state(state_policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per state with a mandate (policy type in :data:`MANDATE_TYPES`): ``state``,
    ``start_month`` (first month in force, a monthly period), ``end_month`` (missing: still in
    force), ``policy_types``, ``instruments`` (policy ids) and ``start_rule``.

    Coding: a policy is in force from its effective date, else its enactment (signing) date,
    else January of its year (only the year is recorded). The state's mandate starts with its
    earliest such policy. With the committed table this gives FL from 2022-01 (Fla. Stat.
    908.11, year only: in force throughout the 2025-26 window; SB 2-C of 2025 blocks exits
    and does not change the indicator), GA from 2024-05 (HB 1105, "must request", signed
    2024-05-01) and TX from 2026-01 (SB 8, "must enter", effective 2026-01-01; compliance
    deadline 2026-12-01).
    """
    policies = _table("state_policies", state_policies)
    rows = policies[policies["policy_type"].isin(MANDATE_TYPES)].copy()
    effective = pd.to_datetime(rows.get("effective_date"))
    enacted = pd.to_datetime(rows.get("enacted_date"))
    year_start = pd.to_datetime(rows["year"].astype(int).astype(str) + "-01-01")
    rows["start"] = effective.fillna(enacted).fillna(year_start)
    rows["rule"] = np.where(
        effective.notna(), "effective date", np.where(enacted.notna(), "enacted date", "year")
    )
    rows = rows.sort_values(["state_usps", "start", "policy_id"])
    out = rows.groupby("state_usps", sort=True).agg(
        start=("start", "min"),
        policy_types=("policy_type", lambda s: "; ".join(dict.fromkeys(s))),
        instruments=("policy_id", "; ".join),
        start_rule=("rule", "first"),
    )
    out = out.reset_index().rename(columns={"state_usps": "state"})
    out["start_month"] = out["start"].dt.to_period("M")
    out["end_month"] = pd.PeriodIndex([pd.NaT] * len(out), freq="M")
    return out[["state", "start_month", "end_month", "policy_types", "instruments", "start_rule"]]


def _mandate_in_force(states: pd.Series, date: pd.Timestamp, mandates: pd.DataFrame) -> np.ndarray:
    month = pd.Period(date, "M")
    active = mandates[
        (mandates["start_month"] <= month)
        & (mandates["end_month"].isna() | (mandates["end_month"] >= month))
    ]
    return states.isin(active["state"]).to_numpy()


def county_outcomes(
    as_of=None,
    *,
    exact_only: bool = False,
    county_agreements: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    state_policies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Adoption status of every county at the latest snapshot on or before ``as_of``, joined
    with the county covariates. One row per county (all counties of ``county_covariates``).

    Columns: ``fips``, ``state``, ``county_name``, ``snapshot_date``; the 0/1 outcomes
    ``any_agreement`` (at least one agreement placed in the county),
    ``county_agency_agreement`` (at least one agreement of a county-type agency or a
    sheriff), ``tfm_agreement`` (a Task Force Model agreement), ``jail_model_agreement``
    (JEM or WSO), ``any_agreement_exact`` (at least one high-confidence match); the counts
    ``n_agreements``, ``n_agreements_exact``, ``n_agencies``; ``mandate_state`` (the state has
    a mandate in :func:`mandates_by_state`, at any date) and ``mandate_in_force`` (in force in
    the snapshot's month); then the covariates (numbers as float64) and ``log_population``.

    ``exact_only=True`` is the robustness check without fuzzy matches: a county counts as
    adopted (for every outcome) only if it has at least one high-confidence match
    (``agreements_exact > 0``); the model breakdown of such a county still counts all its
    agreements.
    """
    date = latest_snapshot(as_of, history=history)
    agreements = _table("county_agreements", county_agreements)
    counties = _counties(_table("county_covariates", covariates))
    rows = agreements[pd.to_datetime(agreements["snapshot_date"]) == date].copy()
    rows["county_fips"] = rows["county_fips"].astype(str)
    if rows["county_fips"].duplicated().any():
        raise ValueError(f"county_agreements has repeated counties at {date.date()}")
    unknown = sorted(set(rows["county_fips"]) - set(counties["fips"]))
    if unknown:
        raise ValueError(f"county_agreements places agreements in unknown counties {unknown[:5]}")
    counts = ["agreements", "agreements_exact", "agencies", "jem", "tfm", "wso"]
    counts += ["county_type_agreements", "sheriff_agreements"]
    rows = rows.set_index("county_fips")[counts].reindex(counties["fips"]).fillna(0)
    rows = rows.to_numpy(dtype=float)
    get = dict(zip(counts, rows.T, strict=True))
    adopted_exact = get["agreements_exact"] > 0
    keep = adopted_exact if exact_only else np.ones(len(counties), dtype=bool)
    outcomes = {
        "any_agreement": (get["agreements"] > 0) & keep,
        "county_agency_agreement": (
            (get["county_type_agreements"] > 0) | (get["sheriff_agreements"] > 0)
        )
        & keep,
        "tfm_agreement": (get["tfm"] > 0) & keep,
        "jail_model_agreement": ((get["jem"] + get["wso"]) > 0) & keep,
        "any_agreement_exact": adopted_exact,
    }
    mandates = mandates_by_state(state_policies)
    front = pd.DataFrame(
        {
            "fips": counties["fips"].to_numpy(),
            "state": counties["state"].to_numpy(),
            "county_name": counties["county_name"].to_numpy()
            if "county_name" in counties
            else counties["fips"].to_numpy(),
            "snapshot_date": date,
            **{k: v.astype(int) for k, v in outcomes.items()},
            "n_agreements": np.where(keep, get["agreements"], 0).astype(int),
            "n_agreements_exact": get["agreements_exact"].astype(int),
            "n_agencies": np.where(keep, get["agencies"], 0).astype(int),
            "mandate_state": counties["state"].isin(mandates["state"]).astype(int).to_numpy(),
            "mandate_in_force": _mandate_in_force(counties["state"], date, mandates).astype(int),
        }
    )
    rest = counties.drop(columns=[c for c in ("state", "county_name") if c in counties])
    return front.merge(rest, on="fips", how="left", validate="one_to_one")


def status_pair(
    early_as_of,
    late_as_of=None,
    *,
    outcome: str = "any_agreement",
    exact_only: bool = False,
    county_agreements: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    state_policies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The county table at ``late_as_of`` (default latest) with the same ``outcome`` at the
    earlier snapshot added as ``<outcome>_early`` (and the date as ``snapshot_date_early``),
    for the out-of-sample forecast (fit early status, predict late status)."""
    tables = {
        "county_agreements": _table("county_agreements", county_agreements),
        "covariates": _table("county_covariates", covariates),
        "history": _table("agreements_history", history),
        "state_policies": _table("state_policies", state_policies),
    }
    late = county_outcomes(late_as_of, exact_only=exact_only, **tables)
    early = county_outcomes(early_as_of, exact_only=exact_only, **tables)
    if early["snapshot_date"].iloc[0] >= late["snapshot_date"].iloc[0]:
        raise ValueError("the early snapshot must precede the late one")
    early = early[["fips", outcome, "snapshot_date"]].rename(
        columns={outcome: f"{outcome}_early", "snapshot_date": "snapshot_date_early"}
    )
    return late.merge(early, on="fips", how="left", validate="one_to_one")


def first_adoption_months(
    as_of=None,
    *,
    county_agreements: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """First month in which each county has any agreement, among the snapshots from the
    January 2025 baseline to ``as_of``.

    One row per county: ``fips``, ``state``, ``first_adoption_date`` (first snapshot with an
    agreement; NaT if none), ``first_adoption_month`` (its monthly period), ``prevalent``
    (already adopted in the baseline, so not at risk). Counties that had an agreement before
    2025 and none in January 2025 are at risk like any other. Later exits do not matter here
    (first adoption only).
    """
    dates = snapshot_dates(as_of, history=history)
    dates = dates[dates >= BASELINE_DATE]
    if dates.empty or dates[0] != BASELINE_DATE:
        raise ValueError("the January 2025 baseline snapshot is missing")
    agreements = _table("county_agreements", county_agreements)
    counties = _counties(_table("county_covariates", covariates))[["fips", "state"]]
    rows = agreements[
        pd.to_datetime(agreements["snapshot_date"]).isin(dates) & (agreements["agreements"] > 0)
    ]
    first = (
        rows.assign(county_fips=rows["county_fips"].astype(str))
        .groupby("county_fips")["snapshot_date"]
        .min()
    )
    unknown = sorted(set(first.index) - set(counties["fips"]))
    if unknown:
        raise ValueError(f"county_agreements places agreements in unknown counties {unknown[:5]}")
    first_date = pd.to_datetime(counties["fips"].map(first))
    return counties.assign(
        first_adoption_date=first_date,
        first_adoption_month=first_date.dt.to_period("M"),
        prevalent=first_date == BASELINE_DATE,
    ).reset_index(drop=True)


def panel_months(as_of=None, *, history: pd.DataFrame | None = None) -> pd.PeriodIndex:
    """Months of the risk-set panel: from the month after the baseline (February 2025, the
    first month with a new list) to the month of the latest snapshot on or before ``as_of``."""
    last = pd.Period(latest_snapshot(as_of, history=history), "M")
    start = pd.Period(BASELINE_DATE, "M") + 1
    if last < start:
        raise ValueError(f"no snapshot after the January 2025 baseline on or before {as_of}")
    return pd.period_range(start, last, freq="M")


def adoption_panel(
    neighbors: Mapping[str, Sequence[str]] | pd.DataFrame,
    as_of=None,
    *,
    covariate_columns: Sequence[str] = (),
    county_agreements: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    state_policies: pd.DataFrame | None = None,
) -> AdoptionPanel:
    """The county x month risk set for first adoption (:func:`build_adoption_panel`) from
    February 2025 to the snapshot month of ``as_of``, with ``mandate_in_force`` from
    :func:`mandates_by_state`, the lagged in-state and cross-state neighbour shares, and the
    ``covariate_columns`` of :func:`county_outcomes`' covariates copied onto each month.
    Counties adopted in the January 2025 baseline are prevalent (not at risk; they count
    as adopted neighbours from the start)."""
    first = first_adoption_months(
        as_of, county_agreements=county_agreements, covariates=covariates, history=history
    )
    counties = _counties(_table("county_covariates", covariates))
    return build_adoption_panel(
        first,
        panel_months(as_of, history=history),
        neighbors,
        mandates=mandates_by_state(state_policies),
        covariates=counties[["fips", *covariate_columns]],
    )


def sign_comparison(
    results: pd.DataFrame,
    *,
    term: str = "term",
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    expectations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare estimated signs with the literature's (:data:`LITERATURE_EXPECTATIONS`).

    ``found`` is "+" or "-" where the interval excludes 0, "0 (n.s.)" where it does not, and
    "not available" for expectations without an estimate; ``agrees`` says whether ``found``
    matches the first character of ``expected_sign`` (missing where not testable).
    """
    expectations = LITERATURE_EXPECTATIONS if expectations is None else expectations
    table = expectations.merge(
        results[[term, estimate, ci_low, ci_high]].rename(columns={term: "covariate"}),
        on="covariate",
        how="left",
    )
    est = table[estimate]
    found = np.where(
        est.isna(),
        "not available",
        np.where(table[ci_low] > 0, "+", np.where(table[ci_high] < 0, "-", "0 (n.s.)")),
    )
    expected = table["expected_sign"].str[0]
    agrees = pd.Series(
        np.where(
            found == "not available",
            None,
            [f[0] == e for f, e in zip(found, expected, strict=True)],
        ),
        dtype="boolean",
    )
    return table.assign(found=found, agrees=agrees)


def bivariate_effects(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    *,
    estimator: str = "lpm",
    state_fe: bool = False,
    se: str = "cluster",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One model per covariate (``outcome`` on that covariate alone, z-scored on its rows,
    optionally with state fixed effects): the standardized effect of each covariate, i.e. its
    average marginal effect in probability per SD, with state-clustered intervals.
    Rows as :data:`analysis.stats.adoption_models.MARGINAL_EFFECT_COLUMNS` plus
    ``state_fe``."""
    frames = []
    for name in covariates:
        fit = fit_adoption_model(
            df, outcome, [name], estimator=estimator, se=se, state_fe=state_fe, alpha=alpha
        )
        frames.append(fit.marginal_effects.assign(state_fe=state_fe))
    return pd.concat(frames, ignore_index=True)


def fmt_ci(estimate: float, low: float, high: float, digits: int = 3, scale: float = 1.0) -> str:
    """``"0.123 [0.045, 0.201]"``; ``scale=100`` turns probabilities into percentage points."""
    return f"{scale * estimate:.{digits}f} [{scale * low:.{digits}f}, {scale * high:.{digits}f}]"


def fmt_p(p: float, floor: float | None = None) -> str:
    """A p-value for prose: ``"p = 0.012"``, ``"p < 0.001"``, or ``"p ≤ floor"`` at a
    permutation test's smallest attainable value ``floor = 1 / (B + 1)``."""
    if pd.isna(p):
        return "p not available"
    if floor is not None and p <= floor * (1 + 1e-9):
        return f"p ≤ {floor:.2g}"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
