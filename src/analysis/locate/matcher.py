"""Place one agency in one county of the project geography, with the evidence.

:func:`locate_agency` gathers every kind of evidence an agency row carries
(:mod:`analysis.locate.evidence`), then decides:

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
7. **place_cousub** / **place_census** / **place_geonames** -- a city, town, village, township
   or borough from the name, found among the 2025 county subdivisions (New England towns,
   townships, MCD-state municipalities), then the 2025 Census places (any size: "Bokchito
   town"), then GeoNames. A place in several counties gets its principal county (the county ICE
   names if it is one of them, else the largest piece or the county holding most of the Census
   place) and ``all_counties``.
8. **unmatched** -- with the reason.

**The place outranks ICE's COUNTY** when the name identifies it uniquely in the state (exact
name; every place of that name in the three sources lies in its counties): a COUNTY that
contradicts it is ICE's slip (Tye PD, TX, COUNTY Galveston; Tye is in Taylor County). The place
decides, ``conflict`` is set and both counties are listed in ``alternatives``. When ICE's COUNTY
is only a typo match (``ice_county_fuzzy``) and agrees with such a place, the place decides too
(exact evidence over a fuzzy one), and the note keeps COUNTY's reading.

When ICE's COUNTY is missing, steps 5-7 decide. When it is present, the other evidence is still
computed: any disagreement sets ``conflict`` and lists the other candidate(s) in
``alternatives``; the note says which rule decided. A county of *another* state (an agency filed
under the wrong state) never beats evidence in the agency's own state; it decides only when the
agency's name names that same county (``MASSACHUSETTS | Crow Wing County Sheriff's Office`` ->
27035, flagged) and is otherwise only an alternative.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from analysis.ice.normalize import (
    STATE_CODES,
    TERRITORY_CODES,
    agency_name_key,
    expand_abbreviations,
    normalize_county,
    normalize_state,
    state_flag,
)
from analysis.locate import names
from analysis.locate.crosswalks import Crosswalks
from analysis.locate.evidence import (
    Alternative,
    Candidate,
    Evidence,
    county_echoes_place,
    gather_evidence,
    match_county_text,
    other_state_places,
    unique_by_fips,
)
from analysis.locate.overrides import Override

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
    "place_census": "the place in the name is an incorporated 2025 Census Gazetteer place (any "
    "size; counties from us_geo_place_counties.csv, principal = the county holding most of it)",
    "place_geonames": "the place in the name is a GeoNames place (>= 1,000 people) whose county "
    "name matches a county of the state",
    "manual_override": "data/manual/agency_county_overrides.csv (reviewed; reason in the note)",
    "statewide": "state agency or statewide task force: no county",
    "territory": "territory (Guam, Northern Mariana Islands): outside the county geography",
    "unmatched": "no county; the note gives the reason",
}
PLACED = frozenset(METHODS) - {"statewide", "territory", "unmatched"}
FUZZY_METHODS = frozenset({"ice_county_fuzzy", "agency_name_fuzzy"})


@dataclass(frozen=True)
class Location:
    """Where an agency is: the chosen county (None for statewide, territory, unmatched) and why."""

    state: str | None
    county_fips: str | None
    county_name: str | None
    match_method: str
    match_score: float | None
    match_note: str
    alternatives: tuple[Alternative, ...] = ()
    all_counties: tuple[str, ...] = ()
    conflict: bool = False

    @property
    def alternative_fips(self) -> str | None:
        other = [a.fips for a in self.alternatives if a.fips != self.county_fips]
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
            "alternatives": [a.to_dict() for a in self.alternatives],
            "state": self.state,
            "match_note": self.match_note,
            "conflict": self.conflict,
            "all_counties": list(self.all_counties),
        }


def resolve_state(state: str) -> str:
    """USPS code from a code or a state name (``"fl"``, ``"Florida"``, ``"GUAM"``)."""
    text = (state or "").strip().upper()
    if text in STATE_CODES or text in TERRITORY_CODES:
        return text
    match = normalize_state(text)
    if match.code is None:
        raise ValueError(f"unknown state {state!r}: give a USPS code or a state name")
    return match.code


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
    override = cw.overrides.get((st, key))
    if override is not None:
        rules = locate_agency(
            name, st, county_text, agency_type=agency_type, crosswalks=_without_overrides(cw)
        )
        return _overridden(override, rules, st, cw)
    if st in TERRITORY_CODES:
        extra = f"; ICE COUNTY {county_text!r}" if county_text else ""
        return _unplaced(
            st, "territory", f"territory {st}: not a county of the 50 states and DC{extra}"
        )
    ev = gather_evidence(key, st, county_text, cw)
    statewide = _statewide(ev, agency_type)
    if statewide is not None:
        return statewide
    candidates = ev.candidates(cw)
    flag = state_flag(st, key)
    if flag and flag.startswith("ambiguous"):
        alternatives = unique_by_fips(candidates + other_state_places(ev.place, st, cw))
        return _unplaced(st, "unmatched", f"{flag}; not resolved", alternatives)
    flag_note = f"ICE state flag: {flag}" if flag else ""
    chosen = _in_state_choice(ev)
    if chosen is not None:
        both = _place_over_county(ev) is chosen
        return _placed(st, chosen, cw, candidates, flag_note, include_chosen=both)
    chosen = _other_state_choice(ev)
    if chosen is not None:
        note = f"county of another state than ICE's ({st}); " + flag_note
        return _placed(st, chosen, cw, candidates, note)
    return _unmatched(ev, candidates, cw)


def _overridden(override: Override, rules: Location, st: str, cw: Crosswalks) -> Location:
    """The reviewed county; what the rules alone say stays in the note and the alternatives."""
    alternatives = []
    if rules.county_fips and rules.county_fips != override.county_fips:
        alternatives.append(
            Alternative(
                rules.county_fips,
                rules.county_name,
                cw.counties[rules.county_fips].state,
                rules.match_method,
                rules.match_score,
                rules.match_note,
            )
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


def _statewide(ev: Evidence, agency_type: str | None) -> Location | None:
    """A state agency by name (unless ICE types it local), or ICE TYPE State without local
    evidence; None otherwise."""
    if ev.state_level and agency_type in (None, "State", "Other"):
        extra = f"; ICE COUNTY {ev.county_text!r} (headquarters) not used" if ev.county_text else ""
        return _unplaced(ev.state, "statewide", f"state agency by name{extra}")
    if agency_type == "State" and not ev.local:
        return _unplaced(
            ev.state, "statewide", "ICE TYPE State and no county in COUNTY or the name"
        )
    return None


def _in_state_choice(ev: Evidence) -> Candidate | None:
    """The deciding county in the agency's state: 1. ICE's COUNTY (an independent city named
    by the agency wins; a COUNTY that only repeats the place name loses to the place), 2. the
    name's county, 3. the place in the name."""
    ice, place_match = ev.ice, ev.place_match
    if ev.city is not None:
        note = f"name names the county-equivalent city {ev.city.name}"
        return Candidate(ev.city.fips, "independent_city", 100.0, note)
    if ice and ice.best and county_echoes_place(ice, ev.place, place_match):
        best = place_match.best
        note = (
            f"{best.note}; COUNTY {ice.text!r} repeats the place name but no place of "
            "that name lies in it (ICE filled COUNTY from the name)"
        )
        return Candidate(best.fips, best.method, best.score, note, best.all_fips)
    over = _place_over_county(ev)
    if over is not None:
        return over
    unique = place_match.unique if place_match else None
    if ice and ice.best and ice.best.method == "ice_county_fuzzy" and unique is not None:
        note = f"{unique.note}; COUNTY agrees after a typo fix: {ice.best.note}"
        return Candidate(unique.fips, unique.method, unique.score, note, unique.all_fips)
    if ice and ice.best:
        chosen = ice.best
        place = place_match.best if place_match else None
        if place and place.all_fips and chosen.fips in place.all_fips:
            note = f"{chosen.note}; {place.note}"
            return Candidate(chosen.fips, chosen.method, chosen.score, note, place.all_fips)
        return chosen
    if ev.name_county and ev.name_county.best:
        return ev.name_county.best
    if place_match and place_match.best:
        return place_match.best
    return None


