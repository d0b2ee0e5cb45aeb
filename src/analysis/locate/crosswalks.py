"""The lookups behind agency placement, built once per raw directory.

- **Counties**: :func:`analysis.geo.counties.county_list` (the project geography: 2023 list,
  Connecticut planning regions 09110-09190, Alaska 02063/02066), keyed by (state, name key).
  Connecticut's eight old counties (``"Hartford County"``) are recognised but do not map to a
  region (regions do not nest in them): such a COUNTY only sends the matcher to the town.
- **County subdivisions**: the 2025 Gazetteer (current codes, so CT towns land in their planning
  region, ``GEOID[:5]``), named municipal kinds only (town, township, city, borough, village,
  plantation, charter township); CCDs, precincts, districts, census subareas, unorganised
  territories and the ``00000`` water rows are skipped.
- **Census places** (:func:`analysis.geo.places.places`: the 2025 place Gazetteer, every place
  of any size, with all its counties from ``us_geo_place_counties.csv`` and its main county
  from ``us_geo_places_2020.csv``): incorporated places only (cities, towns, villages,
  boroughs, PA municipalities, consolidated governments); census-designated places have no
  government and no police. One :class:`Place` per county piece, the main county flagged
  ``principal``.
- **GeoNames** ``rg_cities1000_US.csv`` (places >= 1,000 people, names of about 2016): name,
  state name, county *name*; the county name is matched to the county list of that state
  (``"City of Fairfax"`` -> Fairfax city 51600). Connecticut rows are skipped (their county is an
  old county; CT towns come from the cousubs).

"""

from __future__ import annotations

import gc
import re
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis import paths
from analysis.fetch import require
from analysis.geo import places as geo_places
from analysis.geo.counties import (
    GAZETTEER_COUNTIES,
    GAZETTEER_COUSUBS_CURRENT,
    OLD_CT_COUNTIES,
    county_list,
    normalize_county_name,
)
from analysis.ice.normalize import STATES
from analysis.locate.names import place_key
from analysis.locate.overrides import Override, load_overrides

GEONAMES = "geonames_places/rg_cities1000_US.csv"
COUSUBS = GAZETTEER_COUSUBS_CURRENT
PLACE_FILES = (geo_places.GAZETTEER_PLACES, geo_places.PLACE_COUNTIES, geo_places.PLACES_2020)
RAW_FILES = (GAZETTEER_COUNTIES, COUSUBS, GEONAMES, *PLACE_FILES)

# Census county-subdivision name endings that are municipalities (longest first).
COUSUB_KINDS = (
    ("charter township", "township"), ("township", "township"), ("plantation", "town"),
    ("borough", "borough"), ("village", "village"), ("town", "town"), ("city", "city"),
)  # fmt: skip
# Kinds whose pieces in several counties are one place (a city split by a county line); towns
# and townships with the same name in several counties are different places.
SPLIT_KINDS = frozenset({"city", "borough", "village"})


@dataclass(frozen=True)
class County:
    fips: str
    state: str
    name: str  # Census name, e.g. "Collier County", "Fairfax city"
    county_type: str  # County, Parish, city, Borough, Planning Region, ... or "" (Carson City)


class Place(NamedTuple):
    """One named place (or one county piece of it) in one county. A named tuple, not a frozen
    dataclass: ~70,000 are made per crosswalks, three times faster (same fields, repr, hash)."""

    fips: str  # county
    name: str  # as the source writes it
    kind: str | None  # city, town, township, borough, village, or None (GeoNames)
    source: str  # cousub | census_place | geonames
    area: float  # land area in square miles of the piece (cousubs), 0 for GeoNames
    geoid: str  # cousub GEOID (10 digits), Census place GEOID (7), or GeoNames "lat,lon"
    principal: bool = False  # census_place: the county holding most of the place


@dataclass
class Crosswalks:
    counties: dict[str, County]
    by_key: dict[tuple[str, str], list[County]]  # (state, normalize_county_name) -> counties
    by_name: dict[str, list[County]]  # normalize_county_name -> counties of every state
    keys_by_state: dict[str, list[str]]
    old_ct: dict[str, str]  # name key -> old CT county FIPS (not in the project geography)
    cousubs: dict[tuple[str, str], list[Place]]  # (state, place_key(base name)) -> pieces
    geonames: dict[tuple[str, str], list[Place]]
    places: dict[tuple[str, str], list[Place]] = field(default_factory=dict)
    place_keys_by_state: dict[str, list[str]] = field(default_factory=dict)
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    # Lookups derived from the fields above, built on first use (see ``derived``).
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, name: str, build: Callable[[Crosswalks], object]):
        """``build(self)``, computed once per crosswalks object (the fields are not changed
        after the build). ``build`` must not read the overrides: the rules-only twin
        (:func:`analysis.locate.matcher._without_overrides`) shares these lookups."""
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]

    def county_name(self, fips: str | None) -> str | None:
        return self.counties[fips].name if fips in self.counties else None


