"""When counties first adopted: first-adoption months and the county x month risk set that the
timing analysis (notebook 70) models.

The window runs from the month after the January 2025 baseline (February 2025, the first month
with a new list) to the month of the latest snapshot on or before ``as_of``. Counties with an
agreement in the baseline are *prevalent*: not at risk, but adopted neighbours from the start.
Only first adoption counts; later exits do not matter here.

State law enters twice. The mandate indicator is timed by the signing date (``event="signed"``,
the primary coding: anticipation) or the effective date (``event="effective"``, robustness),
see :func:`analysis.study.adoption.mandates_by_state`. Counties in a state whose law forbids
agreements from a date (:func:`analysis.study.adoption.prohibitions_by_state`) cannot adopt from
that month on: ``exclude_prohibited=True`` leaves those county-months out of the risk set,
``False`` keeps them (flagged ``prohibited``), so both versions can be shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.stats import few_cluster
from analysis.stats.panel import AdoptionPanel, add_state_period_indicator, build_adoption_panel
from analysis.study import scope
from analysis.study.adoption import (
    AdoptionTables,
    counties_with_covariates,
    load_if_missing,
    mandates_by_state,
    prohibitions_by_state,
)


def first_adoption_months(as_of=None, *, tables: AdoptionTables | None = None) -> pd.DataFrame:
    """First month in which each county has any agreement, among the snapshots from the
    January 2025 baseline to ``as_of``.

    One row per county: ``fips``, ``state``, ``first_adoption_date`` (first snapshot with an
    agreement; NaT if none), ``first_adoption_month`` (its monthly period), ``prevalent``
    (already adopted in the baseline, so not at risk). Counties that had an agreement before
    2025 and none in January 2025 are at risk like any other.
    """
    tables = load_if_missing(tables)
    dates = scope.snapshot_dates(tables.history, as_of)
    dates = dates[dates >= scope.BASELINE_DATE]
    if dates.empty or dates[0] != scope.BASELINE_DATE:
        raise ValueError("the January 2025 baseline snapshot is missing")
    agreements = tables.county_agreements
    counties = counties_with_covariates(tables.covariates)[["fips", "state"]]
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
        prevalent=first_date == scope.BASELINE_DATE,
    ).reset_index(drop=True)


def panel_months(as_of=None, *, tables: AdoptionTables | None = None) -> pd.PeriodIndex:
    """Months of the risk-set panel: from the month after the baseline (February 2025) to the
    month of the latest snapshot on or before ``as_of``."""
    last = pd.Period(scope.latest_snapshot(load_if_missing(tables).history, as_of), "M")
    start = pd.Period(scope.BASELINE_DATE, "M") + 1
    if last < start:
        raise ValueError(f"no snapshot after the January 2025 baseline on or before {as_of}")
    return pd.period_range(start, last, freq="M")


def adoption_panel(
    neighbors: Mapping[str, Sequence[str]] | pd.DataFrame,
    as_of=None,
    *,
    covariate_columns: Sequence[str] = (),
    event: str = "signed",
    exclude_prohibited: bool = True,
    tables: AdoptionTables | None = None,
) -> AdoptionPanel:
    """The county x month risk set for first adoption (:func:`build_adoption_panel`) over
    :func:`panel_months`, with ``mandate_in_force`` from :func:`mandates_by_state` timed by
    ``event`` ("signed" or "effective"), ``prohibited`` (1 in the months from which the
    county's state forbids agreements, :func:`prohibitions_by_state`), the lagged in-state and
    cross-state neighbour shares, and the ``covariate_columns`` of the county covariates copied
    onto each month. ``exclude_prohibited=True`` drops the prohibited county-months (and any
    first adoption in them) from ``panel``; ``durations`` always has every county. Counties
    adopted in the January 2025 baseline are prevalent (not at risk; they count as adopted
    neighbours from the start)."""
    return adoption_panels(neighbors, as_of, events=(event,), covariate_columns=covariate_columns,
                           exclude_prohibited=exclude_prohibited, tables=tables)[event]  # fmt: skip


def adoption_panels(
    neighbors: Mapping[str, Sequence[str]] | pd.DataFrame,
    as_of=None,
    *,
    events: Sequence[str],
    covariate_columns: Sequence[str] = (),
    exclude_prohibited: bool = True,
    tables: AdoptionTables | None = None,
) -> dict[str, AdoptionPanel]:
    """:func:`adoption_panel` for each of ``events`` (event -> panel). Only the mandate
    indicator depends on the event, so the county x month panel (risk set, neighbour shares,
    covariates, ``prohibited``) is built once and the others get their own
    ``mandate_in_force``."""
    tables = load_if_missing(tables)
    counties = counties_with_covariates(tables.covariates)
    events = list(events)
    built = build_adoption_panel(
        first_adoption_months(as_of, tables=tables),
        panel_months(as_of, tables=tables),
        neighbors,
        mandates=mandates_by_state(tables.state_policies, event=events[0]),
        covariates=counties[["fips", *covariate_columns]],
    )
    flagged = flag_prohibited(built.panel, prohibitions_by_state(tables.state_policies))
    panels = {}
    for event in events:
        if event in panels:
            continue
        panel = flagged
        if event != events[0]:
            mandates = mandates_by_state(tables.state_policies, event=event)
            panel = add_state_period_indicator(flagged, mandates, "mandate_in_force")
        if exclude_prohibited:
            panel = panel[panel["prohibited"] == 0].reset_index(drop=True)
        panels[event] = AdoptionPanel(panel=panel, durations=built.durations,
                                      n_prevalent=built.n_prevalent,
                                      n_unknown_neighbors=built.n_unknown_neighbors)  # fmt: skip
    return panels


def flag_prohibited(panel: pd.DataFrame, prohibitions: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with ``prohibited`` (0/1) placed after ``mandate_in_force``: 1 in the months
    on or after the month of the state's prohibition (``state, start_month``)."""
    flagged = add_state_period_indicator(panel.drop(columns="prohibited", errors="ignore"),
                                         prohibitions, "prohibited")  # fmt: skip
    columns = list(flagged.columns)
    columns.remove("prohibited")
    at = columns.index("mandate_in_force") + 1 if "mandate_in_force" in columns else len(columns)
    return flagged[[*columns[:at], "prohibited", *columns[at:]]]


def risk_set_table(panel: pd.DataFrame, months: pd.PeriodIndex) -> pd.DataFrame:
    """Per month of the window: counties at risk, first adoptions, and county-months with a
    mandate in force (months without rows count 0). When ``panel`` keeps the prohibited
    county-months (a ``prohibited`` column), also the county-months in a state that forbids
    agreements, the counties at risk without them and the first adoptions among them."""

    def per_month(values: pd.Series):
        return values.groupby(panel["month"]).sum().reindex(months, fill_value=0).to_numpy()

    table = pd.DataFrame(
        {
            "month": months.astype(str),
            "at risk": panel.groupby("month").size().reindex(months, fill_value=0).to_numpy(),
            "first adoptions": per_month(panel["event"]),
            "mandate in force (county-months)": per_month(panel["mandate_in_force"]),
        }
    )
    if "prohibited" in panel:
        prohibited = per_month(panel["prohibited"])
        table["in a prohibition state (county-months)"] = prohibited
        table["at risk, prohibition states left out"] = table["at risk"] - prohibited
        table["first adoptions in a prohibition state"] = per_month(
            panel["event"] * panel["prohibited"]
        )
    return table


def switching_states(panel: pd.DataFrame) -> list[str]:
    """States whose mandate switched on inside the window (the only ones that identify a
    mandate effect once state fixed effects are in the model)."""
    changes = panel.groupby("state")["mandate_in_force"].nunique()
    return sorted(changes[changes > 1].index)


def mandate_groups(
    states: pd.Series, mandates: pd.DataFrame, first_month: pd.Period
) -> tuple[pd.Series, list[str]]:
    """Each county's mandate group for the adoption curves, and the groups' order.

    States whose mandate was in force from ``first_month`` on share the group "mandate in
    force throughout", the others "mandate from <month>"; a group's label starts with its
    states ("FL, GA: mandate in force throughout"). States without a mandate form the last
    group, "states without mandate".
    """
    group_of = {
        state: "mandate in force throughout" if month <= first_month else f"mandate from {month}"
        for state, month in mandates.set_index("state").start_month.items()
    }
    members: dict[str, list[str]] = {}
    for state, group in group_of.items():
        members.setdefault(group, []).append(state)
    label = {state: f"{', '.join(members[g])}: {g}" for state, g in group_of.items()}
    order = sorted(set(label.values())) + ["states without mandate"]
    return states.map(label).fillna("states without mandate"), order


def state_term_specs(panel: pd.DataFrame, terms: Sequence[str]) -> list[dict]:
    """The state-level terms of the timing models and the LPM each is tested in.

    ``panel``: the risk set that keeps the prohibited county-months (``prohibited`` flag).
    The mandate term is tested in the primary risk set (prohibited county-months left out),
    with month effects and with month + state effects; the prohibition term in the risk set
    that keeps them, added to the same ``terms``. With state effects a term that switches in
    no state is not identified: it is then left out of the fit (its row says so)."""
    primary = panel[panel["prohibited"] == 0].reset_index(drop=True)
    specs = []
    for term, data, risk_set, rhs in [
        ("mandate_in_force", primary, "prohibition states left out", list(terms)),
        ("prohibited", panel, "prohibition states kept", [*terms, "prohibited"]),
    ]:
        for effects in [("month",), ("month", "state")]:
            varies = data.groupby("state")[term].nunique().gt(1).any()
            fitted = rhs if "state" not in effects or varies else [t for t in rhs if t != term]
            label = "month effects" if effects == ("month",) else "month + state effects"
            specs.append({"term": term, "model": f"LPM, {label}; {risk_set}", "data": data,
                          "terms": fitted, "fixed_effects": effects})  # fmt: skip
    return specs


def few_cluster_tables(
    panel: pd.DataFrame,
    terms: Sequence[str],
    schedules: Mapping[str, pd.DataFrame],
    *,
    standardize: Sequence[str],
    scales,
    reps: int,
    ri_reps: int,
    placebo_draws: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Few-cluster inference for every state-level term (:func:`state_term_specs`): one row
    per term and model with the CRV1, wild-bootstrap and randomization p-values
    (:func:`analysis.stats.few_cluster.state_term_inference`), and the size of the
    conventional test measured with placebo laws on the same design
    (:func:`analysis.stats.few_cluster.placebo_size`). ``schedules``: term -> the real laws
    (``state, start_month, end_month``), e.g. mandates and prohibitions by state."""
    rows, sizes = [], []
    for spec in state_term_specs(panel, terms):
        term, laws = spec["term"], schedules[spec["term"]]
        fit = few_cluster.fit_lpm(spec["data"], "event", spec["terms"],
                                  fixed_effects=spec["fixed_effects"], standardize=standardize,
                                  scales=scales)  # fmt: skip
        row = few_cluster.state_term_inference(fit, term, laws, model=spec["model"], reps=reps,
                                               ri_reps=ri_reps, seed=seed)  # fmt: skip
        rows.append(row)
        if not row["n_treated_clusters"]:
            continue
        size = few_cluster.placebo_size(fit, laws, draws=placebo_draws, seed=seed,
                                        exclude=list(laws["state"]))  # fmt: skip
        sizes.append({"term": term, "model": spec["model"], "n_placebo_laws": len(laws),
                      **size, "seed": seed})  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(sizes)


def few_cluster_checks(
    inference: pd.DataFrame, placebo: pd.DataFrame, switching: Sequence[str], draws: int
) -> dict[str, bool]:
    """The report's checks of :func:`few_cluster_tables` (label -> passed)."""
    identified = inference.dropna(subset=["estimate"])
    few = identified[["p_value_few_cluster", "p_value_ri"]]
    fe_mandate = inference.model.str.contains("state effects") & inference.term.eq(
        "mandate_in_force"
    )
    return {
        "few-cluster table: both terms, both models": len(inference) == 4
        and set(inference.term) == {"mandate_in_force", "prohibited"},
        "few-cluster p-values in (0, 1] where identified": bool((few.gt(0) & few.le(1)).all(None)),
        "with state effects the mandate rests on the switching states": inference.loc[
            fe_mandate, "treated_clusters"
        ].tolist()
        == [", ".join(switching)],
        "placebo rejection rates in [0, 1], every draw identified": bool(
            placebo.rejection_rate.between(0, 1).all() and (placebo.n_valid == draws).all()
        ),
    }