def _place_over_county(ev: Evidence) -> Candidate | None:
    """The place the name identifies uniquely in the state, when ICE's COUNTY (a county of the
    state) contradicts it; None otherwise. The same object on every call for one Evidence."""
    cached = ev.__dict__.get("_place_over_county", False)
    if cached is not False:
        return cached
    ice, unique = ev.ice, ev.place_match.unique if ev.place_match else None
    out = None
    if ice and ice.best and unique is not None:
        place_counties = set(unique.all_fips or (unique.fips,))
        if not place_counties & set(ice.best.all_fips or (ice.best.fips,)):
            note = (
                f"{unique.note}; the name identifies this place uniquely in {ev.state}, so it "
                f"wins over COUNTY {ice.text!r} ({ice.best.fips}), which contradicts it"
            )
            out = Candidate(unique.fips, unique.method, unique.score, note, unique.all_fips)
    ev.__dict__["_place_over_county"] = out  # Evidence is frozen; memoised beside its fields
    return out


def _other_state_choice(ev: Evidence) -> Candidate | None:
    """4. A county of another state: only when the name names that same county (and ICE's
    COUNTY, if it names one elsewhere, names it too)."""
    name_county, ice = ev.name_county, ev.ice
    if not name_county or len(name_county.other_state) != 1:
        return None
    county = name_county.other_state[0]
    if ice and ice.other_state and county not in ice.other_state:
        return None
    note = (
        f"name county {name_county.text!r} is {county.name}, "
        f"{county.state}; ICE files the agency under {ev.state}"
    )
    return Candidate(county.fips, "agency_name", 100.0, note)


