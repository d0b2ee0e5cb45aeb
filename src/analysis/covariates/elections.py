"""Presidential votes by county: MEDSL for 2016 (tonmcg's statewide row for Alaska), tonmcg for
2020 and 2024.

Alaska reports by house district, not by borough, so each year yields one statewide Alaska
result. The 2024 file codes Alaska's districts 02001-02040 (three collide with borough codes)
and DC's eight wards 11001-11008 (Ward 1 collides with DC itself), so both states are selected
by name and summed before any code is read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.covariates.common import SourceContext, as_fips
from analysis.fetch import require
from analysis.geo.states import states as state_table

TONMCG = {
    year: f"elections_tonmcg/{year}_US_County_Level_Presidential_Results.csv"
    for year in (2016, 2020, 2024)
}
MEDSL = "medsl_election_context_2018/election-context-2018.csv"
DC_FIPS = "11001"
ALASKA_FIPS = "02"
# Kalawao's few voters are counted with Maui County; it has no result of its own.
KALAWAO, MAUI = "15005", "15009"
# MEDSL reports Kansas City, MO separately under the pseudo-code 36000 (New York's state code);
# its votes belong to Jackson County, where most of the city lies.
KANSAS_CITY = ("Missouri", "36000", "29095")
VOTE_COLUMNS = ["votes_gop", "votes_dem"]


@dataclass(frozen=True)
class Votes:
    """One election: county votes (old Connecticut codes where the source has them; no Alaska)
    and Alaska's statewide totals."""

    year: int
    source: str
    counties: pd.DataFrame  # fips, votes_gop, votes_dem
    alaska_gop: float
    alaska_dem: float
    substituted: tuple[str, ...] = ()  # counties whose votes come from a second source

    def state_totals(self) -> pd.DataFrame:
        """``state_fips``, ``votes_gop``, ``votes_dem`` for the 50 states and DC."""
        by_state = self.counties.groupby(self.counties.fips.str[:2])[VOTE_COLUMNS].sum()
        by_state.loc[ALASKA_FIPS] = [self.alaska_gop, self.alaska_dem]
        return by_state.rename_axis("state_fips").sort_index().reset_index()


def two_party_share(gop: pd.Series, dem: pd.Series) -> pd.Series:
    """Republican share of the two-party vote, gop / (gop + dem)."""
    total = gop + dem
    return gop / total.where(total > 0)


def county_shares(county_fips: pd.Series, votes: Votes) -> tuple[pd.Series, list[str]]:
    """The Republican two-party share of every county in ``county_fips`` (same index).

    Alaska's boroughs get the statewide share; Kalawao, when the source has no row for it,
    gets Maui's. Also returns the codes that took Maui's share.
    """
    counties = votes.counties.set_index("fips")
    shares = two_party_share(counties.votes_gop, counties.votes_dem)
    result = county_fips.map(shares)
    alaska = two_party_share(pd.Series([votes.alaska_gop]), pd.Series([votes.alaska_dem]))
    result[county_fips.str[:2] == ALASKA_FIPS] = alaska.iloc[0]
    from_maui = county_fips[(county_fips == KALAWAO) & result.isna()].tolist()
    result[county_fips.isin(from_maui)] = shares.get(MAUI)
    return result, from_maui


def _check_states(fips: pd.Series, state_names: pd.Series, source: str) -> None:
    expected = fips.str[:2].map(state_table().set_index("state_fips").state_name)
    wrong = expected != state_names
    if wrong.any():
        raise ValueError(f"{source}: state name and FIPS disagree for {sorted(fips[wrong])[:10]}")


def read_tonmcg(ctx: SourceContext, year: int) -> Votes:
    """2020 or 2024: Alaska districts summed to the state, DC wards summed into 11001."""
    source = TONMCG[year]
    raw = pd.read_csv(require(source, ctx.raw_dir), dtype={"county_fips": str})
    alaska = raw[raw.state_name == "Alaska"]
    dc = raw[raw.state_name == "District of Columbia"]
    ctx.ledger.add(source, "alaska_statewide", len(alaska), "Alaska house districts summed")
    ctx.ledger.add(source, "dc_summed", len(dc), f"DC rows (wards in 2024) summed into {DC_FIPS}")
    rest = raw[~raw.index.isin(alaska.index.union(dc.index))]
    _check_states(as_fips(rest.county_fips), rest.state_name, source)
    counties = ctx.take(rest, "county_fips", source, VOTE_COLUMNS, count_columns=(*VOTE_COLUMNS,))
    if len(dc):
        dc_row = pd.DataFrame({"fips": [DC_FIPS], **{c: [dc[c].sum()] for c in VOTE_COLUMNS}})
        counties = pd.concat([counties, dc_row]).sort_values("fips").reset_index(drop=True)
    if counties.fips.duplicated().any():
        raise ValueError(f"{source}: duplicate county codes after harmonisation")
    return Votes(
        year, source, counties, float(alaska.votes_gop.sum()), float(alaska.votes_dem.sum())
    )


