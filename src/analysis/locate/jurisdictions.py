"""Every agency's jurisdiction: the unit of government whose residents it polices.

Levels (``agencies.jurisdiction_level``), decided from the agency's category (read from its name
by :func:`analysis.ice.normalize.agency_category`), its name and its placement:

- **county**: sheriffs; county police ("Nassau County Police Department"); county jails and
  corrections ("Orange County Corrections Department", "Bullitt County Detention Center"); a
  county government holding the agreement ("Escambia County Board of County Commissioners").
  Jurisdiction = the agency's county (5-digit FIPS).
- **municipal**: city, town, village, borough and township police (and PA township or borough
  constables). Jurisdiction = the incorporated Census place (7-digit GEOID) or, where there is
  none of that name (New England towns, NJ/PA/MI townships ...), the county subdivision
  (10-digit GEOID) of that name in the agency's counties. A name that says ``TOWN``/``TOWNSHIP``
  prefers the subdivision; otherwise the place comes first. A variant of the name is matched
  when it is a clear winner among the units of the agency's own counties (rapidfuzz ratio >= 80,
  5 points clear: "Middlesboro" -> Middlesborough city, "Sunny Isles" -> Sunny Isles Beach
  city, "Pittsburgh" NH -> Pittsburg town). Constables' names are read for their township or
  borough ("Troy Township PA State Constable"; a ward -> its municipality). Not found: no GEOID,
  and the evidence says why (it is never replaced by the county).
- **state**: statewide agencies and agencies of a territory (``match_method`` statewide or
  territory). Jurisdiction = the state's (or territory's) 2-digit FIPS; reported separately,
  never counted into a county.
- **other**: campus, airport and port police, prosecutors and task forces, tribal police,
  regional jails and regional, cooperative or metropolitan police (several jurisdictions, e.g.
  Las Vegas Metropolitan PD: the city and unincorporated Clark County), constables of a county
  precinct (part of a county), anything else. Jurisdiction = the county where it operates
  (flagged by the level).

Populations (``jurisdiction_population``): places and towns from the us_geo 2020 files, counties
and states from the ERS 2020 Census counts (:mod:`analysis.geo.places`, which notes how they
differ).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.fuzzy import clear_winner
from analysis.geo import places as geo_places
from analysis.geo.states import STATES, TERRITORIES
from analysis.locate import names
from analysis.locate.crosswalks import Crosswalks, Place
from analysis.locate.evidence import FUZZY_MARGIN
from analysis.locate.matcher import Location

LEVELS = ("county", "municipal", "state", "other")
GEOGRAPHIES = ("county", "place", "county_subdivision", "state")

_REGIONAL = re.compile(r"\b(?:REGIONAL|COOPERATIVE|AUTHORITY|DISTRICT|METRO|METROPOLITAN)\b")
# Words around a constable's municipality, and other agency words the name parser keeps.
_CONSTABLE_WORDS = re.compile(
    r"^(?:PENNSYLVANIA STATE CONSTABLE'?S? OFFICE,?|OFFICE OF CONSTABLE|CONSTABLE)\s+|"
    r"\s+(?:PA\s+)?STATE CONSTABLE$|\s+(?:\d+(?:ST|ND|RD|TH)|FIRST|SECOND|THIRD|FOURTH|FIFTH|"
    r"SIXTH|SEVENTH|EIGHTH|NINTH) WARD\b.*$|\s+DIVISION OF\b.*$"
)
_UNIT_WORD = re.compile(r"^(.+?\s(?:TOWNSHIP|BOROUGH))\b")
LOCAL_FUZZY_MIN = 80.0
_COUNTY_GOVERNMENT = re.compile(r"\bBOARD OF COUNTY COMMISSIONERS\b|\bCOUNTY CRIMINAL JUSTICE")
_TRIBAL = re.compile(r"\b(?:TRIBAL|TRIBE|NATION|RESERVATION|PUEBLO)\b")
_OTHER_CATEGORIES = {
    "campus police": "campus police",
    "airport or port authority": "airport or port police",
    "prosecutor or task force": "prosecutor or task force",
}
_STATE_NAMES = {usps: (fips, name) for fips, usps, name in STATES + TERRITORIES}


@dataclass(frozen=True)
class Jurisdiction:
    level: str  # LEVELS
    geoid: str | None
    name: str | None
    population: int | None
    evidence: str
    geography: str | None = None  # GEOGRAPHIES
    kind: str | None = None
    state: str | None = None
    principal_county: str | None = None
    counties: tuple[str, ...] = ()


@dataclass
class JurisdictionGeo:
    """The places, 2020 county subdivisions and populations that jurisdictions are read from."""

    places: pd.DataFrame  # geo_places.places(), indexed by geoid
    cousubs: pd.DataFrame  # geo_places.cousubs_2020(), indexed by geoid
    populations: pd.DataFrame  # geo_places.county_populations(), indexed by fips


def build_geo(
    places: pd.DataFrame, cousubs: pd.DataFrame, populations: pd.DataFrame
) -> JurisdictionGeo:
    return JurisdictionGeo(
        places.set_index("geoid"), cousubs.set_index("geoid"), populations.set_index("fips")
    )


@lru_cache(maxsize=4)
def _geo_cached(raw_dir: Path) -> JurisdictionGeo:
    return build_geo(
        geo_places.places(raw_dir),
        geo_places.cousubs_2020(raw_dir),
        geo_places.county_populations(raw_dir),
    )


def load_geo(raw_dir: Path) -> JurisdictionGeo:
    return _geo_cached(raw_dir.resolve())


def jurisdiction_level(key: str, state: str, category: str, loc: Location) -> tuple[str, str]:
    """(level, why) from the expanded agency name key, its category and its placement."""
    if loc.match_method in ("statewide", "territory"):
        return "state", f"{loc.match_method} agency"
    county_named = names.county_from_name(key, state) is not None
    if _TRIBAL.search(key):
        return "other", "tribal police"
    if category == "sheriff":
        return "county", "sheriff"
    if category in ("municipal police", "corrections or jail") and county_named:
        if _REGIONAL.search(key):
            return "other", f"regional {category} (several jurisdictions)"
        return "county", "county police" if category == "municipal police" else "county jail"
    if category == "corrections or jail":
        if _REGIONAL.search(key):
            return "other", "regional or district jail"
        return "county", "county corrections (placed in one county)"
    if category == "municipal police":
        if _REGIONAL.search(key):
            return "other", "regional or metropolitan police (several jurisdictions)"
        return "municipal", "municipal police"
    if category == "constable":
        if county_named:
            return "other", "constable of a county precinct or district (part of the county)"
        return "municipal", "constable of a township, borough or ward"
    if category == "other" and _COUNTY_GOVERNMENT.search(key):
        return "county", "county government"
    if category in _OTHER_CATEGORIES:
        return "other", _OTHER_CATEGORIES[category]
    return "other", f"category {category!r}"


def assign(
    key: str, state: str, category: str, loc: Location, cw: Crosswalks, geo: JurisdictionGeo
) -> Jurisdiction:
    """The jurisdiction of one agency (``key``: the expanded name key; ``state``: ICE's USPS
    code; ``loc``: its placement)."""
    level, why = jurisdiction_level(key, state, category, loc)
    if level == "state":
        return _state(state, why, geo)
    if loc.county_fips is None:
        return Jurisdiction(level, None, None, None, f"{why}; no county: {loc.match_method}")
    if level in ("county", "other"):
        return _county(level, why, loc, cw, geo)
    return _municipal(key, why, loc, cw, geo)


def _state(state: str, why: str, geo: JurisdictionGeo) -> Jurisdiction:
    fips, name = _STATE_NAMES[state]
    if fips in geo.populations.index:
        value = geo.populations.at[fips, "population_2020"]
        pop = None if pd.isna(value) else int(value)
        source = geo.populations.at[fips, "population_source"]
        evidence = f"{why}: the state of {name}; population {source}"
        return Jurisdiction("state", fips, name, pop, evidence, "state", "state", state)
    evidence = f"{why}: territory of {name}, outside the 50 states and DC (no population)"
    return Jurisdiction("state", fips, name, None, evidence, "state", "territory", state)


def _county(level, why, loc: Location, cw: Crosswalks, geo: JurisdictionGeo) -> Jurisdiction:
    fips = loc.county_fips
    county = cw.counties[fips]
    pop = int(geo.populations.at[fips, "population_2020"])
    source = geo.populations.at[fips, "population_source"]
    evidence = f"{why}: {county.name} ({loc.match_method}); population {source}"
    return Jurisdiction(
        level, fips, county.name, pop, evidence, "county", county.county_type or "county",
        county.state, fips, (fips,),
    )  # fmt: skip


def _named(cw: Crosswalks, state: str, key: str, kind: str | None, counties: set[str]):
    """Census places and municipal cousubs named ``key`` in ``counties``, of ``kind`` if given."""
    found = cw.places.get((state, key), []) + cw.cousubs.get((state, key), [])
    return [p for p in found if p.fips in counties and (kind is None or p.kind == kind)]


def _municipal(key, why, loc: Location, cw: Crosswalks, geo: JurisdictionGeo) -> Jurisdiction:
    state = cw.counties[loc.county_fips].state
    body = _CONSTABLE_WORDS.sub("", key)
    unit = _UNIT_WORD.match(body)
    place = names.place_from_name(unit.group(1) if unit else body)
    if place is None:
        return Jurisdiction("municipal", None, None, None, f"{why}; no place in the name")
    counties = set(loc.all_counties or (loc.county_fips,))
    tries = [(names.place_key(place.text), None)]
    if place.base != place.text:
        tries.append((names.place_key(place.base), place.kind))
    fuzzy = ""
    found = [p for k, kind in tries for p in _named(cw, state, k, kind, counties)]
    if not found:
        local = _local_keys(cw, state, counties)
        for k, kind in tries if local else ():
            winner = clear_winner(k, sorted(local), LOCAL_FUZZY_MIN, FUZZY_MARGIN)
            if winner is not None:
                found = _named(cw, state, winner[0], kind, counties)
                fuzzy = (
                    f" (name {place.text.title()!r} read as a variant of a unit of its county, "
                    f"ratio {winner[1]:.1f})"
                )
                if found:
                    break
    if not found:
        return Jurisdiction(
            "municipal", None, None, None,
            f"{why}; no incorporated Census place or municipal county subdivision named "
            f"{place.text.title()!r} in {', '.join(sorted(counties))}",
        )  # fmt: skip
    return _unit(_choose(found, place.kind, loc.county_fips), why + fuzzy, geo)


def _local_keys(cw: Crosswalks, state: str, counties: set[str]) -> set[str]:
    """Name keys of the Census places and municipal cousubs that lie in ``counties``."""
    by_state = units_by_state(cw)
    return {k for k, pieces in by_state.get(state, ()) if any(p.fips in counties for p in pieces)}


def units_by_state(cw: Crosswalks) -> dict[str, list[tuple[str, list[Place]]]]:
    """State -> (name key, pieces) of the Census places and cousubs (built once per ``cw``)."""
    return cw.derived("units_by_state", _units_by_state)


def _units_by_state(cw: Crosswalks) -> dict[str, list[tuple[str, list[Place]]]]:
    """State -> (name key, pieces) of the Census places and cousubs."""
    index: dict[str, list[tuple[str, list[Place]]]] = {}
    for sources in (cw.places, cw.cousubs):
        for (st, k), pieces in sources.items():
            index.setdefault(st, []).append((k, pieces))
    return index


def _choose(found: list[Place], kind: str | None, principal: str) -> list[Place]:
    """The pieces of the one unit the name means: a town or township name prefers the county
    subdivision, any other the Census place; then the unit in the principal county."""
    prefer_cousub = kind in ("town", "township")
    order = sorted(
        found,
        key=lambda p: (
            (p.source == "census_place") == prefer_cousub,
            p.fips != principal,
            p.geoid,
        ),
    )
    geoid = order[0].geoid
    return [p for p in found if p.geoid == geoid]


def _unit(pieces: list[Place], why: str, geo: JurisdictionGeo) -> Jurisdiction:
    first = pieces[0]
    if first.source == "census_place":
        row = geo.places.loc[first.geoid]
        pop = row["population_2020"]
        all_fips = tuple(str(row["county_fips_all"]).split("|"))
        principal = row["principal_county_fips"]
        source = "us_geo places 2020"
        geography = "place"
    else:
        row = geo.cousubs.loc[first.geoid] if first.geoid in geo.cousubs.index else None
        pop = row["population_2020"] if row is not None else pd.NA
        all_fips = (first.fips,)
        principal = first.fips
        source = "us_geo county subdivisions 2020"
        geography = "county_subdivision"
    population = None if pd.isna(pop) else int(pop)
    shown = "no 2020 population in " + source if population is None else f"population {source}"
    evidence = f"{why}: {first.name} ({geography} {first.geoid}); {shown}"
    state = next(usps for usps, (fips, _) in _STATE_NAMES.items() if fips == first.geoid[:2])
    return Jurisdiction(
        "municipal", first.geoid, first.name, population, evidence, geography, first.kind,
        state, principal, all_fips,
    )  # fmt: skip
