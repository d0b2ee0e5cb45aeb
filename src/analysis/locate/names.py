"""Read a county or a place out of an agency name.

Names arrive as the ICE agency key (upper case, abbreviations expanded by
:func:`analysis.ice.normalize.expand_abbreviations`): ``COLLIER COUNTY SHERIFF'S OFFICE``,
``SHERIFF OF ST. TAMMANY PARISH``, ``CITY OF MORROW POLICE DEPARTMENT``, ``LOCUST TOWNSHIP POLICE
DEPARTMENT``, ``CORNWALL BOROUGH POLICE DEPARTMENT``. Nothing here knows the geography; the
matcher looks the parsed names up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# County-equivalent words that a name can carry. Alaska's boroughs are counties; in PA and NJ a
# borough is a municipality, so "BOROUGH" counts as a county word in Alaska only.
_COUNTY_WORDS = ("COUNTY", "PARISH")
_ALASKA_WORDS = ("CITY AND BOROUGH", "BOROUGH", "CENSUS AREA", "MUNICIPALITY")

# What follows the place in a local agency's name; everything from the first match on is dropped.
_AGENCY_TAIL = re.compile(
    r"\s+(?:POLICE|POLCE|DEPARTMENT OF PUBLIC SAFETY|PUBLIC SAFETY|SAFETY DEPARTMENT|"
    r"MARSHAL'?S?|CONSTABLE'?S?|SHERIFF'?S?|JAIL|DETENTION|CORRECTION|CORRECTIONS|"
    r"INTERNATIONAL AIRPORT|REGIONAL AIRPORT|AIRPORT|BOARD OF|LAW ENFORCEMENT|"
    r"DEPARTMENT|OFFICE|PRECINCT|PCT\b)\b.*$"
)
_LEADING = re.compile(
    r"^(?:THE\s+)?(?:(?:SHERIFF|POLICE DEPARTMENT|MARSHAL|CONSTABLE)(?:'S)?(?: OFFICE)?"
    r"\s+OF\s+(?:THE\s+)?)?"
)
_PLACE_PREFIX = re.compile(r"^(CITY|TOWN|VILLAGE|BOROUGH|TOWNSHIP|CHARTER TOWNSHIP)\s+OF\s+")
_PLACE_SUFFIX = re.compile(r"\s+(CITY|TOWN|VILLAGE|BOROUGH|TOWNSHIP|CHARTER TOWNSHIP)$")
_PLACE_KINDS = {
    "CITY": "city", "TOWN": "town", "VILLAGE": "village", "BOROUGH": "borough",
    "TOWNSHIP": "township", "CHARTER TOWNSHIP": "township",
}  # fmt: skip


@dataclass(frozen=True)
class PlaceName:
    """A place read from an agency name: ``text`` as written (``BOISE CITY``), the ``base``
    without its type word (``BOISE``) and the type word as a Census kind (``city``), if any."""

    text: str
    base: str
    kind: str | None


def fold(text: str) -> str:
    """ASCII, case-folded text (``Doña`` -> ``dona``)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


_PLACE_KEY_WORDS = tuple(
    (word, re.compile(rf"\b{word}\b"), short)
    for word, short in (("sainte", "ste"), ("saint", "st"), ("mount", "mt"), ("fort", "ft"))
)
_NOT_KEY = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=1 << 17)  # the same Gazetteer and GeoNames names recur across the lookups
def place_key(name: str) -> str:
    """Key for place names: case, accents, punctuation and spacing do not matter; Saint/St.,
    Sainte/Ste., Mount/Mt. and Fort/Ft. are the same. ``"St. Augustine Beach"`` ->
    ``"staugustinebeach"``; ``"Cut 'N' Shoot"`` -> ``"cutnshoot"``."""
    text = fold(name)
    for word, pattern, short in _PLACE_KEY_WORDS:
        if word in text:  # (the pattern matches only where the word is)
            text = pattern.sub(short, text)
    return _NOT_KEY.sub("", text)


def county_from_name(key: str, state: str | None = None) -> str | None:
    """The county an agency name names: ``"COLLIER COUNTY SHERIFF'S OFFICE"`` -> ``"COLLIER
    COUNTY"``, ``"SHERIFF OF ST. TAMMANY PARISH"`` -> ``"ST. TAMMANY PARISH"``, ``"COUNTY OF
    LOS ANGELES SHERIFF"`` -> ``"LOS ANGELES COUNTY"``; in Alaska also ``"NORTH SLOPE BOROUGH
    ..."``. None when the name has no county word."""
    words = _COUNTY_WORDS + (_ALASKA_WORDS if state == "AK" else ())
    alternation = "|".join(words)
    body = _LEADING.sub("", key)
    m = re.match(r"^(?:COUNTY|PARISH) OF (.+?)(?:\s+(?:SHERIFF|POLICE|JAIL|DETENTION)\b.*)?$", body)
    if m:
        return f"{m.group(1)} COUNTY"
    m = re.search(rf"^(.+?)\s+({alternation})\b", body)
    if not m:
        return None
    base = m.group(1).strip(" ,-")
    # "SHERIFF'S OFFICE OF X COUNTY", "X AND Y COUNTY ..." keep the last part only.
    base = re.sub(r"^.*\bOF\s+", "", base)
    if not base or base in ("THE", "CITY"):
        return None
    return f"{base} {m.group(2)}"


def county_names_listed(key: str) -> list[str]:
    """Counties a multi-county name lists before its last county word: ``"RAPPAHANNOCK,
    SHENANDOAH, WARREN REGIONAL JAIL AUTHORITY"`` -> the three names (no county word needed);
    used only as hints for regional agencies."""
    body = _AGENCY_TAIL.sub("", key)
    body = re.sub(r"\s+(?:REGIONAL|AREA|DISTRICT)\b.*$", "", body)
    parts = [p.strip() for p in re.split(r",|\s+AND\s+|/|&", body) if p.strip()]
    return parts if len(parts) > 1 else []


def place_from_name(key: str) -> PlaceName | None:
    """The municipality a local agency's name names, or None.

    ``"CITY OF MORROW POLICE DEPARTMENT"`` -> (MORROW, MORROW, city); ``"LOCUST TOWNSHIP POLICE
    DEPARTMENT"`` -> (LOCUST TOWNSHIP, LOCUST, township); ``"BOISE CITY POLICE DEPARTMENT"`` ->
    (BOISE CITY, BOISE, city): the matcher tries the full text first, since "Boise City" and
    "Oklahoma City" are the names themselves. ``"RICHMOND CITY SHERIFF'S OFFICE"`` -> (RICHMOND
    CITY, RICHMOND, city).
    """
    body = _LEADING.sub("", key)
    body = _AGENCY_TAIL.sub("", body).strip(" ,-")
    kind = None
    m = _PLACE_PREFIX.match(body)
    if m:
        kind = _PLACE_KINDS[m.group(1)]
        body = body[m.end() :]
        base = body
    else:
        base = body
        m = _PLACE_SUFFIX.search(body)
        if m:
            kind = _PLACE_KINDS[m.group(1)]
            base = body[: m.start()]
    base = base.strip(" ,-")
    if not base:
        return None
    return PlaceName(text=body.strip(" ,-"), base=base, kind=kind)
