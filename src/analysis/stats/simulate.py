"""Simulated counties with known parameters, for the tests and the benchmark.

Nothing here touches real data. Shapes follow the real tables: one row per county with
``fips`` (5-character text), ``state`` (USPS), 0/1 outcomes and float covariates; a first-
adoption table; a county x month timeline. Every function is deterministic given ``seed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.special import expit

from analysis.geo.states import states as state_table
from analysis.stats.adoption_models import LINKS
from analysis.stats.neighbors import neighbor_edges, neighbors_from_geometry

COVARIATES = [
    "gop_share_2024",
    "hispanic_share",
    "foreign_born_share",
    "hispanic_growth_2010_2020",
    "log_density",
    "rucc_2023",
    "median_income",
    "poverty_rate",
    "bachelors_share",
]
OUTCOMES = ["any_agreement", "county_agency_agreement", "tfm", "jail_model"]


def _state_sizes(n_counties: int, n_states: int, rng) -> pd.DataFrame:
    """States (real USPS and FIPS codes; FL, GA and TX always among them) with county counts
    that vary like the real ones; Texas and Georgia get the two largest."""
    table = state_table()
    if not 3 <= n_states <= len(table) or n_counties < 2 * n_states:
        raise ValueError("need 3 to 51 states and at least two counties per state")
    must = table[table.state_usps.isin(["FL", "GA", "TX"])]
    others = table[~table.state_usps.isin(["FL", "GA", "TX"])].head(n_states - 3)
    chosen = pd.concat([must, others]).sort_values("state_fips", ignore_index=True)
    raw = np.sort(rng.lognormal(0.0, 0.7, n_states))[::-1]
    share = raw / raw.sum() * (n_counties - 2 * n_states)
    sizes = np.floor(share).astype(int) + 2
    sizes[np.argsort(share - np.floor(share))[::-1][: n_counties - sizes.sum()]] += 1
    order = ["TX", "GA"] + [s for s in chosen.state_usps if s not in ("TX", "GA")]
    size_of = dict(zip(order, sizes, strict=True))
    return chosen.assign(n_counties=chosen.state_usps.map(size_of))


def simulate_counties(
    n_counties: int = 3140, n_states: int = 50, *, seed: int = 0, missing_share: float = 0.0
) -> pd.DataFrame:
    """A county table with state-level and county-level variation in every covariate.

    Columns: ``fips, state, row, col`` (position on a grid; states are contiguous runs of
    cells, see :func:`grid_geometry`), the covariates in ``COVARIATES`` (plausible ranges;
    partisanship falls with density, Hispanic share and growth vary mostly between states)
    and ``population``. ``missing_share`` blanks that share of ``hispanic_growth_2010_2020``
    and ``median_income`` at random, to exercise missing-value handling.
    """
    rng = np.random.default_rng(seed)
    states = _state_sizes(n_counties, n_states, rng)
    state = np.repeat(states.state_usps.to_numpy(), states.n_counties.to_numpy())
    state_fips = np.repeat(states.state_fips.to_numpy(), states.n_counties.to_numpy())
    within = np.concatenate([np.arange(k) for k in states.n_counties])
    fips = np.char.add(state_fips.astype(str), np.char.zfill((2 * within + 1).astype(str), 3))
    codes = np.unique(state, return_inverse=True)[1]

    def state_effect(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, n_states)[codes]

    def noise(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, n_counties)

    log_density = 3.6 + state_effect(0.8) + noise(1.3)
    density_z = (log_density - 3.6) / 1.5
    gop = np.clip(0.62 + state_effect(0.08) - 0.05 * density_z + noise(0.08), 0.08, 0.92)
    hispanic_logit = -2.6 + state_effect(0.9) + 0.2 * density_z + noise(0.7)
    hispanic = expit(hispanic_logit)
    foreign_born = expit(-3.2 + 0.6 * (hispanic_logit + 2.6) + 0.3 * density_z + noise(0.4))
    growth = 0.3 + state_effect(0.12) + noise(0.18)
    income_log = 11.0 + state_effect(0.1) + 0.08 * density_z + noise(0.18)
    income_z = (income_log - 11.0) / 0.2
    poverty = np.clip(0.15 - 0.03 * income_z + noise(0.03), 0.02, 0.5)
    bachelors = np.clip(0.22 + 0.04 * income_z + 0.03 * density_z + noise(0.04), 0.04, 0.75)
    rucc = np.clip(np.round(5.5 - 1.8 * density_z + noise(0.8)), 1, 9)
    population = np.round(np.exp(log_density + 6.2 + noise(0.5)))

    width = int(np.ceil(np.sqrt(n_counties)))
    cell = np.arange(n_counties)
    row = cell // width
    # Snake order keeps consecutive cells adjacent, so each state is one connected region.
    col = np.where(row % 2 == 0, cell % width, width - 1 - cell % width)
    table = pd.DataFrame(
        {
            "fips": pd.array(fips, dtype="str"),
            "state": pd.array(state, dtype="str"),
            "row": row,
            "col": col,
            "gop_share_2024": gop,
            "hispanic_share": hispanic,
            "foreign_born_share": foreign_born,
            "hispanic_growth_2010_2020": growth,
            "log_density": log_density,
            "rucc_2023": rucc,
            "median_income": np.exp(income_log),
            "poverty_rate": poverty,
            "bachelors_share": bachelors,
            "population": population,
        }
    )
    if missing_share > 0:
        for name in ("hispanic_growth_2010_2020", "median_income"):
            blank = rng.random(n_counties) < missing_share
            table.loc[blank, name] = np.nan
    return table


def grid_geometry(counties: pd.DataFrame):
    """Unit squares at the counties' ``row, col``: a GeoDataFrame with ``fips, state,
    geometry`` in which grid neighbours (including diagonal ones) touch."""
    import geopandas as gpd

    boxes = shapely.box(counties["col"], counties["row"], counties["col"] + 1, counties["row"] + 1)
    return gpd.GeoDataFrame(counties[["fips", "state"]].copy(), geometry=boxes)


def standardized(counties: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """z-scores (ddof=1) of the named columns over the rows where they are present; missing
    values become 0 (the mean) so they do not move a simulated index."""
    x = counties[list(names)].to_numpy(dtype=float)
    z = (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0, ddof=1)
    return np.nan_to_num(z, nan=0.0)


def simulate_binary_outcome(
    counties: pd.DataFrame,
    coefficients: Mapping[str, float],
    *,
    intercept: float = 0.0,
    link: str = "logit",
    state_sd: float = 0.0,
    group: str = "state",
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A 0/1 outcome from ``P(y=1) = F(intercept + sum_k beta_k z_k + u_state)``.

    ``coefficients`` are per SD of each covariate (z-scored over the table), ``F`` the inverse
    link (``"logit"``, ``"probit"``, ``"cloglog"``, or ``"identity"`` for a linear
    probability model, whose probabilities must stay inside [0, 1]), ``u_state`` normal state
    effects with sd ``state_sd``. Returns ``(y, probability)``.
    """
    rng = np.random.default_rng(seed)
    names = list(coefficients)
    eta = intercept + standardized(counties, names) @ np.array([coefficients[n] for n in names])
    codes = np.unique(counties[group].astype(str), return_inverse=True)[1]
    eta = eta + rng.normal(0.0, state_sd, codes.max() + 1)[codes]
    if link == "identity":
        if (eta < 0).any() or (eta > 1).any():
            raise ValueError("linear-probability index leaves [0, 1]; shrink the coefficients")
        probability = eta
    else:
        probability = LINKS[link]().inverse(eta)
    return (rng.random(len(eta)) < probability).astype(float), probability


