"""Place one agency in one county of the project geography, with the evidence.

:func:`locate_agency` gathers every kind of evidence an agency row carries, then decides:

1. **manual_override** -- a reviewed row of ``data/manual/agency_county_overrides.csv``.
2. **territory** -- Guam, the Northern Mariana Islands ...: not part of the county geography.
3. **statewide** -- a state agency by name (state police, departments of corrections, attorneys
   general ...), or ICE TYPE State with no local evidence. Never forced into a county (the
   COUNTY ICE gives a state agency is its headquarters and is kept in the note).
4. **ice_county_exact** / **ice_county_fuzzy** -- ICE's COUNTY matched to the counties of the
   agency's state, exactly (case, accents, "Saint"/"St.", a missing "County"/"Parish" and
   misspelled suffixes such as ``Conty``, ``Couny``, ``Countey`` do not matter) or within a
   rapidfuzz ratio of 85 and 5 points clear of the runner-up (``Pop County`` -> Pope).
5. **independent_city** -- the name names a county-equivalent city (Virginia's independent
   cities, Baltimore, St. Louis, Carson City): the city itself, even when ICE's COUNTY names the
   county around it (flagged as a conflict).
6. **agency_name** / **agency_name_fuzzy** -- the county in the name ("Collier County Sheriff's
   Office", "Sheriff of St. Tammany Parish", "X County Jail"; in Alaska also "X Borough").
7. **place_cousub** / **place_geonames** -- a city, town, village, township or borough from the
   name, found among the 2025 county subdivisions (New England towns, townships, MCD-state
   municipalities) and then GeoNames. A place in several counties gets its principal county (the
   county ICE names if it is one of them, else the largest piece) and ``all_counties``.
8. **unmatched** -- with the reason.

When ICE's COUNTY is missing, steps 5-7 decide. When it is present, the other evidence is still
computed: any disagreement sets ``conflict`` and lists the other candidate(s) in
``alternatives``; the note says which rule decided. A county of *another* state (an agency filed
under the wrong state) never beats evidence in the agency's own state; it decides only when the
agency's name names that same county (``MASSACHUSETTS | Crow Wing County Sheriff's Office`` ->
27035, flagged) and is otherwise only an alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from analysis.geo.counties import normalize_county_name
from analysis.ice.normalize import (
    STATE_CODES,
    TERRITORY_CODES,
    agency_name_key,
    expand_abbreviations,
    is_state_level,
    normalize_county,
    normalize_state,
    state_flag,
)
from analysis.locate import names
from analysis.locate.crosswalks import SPLIT_KINDS, County, Crosswalks, Place

METHODS = {
    "ice_county_exact": "ICE's COUNTY equals a county of the agency's state (after normalising "
    "case, accents, Saint/St., a missing or misspelled County/Parish suffix)",
    "ice_county_fuzzy": "ICE's COUNTY is a typo of a county of the state (rapidfuzz ratio >= 85, "
    "5 points clear of the runner-up; the edit distance is in the note)",
    "independent_city": "the name names a county-equivalent city (VA independent cities, "
    "Baltimore, St. Louis, Carson City): the city itself",
    "agency_name": "the agency name names a county of the state (X County Sheriff's Office, "
    "Sheriff of X Parish, X County Jail)",
    "agency_name_fuzzy": "the county in the name is a typo of a county of the state",
    "place_cousub": "the city/town/township/borough/village in the name is a 2025 Gazetteer "
    "county subdivision (county = GEOID[:5])",
    "place_geonames": "the place in the name is a GeoNames place (>= 1,000 people) whose county "
    "name matches a county of the state",
    "manual_override": "data/manual/agency_county_overrides.csv (reviewed; reason in the note)",
    "statewide": "state agency or statewide task force: no county",
    "territory": "territory (Guam, Northern Mariana Islands): outside the county geography",
    "unmatched": "no county; the note gives the reason",
}
PLACED = frozenset(METHODS) - {"statewide", "territory", "unmatched"}
FUZZY_METHODS = frozenset({"ice_county_fuzzy", "agency_name_fuzzy"})
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

# Places in several counties that no subdivision file lists as pieces (data-sources.md §4).
_STATEWIDE_EXTRA = re.compile(r"\bSTATE TROOPERS?\b|\bTROOPERS\b")
MULTI_COUNTY_PLACES = {
    ("NY", "newyork"): ("36061", ("36005", "36047", "36061", "36081", "36085")),
    ("NY", "newyorkcity"): ("36061", ("36005", "36047", "36061", "36081", "36085")),
}


@dataclass(frozen=True)
class Candidate:
    fips: str
    method: str
    score: float
    note: str
    all_fips: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    """Where an agency is: the chosen county (None for statewide, territory, unmatched) and why."""

    state: str | None
    county_fips: str | None
    county_name: str | None
    match_method: str
    match_score: float | None
    match_note: str
    alternatives: tuple[dict, ...] = ()
    all_counties: tuple[str, ...] = ()
    conflict: bool = False

    @property
    def alternative_fips(self) -> str | None:
        other = [a["fips"] for a in self.alternatives if a["fips"] != self.county_fips]
        return other[0] if other else None

    @property
    def exact(self) -> bool:
        """High confidence: placed, not fuzzy, not conflicted."""
        return (
            self.match_method in PLACED
            and self.match_method not in FUZZY_METHODS
            and (self.match_score or 0) >= 100
            and not self.conflict
        )

    def to_dict(self) -> dict:
        return {
            "county_fips": self.county_fips,
            "county_name": self.county_name,
            "match_method": self.match_method,
            "match_score": self.match_score,
            "alternatives": list(self.alternatives),
            "state": self.state,
            "match_note": self.match_note,
            "conflict": self.conflict,
            "all_counties": list(self.all_counties),
        }


# ---------------------------------------------------------------------------------------------
# Evidence


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
    ice_county or agency_name)."""
    fixed = _COUNTY_SUFFIX_TYPO.sub(" County", text.strip())
    fixed = _PARISH_TYPO.sub(" Parish", fixed)
    out = CountyText(text=text)
    parts = [p for p in _SEVERAL.split(fixed) if p.strip()]
    if len(parts) > 1:
        found = [match_county_text(p, state, cw, method) for p in parts]
        placed = [f.best for f in found if f.best is not None]
        if placed:
            all_fips = tuple(dict.fromkeys(c.fips for c in placed))
            first = placed[0]
            note = f"{first.note}; COUNTY lists several counties: {', '.join(all_fips)}"
            out.in_state = [Candidate(first.fips, first.method, first.score, note, all_fips)]
            out.several = all_fips
            return out
    fixed_note = f" (read as {fixed!r})" if fixed != text.strip() else ""
    for key in _keys(fixed):
        found, ambiguous = _type_filter(cw.by_key.get((state, key), []), fixed)
        if found:
            out.ambiguous = ambiguous
            out.in_state = [
                Candidate(
                    c.fips,
                    f"{method}_exact" if method == "ice_county" else method,
                    *_exact_score(c, fixed, text, method, fixed_note),
                )
                for c in found
            ]
            return out
    if state == "CT":
        old = cw.old_ct.get(normalize_county_name(fixed))
        if old:
            out.old_ct = old
            return out
    key = normalize_county_name(fixed)
    choices = cw.keys_by_state.get(state, [])
    if key and choices:
        best = process.extract(key, choices, scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= COUNTY_FUZZY_MIN:
            runner_up = best[1][1] if len(best) > 1 else 0.0
            if best[0][1] - runner_up >= FUZZY_MARGIN:
                found, ambiguous = _type_filter(cw.by_key[(state, best[0][0])], fixed)
                distance = Levenshtein.distance(key, best[0][0])
                out.ambiguous = ambiguous
                out.in_state = [
                    Candidate(
                        c.fips,
                        f"{method}_fuzzy",
                        round(best[0][1], 1),
                        f"{_label(method)} {text!r} ~ {c.name} (ratio {best[0][1]:.1f}, "
                        f"edit distance {distance})",
                    )
                    for c in found
                ]
                return out
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

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates and not self.ambiguous else None


def _place_tiers(cw: Crosswalks, state: str, key: str, kind: str | None) -> list[list[Place]]:
    """Places named ``key`` in ``state``, in order of preference: subdivisions of the kind the
    name says (any municipal kind but township when it says none), then GeoNames, then (name
    without a kind only) townships of the states where townships run police departments; in
    AR, IN, MO, NC ... a township is not a municipality ("Greens Fork" is a town in Wayne
    County, IN, not Greensfork township in Randolph County)."""
    subs = cw.cousubs.get((state, key), [])
    geo = cw.geonames.get((state, key), [])
    if kind:
        return [[p for p in subs if p.kind == kind], geo]
    townships = [p for p in subs if p.kind == "township"] if state in TOWNSHIP_POLICE_STATES else []
    return [[p for p in subs if p.kind != "township"], geo, townships]


def match_place(
    place: names.PlaceName, state: str, cw: Crosswalks, hint: set[str] | None = None
) -> PlaceMatch:
    """The county (or counties) of the place an agency name names. ``hint``: counties ICE's
    COUNTY points to; when a place of that name lies in one of them, that one is chosen."""
    hint = hint or set()
    out = PlaceMatch(text=place.text)
    tries = [(names.place_key(place.text), None)]
    if place.base != place.text:
        tries.append((names.place_key(place.base), place.kind))
    score = 100.0
    tiers: list[list[Place]] = []
    for key, kind in tries:
        special = MULTI_COUNTY_PLACES.get((state, key))
        if special and special[0] in cw.counties:
            principal, pieces_fips = special
            all_fips = (principal, *(f for f in pieces_fips if f != principal))
            out.candidates = [
                Candidate(
                    principal,
                    "place_cousub",
                    100.0,
                    f"{place.text.title()} spans {len(all_fips)} counties; "
                    "principal county listed first",
                    all_fips,
                )
            ]
            return out
        tiers += _place_tiers(cw, state, key, kind)
    if not any(tiers):
        choices = cw.place_keys_by_state.get(state, [])
        for key, kind in tries:
            best = process.extract(key, choices, scorer=fuzz.ratio, limit=2)
            if best and best[0][1] >= PLACE_FUZZY_MIN:
                runner_up = best[1][1] if len(best) > 1 else 0.0
                if best[0][1] - runner_up >= FUZZY_MARGIN:
                    tiers = _place_tiers(cw, state, best[0][0], kind)
                    if kind is None:  # a near-miss township is too weak for a plain name
                        tiers = tiers[:2]
                    score = round(best[0][1], 1)
                    break
    if not any(tiers):
        return out
    fuzzy = f" (fuzzy: ratio {score:.1f})" if score < 100 else ""
    in_hint = [p for tier in tiers for p in tier if p.fips in hint]
    if in_hint:
        pieces = [p for tier in tiers for p in tier if p.source == in_hint[0].source]
        chosen = in_hint[0]
        method = "place_cousub" if chosen.source == "cousub" else "place_geonames"
        counties = list(dict.fromkeys(p.fips for p in pieces))
        all_fips = (chosen.fips,)
        if _one_place(pieces) and len(counties) > 1:
            all_fips = (chosen.fips, *(c for c in counties if c != chosen.fips))
        src = "2025 cousub" if method == "place_cousub" else "GeoNames"
        note = f"{src} {chosen.name}{fuzzy} in the county ICE names"
        out.candidates = [Candidate(chosen.fips, method, score, note, all_fips)]
        return out
    pieces = next(tier for tier in tiers if tier)
    method = "place_cousub" if pieces[0].source == "cousub" else "place_geonames"
    src = "2025 cousub" if method == "place_cousub" else "GeoNames"
    counties = list(dict.fromkeys(p.fips for p in pieces))
    label = "; ".join(dict.fromkeys(p.name for p in pieces))
    if len(counties) == 1:
        out.candidates = [Candidate(counties[0], method, score, f"{src} {label}{fuzzy}")]
        return out
    if _one_place(pieces):
        ordered = sorted(pieces, key=lambda p: (-p.area, p.fips))
        all_fips = tuple(dict.fromkeys(p.fips for p in ordered))
        note = (
            f"{src} {label}{fuzzy} lies in {len(all_fips)} counties; principal = largest land area"
        )
        out.candidates = [Candidate(all_fips[0], method, score, note, all_fips)]
        return out
    out.ambiguous = True
    out.candidates = [
        Candidate(c, method, score, f"{src}: one of {len(counties)} places named {label}{fuzzy}")
        for c in counties
    ]
    return out


def _one_place(pieces: list[Place]) -> bool:
    """County pieces of one city/borough/village (same name and kind), not namesakes."""
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


# ---------------------------------------------------------------------------------------------
# Decision


def resolve_state(state: str) -> str:
    """USPS code from a code or a state name (``"fl"``, ``"Florida"``, ``"GUAM"``)."""
    text = (state or "").strip().upper()
    if text in STATE_CODES or text in TERRITORY_CODES:
        return text
    match = normalize_state(text)
    if match.code is None:
        raise ValueError(f"unknown state {state!r}: give a USPS code or a state name")
    return match.code


def _alt(c: Candidate | County, cw: Crosswalks, method: str | None = None, note: str = "") -> dict:
    if isinstance(c, County):
        return {
            "fips": c.fips,
            "name": c.name,
            "state": c.state,
            "method": method or "",
            "score": 100.0,
            "note": note,
        }
    county = cw.counties[c.fips]
    return {
        "fips": c.fips,
        "name": county.name,
        "state": county.state,
        "method": c.method,
        "score": c.score,
        "note": c.note,
    }


def _placed(
    state: str, chosen: Candidate, cw: Crosswalks, others: list[dict], note_extra: str = ""
) -> Location:
    alternatives = [a for a in others if a["fips"] not in (chosen.all_fips or (chosen.fips,))]
    alternatives = list({a["fips"]: a for a in alternatives}.values())
    conflict = bool(alternatives)
    note = chosen.note
    if conflict:
        shown = ", ".join(
            f"{a['fips']} {a['name']} ({a['state']}, {a['method']})" for a in alternatives
        )
        note += f"; CONFLICT with {shown}; decided by {chosen.method}"
    if note_extra:
        note += f"; {note_extra}"
    return Location(
        state=state,
        county_fips=chosen.fips,
        county_name=cw.counties[chosen.fips].name,
        match_method=chosen.method,
        match_score=chosen.score,
        match_note=note,
        alternatives=tuple(alternatives),
        all_counties=chosen.all_fips or (chosen.fips,),
        conflict=conflict or bool(note_extra and "another state" in note_extra),
    )


def _unplaced(state: str | None, method: str, note: str, alternatives=()) -> Location:
    return Location(state, None, None, method, None, note, tuple(alternatives))


def locate_agency(
    name: str,
    state: str,
    county_text: str | None = None,
    *,
    agency_type: str | None = None,
    crosswalks: Crosswalks,
) -> Location:
    """Place one agency: ``name`` as ICE writes it, ``state`` (USPS code or name, as ICE files
    it), ``county_text`` (ICE's COUNTY; ``#N/A`` and blanks are missing), ``agency_type`` (ICE
    TYPE: County, Municipality, State, Other; None to infer from the name)."""
    cw = crosswalks
    st = resolve_state(state)
    key = expand_abbreviations(agency_name_key(name) or "")
    county_text = normalize_county(county_text)
    flag = state_flag(st, key)

    override = cw.overrides.get((st, key))
    if override is not None:
        rules = locate_agency(
            name, st, county_text, agency_type=agency_type, crosswalks=_without_overrides(cw)
        )
        alternatives = []
        if rules.county_fips and rules.county_fips != override.county_fips:
            alternatives.append(
                {
                    "fips": rules.county_fips,
                    "name": rules.county_name,
                    "state": cw.counties[rules.county_fips].state,
                    "method": rules.match_method,
                    "score": rules.match_score,
                    "note": rules.match_note,
                }
            )
        return Location(
            state=st,
            county_fips=override.county_fips,
            county_name=cw.county_name(override.county_fips),
            match_method="manual_override",
            match_score=100.0,
            match_note=f"override (line {override.line}): {override.reason}; rules gave: "
            f"{rules.match_method} {rules.county_fips or ''}".rstrip(),
            alternatives=tuple(alternatives),
            all_counties=(override.county_fips,),
            conflict=False,
        )
    if st in TERRITORY_CODES:
        extra = f"; ICE COUNTY {county_text!r}" if county_text else ""
        return _unplaced(
            st, "territory", f"territory {st}: not a county of the 50 states and DC{extra}"
        )

    ice = match_county_text(county_text, st, cw, "ice_county") if county_text else None
    state_level = is_state_level(key) or bool(_STATEWIDE_EXTRA.search(key))
    name_county_text = names.county_from_name(key, st)
    name_county = (
        match_county_text(name_county_text, st, cw, "agency_name") if name_county_text else None
    )
    place = None if name_county_text or state_level else names.place_from_name(key)
    city = independent_city(place, st, cw) if place else None
    ice_fips = {c.fips for c in ice.in_state} if ice else set()
    place_match = match_place(place, st, cw, ice_fips) if place and not city else None

    if state_level and agency_type in (None, "State", "Other"):
        extra = f"; ICE COUNTY {county_text!r} (headquarters) not used" if county_text else ""
        return _unplaced(st, "statewide", f"state agency by name{extra}")
    local_evidence = (
        any(x is not None and (x.best is not None) for x in (ice, name_county, place_match))
        or city is not None
    )
    if agency_type == "State" and not local_evidence:
        return _unplaced(st, "statewide", "ICE TYPE State and no county in COUNTY or the name")

    # Every candidate, for conflicts.
    evidence: list[dict] = []
    if ice and ice.best:
        evidence.append(_alt(ice.best, cw))
    if city:
        evidence.append(_alt(city, cw, "independent_city", f"name names {city.name}"))
    if name_county and name_county.best:
        evidence.append(_alt(name_county.best, cw))
    if place_match and place_match.best:
        evidence.append(_alt(place_match.best, cw))
    for source in (ice, name_county):
        for county in source.other_state if source else []:
            evidence.append(
                _alt(county, cw, "other_state", f"{source.text!r} is {county.name}, {county.state}")
            )

    flag_note = f"ICE state flag: {flag}" if flag else ""
    if flag and flag.startswith("ambiguous"):
        alternatives = evidence + _other_state_places(place, st, cw)
        alternatives = list({a["fips"]: a for a in alternatives}.values())
        return _unplaced(st, "unmatched", f"{flag}; not resolved", alternatives)

    # 1. ICE's COUNTY in the agency's state (an independent city named by the agency wins).
    if city is not None:
        chosen = Candidate(
            city.fips,
            "independent_city",
            100.0,
            f"name names the county-equivalent city {city.name}",
        )
        return _placed(st, chosen, cw, evidence, flag_note)
    if ice and ice.best and _county_echoes_place(ice, place, place_match):
        chosen = place_match.best
        note = (
            f"{chosen.note}; COUNTY {ice.text!r} repeats the place name but no place of "
            "that name lies in it (ICE filled COUNTY from the name)"
        )
        chosen = Candidate(chosen.fips, chosen.method, chosen.score, note, chosen.all_fips)
        return _placed(st, chosen, cw, evidence, flag_note)
    if ice and ice.best:
        chosen = ice.best
        if (
            place_match
            and place_match.best
            and place_match.best.all_fips
            and (chosen.fips in place_match.best.all_fips)
        ):
            chosen = Candidate(
                chosen.fips,
                chosen.method,
                chosen.score,
                f"{chosen.note}; {place_match.best.note}",
                place_match.best.all_fips,
            )
        return _placed(st, chosen, cw, evidence, flag_note)
    # 2. The name's county, 3. the place in the name.
    if name_county and name_county.best:
        return _placed(st, name_county.best, cw, evidence, flag_note)
    if place_match and place_match.best:
        return _placed(st, place_match.best, cw, evidence, flag_note)
    # 4. A county of another state: only when the name names that same county.
    if name_county and len(name_county.other_state) == 1:
        county = name_county.other_state[0]
        same = not ice or not ice.other_state or county in ice.other_state
        if same:
            chosen = Candidate(
                county.fips,
                "agency_name",
                100.0,
                f"name county {name_county.text!r} is {county.name}, "
                f"{county.state}; ICE files the agency under {st}",
            )
            return _placed(
                st, chosen, cw, evidence, f"county of another state than ICE's ({st}); " + flag_note
            )
    listed = [match_county_text(n, st, cw, "agency_name") for n in names.county_names_listed(key)]
    listed_alts = [_alt(x.best, cw) for x in listed if x.best is not None]
    alternatives = (
        evidence
        + listed_alts
        + [_alt(c, cw) for c in (place_match.candidates if place_match else [])]
    )
    alternatives = list({a["fips"]: a for a in alternatives}.values())
    reason = _reason(st, key, county_text, ice, name_county, place, place_match, agency_type)
    if len(listed_alts) > 1:
        reason = (
            f"multi-county agency: the name lists {len(listed_alts)} counties "
            f"({', '.join(a['name'] for a in listed_alts)}); no principal county in the "
            "evidence"
        )
    return _unplaced(st, "unmatched", reason, alternatives)


def _county_echoes_place(ice: CountyText, place, place_match) -> bool:
    """ICE's COUNTY is "<place> County" while the place lies elsewhere (Monroe PD, GA, COUNTY
    Monroe County; Monroe is in Walton County)."""
    if place is None or place_match is None or place_match.best is None:
        return False
    best = place_match.best
    if best.score < 100 or ice.best is None or best.fips == ice.best.fips:
        return False
    county_key = normalize_county_name(_COUNTY_SUFFIX_TYPO.sub(" County", ice.text.strip()))
    return county_key in {names.place_key(place.text), names.place_key(place.base)}


def _reason(st, key, county_text, ice, name_county, place, place_match, agency_type) -> str:
    parts = []
    if ice is None:
        parts.append("no ICE COUNTY")
    elif ice.old_ct:
        parts.append(
            f"COUNTY {county_text!r} is an old Connecticut county ({ice.old_ct}); "
            "planning regions do not nest in it"
        )
    elif ice.ambiguous:
        parts.append(f"COUNTY {county_text!r} is both a county and an independent city")
    elif ice.other_state:
        where = ", ".join(f"{c.name} {c.state}" for c in ice.other_state)
        parts.append(f"COUNTY {county_text!r} is not in {st} but in {where}")
    else:
        parts.append(f"COUNTY {county_text!r} matches no county of {st}")
    if name_county is not None:
        if name_county.other_state:
            where = ", ".join(f"{c.name} {c.state}" for c in name_county.other_state)
            parts.append(f"name county {name_county.text!r} is in several other states: {where}")
        else:
            parts.append(f"name county {name_county.text!r} matches no county of {st}")
    elif place is None:
        parts.append("no place in the name")
    elif place_match is not None and place_match.ambiguous:
        parts.append(f"{len(place_match.candidates)} places named {place.text.title()!r} in {st}")
    else:
        parts.append(f"place {place.text.title()!r} not found in {st}")
    return "; ".join(parts)


def _other_state_places(place, st: str, cw: Crosswalks) -> list[dict]:
    """Exact places of the same name in other states (for flagged ambiguous agencies)."""
    if place is None:
        return []
    out = []
    for key in dict.fromkeys([names.place_key(place.text), names.place_key(place.base)]):
        for (state, k), pieces in list(cw.cousubs.items()) + list(cw.geonames.items()):
            if k == key and state != st:
                for p in pieces:
                    out.append(
                        {
                            "fips": p.fips,
                            "name": cw.counties[p.fips].name,
                            "state": state,
                            "method": "other_state",
                            "score": 100.0,
                            "note": f"{p.name}, {state}",
                        }
                    )
    return list({a["fips"]: a for a in out}.values())


def _without_overrides(cw: Crosswalks) -> Crosswalks:
    """The same lookups without overrides (what the rules alone would say), made once."""
    twin = cw.__dict__.get("_rules_only")
    if twin is None:
        twin = replace(cw, overrides={})
        cw.__dict__["_rules_only"] = twin
    return twin