def _unmatched(ev: Evidence, candidates: list[Alternative], cw: Crosswalks) -> Location:
    """No rule decided: every candidate becomes an alternative and the note says why."""
    listed = [
        match_county_text(n, ev.state, cw, "agency_name") for n in names.county_names_listed(ev.key)
    ]
    listed_alts = [Alternative.of_candidate(x.best, cw) for x in listed if x.best is not None]
    place_alts = [
        Alternative.of_candidate(c, cw)
        for c in (ev.place_match.candidates if ev.place_match else [])
    ]
    alternatives = unique_by_fips(candidates + listed_alts + place_alts)
    reason = _reason(ev)
    if len(listed_alts) > 1:
        reason = (
            f"multi-county agency: the name lists {len(listed_alts)} counties "
            f"({', '.join(a.name for a in listed_alts)}); no principal county in the "
            "evidence"
        )
    return _unplaced(ev.state, "unmatched", reason, alternatives)


def _placed(
    state: str,
    chosen: Candidate,
    cw: Crosswalks,
    candidates: list[Alternative],
    note_extra: str = "",
    *,
    include_chosen: bool = False,
) -> Location:
    """The chosen county; any other candidate county is a conflict. ``include_chosen``: list the
    chosen candidate among the alternatives too (the place that overrules ICE's COUNTY)."""
    alternatives = [a for a in candidates if a.fips not in (chosen.all_fips or (chosen.fips,))]
    alternatives = unique_by_fips(alternatives)
    if include_chosen and alternatives:
        alternatives = [Alternative.of_candidate(chosen, cw), *alternatives]
    conflict = bool(alternatives)
    note = chosen.note
    if conflict:
        others = [a for a in alternatives if a.fips != chosen.fips]
        shown = ", ".join(f"{a.fips} {a.name} ({a.state}, {a.method})" for a in others)
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


def _reason(ev: Evidence) -> str:
    """Why no rule placed the agency: what each kind of evidence gave."""
    st, county_text, ice, name_county = ev.state, ev.county_text, ev.ice, ev.name_county
    place, place_match = ev.place, ev.place_match
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


def _without_overrides(cw: Crosswalks) -> Crosswalks:
    """The same lookups without overrides (what the rules alone would say), made once."""
    twin = cw.__dict__.get("_rules_only")
    if twin is None:
        twin = replace(cw, overrides={})
        # The derived lookups are built from the places, never the overrides: shared, so that
        # those the build prepared are not built again for the twin.
        twin._derived = cw._derived
        cw.__dict__["_rules_only"] = twin
    return twin
