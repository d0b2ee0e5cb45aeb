"""What a state page shows, computed from the processed tables: the agreements of the state's
agencies with their placement and documents, agreements per snapshot by model, the status of
each county on the latest snapshot, and the state's laws."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io, paths
from analysis.report.style import MODELS

HISTORY_COLUMNS = ["snapshot_date", "agreement_key", "state", "model", "is_territory",
                   "in_time_series", "moa_url", "addendum_url"]  # fmt: skip
AGENCY_COLUMNS = ["agency_key", "county_fips", "county_name", "match_method",
                  "jurisdiction_level", "jurisdiction_name", "status"]  # fmt: skip
COUNTY_LEVEL = "county_agency"
OTHER_AGENCY = "other_agency"
NO_AGREEMENT = "none"
COUNTY_CLASSES = (COUNTY_LEVEL, OTHER_AGENCY, NO_AGREEMENT)


@dataclass(frozen=True)
class SiteTables:
    """The processed tables the state pages read, each read once for all states."""

    agreements: pd.DataFrame
    agencies: pd.DataFrame
    history: pd.DataFrame
    state_policies: pd.DataFrame

    @classmethod
    def read(cls, processed_dir: Path | None = None) -> SiteTables:
        history = pd.read_parquet(
            (processed_dir or paths.PROCESSED) / "agreements_history.parquet",
            columns=HISTORY_COLUMNS,
        )
        return cls(
            agreements=io.read_table("agreements", processed_dir),
            agencies=io.read_table("agencies", processed_dir),
            history=history,
            state_policies=io.read_table("state_policies", processed_dir),
        )

    @property
    def latest(self) -> pd.Timestamp:
        return self.history["snapshot_date"].max()


def states_with_agreements(tables: SiteTables) -> list[str]:
    """USPS codes of the states (not territories) with an agreement on any snapshot."""
    rows = tables.history[~tables.history["is_territory"].astype(bool)]
    return sorted(rows["state"].dropna().unique().tolist())


def latest_documents(history: pd.DataFrame) -> pd.DataFrame:
    """Per agreement, the MOA and addendum URLs of the latest snapshot that lists one."""
    out = {}
    ordered = history.sort_values(["agreement_key", "snapshot_date"], kind="stable")
    for column in ("moa_url", "addendum_url"):
        rows = ordered.dropna(subset=[column]).drop_duplicates("agreement_key", keep="last")
        out[column] = rows.set_index("agreement_key")[column]
    return pd.DataFrame(out)


def placed_agreements(tables: SiteTables, documents: pd.DataFrame) -> pd.DataFrame:
    """Every agreement with its agency's jurisdiction, county and placement method and its
    documents, in the order of ``agreements`` (sliced by state in :func:`state_agreements`)."""
    placed = tables.agreements.merge(
        tables.agencies[AGENCY_COLUMNS].rename(columns={"status": "agency_status"}),
        on="agency_key", how="left", validate="many_to_one",
    )  # fmt: skip
    return placed.join(documents, on="agreement_key")


def state_agreements(tables: SiteTables, state: str, documents: pd.DataFrame,
                     placed: pd.DataFrame | None = None, rows=None) -> pd.DataFrame:  # fmt: skip
    """The state's agreements (one row per agency and model), with the agency's jurisdiction,
    county and placement method and the agreement's documents; sorted by agency and model.
    ``placed``: :func:`placed_agreements` and ``rows`` the state's entry of
    :func:`state_rows`, when the caller made them once for all states."""
    if placed is None:
        placed = placed_agreements(tables, documents)
    if rows is None:
        rows = state_rows(placed, [state])[state]
    own = placed.iloc[rows]
    missing = own["agency_status"].isna()
    if missing.any():
        key = own.loc[missing, "agreement_key"].sort_index().iloc[0]
        raise ValueError(f"agreements.parquet: agreement {key!r} has no row in agencies.parquet")
    return own.reset_index(drop=True)


def state_rows(placed: pd.DataFrame, states: list[str]) -> dict[str, np.ndarray]:
    """Each state's positions in ``placed`` (:func:`placed_agreements`), sorted by agency and
    model (a stable sort, as if the state's rows were sorted alone)."""
    ordered = placed.reset_index(drop=True).sort_values(["state", "agency", "model"],
                                                         kind="stable")  # fmt: skip
    positions = ordered.index.to_numpy()
    groups = ordered.groupby("state", sort=False).indices
    empty = np.array([], dtype=np.intp)
    return {s: positions[groups[s]] if s in groups else empty for s in states}


def model_timeline(history: pd.DataFrame, state: str) -> pd.DataFrame:
    """Agreements of the state on every time-series snapshot (zero where it had none), one
    column per model, indexed by snapshot date."""
    series = history[history["in_time_series"].astype(bool)]
    dates = pd.Index(sorted(series["snapshot_date"].unique()), name="snapshot_date")
    rows = series[series["state"] == state]
    counts = rows.pivot_table(index="snapshot_date", columns="model", values="agreement_key",
                              aggfunc="size", fill_value=0)  # fmt: skip
    return counts.reindex(index=dates, columns=MODELS, fill_value=0).fillna(0).astype(int)


def model_timelines(history: pd.DataFrame, states: list[str]) -> dict[str, pd.DataFrame]:
    """:func:`model_timeline` of each of ``states``, counted in one pass over ``history``."""
    series = history[history["in_time_series"].astype(bool)]
    dates = pd.Index(sorted(series["snapshot_date"].unique()), name="snapshot_date")
    columns = pd.Index(list(MODELS), dtype=series["model"].dtype, name="model")
    at = [pd.Index(states).get_indexer(series["state"]), dates.get_indexer(series["snapshot_date"]),
          columns.get_indexer(series["model"])]  # fmt: skip
    kept = (at[0] >= 0) & (at[1] >= 0) & (at[2] >= 0)
    shape = (len(states), len(dates), len(columns))
    flat = np.ravel_multi_index(tuple(a[kept] for a in at), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.int64)
    return {
        state: pd.DataFrame(counts[k], index=dates, columns=columns)
        for k, state in enumerate(states)
    }


def active_agencies(agencies: pd.DataFrame) -> pd.DataFrame:
    """The agencies on the latest list that are placed in a county."""
    return agencies[(agencies["status"] == "active") & agencies["county_fips"].notna()]


def county_class_lookup(agencies: pd.DataFrame) -> dict[str, str]:
    """Every county where an agency on the latest list is placed → ``county_agency`` or
    ``other_agency`` (see :func:`county_classes`); made once for all states."""
    active = active_agencies(agencies)
    county_level = set(active.loc[active["jurisdiction_level"] == "county", "county_fips"])
    return {f: COUNTY_LEVEL if f in county_level else OTHER_AGENCY for f in active["county_fips"]}


def county_classes(agencies: pd.DataFrame, state_fips: str, counties: pd.Series,
                   lookup: dict[str, str] | None = None) -> pd.Series:  # fmt: skip
    """Each county of the state (``counties``: FIPS) on the latest snapshot:
    ``county_agency`` (an agency whose jurisdiction is the county holds an agreement),
    ``other_agency`` (only municipal or other agencies placed in it do) or ``none``.
    ``lookup``: :func:`county_class_lookup`, when the caller made it once."""
    if lookup is None:
        active = active_agencies(agencies)
        lookup = county_class_lookup(active[active["county_fips"].str[:2] == state_fips])
    classes = [lookup.get(f, NO_AGREEMENT) if str(f)[:2] == state_fips else NO_AGREEMENT
               for f in counties]  # fmt: skip
    return pd.Series(classes, index=counties.to_numpy(), name="class")


def laws_by_state(policies: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`state_laws` of every state with a row in ``policies``."""
    ordered = policies.sort_values(["state_usps", "year", "policy_id"], kind="stable")
    return {
        state: rows.reset_index(drop=True)
        for state, rows in ordered.groupby("state_usps", sort=False)
    }


def state_laws(policies: pd.DataFrame, state: str) -> pd.DataFrame:
    """The state's rows of ``state_policies``, by year."""
    rows = policies[policies["state_usps"] == state]
    return rows.sort_values(["year", "policy_id"], kind="stable").reset_index(drop=True)
