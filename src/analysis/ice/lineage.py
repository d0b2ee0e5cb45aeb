"""Link agreements that leave the list to the agreement that replaced them, when that is clear.

In the workbook era about half of all disappearances are renames, typo or state fixes, or model
relabels (doc §6). A gone agreement gets

- ``successor`` when one agreement of the same state and model, whose name is similar (see
  ``similarity``), first appears in the snapshot where the old key went missing, with no rival
  within ``MARGIN`` points, and no other gone agreement has that same best candidate;
- ``successor_uncertain`` when something weaker points to a successor: close rival candidates, a
  shared candidate, nested names (``GULF COUNTY BOCC`` -> ``... /DETENTION FACILITY``) new then,
  a similar name of the same state and model listed at another time, or the same agency under
  another model, appearing then;
- ``exit`` otherwise: absent from every later snapshot, with no accepted candidate.

**Another state.** The same name and model under another state, new when this one went missing,
is a successor only when the first state cannot be right (:class:`JurisdictionNames`): the name
identifies a county (``X COUNTY SHERIFF'S OFFICE``) and the first state has no county named X, or
a town (``X POLICE DEPARTMENT``) and the first state has no county, county subdivision or place
named X; or ICE wrote the first state as a misspelling on every listing. ``MA|CROW WING COUNTY
SHERIFF'S OFFICE`` (Massachusetts has no Crow Wing County) is Minnesota's; Maryland's Carroll
County sheriff is not Kentucky's, because Maryland has a Carroll County: it exits. The reason,
accepted or not, is kept in ``Lineage.cross_state``. A name that identifies no county or place
(a state agency, a task force) never makes the first state impossible. Territories have no county
list, so their state is never ruled out either.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from analysis import paths
from analysis.fetch import require
from analysis.geo.counties import GAZETTEER_COUSUBS_CURRENT, county_list, normalize_county_name
from analysis.geo.places import GAZETTEER_PLACES, read_gazetteer_places
from analysis.geo.states import STATES as STATE_TABLE
from analysis.ice.normalize import STATE_NAMES

MIN_SCORE = 80.0
MARGIN = 10.0  # a best candidate this far ahead of the runner-up is still clear
MIN_WHOLE = 70.0  # whole names less alike than this are not renames, however alike the rest
# Words most agency names share. A ratio over whole names is high for any two sheriffs of one
# state (SEWARD vs BROWN COUNTY SHERIFF'S OFFICE scores 85), so the words that tell agencies
# apart must be similar too. Misspelt generic words (COUNRY, DEPARMENT) count as generic.
_GENERIC = [
    "COUNTY", "PARISH", "SHERIFF'S", "SHERIFF", "OFFICE", "DEPARTMENT", "POLICE", "CITY", "OF",
    "THE", "TOWN", "TOWNSHIP", "BOROUGH", "VILLAGE", "STATE",
]  # fmt: skip
_NON_WORD = re.compile(r"[^A-Z0-9' ]+")


@cache
def _is_generic(word: str) -> bool:
    if word in _GENERIC:
        return True
    return len(word) >= 6 and bool(process.extractOne(word, _GENERIC, score_cutoff=MIN_SCORE))


def distinctive(name: str, state: str) -> str:
    """The words of an agency name that tell it apart: no generic words, no state name."""
    state_words = set(STATE_NAMES.get(state, "").split())
    words = _NON_WORD.sub(" ", name).split()
    return " ".join(w for w in words if not _is_generic(w) and w not in state_words)


def similarity(a: str, b: str, state: str) -> float:
    """How alike two agency names are (0-100): the rapidfuzz ratio of their distinctive words,
    provided the whole names are broadly alike (token-sort ratio >= ``MIN_WHOLE``)."""
    whole = fuzz.token_sort_ratio(a, b)
    part_a, part_b = distinctive(a, state), distinctive(b, state)
    if not (part_a or part_b):
        return whole
    part = fuzz.ratio(part_a, part_b)
    return part if whole >= MIN_WHOLE else min(whole, part)


@dataclass(frozen=True)
class Agreement:
    key: str
    state: str
    name: str  # the agency key's name part (abbreviations expanded)
    model: str
    first_seen: date
    last_seen: date
    gone_at: date | None  # None while active
    state_typo: str | None = None  # ICE's state text when every listing misspelt the state


@dataclass(frozen=True)
class Lineage:
    lineage: str  # successor | successor_uncertain | exit
    successor_key: str | None
    successor_score: float | None
    note: str | None
    cross_state: str | None = None  # why a same-name agreement of another state was (not) taken


# --- can the first state be right? -----------------------------------------------------------

GEONAMES_PLACES = "geonames_places/rg_cities1000_US.csv"
_COUNTY_NAME = re.compile(r"^(?:COUNTY OF\s+)?(.+?)\s+(?:COUNTY|PARISH)\b|^(.+?)\s+SHERIFF")
_PLACE_PREFIX = re.compile(r"^(?:(?:CITY|TOWN|VILLAGE|BOROUGH|TOWNSHIP) OF\s+)+")
_PLACE_NAME = re.compile(r"^(.+?)\s+(?:POLICE|PUBLIC SAFETY|DEPARTMENT|MARSHAL|CONSTABLE)\b")
_PLACE_TYPE = re.compile(r"\s+(?:CITY|TOWN|TOWNSHIP|TWP|VILLAGE|BOROUGH)$")
# Words no town name holds: "DEPARTMENT OF PUBLIC SAFETY", "NEW HAMPSHIRE STATE POLICE" name none.
_NOT_A_PLACE = {"DEPARTMENT", "OFFICE", "STATE", "DIVISION", "BUREAU", "OF", "COMMISSION",
                "AUTHORITY", "AGENCY", "UNIVERSITY", "COLLEGE", "AIRPORT", "PORT"}  # fmt: skip
_CENSUS_TYPE = re.compile(r"(?:\s+(?:[a-z][a-z\-]*|CCD|UT))+$")  # "Abington township", "X CCD"


def place_names(raw_dir: Path) -> dict[str, frozenset[str]]:
    """State -> place name keys: the 2025 county-subdivision Gazetteer, the GeoNames places of
    1,000+ and, where fetched, the 2025 Census place Gazetteer."""
    cousubs = pd.read_csv(
        require(GAZETTEER_COUSUBS_CURRENT, raw_dir), sep="|", dtype=str,
        keep_default_na=False, usecols=["USPS", "NAME"],
    )  # fmt: skip
    geonames = pd.read_csv(require(GEONAMES_PLACES, raw_dir), dtype=str, keep_default_na=False)
    state_codes = {name: usps for _fips, usps, name in STATE_TABLE}
    geonames = geonames.assign(USPS=geonames["admin1"].map(state_codes), NAME=geonames["name"])
    frames = [cousubs, geonames[["USPS", "NAME"]].dropna()]
    gazetteer = raw_dir / GAZETTEER_PLACES
    if gazetteer.exists():  # Census places of every size, where the catalog has fetched it
        census = read_gazetteer_places(gazetteer)
        frames.append(census.rename(columns={"state_usps": "USPS", "name": "NAME"}))
    places = pd.concat([f[["USPS", "NAME"]] for f in frames])
    places = places.assign(key=places["NAME"].str.replace(_CENSUS_TYPE, "", regex=True))
    places["key"] = places["key"].map(normalize_county_name)
    return dict(places.groupby("USPS")["key"].agg(frozenset))


class _PlaceNames(Mapping):
    """:func:`place_names` of ``raw_dir``, read on first use: only an agency name that no county
    of its state explains needs the place lists (a few per build, often none)."""

    def __init__(self, raw_dir: Path) -> None:
        self._raw_dir = raw_dir
        self._names: dict[str, frozenset[str]] | None = None

    def _loaded(self) -> dict[str, frozenset[str]]:
        if self._names is None:
            self._names = place_names(self._raw_dir)
        return self._names

    def __getitem__(self, state: str) -> frozenset[str]:
        return self._loaded()[state]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


@dataclass(frozen=True)
class JurisdictionNames:
    """County and place name keys (:func:`normalize_county_name`) of each state, to tell whether
    an agency name can belong to a state."""

    counties: dict[str, frozenset[str]]
    places: Mapping[str, frozenset[str]]

    @classmethod
    def from_raw(cls, raw_dir: Path | None = None) -> JurisdictionNames:
        """Counties from the project's county list; places from the 2025 county-subdivision
        Gazetteer (towns, townships, boroughs, cities), the GeoNames places of 1,000+ and the
        2025 Census place Gazetteer (places of every size)."""
        raw_dir = raw_dir or paths.RAW
        counties = county_list(raw_dir).groupby("state_usps")["name_key"].agg(frozenset)
        return cls(dict(counties), _PlaceNames(raw_dir))

    def ruled_out(self, old: Agreement) -> str | None:
        """Why ``old``'s state cannot be right, or None when it can (or cannot be judged)."""
        if old.state_typo:
            return f"first state impossible: ICE wrote it {old.state_typo!r} on every listing"
        if old.state not in self.counties:
            return None
        county = _COUNTY_NAME.match(old.name)
        if county:
            name = (county.group(1) or county.group(2)).strip()
            if normalize_county_name(name) in self.counties[old.state]:
                return None
            return f"first state impossible: {old.state} has no county named {name}"
        place = _PLACE_NAME.match(_PLACE_PREFIX.sub("", old.name))
        if not place:
            return None  # the name identifies no county or place: nothing rules the state out
        name = place.group(1).strip()
        if set(name.split()) & _NOT_A_PLACE:
            return None
        keys = {normalize_county_name(name), normalize_county_name(_PLACE_TYPE.sub("", name))}
        known = self.counties[old.state] | self.places.get(old.state, frozenset())
        if keys & known:
            return None
        return f"first state impossible: {old.state} has no county or place named {name}"

    def why_possible(self, old: Agreement) -> str:
        county = _COUNTY_NAME.match(old.name)
        if old.state not in self.counties:
            return f"{old.state} has no county list to rule it out"
        if county:
            return f"{old.state} has a county named {(county.group(1) or county.group(2)).strip()}"
        place = _PLACE_NAME.match(_PLACE_PREFIX.sub("", old.name))
        if place and not set(place.group(1).split()) & _NOT_A_PLACE:
            return f"{old.state} has a county or place named {place.group(1).strip()}"
        return "the name identifies no county or place that could rule the first state out"


