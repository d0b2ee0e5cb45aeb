"""The evidence an agency row carries about its county, each kind gathered on its own.

- **a county written as text** (:func:`match_county_text`): ICE's COUNTY or the county in the
  name, matched to the counties of the agency's state exactly (case, accents, "Saint"/"St.", a
  missing "County"/"Parish" and misspelled suffixes such as ``Conty``, ``Couny``, ``Countey`` do
  not matter) or as a clear typo (rapidfuzz ratio >= 85 and 5 points clear of the runner-up:
  ``Pop County`` -> Pope); a list of counties in COUNTY; an old Connecticut county; a county of
  another state of that name;
- **a county-equivalent city** the name names (:func:`independent_city`: Virginia's independent
  cities, Baltimore, St. Louis, Carson City);
- **a place in the name** (:func:`match_place`): a city, town, village, township or borough
  among the 2025 county subdivisions, then the 2025 Census places (any size), then GeoNames; a
  place in several counties gets its principal county (the county ICE names if it is one of
  them, else the largest piece, or for a Census place the county holding most of it). A place
  is *unique* when every place of that name in the state (in any of the three sources) lies in
  its counties: such a place outranks ICE's COUNTY (:mod:`analysis.locate.matcher`);
- **places of that name in other states** (:func:`other_state_places`), for agencies ICE is
  known to misfile.

:func:`gather_evidence` collects all of them for one agency; :mod:`analysis.locate.matcher`
decides.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

from rapidfuzz.distance import Levenshtein

from analysis.fuzzy import clear_winner
from analysis.geo.counties import normalize_county_name
from analysis.ice.normalize import is_state_level
from analysis.locate import names
from analysis.locate.crosswalks import SPLIT_KINDS, County, Crosswalks, Place, places_by_key

COUNTY_FUZZY_MIN = 85.0
PLACE_FUZZY_MIN = 90.0
# States whose townships are municipalities with their own police (a plain "X Police
# Department" there may be a township's).
TOWNSHIP_POLICE_STATES = frozenset({"IL", "MI", "MN", "NJ", "OH", "PA", "WI"})
FUZZY_MARGIN = 5.0

# Misspelled or abbreviated county words at the end of ICE's COUNTY (doc §4.4).
_COUNTY_SUFFIX_TYPO = re.compile(
    r"\s+(?:CO\.?|CNTY|CONTY|COUNTEY|COUNY|COUNT|COUTY|CONUTY|COUNTTY|COUMTY|COUNTRY)$",
    re.IGNORECASE,
)
_PARISH_TYPO = re.compile(r"\s+(?:PARRISH|PARSIH|PAR\.?)$", re.IGNORECASE)
_CITY_WORD = re.compile(r"^CITY OF\s+|\s+CITY$", re.IGNORECASE)
_COUNTY_WORD = re.compile(r"\b(?:COUNTY|PARISH|BOROUGH|CENSUS AREA)\b", re.IGNORECASE)
_SEVERAL = re.compile(r"\s*(?:,|/|&|;|\bAND\b)\s*", re.IGNORECASE)

STATEWIDE_EXTRA = re.compile(r"\bSTATE TROOPERS?\b|\bTROOPERS\b")
# Places in several counties that no subdivision file lists as pieces (data-sources.md §4).
MULTI_COUNTY_PLACES = {
    ("NY", "newyork"): ("36061", ("36005", "36047", "36061", "36081", "36085")),
    ("NY", "newyorkcity"): ("36061", ("36005", "36047", "36061", "36081", "36085")),
}


@dataclass(frozen=True)
class Candidate:
    """A county one piece of evidence points to: by which method, how sure, and why."""

    fips: str
    method: str
    score: float
    note: str
    all_fips: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alternative:
    """A county the evidence points to besides the chosen one (a conflict's other side, or a
    candidate of an unmatched agency), as written into ``agency_location_qa.alternatives``."""

    fips: str
    name: str
    state: str
    method: str
    score: float | None
    note: str

    @classmethod
    def of_candidate(cls, c: Candidate, cw: Crosswalks) -> Alternative:
        county = cw.counties[c.fips]
        return cls(c.fips, county.name, county.state, c.method, c.score, c.note)

    @classmethod
    def of_county(cls, county: County, method: str, note: str) -> Alternative:
        return cls(county.fips, county.name, county.state, method, 100.0, note)

    def to_dict(self) -> dict:
        return asdict(self)


def unique_by_fips(alternatives: list[Alternative]) -> list[Alternative]:
    """One alternative per county: the last one seen, at the place of the first."""
    return list({a.fips: a for a in alternatives}.values())


@dataclass
class CountyText:
    """A county written as text (ICE's COUNTY, or the county of a name) matched to FIPS."""

    text: str
    in_state: list[Candidate] = field(default_factory=list)
    other_state: list[County] = field(default_factory=list)
    old_ct: str | None = None
    ambiguous: bool = False  # independent-city pair without a type word
    several: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.in_state[0] if self.in_state and not self.ambiguous else None


def _type_filter(found: list[County], text: str) -> tuple[list[County], bool]:
    """Keep the city or the county of an independent-city pair by the words of ``text``."""
    if len(found) < 2:
        return found, False
    if _CITY_WORD.search(text):
        return [c for c in found if c.county_type in ("city", "")], False
    if _COUNTY_WORD.search(text):
        return [c for c in found if c.county_type not in ("city", "")], False
    return found, True


def _keys(text: str) -> list[str]:
    keys = [normalize_county_name(text)]
    stripped = _CITY_WORD.sub("", text).strip()
    if stripped != text:
        keys.append(normalize_county_name(stripped))
    return [k for k in dict.fromkeys(keys) if k]


def match_county_text(text: str, state: str, cw: Crosswalks, method: str) -> CountyText:
    """Match a county written as text to the counties of ``state`` (``method`` is the prefix:
    ice_county or agency_name): a list of counties, then an exact match, an old Connecticut
    county, a clear typo, and last the counties of that name in other states."""
    fixed = _COUNTY_SUFFIX_TYPO.sub(" County", text.strip())
    fixed = _PARISH_TYPO.sub(" Parish", fixed)
    return (
        _several_counties(text, fixed, state, cw, method)
        or _exact_county(text, fixed, state, cw, method)
        or _old_connecticut_county(text, fixed, state, cw)
        or _fuzzy_county(text, fixed, state, cw, method)
        or _other_state_counties(text, fixed, state, cw)
    )


def _several_counties(text, fixed, state, cw, method) -> CountyText | None:
    """``A County, B County``: the first county placed, with every county placed."""
    parts = [p for p in _SEVERAL.split(fixed) if p.strip()]
    if len(parts) < 2:
        return None
    found = [match_county_text(p, state, cw, method) for p in parts]
    placed = [f.best for f in found if f.best is not None]
    if not placed:
        return None
    all_fips = tuple(dict.fromkeys(c.fips for c in placed))
    first = placed[0]
    note = f"{first.note}; COUNTY lists several counties: {', '.join(all_fips)}"
    candidate = Candidate(first.fips, first.method, first.score, note, all_fips)
    return CountyText(text=text, in_state=[candidate], several=all_fips)


def _exact_county(text, fixed, state, cw, method) -> CountyText | None:
    fixed_note = f" (read as {fixed!r})" if fixed != text.strip() else ""
    for key in _keys(fixed):
        found, ambiguous = _type_filter(cw.by_key.get((state, key), []), fixed)
        if found:
            in_state = [
                Candidate(
                    c.fips,
                    f"{method}_exact" if method == "ice_county" else method,
                    *_exact_score(c, fixed, text, method, fixed_note),
                )
                for c in found
            ]
            return CountyText(text=text, in_state=in_state, ambiguous=ambiguous)
    return None


def _old_connecticut_county(text, fixed, state, cw) -> CountyText | None:
    """Connecticut's old counties: the planning regions do not nest in them."""
    old = cw.old_ct.get(normalize_county_name(fixed)) if state == "CT" else None
    return CountyText(text=text, old_ct=old) if old else None


def _fuzzy_county(text, fixed, state, cw, method) -> CountyText | None:
    key = normalize_county_name(fixed)
    choices = cw.keys_by_state.get(state, [])
    winner = clear_winner(key, choices, COUNTY_FUZZY_MIN, FUZZY_MARGIN) if key and choices else None
    if winner is None:
        return None
    match, ratio = winner
    found, ambiguous = _type_filter(cw.by_key[(state, match)], fixed)
    distance = Levenshtein.distance(key, match)
    in_state = [
        Candidate(
            c.fips,
            f"{method}_fuzzy",
            round(ratio, 1),
            f"{_label(method)} {text!r} ~ {c.name} (ratio {ratio:.1f}, edit distance {distance})",
        )
        for c in found
    ]
    return CountyText(text=text, in_state=in_state, ambiguous=ambiguous)


def _other_state_counties(text, fixed, state, cw) -> CountyText:
    """No county of ``state``: the counties of that name elsewhere (maybe none)."""
    out = CountyText(text=text)
    for key in _keys(fixed):
        found, _ = _type_filter(cw.by_name.get(key, []), fixed)
        out.other_state = [c for c in found if c.state != state]
        if out.other_state:
            break
    return out


def _exact_score(c: County, fixed: str, text: str, method: str, fixed_note: str):
    """100, unless the text calls an independent city a county (``Hopewell County`` ->
    Hopewell city, 51670): placed in the city, scored 95 and noted (not an exact match)."""
    note = f"{_label(method)} {text!r} = {c.name}{fixed_note}"
    if c.county_type == "city" and re.search(r"\bCOUNTY\b", fixed, re.IGNORECASE):
        return 95.0, f"{note}; the text says County but {c.name} is an independent city"
    return 100.0, note


def _label(method: str) -> str:
    return "COUNTY" if method == "ice_county" else "name county"


@dataclass
class PlaceMatch:
    text: str
    candidates: list[Candidate] = field(default_factory=list)  # one per county choice
    ambiguous: bool = False  # different places of the same name in several counties
    # Without ICE's hint: the one place of that name in the state (exact name, every namesake
    # in its counties), or None.
    unique: Candidate | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates and not self.ambiguous else None


def _place_tiers(cw: Crosswalks, state: str, key: str, kind: str | None) -> list[list[Place]]:
    """Places named ``key`` in ``state``, in order of preference: subdivisions of the kind the
    name says (any municipal kind but township when it says none), then incorporated Census
    places (of that kind, if the name says one), then GeoNames, then (name
    without a kind only) townships of the states where townships run police departments; in
    AR, IN, MO, NC ... a township is not a municipality ("Greens Fork" is a town in Wayne
    County, IN, not Greensfork township in Randolph County)."""
    subs = cw.cousubs.get((state, key), [])
    census = cw.places.get((state, key), [])
    geo = cw.geonames.get((state, key), [])
    if kind:
        return [[p for p in subs if p.kind == kind], [p for p in census if p.kind == kind], geo]
    townships = [p for p in subs if p.kind == "township"] if state in TOWNSHIP_POLICE_STATES else []
    return [[p for p in subs if p.kind != "township"], census, geo, townships]


def match_place(
    place: names.PlaceName, state: str, cw: Crosswalks, hint: set[str] | None = None
) -> PlaceMatch:
    """The county (or counties) of the place an agency name names. ``hint``: counties ICE's
    COUNTY points to; when a place of that name lies in one of them, that one is chosen."""
    tries = [(names.place_key(place.text), None)]
    if place.base != place.text:
        tries.append((names.place_key(place.base), place.kind))
    special = _multi_county_place(place, state, cw, tries)
    if special is not None:
        return PlaceMatch(text=place.text, candidates=[special])
    tiers, score = _named_places(tries, state, cw)
    if not any(tiers):
        return PlaceMatch(text=place.text)
    fuzzy = f" (fuzzy: ratio {score:.1f})" if score < 100 else ""
    first = _first_tier_place(place.text, next(tier for tier in tiers if tier), score, fuzzy)
    unique = _unique(first, tiers, score)
    in_hint = [p for tier in tiers for p in tier if p.fips in (hint or set())]
    if in_hint:
        candidate = _hinted_place(tiers, in_hint[0], score, fuzzy)
        return PlaceMatch(text=place.text, candidates=[candidate], unique=unique)
    return replace(first, unique=unique)


def _unique(first: PlaceMatch, tiers: list[list[Place]], score: float) -> Candidate | None:
    """The first tier's place when its name is exact and every place of that name in the state
    (every tier) lies in its counties; None otherwise."""
    best = first.best
    if best is None or score < 100:
        return None
    counties = set(best.all_fips or (best.fips,))
    return best if all(p.fips in counties for tier in tiers for p in tier) else None


def _multi_county_place(place, state, cw, tries) -> Candidate | None:
    """A city in several counties that no subdivision file lists as pieces (New York City)."""
    for key, _ in tries:
        special = MULTI_COUNTY_PLACES.get((state, key))
        if special and special[0] in cw.counties:
            principal, pieces_fips = special
            all_fips = (principal, *(f for f in pieces_fips if f != principal))
            note = (
                f"{place.text.title()} spans {len(all_fips)} counties; principal county listed "
                "first"
            )
            return Candidate(principal, "place_cousub", 100.0, note, all_fips)
    return None


def _named_places(tries, state: str, cw: Crosswalks) -> tuple[list[list[Place]], float]:
    """The tiers of places of that name, and the score: 100, or the ratio of a clear typo of
    a place name when no place has the name itself."""
    tiers: list[list[Place]] = []
    for key, kind in tries:
        tiers += _place_tiers(cw, state, key, kind)
    if any(tiers):
        return tiers, 100.0
    choices = cw.place_keys_by_state.get(state, [])
    for key, kind in tries:
        winner = clear_winner(key, choices, PLACE_FUZZY_MIN, FUZZY_MARGIN)
        if winner is not None:
            tiers = _place_tiers(cw, state, winner[0], kind)
            if kind is None:  # a near-miss township is too weak for a plain name
                tiers = tiers[:2]
            return tiers, round(winner[1], 1)
    return tiers, 100.0


_SOURCES = {"cousub": ("place_cousub", "2025 cousub"), "geonames": ("place_geonames", "GeoNames"),
            "census_place": ("place_census", "2025 Census place")}  # fmt: skip


def _source(place: Place) -> tuple[str, str]:
    """The method and the label of the file a place comes from."""
    return _SOURCES[place.source]


def _hinted_place(tiers: list[list[Place]], chosen: Place, score: float, fuzzy: str) -> Candidate:
    """The place of that name that lies in a county ICE names."""
    keep = (lambda p: p.geoid == chosen.geoid) if chosen.source == "census_place" else None
    pieces = [p for t in tiers for p in t if p.source == chosen.source and (not keep or keep(p))]
    method, src = _source(chosen)
    counties = list(dict.fromkeys(p.fips for p in pieces))
    all_fips = (chosen.fips,)
    if _one_place(pieces) and len(counties) > 1:
        all_fips = (chosen.fips, *(c for c in counties if c != chosen.fips))
    note = f"{src} {chosen.name}{fuzzy} in the county ICE names"
    return Candidate(chosen.fips, method, score, note, all_fips)


def _first_tier_place(text: str, pieces: list[Place], score: float, fuzzy: str) -> PlaceMatch:
    """The places of the first tier that has any: one county; one place in several counties
    (principal = largest land area); or namesakes in several counties (ambiguous)."""
    method, src = _source(pieces[0])
    counties = list(dict.fromkeys(p.fips for p in pieces))
    label = "; ".join(dict.fromkeys(p.name for p in pieces))
    if len(counties) == 1:
        candidate = Candidate(counties[0], method, score, f"{src} {label}{fuzzy}")
        return PlaceMatch(text=text, candidates=[candidate])
    if _one_place(pieces):
        ordered = sorted(pieces, key=lambda p: (not p.principal, -p.area, p.fips))
        all_fips = tuple(dict.fromkeys(p.fips for p in ordered))
        principal = any(p.principal for p in pieces)
        rule = "the county holding most of it (2020)" if principal else "largest land area"
        note = f"{src} {label}{fuzzy} lies in {len(all_fips)} counties; principal = {rule}"
        return PlaceMatch(
            text=text, candidates=[Candidate(all_fips[0], method, score, note, all_fips)]
        )
    candidates = [
        Candidate(c, method, score, f"{src}: one of {len(counties)} places named {label}{fuzzy}")
        for c in counties
    ]
    return PlaceMatch(text=text, candidates=candidates, ambiguous=True)


def _one_place(pieces: list[Place]) -> bool:
    """County pieces of one city/borough/village (same name and kind), or of one Census
    place (same GEOID), not namesakes."""
    if all(p.source == "census_place" for p in pieces):
        return len({p.geoid for p in pieces}) == 1
    return (
        all(p.source == "cousub" and p.kind in SPLIT_KINDS for p in pieces)
        and len({p.name for p in pieces}) == 1
    )


def independent_city(place: names.PlaceName | None, state: str, cw: Crosswalks) -> County | None:
    """The county-equivalent city an agency name names (Fairfax city, Baltimore city, Carson
    City), or None."""
    if place is None or place.kind not in (None, "city"):
        return None
    for text in dict.fromkeys([place.text, place.base]):
        found = [
            c
            for c in cw.by_key.get((state, normalize_county_name(text)), [])
            if c.county_type in ("city", "")
        ]
        if found:  # names with a county word never get here (county_from_name comes first)
            return found[0]
    return None


def county_echoes_place(
    ice: CountyText, place: names.PlaceName | None, place_match: PlaceMatch | None
) -> bool:
    """ICE's COUNTY is "<place> County" while the place lies elsewhere (Monroe PD, GA, COUNTY
    Monroe County; Monroe is in Walton County)."""
    if place is None or place_match is None or place_match.best is None:
        return False
    best = place_match.best
    if best.score < 100 or ice.best is None or best.fips == ice.best.fips:
        return False
    county_key = normalize_county_name(_COUNTY_SUFFIX_TYPO.sub(" County", ice.text.strip()))
    return county_key in {names.place_key(place.text), names.place_key(place.base)}


def other_state_places(place: names.PlaceName | None, st: str, cw: Crosswalks) -> list[Alternative]:
    """Exact places of the same name in other states (for flagged ambiguous agencies)."""
    if place is None:
        return []
    out = []
    by_key = cw.derived("places_by_key", places_by_key)
    for key in dict.fromkeys([names.place_key(place.text), names.place_key(place.base)]):
        for state, pieces in by_key.get(key, ()):
            if state != st:
                for p in pieces:
                    name = cw.counties[p.fips].name
                    out.append(
                        Alternative(p.fips, name, state, "other_state", 100.0, f"{p.name}, {state}")
                    )
    return unique_by_fips(out)


# ---------------------------------------------------------------------------------------------
# One agency's evidence


@dataclass(frozen=True)
class Evidence:
    """Everything one agency row says about its county, before any rule decides."""

    state: str
    key: str  # the agency name key, abbreviations expanded
    county_text: str | None  # ICE's COUNTY, cleaned
    ice: CountyText | None
    name_county: CountyText | None
    state_level: bool  # a state agency by name
    place: names.PlaceName | None
    city: County | None  # a county-equivalent city the name names
    place_match: PlaceMatch | None

    @property
    def local(self) -> bool:
        """Some evidence places the agency in a county of its state."""
        found = (self.ice, self.name_county, self.place_match)
        return any(x is not None and x.best is not None for x in found) or self.city is not None

    def candidates(self, cw: Crosswalks) -> list[Alternative]:
        """Every county the evidence points to, strongest kind first (for conflicts)."""
        out = []
        if self.ice and self.ice.best:
            out.append(Alternative.of_candidate(self.ice.best, cw))
        if self.city:
            note = f"name names {self.city.name}"
            out.append(Alternative.of_county(self.city, "independent_city", note))
        if self.name_county and self.name_county.best:
            out.append(Alternative.of_candidate(self.name_county.best, cw))
        if self.place_match and self.place_match.best:
            out.append(Alternative.of_candidate(self.place_match.best, cw))
        for source in (self.ice, self.name_county):
            for county in source.other_state if source else []:
                note = f"{source.text!r} is {county.name}, {county.state}"
                out.append(Alternative.of_county(county, "other_state", note))
        return out


def gather_evidence(key: str, state: str, county_text: str | None, cw: Crosswalks) -> Evidence:
    """Match ICE's COUNTY, the county in the name, a county-equivalent city and the place in the
    name, each on its own (``key``: the expanded name key; ``state``: a USPS code)."""
    ice = match_county_text(county_text, state, cw, "ice_county") if county_text else None
    state_level = is_state_level(key) or bool(STATEWIDE_EXTRA.search(key))
    name_county_text = names.county_from_name(key, state)
    name_county = (
        match_county_text(name_county_text, state, cw, "agency_name") if name_county_text else None
    )
    place = None if name_county_text or state_level else names.place_from_name(key)
    city = independent_city(place, state, cw) if place else None
    ice_fips = {c.fips for c in ice.in_state} if ice else set()
    place_match = match_place(place, state, cw, ice_fips) if place and not city else None
    return Evidence(
        state, key, county_text, ice, name_county, state_level, place, city, place_match
    )
