"""Normalize the cells of ICE's 287(g) lists; every function keeps the original beside the result.

The rules follow ``../shared/docs/ice-287g-data.md`` (§4 column quirks, §6 identity). Nothing here
guesses silently: a value that cannot be mapped is returned as ``None`` with a reason, and the
caller quarantines the row or flags the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from analysis.fuzzy import clear_winner
from analysis.geo import states as geo_states

# ---------------------------------------------------------------------------------------------
# Text

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "`": "'"})
MISSING_MARKERS = frozenset({"", "#N/A", "#NA", "N/A", "NA", "#VALUE!", "#REF!"})


def clean_text(value: object) -> str | None:
    """Cell text with NBSP and runs of whitespace collapsed, curly quotes straightened; None if
    blank."""
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value).translate(_QUOTES)).strip()
    return text or None


def raw_text(value: object) -> str | None:
    """The cell exactly as a reviewer would read it (dates as ISO text); None for empty cells."""
    if value is None:
        return None
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return str(value.date()) if midnight else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def is_missing_marker(value: object) -> bool:
    """True for blanks and the spreadsheet error texts ICE leaves in cells (``#N/A``, ``N/A``)."""
    text = clean_text(value)
    return text is None or text.upper() in MISSING_MARKERS


# ---------------------------------------------------------------------------------------------
# States

# Upper-case name -> USPS code, from the one state table.
STATES = {name.upper(): usps for _fips, usps, name in geo_states.STATES}
# ICE's "N states" figures leave territories out; they are kept and flagged, never counted.
TERRITORIES = {name.upper(): usps for _fips, usps, name in geo_states.TERRITORIES}
# Names ICE writes for a territory besides the table's own (misspellings are STATE_TYPOS below).
TERRITORY_ALIASES = {"VIRGIN ISLANDS": "VI"}
TERRITORIES |= TERRITORY_ALIASES
JURISDICTIONS = STATES | TERRITORIES
STATE_CODES = frozenset(STATES.values())
TERRITORY_CODES = frozenset(TERRITORIES.values())
STATE_NAMES = {code: name for name, code in STATES.items()}
# Misspellings seen in ICE's files (doc §4.1); other misspellings go through the fuzzy match.
STATE_TYPOS = {
    "WEST VIRIGINIA": "WV", "WEST VIRIGINA": "WV", "UTAHJ": "UT", "MCHIGAN": "MI",
    "PENNSLYVANIA": "PA",
}  # fmt: skip
# A fuzzy state match must be this close and clearly better than the runner-up, so that e.g.
# W VIRGINIA (VIRGINIA 89, WEST VIRGINIA 87) is quarantined rather than guessed.
STATE_FUZZY_MIN = 85.0
STATE_FUZZY_MARGIN = 5.0


@dataclass(frozen=True)
class StateMatch:
    code: str | None  # USPS code, None when unmapped
    match: str  # exact | known_typo | fuzzy | unmapped | missing
    is_territory: bool = False


def normalize_state(value: object) -> StateMatch:
    text = clean_text(value)
    if text is None:
        return StateMatch(None, "missing")
    name = text.upper()
    if name in JURISDICTIONS:
        code = JURISDICTIONS[name]
        return StateMatch(code, "exact", code in TERRITORY_CODES)
    if name in STATE_TYPOS:
        return StateMatch(STATE_TYPOS[name], "known_typo")
    winner = clear_winner(name, list(JURISDICTIONS), STATE_FUZZY_MIN, STATE_FUZZY_MARGIN)
    if winner is None:
        return StateMatch(None, "unmapped")
    code = JURISDICTIONS[winner[0]]
    return StateMatch(code, "fuzzy", code in TERRITORY_CODES)


# Agencies ICE files under a state they are not in (doc §4.1). The row keeps ICE's state; the flag
# tells the county placement (a later step) not to trust it. Keys are (state, agency key name
# with abbreviations expanded).
KNOWN_MISFILINGS = {
    ("MA", "CROW WING COUNTY SHERIFF'S OFFICE"): "misfiled: Crow Wing County is in Minnesota",
    ("OK", "WICHITA COUNTY SHERIFF'S OFFICE"): "misfiled: Wichita County is in Texas",
    ("FL", "BURNET COUNTY SHERIFF'S OFFICE"): "misfiled: Burnet County is in Texas",
    ("AR", "TEXARKANA POLICE DEPARTMENT"): "misfiled?: its COUNTY is Bowie County, Texas",
    ("NH", "PITTSBURGH POLICE DEPARTMENT"): "ambiguous: Pittsburgh, PA or Pittsburg, NH",
    ("DE", "CAMDEN POLICE DEPARTMENT"): "one-off state: later listed under New York",
}


def state_flag(state: str | None, agency_key: str | None) -> str | None:
    return KNOWN_MISFILINGS.get((state, agency_key)) if state and agency_key else None


# ---------------------------------------------------------------------------------------------
# Models

MODELS = ("JEM", "TFM", "WSO")
# Case-insensitive substrings (doc §4.5); anything else, or more than one, is unknown.
_MODEL_WORDS = {"jail": "JEM", "task": "TFM", "warrant": "WSO"}


def normalize_model(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    found = {model for word, model in _MODEL_WORDS.items() if word in text.lower()}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------
# Agency names and keys

_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:)])")
_TRAILING_PUNCT = re.compile(r"[\s,.;:/\\\-–—]+$")


