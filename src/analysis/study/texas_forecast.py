"""Texas SB 8: the probability that each Texas county's county-level agency holds a 287(g)
agreement by the compliance deadline (2026-12-01), with a back-test.

Outcome: a county-level agency (``agencies.jurisdiction_level == "county"``: the sheriff, a
county jail, county police) placed in the county holds an agreement on a participating list.

Model: a county x month discrete-time cloglog hazard of the first such agreement, fitted on
Texas's 254 counties only (the one state whose law makes every jail-running sheriff *enter* an
agreement by a date; a national model would average Texas's hazard with regimes that have no
deadline), from February 2025 to the month of the last snapshot. The baseline hazard has one
level per stretch of SB 8's calendar (:func:`sb8_periods`): before signing, signed but not
in force, in force; covariates per SD over Texas counties. A county without an agreement at
the last snapshot is projected forward with the last period's hazard for the months left
before the deadline (:func:`months_to_deadline`); a county holding one counts as holding it at
the deadline (an exit before then would break the law). Intervals: the 2.5 and 97.5
percentiles over coefficient vectors drawn from the estimates' normal distribution
(cluster-robust by county), a seed parameter.

Back-test: the same model fitted on the snapshots up to 2025-12-31 (so the "in force" period
is unseen and the "signed" level is carried forward) predicts the status at the last snapshot.

"Has a county jail": no public list of Texas county jails is in the mirror (the Texas
Commission on Jail Standards' list is not catalogued), so every Texas county counts as run by
its sheriff, the agency SB 8 names; a county that sends its prisoners to a neighbour's jail is
not told apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.forecast import auc, brier_score, calibration_table
from analysis.stats.hazard_forecast import (
    HazardFit,
    coefficient_draws,
    fit_period_hazard,
    probability_by_horizon,
)
from analysis.study import scope
from analysis.study.adoption import AdoptionTables, counties_with_covariates, load_if_missing

STATE = "TX"
POLICY_ID = "TX-2025-SB8"
N_TEXAS_COUNTIES = 254
FORECAST_COLUMNS = [
    "fips",
    "county",
    "predicted_probability",
    "ci_low",
    "ci_high",
    "status_last_snapshot",
]
PERIODS = ("before signing", "signed, not in force", "in force")


def county_level_holders(tables: AdoptionTables, dates) -> pd.DataFrame:
    """``snapshot_date``, ``county_fips``: the counties with an agreement of a county-level
    agency on each participating snapshot of ``dates``."""
    history = tables.history
    # Only the three columns used: filtering the whole wide table copies every column.
    history = history[[c for c in ("list", "snapshot_date", "agency_key") if c in history]]
    if "list" in history:
        history = history[history["list"] == "participating"]
    history = history[pd.to_datetime(history["snapshot_date"]).isin(dates)]
    agencies = tables.agencies
    if agencies is None or "jurisdiction_level" not in agencies:
        raise ValueError("agencies.jurisdiction_level is needed for the county-level outcome")
    county = agencies[
        (agencies["jurisdiction_level"] == "county") & agencies["county_fips"].notna()
    ]
    rows = history[history["agency_key"].isin(county["agency_key"])]
    fips = rows["agency_key"].map(county.set_index("agency_key")["county_fips"].astype(str))
    out = pd.DataFrame(
        {"snapshot_date": pd.to_datetime(rows["snapshot_date"]), "county_fips": fips}
    )
    return (
        out.drop_duplicates().sort_values(["snapshot_date", "county_fips"]).reset_index(drop=True)
    )


def sb8_dates(state_policies: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """SB 8's ``signed``, ``effective`` and ``deadline`` dates from the state-law table."""
    row = state_policies[state_policies["policy_id"] == POLICY_ID]
    if len(row) != 1:
        raise ValueError(f"state_policies must have one row {POLICY_ID}, found {len(row)}")
    row = row.iloc[0]
    return {
        "signed": pd.Timestamp(row["signed_date"]),
        "effective": pd.Timestamp(row["effective_date"]),
        "deadline": pd.Timestamp(row["deadline_date"]),
    }