def simulate_adoption_timing(
    counties: pd.DataFrame,
    neighbors: Mapping[str, Sequence[str]] | pd.DataFrame,
    months,
    *,
    baseline: float | Sequence[float],
    coefficients: Mapping[str, float] | None = None,
    mandate_effect: float = 0.0,
    mandates: pd.DataFrame | None = None,
    neighbor_in_state_effect: float = 0.0,
    neighbor_cross_state_effect: float = 0.0,
    prevalent_share: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """First-adoption months from a discrete-time cloglog hazard with known parameters.

    In month ``t`` a county not yet adopted adopts with probability ``1 - exp(-exp(eta))``,
    ``eta = baseline[t] + sum_k beta_k z_k + mandate_effect * mandate_in_force +
    neighbor_in_state_effect * share_in + neighbor_cross_state_effect * share_cross``, where
    the shares are those of in-state / other-state neighbours adopted by the end of month
    ``t - 1`` (0 without such neighbours) and a mandate is in force from its ``start_month``.
    ``prevalent_share`` of counties (at random) adopted before the first month (dated 2019-06).
    Written independently of :mod:`analysis.stats.panel` (a month-by-month loop over edge
    arrays), so recovering the parameters tests the panel builder as well as the model.
    Returns ``fips, state, first_adoption_month`` (a monthly period, NaT if never).
    """
    rng = np.random.default_rng(seed)
    months = pd.period_range(pd.Period(months[0], "M"), periods=len(months), freq="M")
    n, n_months = len(counties), len(months)
    baseline = np.broadcast_to(np.asarray(baseline, dtype=float), (n_months,))
    coefficients = dict(coefficients or {})
    static = np.zeros(n)
    if coefficients:
        names = list(coefficients)
        static = standardized(counties, names) @ np.array([coefficients[k] for k in names])

    fips = counties["fips"].astype(str).to_numpy()
    state = counties["state"].astype(str).to_numpy()
    index = {f: i for i, f in enumerate(fips)}
    edges = neighbor_edges(neighbors)
    edges = edges[edges.fips.isin(index) & edges.neighbor_fips.isin(index)]
    src = edges.fips.map(index).to_numpy()
    dst = edges.neighbor_fips.map(index).to_numpy()
    same = state[src] == state[dst]

    mandate_start = np.full(n, np.inf)
    if mandates is not None:
        for rec in mandates.itertuples(index=False):
            start = pd.Period(rec.start_month, "M")
            offset = (start.year - months[0].year) * 12 + start.month - months[0].month
            chosen = state == rec.state
            mandate_start[chosen] = np.minimum(mandate_start[chosen], offset)

    adopted_at = np.full(n, np.nan)  # month index of first adoption; -1 = prevalent
    adopted_at[rng.random(n) < prevalent_share] = -1
    for t in range(n_months):
        adopted = ~np.isnan(adopted_at)  # by the end of month t - 1
        shares = []
        for mask in (same, ~same):
            degree = np.bincount(src[mask], minlength=n)
            count = np.bincount(src[mask], weights=adopted[dst[mask]], minlength=n)
            shares.append(np.where(degree > 0, count / np.maximum(degree, 1), 0.0))
        eta = (
            baseline[t]
            + static
            + mandate_effect * (mandate_start <= t)
            + neighbor_in_state_effect * shares[0]
            + neighbor_cross_state_effect * shares[1]
        )
        draw = rng.random(n) < -np.expm1(-np.exp(eta))
        adopted_at[~adopted & draw] = t
    first = pd.Series(pd.NaT, index=range(n), dtype="period[M]")
    event = adopted_at >= 0
    first[event] = months[adopted_at[event].astype(int)]
    first[adopted_at == -1] = pd.Period("2019-06", "M")
    return pd.DataFrame({"fips": fips, "state": state, "first_adoption_month": first.to_numpy()})


@dataclass(frozen=True)
class SimulatedAtlas:
    """A realistic synthetic version of every input the statistics stage takes.

    ``counties``: the county table with outcomes ``any_agreement`` (adopted by the last
    month), ``adopted_mid_2025`` (by 2025-06), ``county_agency_agreement``, ``tfm``,
    ``jail_model``; ``geometry``: grid squares; ``neighbors``: queen edges;
    ``first_adoption``; ``months``; ``mandates``; ``truth``: the hazard parameters.
    """

    counties: pd.DataFrame
    geometry: object
    neighbors: pd.DataFrame
    first_adoption: pd.DataFrame
    months: pd.PeriodIndex
    mandates: pd.DataFrame
    truth: dict[str, float]


HAZARD_TRUTH = {
    "gop_share_2024": 0.6,
    "hispanic_share": 0.15,
    "log_density": -0.2,
    "mandate_in_force": 1.2,
    "neighbor_share_in_state_lag1": 1.0,
    "neighbor_share_cross_state_lag1": 0.4,
}


def simulate_atlas(
    n_counties: int = 3140, n_states: int = 50, n_months: int = 17, *, seed: int = 0
) -> SimulatedAtlas:
    """Counties, grid geometry, neighbours, mandates (FL from 2022, GA from 2024-05, TX from
    2026-01) and adoption timing from 2025-01 over ``n_months`` months with the parameters in
    ``HAZARD_TRUTH`` (covariates per SD), plus the cross-sectional outcomes derived from it."""
    rng = np.random.default_rng([seed, 1])
    counties = simulate_counties(n_counties, n_states, seed=seed, missing_share=0.01)
    geometry = grid_geometry(counties)
    neighbors = neighbors_from_geometry(geometry)
    months = pd.period_range("2025-01", periods=n_months, freq="M")
    mandates = pd.DataFrame(
        {
            "state": ["FL", "GA", "TX"],
            "start_month": pd.PeriodIndex(["2022-07", "2024-05", "2026-01"], freq="M"),
        }
    )
    # Few adoptions in January, then the expansion (the Task Force Model returns in February).
    baseline = np.r_[-6.0, np.linspace(-4.2, -4.6, n_months - 1)]
    static = {k: v for k, v in HAZARD_TRUTH.items() if k in COVARIATES}
    first = simulate_adoption_timing(
        counties,
        neighbors,
        months,
        baseline=baseline,
        coefficients=static,
        mandate_effect=HAZARD_TRUTH["mandate_in_force"],
        mandates=mandates,
        neighbor_in_state_effect=HAZARD_TRUTH["neighbor_share_in_state_lag1"],
        neighbor_cross_state_effect=HAZARD_TRUTH["neighbor_share_cross_state_lag1"],
        prevalent_share=0.04,
        seed=seed,
    )
    when = first["first_adoption_month"]
    any_agreement = when.notna().to_numpy()
    mid_2025 = (when <= pd.Period("2025-06", "M")).fillna(False).to_numpy(dtype=bool)
    gop_z = standardized(counties, ["gop_share_2024"])[:, 0]
    prevalent = (when < months[0]).fillna(False).to_numpy(dtype=bool)
    counties = counties.assign(
        any_agreement=any_agreement.astype(int),
        adopted_mid_2025=mid_2025.astype(int),
        county_agency_agreement=(any_agreement & (rng.random(n_counties) < 0.85)).astype(int),
        tfm=(
            any_agreement & ~prevalent & (rng.random(n_counties) < expit(0.3 + 0.6 * gop_z))
        ).astype(int),
        jail_model=(any_agreement & (prevalent | (rng.random(n_counties) < 0.5))).astype(int),
    )
    return SimulatedAtlas(
        counties=counties,
        geometry=geometry,
        neighbors=neighbors,
        first_adoption=first,
        months=months,
        mandates=mandates,
        truth=dict(HAZARD_TRUTH),
    )
