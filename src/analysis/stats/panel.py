"""The county x month risk-set panel for hazard models of first adoption.

Month ``t`` (0 = the first month of ``months``) is a calendar month. A county that first adopts
in month ``t`` has its event in month ``t`` and leaves the risk set afterwards; a county that
adopted before the first month is *prevalent* (already adopted at the start) and never enters
the risk set; a county with no adoption by the last month is censored there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.stats._common import require_columns
from analysis.stats.neighbors import neighbor_edges

STATUSES = ("adopted", "censored", "prevalent")


def to_months(values) -> pd.Series:
    """Monthly periods from periods, timestamps or text such as ``"2025-03"`` (NaT kept)."""
    series = pd.Series(values)
    if isinstance(series.dtype, pd.PeriodDtype):
        return series.dt.asfreq("M")
    return pd.to_datetime(series).dt.to_period("M")


def month_range(months) -> pd.PeriodIndex:
    """``months`` as consecutive monthly periods; raises if a month is missing or repeated."""
    index = pd.PeriodIndex(to_months(months))
    if index.isna().any() or len(index) == 0:
        raise ValueError("months must be non-empty and without missing values")
    expected = pd.period_range(index[0], periods=len(index), freq="M")
    if not index.equals(expected):
        raise ValueError("months must be consecutive calendar months, in order")
    return index


def month_offsets(values, start: pd.Period) -> np.ndarray:
    """Whole months from ``start`` to each value (float; NaN where the value is missing)."""
    months = to_months(values)
    ordinal = (months.dt.year * 12 + months.dt.month).to_numpy(dtype=float)
    # NaT's year and month come back as -1, not NaN.
    ordinal[months.isna().to_numpy()] = np.nan
    return ordinal - (start.year * 12 + start.month)


def adoption_durations(
    first_adoption: pd.DataFrame,
    months,
    *,
    id_col: str = "fips",
    state_col: str = "state",
    adoption_col: str = "first_adoption_month",
) -> pd.DataFrame:
    """One row per county: when it left the risk set and why.

    Returns ``fips, state, first_adoption_month, time, event, status``: ``time`` is the month
    index of the first adoption (``event`` 1, status ``"adopted"``) or of the last month
    (``event`` 0, ``"censored"``: no adoption by then, including adoptions after the window);
    prevalent counties (adopted before the first month) have ``time`` missing and status
    ``"prevalent"``, so Kaplan-Meier and the panel leave them out and say how many.
    """
    require_columns(first_adoption, [id_col, state_col, adoption_col], "first_adoption")
    if first_adoption[id_col].duplicated().any():
        raise ValueError(f"first_adoption must have one row per {id_col}")
    months = month_range(months)
    last = len(months) - 1
    offset = month_offsets(first_adoption[adoption_col], months[0])
    adopted = offset <= last  # NaN compares False
    prevalent = offset < 0
    time = np.where(adopted, offset, float(last))
    time[prevalent] = np.nan
    status = np.where(prevalent, "prevalent", np.where(adopted, "adopted", "censored"))
    return pd.DataFrame(
        {
            "fips": first_adoption[id_col].astype(str).to_numpy(),
            "state": first_adoption[state_col].astype(str).to_numpy(),
            "first_adoption_month": to_months(first_adoption[adoption_col]).to_numpy(),
            "time": time,
            "event": (adopted & ~prevalent).astype(int),
            "status": status,
        }
    )


def add_state_period_indicator(
    panel: pd.DataFrame,
    periods: pd.DataFrame,
    name: str,
    *,
    state_col: str = "state",
    month_col: str = "month",
) -> pd.DataFrame:
    """Add a 0/1 column ``name``: 1 in the panel months in which one of the state's periods is
    in force. ``periods`` has ``state, start_month`` and optionally ``end_month`` (last month
    in force; missing = still in force). A period counts from its start month on (pass a
    later start for a lag or a compliance deadline)."""
    require_columns(periods, ["state", "start_month"], "periods")
    month = panel[month_col]
    ordinal = (month.dt.year * 12 + month.dt.month).to_numpy()
    states = panel[state_col].astype(str).to_numpy()
    in_force = np.zeros(len(panel), dtype=bool)
    end = periods["end_month"] if "end_month" in periods else pd.Series(pd.NaT, index=periods.index)
    starts = to_months(periods["start_month"])
    ends = to_months(end)
    for state, start, stop in zip(periods["state"].astype(str), starts, ends, strict=True):
        active = (states == state) & (ordinal >= start.year * 12 + start.month)
        if not pd.isna(stop):
            active &= ordinal <= stop.year * 12 + stop.month
        in_force |= active
    return panel.assign(**{name: in_force.astype(int)})


@dataclass(frozen=True)
class AdoptionPanel:
    """The risk-set panel and what did not enter it.

    ``panel``: one row per county-month at risk (columns in the builder's docstring);
    ``durations``: one row per county (:func:`adoption_durations`); ``n_prevalent``: counties
    already adopted before the first month (not at risk); ``n_unknown_neighbors``: neighbour
    ids not among the counties (ignored).
    """

    panel: pd.DataFrame
    durations: pd.DataFrame
    n_prevalent: int
    n_unknown_neighbors: int


def build_adoption_panel(
    first_adoption: pd.DataFrame,
    months,
    neighbors: Mapping[str, Sequence[str]] | pd.DataFrame,
    mandates: pd.DataFrame | None = None,
    covariates: pd.DataFrame | None = None,
    *,
    id_col: str = "fips",
    state_col: str = "state",
    adoption_col: str = "first_adoption_month",
) -> AdoptionPanel:
    """County x month panel of the risk of first adoption, from ``months[0]`` to ``months[-1]``.

    ``first_adoption``: one row per county with ``fips``, ``state`` and
    ``first_adoption_month`` (period/timestamp/text; NaT if never). ``neighbors``: dict or edge
    table (:func:`analysis.stats.neighbors.neighbor_edges`). ``mandates``: ``state,
    start_month[, end_month]`` (:func:`add_state_period_indicator`). ``covariates``: a table
    keyed by ``fips`` whose other columns are copied onto every month (missing -> NaN).

    Columns: ``fips, state, month`` (monthly period), ``t`` (0-based month index),
    ``event`` (1 in the month of first adoption), ``mandate_in_force``,
    ``neighbor_share_in_state_lag1`` / ``neighbor_share_cross_state_lag1`` (share of the
    county's in-state / other-state neighbours that had adopted by the end of the previous
    month; prevalent neighbours count as adopted from the start; 0 where the county has no
    such neighbour, so add an indicator from the counts if that matters),
    ``n_neighbors_in_state``, ``n_neighbors_cross_state``, then the covariates.
    Adoption means first adoption (later exits do not reset a neighbour's status).
    """
    months = month_range(months)
    durations = adoption_durations(
        first_adoption, months, id_col=id_col, state_col=state_col, adoption_col=adoption_col
    )
    n, n_months = len(durations), len(months)
    position = pd.Series(np.arange(n), index=durations["fips"])
    state = durations["state"].to_numpy()

    edges = neighbor_edges(neighbors)
    known = edges["fips"].isin(position.index) & edges["neighbor_fips"].isin(position.index)
    n_unknown = int((~known).sum())
    src = position[edges.loc[known, "fips"]].to_numpy()
    dst = position[edges.loc[known, "neighbor_fips"]].to_numpy()
    same_state = state[src] == state[dst]

    # adopted_before[i, t]: county i had adopted by the end of month t - 1.
    offset = month_offsets(first_adoption[adoption_col], months[0])
    offset = np.where(np.isnan(offset), np.inf, offset)
    adopted_before = (offset[:, None] <= np.arange(n_months)[None, :] - 1).astype(float)

    shares, counts = {}, {}
    for label, mask in (("in_state", same_state), ("cross_state", ~same_state)):
        weights = sparse.csr_matrix((np.ones(mask.sum()), (src[mask], dst[mask])), shape=(n, n))
        degree = np.asarray(weights.sum(axis=1)).ravel()
        adopted = weights @ adopted_before
        shares[label] = np.divide(
            adopted, degree[:, None], out=np.zeros_like(adopted), where=degree[:, None] > 0
        )
        counts[label] = degree.astype(int)

    # At risk from month 0 through the month of the event (or the last month).
    time = durations["time"].to_numpy()
    at_risk = np.arange(n_months)[None, :] <= np.where(np.isnan(time), -1, time)[:, None]
    rows, t = np.nonzero(at_risk)
    panel = pd.DataFrame(
        {
            "fips": durations["fips"].to_numpy()[rows],
            "state": state[rows],
            "month": pd.PeriodIndex(months[t]),
            "t": t,
            "event": ((durations["event"].to_numpy()[rows] == 1) & (t == time[rows])).astype(int),
            "neighbor_share_in_state_lag1": shares["in_state"][rows, t],
            "neighbor_share_cross_state_lag1": shares["cross_state"][rows, t],
            "n_neighbors_in_state": counts["in_state"][rows],
            "n_neighbors_cross_state": counts["cross_state"][rows],
        }
    )
    if mandates is not None:
        panel = add_state_period_indicator(panel, mandates, "mandate_in_force")
    else:
        panel["mandate_in_force"] = 0
    front = ["fips", "state", "month", "t", "event", "mandate_in_force"]
    panel = panel[front + [c for c in panel.columns if c not in front]]
    if covariates is not None:
        require_columns(covariates, [id_col], "covariates")
        extra = covariates.drop(columns=[c for c in (state_col,) if c in covariates.columns])
        extra = extra.rename(columns={id_col: "fips"}).assign(fips=lambda d: d.fips.astype(str))
        if extra["fips"].duplicated().any():
            raise ValueError("covariates must have one row per county")
        clash = sorted(set(extra.columns) & set(panel.columns) - {"fips"})
        if clash:
            raise ValueError(f"covariates repeat panel columns {clash}")
        panel = panel.merge(extra, on="fips", how="left", validate="many_to_one")
    return AdoptionPanel(
        panel=panel,
        durations=durations,
        n_prevalent=int((durations["status"] == "prevalent").sum()),
        n_unknown_neighbors=n_unknown,
    )