def sb8_periods(months: pd.PeriodIndex, dates: dict[str, pd.Timestamp]) -> np.ndarray:
    """The SB 8 period of each month: before the signing month, from it to the month before
    the effective date, from the effective month on."""
    signed, effective = pd.Period(dates["signed"], "M"), pd.Period(dates["effective"], "M")
    return np.where(
        months < signed, PERIODS[0], np.where(months < effective, PERIODS[1], PERIODS[2])
    )


def months_to_deadline(last_snapshot: pd.Timestamp, deadline: pd.Timestamp) -> int:
    """Whole months after the last snapshot's month up to the month before the deadline
    (2026-05-11 to 2026-12-01: June to November, 6)."""
    return max(0, (pd.Period(deadline, "M") - pd.Period(last_snapshot, "M")).n - 1)


@dataclass(frozen=True)
class TexasData:
    counties: pd.DataFrame  # fips, county, state, covariates, holds_last, first_month
    panel: pd.DataFrame  # county-month risk set
    last_snapshot: pd.Timestamp
    dates: dict


def texas_data(as_of=None, covariates=(), *, tables: AdoptionTables | None = None) -> TexasData:
    """Texas's counties with their covariates (z-scores over the 254), the month of their
    first county-level agreement since the January 2025 baseline, whether they hold one at the
    last snapshot on or before ``as_of``, and the county-month risk set."""
    tables = load_if_missing(tables)
    snaps = scope.snapshot_dates(tables.history, as_of)
    snaps = snaps[snaps >= scope.BASELINE_DATE]
    last = snaps[-1]
    all_counties = counties_with_covariates(tables.covariates)
    tx = all_counties[all_counties["state"] == STATE].reset_index(drop=True)
    if len(tx) != N_TEXAS_COUNTIES:
        raise ValueError(f"expected {N_TEXAS_COUNTIES} Texas counties, found {len(tx)}")
    holders = county_level_holders(tables, snaps)
    holders = holders[holders["county_fips"].isin(tx["fips"])]
    first = holders.groupby("county_fips")["snapshot_date"].min()
    now = set(holders.loc[holders["snapshot_date"] == last, "county_fips"])
    frame = pd.DataFrame({"fips": tx["fips"], "county": tx["county_name"]})
    for name in covariates:
        values = tx[name].astype(float)
        frame[name] = ((values - values.mean()) / values.std(ddof=0)).to_numpy()
    frame["first_date"] = frame["fips"].map(first)
    frame["first_month"] = pd.to_datetime(frame["first_date"]).dt.to_period("M")
    frame["prevalent"] = frame["first_date"] == scope.BASELINE_DATE
    frame["holds_last"] = frame["fips"].isin(now).astype(int)
    dates = sb8_dates(tables.state_policies)
    months = pd.period_range(
        pd.Period(scope.BASELINE_DATE, "M") + 1, pd.Period(last, "M"), freq="M"
    )
    periods = dict(zip(months, sb8_periods(months, dates), strict=True))
    rows = []
    for county in frame[~frame["prevalent"]].itertuples(index=False):
        for month in months:
            event = int(county.first_month == month) if pd.notna(county.first_month) else 0
            rows.append(
                {"fips": county.fips, "month": month, "period": periods[month], "event": event}
            )
            if event:
                break
    panel = pd.DataFrame(rows).merge(frame[["fips", *covariates]], on="fips")
    return TexasData(frame, panel, last, dates)


def fit_texas(data: TexasData, covariates, *, until=None) -> HazardFit:
    """The period hazard on the risk set (months up to ``until``'s month when given)."""
    panel = data.panel
    if until is not None:
        panel = panel[panel["month"] <= pd.Period(pd.Timestamp(until), "M")]
    periods = [p for p in PERIODS if (panel["period"] == p).any()]
    return fit_period_hazard(panel, list(covariates), periods=periods)