_COUSUB_ENDING = " (?:" + "|".join(re.escape(e) for e, _ in COUSUB_KINDS) + ")$"


def _cousub_name(name: str) -> tuple[str, str] | None:
    for ending, kind in COUSUB_KINDS:
        if name.endswith(" " + ending):
            return name[: -len(ending) - 1], kind
    return None


def _read_cousubs(path: Path) -> pd.DataFrame:
    wanted = {"USPS", "GEOID", "NAME", "ALAND_SQMI"}
    frame = pd.read_csv(
        path, sep="|", dtype=str, keep_default_na=False, encoding="utf-8",
        usecols=lambda c: c.strip() in wanted,
    )  # fmt: skip
    frame.columns = frame.columns.str.strip()
    return frame[["USPS", "GEOID", "NAME", "ALAND_SQMI"]].apply(lambda c: c.str.strip())


def _records(frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> Iterator[tuple]:
    """``frame[columns].itertuples(index=False)`` (all columns by default), from whole columns
    (iterating Arrow-backed string columns value by value is several times slower)."""
    columns = tuple(frame.columns) if columns is None else columns
    row = namedtuple("Row", columns, rename=True)
    return map(row._make, zip(*(frame[c].tolist() for c in columns), strict=True))


def build_crosswalks(
    counties: pd.DataFrame,
    cousubs: pd.DataFrame,
    geonames: pd.DataFrame,
    overrides: dict[tuple[str, str], Override] | None = None,
    places: pd.DataFrame | None = None,
) -> Crosswalks:
    """Lookups from frames in the raw files' layouts (tests pass tiny frames); ``places`` in the
    layout of :func:`analysis.geo.places.places`."""
    by_fips: dict[str, County] = {}
    by_key: dict[tuple[str, str], list[County]] = defaultdict(list)
    for r in _records(
        counties, ("fips", "state_usps", "county_name_full", "county_type", "name_key")
    ):
        county = County(r.fips, r.state_usps, r.county_name_full, r.county_type)
        by_fips[r.fips] = county
        by_key[(r.state_usps, r.name_key)].append(county)
    keys_by_state: dict[str, list[str]] = defaultdict(list)
    by_name: dict[str, list[County]] = defaultdict(list)
    for state, key in sorted(by_key):
        keys_by_state[state].append(key)
        by_name[key] += by_key[(state, key)]
    old_ct = {normalize_county_name(name): fips for fips, name in OLD_CT_COUNTIES.items()}

    subs: dict[tuple[str, str], list[Place]] = defaultdict(list)
    # Only names with a municipal ending can be kept (most rows are CCDs, districts, ...).
    cousubs = cousubs[cousubs["NAME"].str.contains(_COUSUB_ENDING, regex=True, na=False)]
    for r in _records(cousubs):
        parsed = _cousub_name(r.NAME)
        if parsed is None or r.GEOID[5:] == "00000" or r.GEOID[:5] not in by_fips:
            continue
        base, kind = parsed
        area = float(r.ALAND_SQMI or 0)
        subs[(r.USPS, place_key(base))].append(
            Place(r.GEOID[:5], r.NAME, kind, "cousub", area, r.GEOID, False)
        )

    state_codes = {name.title(): code for name, code in STATES.items()}
    geo: dict[tuple[str, str], list[Place]] = defaultdict(list)
    county_of: dict[tuple[str, str], str | None] = {}  # GeoNames repeats each county name
    for r in _records(geonames, ("admin1", "admin2", "name", "lat", "lon")):
        state = state_codes.get(str(r.admin1).title())
        if state is None or state == "CT" or not r.admin2:
            continue
        fips = county_of.get((state, r.admin2), "")
        if fips == "":
            fips = county_of[(state, r.admin2)] = _county_of(by_key, state, r.admin2)
        if fips is None:
            continue
        geo[(state, place_key(r.name))].append(
            Place(fips, r.name, None, "geonames", 0.0, f"{r.lat},{r.lon}", False)
        )
    census = _census_places(places, by_fips) if places is not None else {}
    place_keys: dict[str, set[str]] = defaultdict(set)
    for state, key in list(subs) + list(geo) + list(census):
        place_keys[state].add(key)
    return Crosswalks(
        counties=by_fips,
        by_key=dict(by_key),
        by_name=dict(by_name),
        keys_by_state=dict(keys_by_state),
        old_ct=old_ct,
        cousubs=dict(subs),
        geonames=dict(geo),
        places=census,
        place_keys_by_state={s: sorted(k) for s, k in place_keys.items()},
        overrides=overrides or {},
    )


def _census_places(places: pd.DataFrame, by_fips) -> dict[tuple[str, str], list[Place]]:
    """Incorporated Census places by (state, place_key(base name)), one piece per county of the
    project geography (a place whose counties are all outside it is left out)."""
    out: dict[tuple[str, str], list[Place]] = defaultdict(list)
    rows = places[places["incorporated"] & places["county_fips_all"].notna()]
    wanted = ("county_fips_all", "principal_county_fips", "land_area_sqmi", "state_usps",
              "base_name", "name", "kind", "geoid")  # fmt: skip
    for r in _records(rows, wanted):
        for fips in r.county_fips_all.split("|"):
            if fips not in by_fips:
                continue
            principal = fips == r.principal_county_fips
            area = float(r.land_area_sqmi) if principal else 0.0
            out[(r.state_usps, place_key(r.base_name))].append(
                Place(fips, r.name, r.kind or None, "census_place", area, r.geoid, principal)
            )
    return dict(out)


_CITY_OF = re.compile(r"^City of (.+)$")


def _county_of(by_key, state: str, admin2: str) -> str | None:
    """FIPS of a GeoNames county name: ``"City of Fairfax"`` is the independent city,
    ``"Fairfax County"`` the county; a bare name that is both stays unresolved."""
    m = _CITY_OF.match(admin2)
    want = "city" if m else None
    name = m.group(1) if m else admin2
    found = by_key.get((state, normalize_county_name(name)), [])
    if want:
        found = [c for c in found if c.county_type in ("city", "")]
    elif len(found) > 1:
        found = [c for c in found if c.county_type not in ("city", "")]
    return found[0].fips if len(found) == 1 else None


def places_by_key(cw: Crosswalks) -> dict[str, list[tuple[str, list[Place]]]]:
    """Place key -> (state, pieces) of the cousubs, Census places and GeoNames places, in that
    order."""
    out: dict[str, list[tuple[str, list[Place]]]] = {}
    for sources in (cw.cousubs, cw.places, cw.geonames):
        for (state, k), pieces in sources.items():
            out.setdefault(k, []).append((state, pieces))
    return out


@lru_cache(maxsize=4)
def _cached(raw_dir: Path, overrides_path: Path | None) -> Crosswalks:
    counties = county_list(raw_dir)
    cousubs = _read_cousubs(require(COUSUBS, raw_dir))
    geonames = pd.read_csv(require(GEONAMES, raw_dir), dtype=str, keep_default_na=False)
    overrides = load_overrides(overrides_path) if overrides_path is not None else {}
    places = geo_places.places(raw_dir)
    # ~70,000 small objects: the cyclic collector would walk the whole heap several times
    # while they are made (a fifth of the time) and find nothing to free.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build_crosswalks(counties, cousubs, geonames, overrides, places)
    finally:
        if enabled:
            gc.enable()


def load_crosswalks(
    raw_dir: Path | None = None, overrides: Path | bool | None = True
) -> Crosswalks:
    """The lookups for ``raw_dir`` (default ``data/raw``), cached per directory.

    ``overrides``: True (default) reads ``data/manual/agency_county_overrides.csv``; a path reads
    that file; False or None uses no overrides.
    """
    raw_dir = (raw_dir or paths.RAW).resolve()
    if overrides is True:
        path: Path | None = paths.MANUAL / "agency_county_overrides.csv"
    elif overrides in (False, None):
        path = None
    else:
        path = Path(overrides).resolve()
    return _cached(raw_dir, path)


def available(raw_dir: Path) -> bool:
    """True when every raw file the crosswalks need is in ``raw_dir``."""
    return all((raw_dir / f).is_file() for f in RAW_FILES)