def _describe(candidate: Agreement, score: float, why: str) -> str:
    return f"{candidate.key} ({why}, score {score:.0f}, first seen {candidate.first_seen:%Y-%m-%d})"


def _is_clear(matches: list[tuple[Agreement, float]]) -> bool:
    """One candidate, or a best candidate well ahead of the runner-up."""
    return len(matches) == 1 or (len(matches) > 1 and matches[0][1] - matches[1][1] >= MARGIN)


def link_successors(agreements: list[Agreement], names: JurisdictionNames) -> dict[str, Lineage]:
    """Lineage of every gone agreement, by key."""
    appearing = defaultdict(list)  # (state, model, first_seen) -> agreements new then
    by_state_model = defaultdict(list)
    by_name_model = defaultdict(list)
    by_state_name = defaultdict(list)
    for a in agreements:
        appearing[(a.state, a.model, a.first_seen)].append(a)
        by_state_model[(a.state, a.model)].append(a)
        by_name_model[(a.name, a.model)].append(a)
        by_state_name[(a.state, a.name)].append(a)

    gone = [a for a in agreements if a.gone_at is not None]
    candidates: dict[str, list[tuple[Agreement, float]]] = {}
    best_of = defaultdict(int)  # successor key -> gone agreements whose best candidate it is
    for old in gone:
        matches = []
        for new in appearing[(old.state, old.model, old.gone_at)]:
            score = similarity(old.name, new.name, old.state)
            if new.key != old.key and score >= MIN_SCORE:
                matches.append((new, score))
        matches.sort(key=lambda m: (-m[1], m[0].key))
        candidates[old.key] = matches
        if matches:
            best_of[matches[0][0].key] += 1

    result = {}
    for old in gone:
        matches = candidates[old.key]
        if _is_clear(matches) and best_of[matches[0][0].key] == 1:
            new, score = matches[0]
            note = _describe(new, score, "same state and model, new when this one went missing")
            result[old.key] = Lineage("successor", new.key, round(score, 1), note)
            continue
        notes = [_describe(n, s, "competing or shared candidate") for n, s in matches]
        notes += _weaker_candidates(old, appearing, by_state_model, by_state_name)
        others = sorted(
            (n for n in by_name_model[(old.name, old.model)]
             if n.state != old.state and n.first_seen == old.gone_at),
            key=lambda n: n.key,
        )  # fmt: skip
        cross = None
        if others:
            why = "same name and model, another state"
            found = "; ".join(_describe(n, 100.0, why) for n in others)
            reason = names.ruled_out(old)
            if reason is None:
                cross = f"not linked ({names.why_possible(old)}): {found}"
            elif len(others) == 1 and not notes:
                cross = f"linked ({reason}): {found}"
                result[old.key] = Lineage("successor", others[0].key, 100.0, cross, cross)
                continue
            else:
                cross = f"candidate ({reason}), not the only one: {found}"
                notes.append(cross)
        if notes:
            result[old.key] = Lineage("successor_uncertain", None, None, "; ".join(notes), cross)
        else:
            result[old.key] = Lineage("exit", None, None, cross, cross)
    return result


def _weaker_candidates(old: Agreement, appearing, by_state_model, by_state_name) -> list[str]:
    """Same-state evidence short of a clear successor (the other state is judged apart)."""
    notes = []
    old_words = set(distinctive(old.name, old.state).split())
    for new in appearing[(old.state, old.model, old.gone_at)]:
        new_words = set(distinctive(new.name, new.state).split())
        nested = old_words and new_words and (old_words <= new_words or new_words <= old_words)
        if new.key != old.key and nested and similarity(old.name, new.name, old.state) < MIN_SCORE:
            why = "one name's distinctive words contain the other's, new then"
            notes.append(_describe(new, fuzz.ratio(old.name, new.name), why))
    for new in by_state_model[(old.state, old.model)]:
        score = similarity(old.name, new.name, old.state)
        listed_later = new.last_seen >= old.gone_at and new.first_seen != old.gone_at
        if new.key != old.key and score >= MIN_SCORE and listed_later:
            notes.append(_describe(new, score, "similar name, same state and model, other dates"))
    for new in by_state_name[(old.state, old.name)]:
        if new.model != old.model and new.first_seen == old.gone_at:
            notes.append(_describe(new, 100.0, "same agency under another model"))
    return sorted(set(notes))