def agency_display(value: object) -> str | None:
    """The agency name as ICE wrote it, with whitespace and apostrophes cleaned (case kept)."""
    return clean_text(value)


def agency_name_key(value: object) -> str | None:
    """Doc §6 normalization: clean, upper-case, no space before punctuation, no trailing
    punctuation. With the USPS state this is the agency key."""
    text = clean_text(value)
    if text is None:
        return None
    key = _TRAILING_PUNCT.sub("", _SPACE_BEFORE_PUNCT.sub(r"\1", text.upper()))
    return key or None


# Abbreviations ICE later spells out (doc §4.2, §6). ``SO`` only at the end of a name: inside a
# name it can mean "South" (``... CONSTABLE'S OFFICE SO MIDDLETON TWP``).
_ABBREVIATIONS = [
    (re.compile(r"\bPD\b"), "POLICE DEPARTMENT"),
    (re.compile(r"\bSO$"), "SHERIFF'S OFFICE"),
    (re.compile(r"\bBOCC\b"), "BOARD OF COUNTY COMMISSIONERS"),
    (re.compile(r"\bDPS\b"), "DEPARTMENT OF PUBLIC SAFETY"),
    (re.compile(r"\bDOC\b"), "DEPARTMENT OF CORRECTIONS"),
    (re.compile(r"\bDEPT\b\.?"), "DEPARTMENT "),
    (re.compile(r"\bTWP\b\.?"), "TOWNSHIP "),
    (re.compile(r"\bPCT\b\.?"), "PRECINCT "),
    (re.compile(r"\bSHERIFFS\b"), "SHERIFF'S"),
    (re.compile(r"\bCONSTABLES\b"), "CONSTABLE'S"),
    (re.compile(r" & "), " AND "),
]


def expand_abbreviations(name_key: str) -> str:
    """An agency name key with common abbreviations expanded (``TAMPA PD`` -> ``TAMPA POLICE
    DEPARTMENT``), so one agency keeps one key when ICE spells its name out."""
    for pattern, replacement in _ABBREVIATIONS:
        name_key = pattern.sub(replacement, name_key)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(name_key.split()))


# ---------------------------------------------------------------------------------------------
# Agency type (ICE's TYPE column, or inferred from the name) and finer category

AGENCY_TYPES = ("County", "Municipality", "State", "Other")
# Doc §4.3: map by prefix after strip and lower-case.
_TYPE_PREFIXES = (("count", "County"), ("munic", "Municipality"), ("muncip", "Municipality"))


def normalize_type(value: object) -> str | None:
    """ICE's TYPE as County / Municipality / State; None when missing (``#NA``) or unrecognized."""
    if is_missing_marker(value):
        return None
    text = clean_text(value).lower()
    for prefix, label in _TYPE_PREFIXES:
        if text.startswith(prefix):
            return label
    return "State" if text.startswith("state") else None


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b")