def forecast_table(
    data: TexasData, fit: HazardFit, *, draws: int = 2000, seed: int = 0, alpha: float = 0.05
) -> pd.DataFrame:
    """:data:`FORECAST_COLUMNS`, one row per Texas county, sorted by ``fips``."""
    months = months_to_deadline(data.last_snapshot, data.dates["deadline"])
    frame = data.counties
    risk = frame["holds_last"] == 0
    point = np.ones(len(frame))
    low, high = np.ones(len(frame)), np.ones(len(frame))
    units = frame.loc[risk]
    point[risk.to_numpy()] = probability_by_horizon(fit, units, months)
    sims = probability_by_horizon(fit, units, months, params=coefficient_draws(fit, draws, seed))
    low[risk.to_numpy()] = np.quantile(sims, alpha / 2, axis=0)
    high[risk.to_numpy()] = np.quantile(sims, 1 - alpha / 2, axis=0)
    out = pd.DataFrame(
        {
            "fips": frame["fips"],
            "county": frame["county"],
            "predicted_probability": point,
            "ci_low": low,
            "ci_high": high,
            "status_last_snapshot": frame["holds_last"],
        }
    )
    return out.sort_values("fips").reset_index(drop=True)[FORECAST_COLUMNS]


@dataclass(frozen=True)
class BackTest:
    predictions: pd.DataFrame  # fips, predicted_probability, observed, at_risk
    metrics: pd.DataFrame  # evaluation set, n, adopters, auc, brier
    calibration: pd.DataFrame
    fit_until: pd.Timestamp
    months: int


def back_test(data: TexasData, covariates, *, fit_until="2025-12-31", n_bins: int = 5) -> BackTest:
    """Fit on the months up to ``fit_until``, predict the status at the last snapshot: among
    the counties without an agreement at the last snapshot on or before ``fit_until`` (the
    honest test) and over all 254 (holders predicted 1)."""
    fit = fit_texas(data, covariates, until=fit_until)
    cut_month = pd.Period(pd.Timestamp(fit_until), "M")
    months = (pd.Period(data.last_snapshot, "M") - cut_month).n
    frame = data.counties
    held_then = frame["first_month"].notna() & (frame["first_month"] <= cut_month)
    at_risk = ~held_then
    prob = np.ones(len(frame))
    prob[at_risk.to_numpy()] = probability_by_horizon(
        fit, frame.loc[at_risk], months, period=fit.periods[-1]
    )
    predictions = pd.DataFrame(
        {
            "fips": frame["fips"],
            "predicted_probability": prob,
            "observed": frame["holds_last"],
            "at_risk": at_risk,
        }
    )
    sets = {
        "counties without an agreement at the cut-off": predictions[at_risk],
        "all Texas counties": predictions,
    }
    metrics = pd.DataFrame(
        [
            {
                "evaluation_set": name,
                "n": len(s),
                "adopters": int(s.observed.sum()),
                "auc": auc(s.observed, s.predicted_probability),
                "brier_score": brier_score(s.observed, s.predicted_probability),
                "mean_predicted": float(s.predicted_probability.mean()),
                "observed_rate": float(s.observed.mean()),
            }
            for name, s in sets.items()
        ]
    )
    honest = predictions[at_risk]
    calibration = calibration_table(honest.observed, honest.predicted_probability, n_bins=n_bins)
    return BackTest(predictions, metrics, calibration, pd.Timestamp(fit_until), months)


def counties_without_agreement(forecast: pd.DataFrame) -> pd.DataFrame:
    """The Texas counties (all sheriff-run, see the module note) with no county-level
    agreement at the last snapshot, most likely to sign first."""
    rows = forecast[forecast["status_last_snapshot"] == 0]
    return rows.sort_values(["predicted_probability", "fips"], ascending=[False, True]).reset_index(
        drop=True
    )
