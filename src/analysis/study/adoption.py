"""From the processed tables to the county cross-section that the adoption notebooks (40-90)
analyse, and the state mandates.

The unit is the **county** (3,144 counties of the 2023 list), never the agreement row or the
agency. A county "has adopted" at a snapshot when at least one 287(g) agreement of ICE's
participating list is placed in it by the agency->county matcher (``county_agreements``).

Snapshots: those of :func:`analysis.study.scope.snapshot_dates` (the participating lists in the
time series plus the January 2025 baseline). Every function takes ``as_of`` and uses the latest
snapshot on or before it (default: the latest snapshot).

The four processed tables travel together as one :class:`AdoptionTables`, read once from
``data/processed`` by default; the unit tests pass tiny synthetic ones instead. The county x
month panel for the timing analysis is in :mod:`analysis.study.timing`, the variables and
their labels in :mod:`analysis.study.variables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from analysis import io
from analysis.covariates.schemas import MANDATE_TYPES, POLICY_DATES
from analysis.study import scope
from analysis.study.variables import JURISDICTION_LEVELS, OUTCOMES

EVENTS = ("signed", "effective")
"""Which date of a law times it: the signing date (the event of the timing models: agencies
learn they will have to act, anticipation starts) or the effective date (robustness)."""


@dataclass(frozen=True)
class AdoptionTables:
    """The processed tables the adoption study reads: ``county_agreements``, ``covariates``
    (``county_covariates``), ``history`` (``agreements_history``, for the snapshot dates),
    ``state_policies`` and ``agencies`` (for the agency level of each agreement; optional:
    without it, or without its ``jurisdiction_level`` column, the level comes from
    ``county_agreements``' agency-type counts)."""

    county_agreements: pd.DataFrame
    covariates: pd.DataFrame
    history: pd.DataFrame
    state_policies: pd.DataFrame
    agencies: pd.DataFrame | None = None

    FILES: ClassVar[dict[str, str]] = {
        "county_agreements": "county_agreements",
        "covariates": "county_covariates",
        "history": "agreements_history",
        "state_policies": "state_policies",
        "agencies": "agencies",
    }

    @classmethod
    def load(cls, processed_dir: str | Path | None = None) -> AdoptionTables:
        """Read the tables once from ``processed_dir`` (default ``data/processed``)."""
        folder = Path(processed_dir) if processed_dir else None
        return cls(**{field: io.read_table(name, folder) for field, name in cls.FILES.items()})


def load_if_missing(tables: AdoptionTables | None) -> AdoptionTables:
    """``tables``, or the processed tables read from data/processed when it is None."""
    return AdoptionTables.load() if tables is None else tables


def counties_with_covariates(covariates: pd.DataFrame) -> pd.DataFrame:
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


def _law_starts(rows: pd.DataFrame, order: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """``rows`` with ``start`` (the first date of ``order`` that is recorded, else 1 January
    of the year after ``year``, the earliest date by which a law known only by its year is
    surely signed) and ``start_rule`` (which one)."""
    start = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[s]")
    rule = pd.Series("", index=rows.index, dtype=object)
    for column, label in order:
        date = pd.to_datetime(rows[column]).astype("datetime64[s]")
        fill = start.isna() & date.notna()
        start, rule = start.where(~fill, date), rule.where(~fill, label)
    year_only = start.isna()
    next_year = pd.to_datetime((rows["year"].astype(int) + 1).astype(str) + "-01-01")
    start = start.where(~year_only, next_year.astype("datetime64[s]"))
    rule = rule.where(~year_only, "year only (from 1 January of the next year)")
    return rows.assign(start=start, start_rule=rule)


def _by_state(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per state from the laws of :func:`_law_starts`: the earliest start wins."""
    rows = rows.sort_values(["state_usps", "start", "policy_id"])
    out = rows.groupby("state_usps", sort=True).agg(
        start_date=("start", "min"),
        policy_types=("policy_type", lambda s: "; ".join(dict.fromkeys(s))),
        instruments=("policy_id", "; ".join),
        start_rule=("start_rule", "first"),
        verification=("verification", "first"),
    )
    out = out.reset_index().rename(columns={"state_usps": "state"})
    out["start_month"] = out["start_date"].dt.to_period("M")
    out["end_month"] = pd.PeriodIndex([pd.NaT] * len(out), freq="M")
    columns = ["state", "start_month", "end_month", "start_date", "start_rule"]
    return out[[*columns, "policy_types", "instruments", "verification"]]


def mandates_by_state(
    state_policies: pd.DataFrame | None = None, *, event: str = "signed"
) -> pd.DataFrame:
    """One row per state with a mandate (policy type in :data:`MANDATE_TYPES`): ``state``,
    ``start_month`` (first month in force, a monthly period), ``end_month`` (missing: still in
    force), ``start_date``, ``start_rule`` (which date was used), ``policy_types``,
    ``instruments`` (policy ids), ``verification`` (of the law that starts it) and ``event``.

    ``event="signed"`` (the timing models' event: anticipation) times a law by its signing
    date, else its effective date; ``event="effective"`` (robustness) by its effective date,
    else its signing date. A law with neither date counts from 1 January of the year after its
    ``year``. The state's mandate starts with its earliest law. With the committed table:
    FL from 2023-01 (Fla. Stat. 908.11 of 2022, year only: in force throughout the window),
    GA 2024-05 (signed) or 2024-07 (effective), AR 2025-04 (signed; no effective date is
    recorded, so the signing date in both), TX 2025-06 (signed) or 2026-01 (effective), TN
    2027-01 (SB 2223 of 2026, year only: after the window).
    """
    if event not in EVENTS:
        raise ValueError(f"event must be one of {EVENTS}, not {event!r}")
    policies = io.read_table("state_policies") if state_policies is None else state_policies
    rows = policies[policies["policy_type"].isin(MANDATE_TYPES)].copy()
    order = [("signed_date", "signed date"), ("effective_date", "effective date")]
    if event == "effective":
        order = order[::-1]
    order = [(c, label if i == 0 else f"{label} (no {order[0][1]} recorded)")
             for i, (c, label) in enumerate(order)]  # fmt: skip
    return _by_state(_law_starts(rows, order)).assign(event=event)


def prohibitions_by_state(state_policies: pd.DataFrame) -> pd.DataFrame:
    """One row per state whose law forbids agreements (policy type ``prohibition``), with the
    columns of :func:`mandates_by_state` (without ``event``): from its ``prohibition_date``
    (the date from which an agreement may no longer be held), else its effective date, else
    its signing date, else 1 January of the year after its ``year`` (WA, OR, NJ, CO: known by
    the year only, all before the window). Maryland counts from its prohibition date (1 July
    2026), not from signing."""
    rows = state_policies[state_policies["policy_type"] == "prohibition"].copy()
    order = [
        ("prohibition_date", "prohibition date"),
        ("effective_date", "effective date (no prohibition date recorded)"),
        ("signed_date", "signed date (no prohibition or effective date recorded)"),
    ]
    return _by_state(_law_starts(rows, order))


def state_laws(state_policies: pd.DataFrame) -> pd.DataFrame:
    """Every law the reports use (mandates and prohibitions), one row each with its four
    dates as text ("" where none is recorded), its year and its verification level."""
    used = state_policies[state_policies["policy_type"].isin([*MANDATE_TYPES, "prohibition"])]
    used = used.sort_values(["policy_type", "state_usps", "year", "policy_id"]).copy()
    kind = np.where(used["policy_type"] == "prohibition", "prohibition", "mandate")
    used.insert(0, "kind", kind)
    for column in POLICY_DATES:
        used[column] = pd.to_datetime(used[column]).dt.strftime("%Y-%m-%d").fillna("")
    columns = ["kind", "state_usps", "policy_id", "instrument", "policy_type", "year"]
    out = used[[*columns, *POLICY_DATES, "verification", "verification_note", "source_url"]]
    return out.sort_values(["kind", "state_usps", "year"], kind="stable").reset_index(drop=True)


def _mandate_in_force(states: np.ndarray, date: pd.Timestamp, mandates: pd.DataFrame) -> np.ndarray:
    month = pd.Period(date, "M")
    active = mandates[
        (mandates["start_month"] <= month)
        & (mandates["end_month"].isna() | (mandates["end_month"] >= month))
    ]
    return np.isin(states, active["state"].to_numpy(dtype=object))


LEVEL_RULE_JURISDICTION = "agencies.jurisdiction_level"
LEVEL_RULE_AGENCY_TYPE = "agency type (county_agreements)"
"""Values of ``county_outcomes``' ``agency_level_rule`` column: which rule decided the
county-level and municipal outcomes."""


def has_jurisdiction_levels(tables: AdoptionTables) -> bool:
    """Whether ``tables.agencies`` carries ``jurisdiction_level`` (then it decides the levels)."""
    return tables.agencies is not None and "jurisdiction_level" in tables.agencies


def _agreement_levels(tables: AdoptionTables, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Each agreement of the participating list at ``dates`` whose agency is placed in a
    county, once per snapshot: ``snapshot_date``, ``agreement_key``, its agency's
    ``jurisdiction_level`` (``level``) and (principal) county (``county_fips``), as in
    ``county_agreements``."""
    history = tables.history
    if "list" in history:
        history = history[history["list"] == "participating"]
    history = history[["snapshot_date", "agreement_key", "agency_key"]]
    history = history[pd.to_datetime(history["snapshot_date"]).isin(dates)]
    history = history.drop_duplicates(["snapshot_date", "agreement_key"])
    agencies = tables.agencies
    placed = agencies[agencies["county_fips"].notna()].set_index("agency_key")
    if placed.index.duplicated().any():
        raise ValueError("agencies must have one row per agency_key")
    rows = history[history["agency_key"].isin(placed.index)]
    level = placed["jurisdiction_level"].reindex(rows["agency_key"]).to_numpy()
    bad = ~pd.Series(level).isin(JURISDICTION_LEVELS).to_numpy()
    if bad.any():
        first = pd.to_datetime(rows["snapshot_date"]).to_numpy()[bad].min()
        keys = sorted(set(rows["agency_key"].to_numpy()[bad & (rows["snapshot_date"] == first)]))
        raise ValueError(
            f"agencies.jurisdiction_level must be one of {JURISDICTION_LEVELS} for every placed "
            f"agency with an agreement on {pd.Timestamp(first).date()}; not so for {keys[:5]}"
        )
    county = placed["county_fips"].astype(str).reindex(rows["agency_key"]).to_numpy()
    dates_of = pd.to_datetime(rows["snapshot_date"]).to_numpy()
    return pd.DataFrame({"snapshot_date": dates_of, "level": level, "county_fips": county})


def _level_counts(levels: pd.DataFrame, date: pd.Timestamp, fips: pd.Index) -> pd.DataFrame:
    """Agreements of county-level and of municipal agencies per county (``fips``) at ``date``,
    from :func:`_agreement_levels`: each agreement counts in its agency's county."""
    rows = levels[levels["snapshot_date"].to_numpy() == date.to_datetime64()]
    position = fips.get_indexer(rows["county_fips"].to_numpy())
    level = rows["level"].to_numpy()
    counts = {
        name: np.bincount(position[(level == name) & (position >= 0)], minlength=len(fips))
        for name in ("county", "municipal")
    }
    return pd.DataFrame(counts, index=fips)


def mandate_states_at(counties: pd.DataFrame) -> list[str]:
    """The states of the cross-section with a mandate law at any date (``mandate_state`` of
    :func:`county_outcomes`: enacted mandates, including one, like Tennessee's of 2026, that
    takes effect after the window), sorted."""
    return sorted(counties.loc[counties["mandate_state"] == 1, "state"].unique())


def county_outcomes(
    as_of=None,
    *,
    exact_only: bool = False,
    tables: AdoptionTables | None = None,
) -> pd.DataFrame:
    """Adoption status of every county at the latest snapshot on or before ``as_of``, joined
    with the county covariates. One row per county (all counties of ``county_covariates``).

    Columns: ``fips``, ``state``, ``county_name``, ``snapshot_date``; the 0/1 outcomes of
    :data:`analysis.study.variables.OUTCOMES`: ``county_agency_agreement`` (the primary one: an
    agreement of a county-level agency), ``any_agreement`` (at least one agreement placed in
    the county), ``municipal_agency_agreement`` (an agreement of a municipal agency placed in
    the county), ``tfm_agreement`` (a Task Force Model agreement), ``jail_model_agreement``
    (JEM or WSO); ``any_agreement_exact`` (at least one high-confidence match); the counts
    ``n_agreements``, ``n_agreements_exact``, ``n_agencies``; ``agency_level_rule`` (which
    rule gave the agency level);
    ``mandate_state`` (the state has a mandate in :func:`mandates_by_state`, at any date) and
    ``mandate_in_force`` (in force in the snapshot's month); then the covariates (numbers as
    float64) and ``log_population``.

    The agency level: when ``tables.agencies`` has ``jurisdiction_level`` (county | municipal
    | state | other), an agreement is county-level or municipal by its agency's level (rule
    :data:`LEVEL_RULE_JURISDICTION`). Otherwise (rule :data:`LEVEL_RULE_AGENCY_TYPE`) an
    agreement is county-level when its agency has ICE's type County or is a sheriff
    (``county_type_agreements``, ``sheriff_agreements``) and municipal when its type is
    Municipality (``municipal_type_agreements``; this also takes in the few constables and
    campus police typed Municipality, and a sheriff typed Municipality counts as both).

    ``exact_only=True`` is the robustness check without fuzzy matches: a county counts as
    adopted (for every outcome) only if it has at least one high-confidence match
    (``agreements_exact > 0``); the model breakdown of such a county still counts all its
    agreements.
    """
    return county_outcomes_by_snapshot([as_of], exact_only=exact_only, tables=tables)


def county_outcomes_by_snapshot(
    as_of_dates: Sequence,
    *,
    exact_only: bool = False,
    tables: AdoptionTables | None = None,
) -> pd.DataFrame:
    """:func:`county_outcomes` at each date of ``as_of_dates``, stacked in that order (the same
    table as ``pd.concat([county_outcomes(d, ...) for d in as_of_dates], ignore_index=True)``),
    with the covariates, the mandates and the agencies prepared once for all dates."""
    tables = load_if_missing(tables)
    counties = counties_with_covariates(tables.covariates)
    fips = pd.Index(counties["fips"])
    mandates = mandates_by_state(tables.state_policies)
    counts = ["agreements", "agreements_exact", "agencies", "jem", "tfm", "wso"]
    counts += ["county_type_agreements", "sheriff_agreements", "municipal_type_agreements"]
    agreements = tables.county_agreements[["snapshot_date", "county_fips", *counts]]
    agreement_dates = pd.to_datetime(agreements["snapshot_date"])
    dates = _latest_snapshots(tables.history, as_of_dates)
    levels = None
    if has_jurisdiction_levels(tables):
        levels = _agreement_levels(tables, pd.DatetimeIndex(dates))
    states = counties["state"].to_numpy(dtype=object)
    prepared = {
        "fips": fips,
        "known": set(counties["fips"]),
        "states": states,
        "mandate_state": pd.Series(states).isin(mandates["state"]).astype(int).to_numpy(),
        "names": counties["county_name"].to_numpy() if "county_name" in counties else fips,
    }
    fronts = []
    for date in dates:
        rows = agreements[(agreement_dates == date).to_numpy()]
        fronts.append(_outcomes_at(date, rows[counts + ["county_fips"]], prepared, mandates,
                                   levels, exact_only))  # fmt: skip
    front = pd.concat(fronts, ignore_index=True)
    rest = counties.drop(columns=[c for c in ("state", "county_name") if c in counties])
    return front.merge(rest, on="fips", how="left", validate="many_to_one")


def _latest_snapshots(history: pd.DataFrame, as_of_dates: Sequence) -> list[pd.Timestamp]:
    """:func:`analysis.study.scope.latest_snapshot` of each date, the snapshots listed once."""
    snapshots = scope.snapshot_dates(history)
    dates = []
    for as_of in as_of_dates:
        limit = scope.cutoff(as_of)
        chosen = snapshots if limit is None else snapshots[snapshots <= limit]
        if chosen.empty:
            raise ValueError(f"no participating snapshot on or before {as_of}")
        dates.append(chosen[-1])
    return dates


def _outcomes_at(date, rows, prepared, mandates, levels, exact_only) -> pd.DataFrame:
    """The outcome columns of :func:`county_outcomes` at ``date`` (``rows``: the
    ``county_agreements`` counts of that snapshot; ``prepared``: the county columns;
    ``levels``: :func:`_agreement_levels`, or None for the agency-type rule)."""
    fips = prepared["fips"]
    rows = rows.assign(county_fips=rows["county_fips"].astype(str))
    if rows["county_fips"].duplicated().any():
        raise ValueError(f"county_agreements has repeated counties at {date.date()}")
    unknown = sorted(set(rows["county_fips"]) - prepared["known"])
    if unknown:
        raise ValueError(f"county_agreements places agreements in unknown counties {unknown[:5]}")
    counts = [c for c in rows.columns if c != "county_fips"]
    values = rows.set_index("county_fips")[counts].reindex(fips).fillna(0)
    get = dict(zip(counts, values.to_numpy(dtype=float).T, strict=True))
    if levels is not None:
        rule = LEVEL_RULE_JURISDICTION
        by_level = _level_counts(levels, date, fips)
        county_level = by_level["county"].to_numpy(dtype=float)
        municipal = by_level["municipal"].to_numpy(dtype=float)
        orphan = fips[((county_level + municipal) > 0) & (get["agreements"] == 0)]
        if len(orphan):
            raise ValueError(
                f"agencies and county_agreements disagree at {date.date()}: agreements of "
                f"county or municipal agencies in counties {list(orphan[:5])} that "
                "county_agreements lists without agreements (rebuild the locate stage)"
            )
    else:
        rule = LEVEL_RULE_AGENCY_TYPE
        county_level = np.maximum(get["county_type_agreements"], get["sheriff_agreements"])
        municipal = get["municipal_type_agreements"]
    adopted_exact = get["agreements_exact"] > 0
    keep = adopted_exact if exact_only else np.ones(len(fips), dtype=bool)
    outcomes = {
        "county_agency_agreement": (county_level > 0) & keep,
        "any_agreement": (get["agreements"] > 0) & keep,
        "municipal_agency_agreement": (municipal > 0) & keep,
        "tfm_agreement": (get["tfm"] > 0) & keep,
        "jail_model_agreement": ((get["jem"] + get["wso"]) > 0) & keep,
        "any_agreement_exact": adopted_exact,
    }
    return pd.DataFrame(
        {
            "fips": fips.to_numpy(),
            "state": prepared["states"],
            "county_name": prepared["names"],
            "snapshot_date": date,
            **{k: v.astype(int) for k, v in outcomes.items()},
            "n_agreements": np.where(keep, get["agreements"], 0).astype(int),
            "n_agreements_exact": get["agreements_exact"].astype(int),
            "n_agencies": np.where(keep, get["agencies"], 0).astype(int),
            "agency_level_rule": rule,
            "mandate_state": prepared["mandate_state"],
            "mandate_in_force": _mandate_in_force(prepared["states"], date, mandates).astype(int),
        }
    )


def status_pair(
    early_as_of,
    late_as_of=None,
    *,
    outcome: str = "any_agreement",
    exact_only: bool = False,
    tables: AdoptionTables | None = None,
) -> pd.DataFrame:
    """The county table at ``late_as_of`` (default latest) with the same ``outcome`` at the
    earlier snapshot added as ``<outcome>_early`` (and the date as ``snapshot_date_early``),
    for the out-of-sample forecast (fit early status, predict late status)."""
    tables = load_if_missing(tables)
    # Both snapshots in one call (covariates, mandates and agencies prepared once): the same
    # rows as two calls of county_outcomes, stacked.
    both = county_outcomes_by_snapshot([late_as_of, early_as_of], exact_only=exact_only,
                                       tables=tables)  # fmt: skip
    half = len(both) // 2
    late, early = both.iloc[:half], both.iloc[half:].reset_index(drop=True)
    if early["snapshot_date"].iloc[0] >= late["snapshot_date"].iloc[0]:
        raise ValueError("the early snapshot must precede the late one")
    early = early[["fips", outcome, "snapshot_date"]].rename(
        columns={outcome: f"{outcome}_early", "snapshot_date": "snapshot_date_early"}
    )
    return late.merge(early, on="fips", how="left", validate="one_to_one")


def outcome_rates(counties: pd.DataFrame) -> pd.DataFrame:
    """Counties with each outcome of :data:`analysis.study.variables.OUTCOMES` and their
    share of all rows of ``counties``."""
    return pd.DataFrame(
        {
            "outcome": list(OUTCOMES),
            "description": list(OUTCOMES.values()),
            "counties adopted": [int(counties[k].sum()) for k in OUTCOMES],
            "share of counties": [counties[k].mean() for k in OUTCOMES],
        }
    )