_STATE_NAME_PREFIX = re.compile(
    r"^(?:" + "|".join(sorted(map(re.escape, JURISDICTIONS), key=len, reverse=True)) + r") "
)
_STATE_AGENCY_WORDS = _words(
    "DEPARTMENT OF", "DEPT OF", "DEPT. OF", "DIVISION OF", "BUREAU", "STATE POLICE",
    "STATE PATROL", "HIGHWAY PATROL", "NATIONAL GUARD", "STATE GUARD", "COMMISSION",
    "OFFICE OF", "ATTORNEY GENERAL", "MILITARY", "LAW ENFORCEMENT DIVISION", "ALCOHOL",
    "DOC", "DPS",
)  # fmt: skip
_STATEWIDE_WORDS = _words("STATE POLICE", "STATE PATROL", "HIGHWAY PATROL", "NATIONAL GUARD")
_STATE_LEVEL_START = re.compile(
    r"^(?:DEPARTMENT OF|DEPT\.? OF|OFFICE OF THE ATTORNEY GENERAL|OFFICE OF THE STATE|"
    r"OFFICE OF AGRICULTURAL|STATE |CNMI )"
)
_LOCAL_WORDS = _words("COUNTY", "CITY", "TOWN", "TOWNSHIP", "TWP", "VILLAGE", "BOROUGH", "PARISH")
_SHERIFF = re.compile(r"\bSHERIFF|\bPARISH\b|\bSO$")
_MULTI_JURISDICTION = _words("AUTHORITY", "REGIONAL", "DISTRICT JAIL", "TASK FORCE", "JUDICIAL")
_COUNTY = _words("COUNTY")
_LOCAL_POLICE = _words(
    "POLICE", "POLCE", "PD", "MARSHAL'S", "MARSHAL", "PUBLIC SAFETY", "CITY", "TOWN", "VILLAGE",
    "BOROUGH", "TOWNSHIP", "TWP", "CONSTABLE", "CONSTABLE'S", "CONSTABLES",
)  # fmt: skip
_COUNTY_LEVEL = re.compile(
    r"\bSHERIFF|\bPARISH\b|\bSO$"
    r"|\bCOUNTY\b.*(?:\bJAIL|DETENTION|CORRECTION|\bPRISON|COMMISSIONERS|\bBOCC\b)"
)


def is_state_level(key: str) -> bool:
    """Name of a state agency: ``ARIZONA DEPARTMENT OF CORRECTIONS``, ``IDAHO STATE POLICE``;
    not ``TEXAS CITY POLICE DEPARTMENT`` or ``WASHINGTON COUNTY ...``."""
    if _LOCAL_WORDS.search(key):
        return False
    if _STATEWIDE_WORDS.search(key) or _STATE_LEVEL_START.search(key):
        return True
    return bool(_STATE_NAME_PREFIX.search(key) and _STATE_AGENCY_WORDS.search(key))


def infer_type(key: str) -> str:
    """County / Municipality / State / Other from the agency name, for rows without ICE's TYPE."""
    if _SHERIFF.search(key):
        return "County"
    if is_state_level(key):
        return "State"
    if _MULTI_JURISDICTION.search(key):
        return "Other"  # regional jails, judicial districts, authorities span jurisdictions
    if _COUNTY.search(key):
        return "County"
    if _LOCAL_POLICE.search(key):
        return "Municipality"
    return "Other"


def is_county_level_name(key: str) -> bool:
    """Sheriff, parish, county jail or county board by name: the doc's check on ICE's TYPE."""
    return bool(_COUNTY_LEVEL.search(key))


CATEGORIES = (
    "sheriff",
    "municipal police",
    "state police or patrol",
    "corrections or jail",
    "campus police",
    "airport or port authority",
    "constable",
    "prosecutor or task force",
    "other",
)
# Ordered: the first matching rule wins (a university police department is campus police, a
# port authority police force is a port authority, a county constable is a constable).
_CATEGORY_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("campus police", _words("UNIVERSITY", "COLLEGE", "CAMPUS", "SCHOOL DISTRICT", "ISD")),
    (
        "airport or port authority",
        _words("AIRPORT", "AVIATION", "SEAPORT", "PORT AUTHORITY", "PORT OF", "PORT DISTRICT"),
    ),
    ("constable", re.compile(r"\bCONSTABLE")),
    ("sheriff", re.compile(r"\bSHERIFF|\bSO$")),
    ("corrections or jail", re.compile(r"CORRECTION|\bJAIL\b|DETENTION|\bPRISON")),
    (
        "prosecutor or task force",
        re.compile(r"ATTORNEY|PROSECUTOR|\bTASK FORCE\b|\bSOLICITOR\b"),
    ),
    (
        "state police or patrol",
        _words("STATE POLICE", "STATE PATROL", "HIGHWAY PATROL", "STATE TROOPERS?"),
    ),
]
_STATE_POLICE_WORDS = _words(
    "PUBLIC SAFETY", "DEPARTMENT OF SAFETY", "DPS", "BUREAU OF INVESTIGATION",
    "DEPARTMENT OF LAW ENFORCEMENT", "LAW ENFORCEMENT DIVISION",
    "DIVISION OF CRIMINAL INVESTIGATION", "CRIMINAL INVESTIGATION",
)  # fmt: skip


def agency_category(key: str) -> str:
    """The finer category of an agency from its (normalized) name; see ``CATEGORIES``."""
    for category, pattern in _CATEGORY_RULES:
        if pattern.search(key):
            return category
    if is_state_level(key):
        return "state police or patrol" if _STATE_POLICE_WORDS.search(key) else "other"
    if _LOCAL_POLICE.search(key):
        return "municipal police"
    return "other"