def _tonmcg_2016(ctx: SourceContext) -> tuple[pd.DataFrame, float, float]:
    """tonmcg 2016: its county rows (2010-era codes, as read) and Alaska's statewide result,
    which the file copies onto every borough code."""
    source = TONMCG[2016]
    raw = pd.read_csv(
        require(source, ctx.raw_dir), usecols=["state_abbr", "combined_fips", *VOTE_COLUMNS]
    )
    alaska = raw[raw.state_abbr == "AK"]
    if alaska[VOTE_COLUMNS].drop_duplicates().shape[0] != 1:
        raise ValueError(f"{source}: Alaska rows are not one repeated statewide result")
    ctx.ledger.add(source, "alaska_statewide", 1, "the statewide result (an early count)")
    ctx.ledger.add(source, "statewide_copy", len(alaska) - 1, "the same result on other codes")
    counties = raw[raw.state_abbr != "AK"].assign(fips=lambda d: as_fips(d.combined_fips))
    return counties[["fips", *VOTE_COLUMNS]], alaska.votes_gop.iloc[0], alaska.votes_dem.iloc[0]


def _repair_zero_candidates(
    ctx: SourceContext, counties: pd.DataFrame, tonmcg: pd.DataFrame
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """MEDSL gives a major candidate 0 votes in a few counties (Keya Paha NE: Clinton 0, where
    tonmcg counts 39), a transcription error: take both parties' votes from tonmcg there."""
    zero = counties.fips[(counties[VOTE_COLUMNS] == 0).any(axis=1)]
    other = tonmcg.set_index("fips")
    usable = [f for f in zero if f in other.index and (other.loc[f, VOTE_COLUMNS] > 0).all()]
    repaired = counties.set_index("fips")
    repaired.loc[usable, VOTE_COLUMNS] = other.loc[usable, VOTE_COLUMNS].to_numpy()
    source = TONMCG[2016]
    ctx.ledger.add(
        source, "substituted", len(usable), f"MEDSL zero votes repaired: {', '.join(usable)}"
    )
    ctx.ledger.add(source, "unused_source", len(tonmcg) - len(usable), "MEDSL is preferred")
    return repaired.reset_index(), tuple(usable)


def read_2016(ctx: SourceContext) -> Votes:
    """MEDSL ``trump16``, ``clinton16``: Shannon 46113 -> 46102, Bedford city 51515 and Kansas
    City 36000 added into 51019 and 29095; zero-vote errors and Alaska from tonmcg 2016."""
    raw = pd.read_csv(
        require(MEDSL, ctx.raw_dir), usecols=["state", "fips", "trump16", "clinton16"]
    ).rename(columns={"trump16": "votes_gop", "clinton16": "votes_dem"})
    raw["fips"] = as_fips(raw.fips)
    state, pseudo, county = KANSAS_CITY
    is_kansas_city = (raw.state == state) & (raw.fips == pseudo)
    kansas_city = raw.loc[is_kansas_city, VOTE_COLUMNS].sum()
    ctx.ledger.add(MEDSL, "merged", is_kansas_city.sum(), f"{pseudo} Kansas City, MO -> {county}")
    rest = raw[~is_kansas_city]
    _check_states(rest.fips, rest.state, MEDSL)
    counties = ctx.take(rest, "fips", MEDSL, VOTE_COLUMNS, count_columns=(*VOTE_COLUMNS,))
    counties.loc[counties.fips == county, VOTE_COLUMNS] += kansas_city.to_numpy()
    tonmcg, alaska_gop, alaska_dem = _tonmcg_2016(ctx)
    counties, repaired = _repair_zero_candidates(ctx, counties, tonmcg)
    return Votes(2016, MEDSL, counties, float(alaska_gop), float(alaska_dem), repaired)


def read_all(ctx: SourceContext) -> dict[int, Votes]:
    """The three elections, keyed by year."""
    return {2016: read_2016(ctx), 2020: read_tonmcg(ctx, 2020), 2024: read_tonmcg(ctx, 2024)}