# ---------------------------------------------------------------------------------------------
# Signing dates

EARLIEST_SIGNED = date(2002, 1, 1)  # the first 287(g) agreement was signed in 2002
EXCEL_EPOCH = datetime(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_US = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
# ``05/082025``, ``7/72025``: the second slash is missing, the 4-digit year is unambiguous.
_US_MISSING_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})(\d{4})$")

SIGNED_FLAGS = {
    "missing": "no SIGNED value",
    "repaired_missing_slash": "text date with a missing slash (e.g. 05/082025), parsed",
    "unparseable": "SIGNED text is not a date",
    "impossible_year": "year after 2100 (e.g. 5025): signed NA; signed_corrected = year - 3000",
    "before_2002": "before the first 287(g) agreement (2002): signed left NA",
    "after_snapshot": "later than the snapshot date + 1 day: signed left NA",
}


@dataclass(frozen=True)
class Signed:
    signed: date | None  # the date, when possible
    flag: str | None  # a SIGNED_FLAGS key, None when clean
    corrected: date | None  # signed, or the documented correction of an impossible year


def _parse_date_text(text: str) -> tuple[date | None, str | None]:
    for pattern, order, flag in (
        (_ISO, "ymd", None),
        (_US, "mdy", None),
        (_US_MISSING_SLASH, "mdy", "repaired_missing_slash"),
    ):
        m = pattern.match(text)
        if not m:
            continue
        a, b, c = (int(g) for g in m.groups())
        year, month, day = (a, b, c) if order == "ymd" else (c, a, b)
        if year < 100:
            year += 2000
        try:
            return date(year, month, day), flag
        except ValueError:  # 02/30/2025, month 13
            return None, "unparseable"
    return None, "unparseable"


def _signed_value(value: object) -> tuple[date | None, str | None]:
    """SIGNED as a date and a flag, before the checks against the snapshot date; flag
    ``missing`` for a blank cell."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return (EXCEL_EPOCH + timedelta(days=float(value))).date(), None
        except OverflowError:
            return None, "unparseable"
    text = clean_text(value)
    if text is None:
        return None, "missing"
    return _parse_date_text(text)


# typed: 1, 1.0 and True are different cells (True is not a serial number).
_signed_value_cached = lru_cache(maxsize=1 << 14, typed=True)(_signed_value)


def parse_signed(value: object, snapshot_date: date) -> Signed:
    """Parse SIGNED from an Excel date, an Excel serial number or text; flag the impossible.

    An impossible date is never guessed into ``signed``. The one documented correction (doc
    §4.6: a year above 2100 is the intended year + 3000, e.g. 5025-07-07 means 2025-07-07) goes
    to ``corrected`` only, and only when the result is itself possible.
    """
    try:  # the same SIGNED cells recur in every monthly list
        parsed, flag = _signed_value_cached(value)
    except TypeError:  # unhashable
        parsed, flag = _signed_value(value)
    if flag == "missing":
        return Signed(None, "missing", None)
    if parsed is None:
        return Signed(None, flag or "unparseable", None)
    latest = snapshot_date + timedelta(days=1)
    if parsed.year > 2100:
        try:
            fixed = parsed.replace(year=parsed.year - 3000)
        except ValueError:
            fixed = None
        ok = fixed is not None and EARLIEST_SIGNED <= fixed <= latest
        return Signed(None, "impossible_year", fixed if ok else None)
    if parsed < EARLIEST_SIGNED:
        return Signed(None, "before_2002", None)
    if parsed > latest:
        return Signed(None, "after_snapshot", None)
    return Signed(parsed, flag, parsed)


# ---------------------------------------------------------------------------------------------
# County and MOA cells

_WAYBACK_PREFIX = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.IGNORECASE)


def normalize_county(value: object) -> str | None:
    """ICE's COUNTY text, cleaned; ``#N/A``, ``#NA``, ``N/A`` and blanks become None."""
    return None if is_missing_marker(value) else clean_text(value)


def link_url(text: object, hyperlink: str | None) -> str | None:
    """The document a MOA/ADDENDUM cell points to: the hyperlink target, or the cell text when it
    is itself a URL (HTML-era files)."""
    if hyperlink:
        return hyperlink.strip()
    cleaned = clean_text(text)
    if cleaned and re.match(r"^https?://", cleaned, re.IGNORECASE):
        return cleaned
    return None


def unwrap_wayback(url: str | None) -> str | None:
    """The original URL inside a Wayback Machine URL (so captures of one PDF compare equal)."""
    return _WAYBACK_PREFIX.sub("", url) if url else url
