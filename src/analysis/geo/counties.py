"""The project's one county geography: the 2023 county list, keyed by 5-digit FIPS text.

The list is the Census 2023 Gazetteer: 3,144 counties and county-equivalents of the 50 states and
DC, with Connecticut's nine planning regions (09110-09190) instead of its eight old counties and
Alaska's Chugach (02063) and Copper River (02066) instead of Valdez-Cordova (02261). Every table
the project joins by county (covariates, agency matches, maps) uses these codes.

Also here: the FIPS changes that break joins with older files, Connecticut's town crosswalk
between old counties and planning regions, and county-name normalisation for matching.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.fetch import require
from analysis.geo.states import states

GAZETTEER_COUNTIES = "census_geo_reference/2023_Gaz_counties_national.txt"
GAZETTEER_COUSUBS_OLD_CT = "census_geo_reference/2018_Gaz_cousubs_national.txt"
GAZETTEER_COUSUBS_CURRENT = "census_geo_reference/2025_Gaz_cousubs_national.txt"
COUNTY_COUNT = 3144

# Connecticut's counties before the 2022 switch to planning regions (still used by many files).
OLD_CT_COUNTIES = {
    "09001": "Fairfield County", "09003": "Hartford County", "09005": "Litchfield County",
    "09007": "Middlesex County", "09009": "New Haven County", "09011": "New London County",
    "09013": "Tolland County", "09015": "Windham County",
}  # fmt: skip

# Census name endings of county-equivalents, longest first. Independent cities end in a
# lower-case " city" ("Baltimore city"), which is what tells them from the county of the same name.
COUNTY_TYPES = (
    "City and Borough", "Planning Region", "Census Area", "Municipality", "Borough", "County",
    "Parish", "city",
)  # fmt: skip


@dataclass(frozen=True)
class FipsChange:
    """A county code that older files use and the current list replaced."""

    old_fips: str
    new_fips: tuple[str, ...]
    year: int
    kind: str  # rename: same area, new code; merge: added into new_fips; split: into several
    old_name: str
    note: str


FIPS_CHANGES = (
    FipsChange("46113", ("46102",), 2015, "rename", "Shannon County, SD",
               "renamed Oglala Lakota County"),
    FipsChange("02270", ("02158",), 2015, "rename", "Wade Hampton Census Area, AK",
               "renamed Kusilvak Census Area"),
    FipsChange("51515", ("51019",), 2013, "merge", "Bedford city, VA",
               "independent city became a town in Bedford County"),
    FipsChange("02261", ("02063", "02066"), 2019, "split", "Valdez-Cordova Census Area, AK",
               "split into Chugach and Copper River census areas"),
)  # fmt: skip

# Codes retired before 2009 that some ERS files still list as empty rows (data-sources.md §5).
OBSOLETE_EMPTY_CODES = frozenset(
    {"02010", "02160", "02201", "02231", "02232", "02250", "02280", "30113", "51560"}
)


def is_county_fips(fips: pd.Series) -> pd.Series:
    """True where a 5-digit code is a county of a state or DC (not a US, state or territory row)."""
    text = fips.astype(str)
    state = text.str[:2]
    return text.str.fullmatch(r"\d{5}") & state.isin(states().state_fips) & (text.str[2:] != "000")


def recode_fips(fips: pd.Series, kinds: tuple[str, ...] = ("rename", "merge")) -> pd.Series:
    """Replace old codes by their one current code (renames and merges; splits stay as they are).

    Rows that become the same code must then be added up by the caller, which knows which of
    its columns are counts.
    """
    mapping = {c.old_fips: c.new_fips[0] for c in FIPS_CHANGES if c.kind in kinds}
    return fips.replace(mapping)


def split_county_name(full_name: str) -> tuple[str, str]:
    """``"Doña Ana County"`` -> ``("Doña Ana", "County")``; no known ending -> ``(name, "")``."""
    for kind in COUNTY_TYPES:
        if full_name.endswith(" " + kind):
            return full_name[: -len(kind) - 1], kind
    return full_name, ""


_TYPE_WORDS = tuple(re.compile(rf"\s+{kind}$", flags=re.IGNORECASE) for kind in COUNTY_TYPES[:-1])


@lru_cache(maxsize=1 << 16)  # called for the same few thousand names across every snapshot
def normalize_county_name(name: str) -> str:
    """A key for matching county names across sources: case, accents, punctuation, spacing,
    "Saint"/"St." and the type word do not matter.

    ``"St. Louis County"``, ``"Saint Louis"`` -> ``"stlouis"``; ``"Doña Ana County"`` ->
    ``"donaana"``; ``"De Soto Parish"``, ``"DeSoto County"`` -> ``"desoto"``. Independent cities
    keep their distinction only through the type: ``"Baltimore city"`` -> ``"baltimore"``.
    """
    base, _ = split_county_name(name.strip())
    for type_word in _TYPE_WORDS:  # other sources write the type word in any case
        base = type_word.sub("", base)
    ascii_text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    text = re.sub(r"\bsainte\b", "ste", ascii_text.casefold())
    text = re.sub(r"\bsaint\b", "st", text)
    return re.sub(r"[^a-z0-9]", "", text)


def _read_gazetteer(path: Path, sep: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The Gazetteer's text, stripped; only ``columns`` (names as stripped) when given."""
    wanted = None if columns is None else (lambda c: c.strip() in columns)
    frame = pd.read_csv(
        path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8", usecols=wanted
    )
    # The 2023 files pad the last column (and its header) with spaces.
    frame.columns = frame.columns.str.strip()
    return frame.apply(lambda col: col.str.strip())


def read_gazetteer_counties(gazetteer: Path) -> pd.DataFrame:
    """The county rows of a tab-separated Census county Gazetteer (2023 layout), with the
    columns of :func:`county_list`; Puerto Rico and other non-state rows are left out."""
    gaz = _read_gazetteer(gazetteer, "\t")
    gaz = gaz[is_county_fips(gaz.GEOID)]
    names = gaz.NAME.map(split_county_name)
    frame = pd.DataFrame(
        {
            "fips": gaz.GEOID,
            "state_fips": gaz.GEOID.str[:2],
            "county_code": gaz.GEOID.str[2:],
            "county_name": names.str[0],
            "county_type": names.str[1],
            "county_name_full": gaz.NAME,
            "name_key": gaz.NAME.map(normalize_county_name),
            "land_area_sqmi": gaz.ALAND_SQMI.astype(float),
            "water_area_sqmi": gaz.AWATER_SQMI.astype(float),
            "latitude": gaz.INTPTLAT.astype(float),
            "longitude": gaz.INTPTLONG.astype(float),
        }
    )
    frame = frame.merge(states(), on="state_fips", how="left", validate="many_to_one")
    if (frame.state_usps != gaz.USPS.to_numpy()).any():
        raise ValueError(f"{gazetteer}: USPS column disagrees with the state FIPS table")
    columns = ["fips", "state_fips", "county_code", "state_usps", "state_name", "county_name",
               "county_type", "county_name_full", "name_key", "land_area_sqmi",
               "water_area_sqmi", "latitude", "longitude"]  # fmt: skip
    return frame[columns].sort_values("fips").reset_index(drop=True)


@lru_cache(maxsize=4)
def _county_list_cached(gazetteer: Path) -> pd.DataFrame:
    frame = read_gazetteer_counties(gazetteer)
    if len(frame) != COUNTY_COUNT or frame.fips.duplicated().any():
        raise ValueError(f"{gazetteer}: expected {COUNTY_COUNT} unique counties, got {len(frame)}")
    return frame


def county_list(raw_dir: Path | None = None) -> pd.DataFrame:
    """The 3,144 counties of the 2023 list, sorted by ``fips``.

    Columns: ``fips``, ``state_fips``, ``county_code``, ``state_usps``, ``state_name``,
    ``county_name`` (without its type word, e.g. "Doña Ana"), ``county_type`` ("County",
    "Parish", "city", "Planning Region", ... or "" for DC and Carson City), ``county_name_full``
    (the Census name), ``name_key`` (:func:`normalize_county_name`), ``land_area_sqmi``,
    ``water_area_sqmi``, ``latitude``, ``longitude`` (internal point). Puerto Rico's 78
    municipios in the same file are not part of the list.
    """
    path = require(GAZETTEER_COUNTIES, raw_dir or paths.RAW)
    return _county_list_cached(path.resolve()).copy()


def ct_towns(raw_dir: Path | None = None) -> pd.DataFrame:
    """Connecticut's 169 towns with the old county and the planning region each lies in.

    A town keeps its 5-digit county-subdivision code across the 2022 change, so the 2018
    Gazetteer (old counties) and the 2025 one (regions) join on ``GEOID[5:]``. The "County
    subdivisions not defined" water rows (code 00000) are skipped. Columns: ``town_code``,
    ``town_name``, ``old_county_fips``, ``region_fips``, ``land_area_sqmi`` (2025).
    """
    raw_dir = raw_dir or paths.RAW
    columns = ("USPS", "GEOID", "NAME", "ALAND_SQMI")
    old = _read_gazetteer(require(GAZETTEER_COUSUBS_OLD_CT, raw_dir), "\t", columns)
    new = _read_gazetteer(require(GAZETTEER_COUSUBS_CURRENT, raw_dir), "|", columns)

    def towns(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[(frame.USPS == "CT") & (frame.GEOID.str[5:] != "00000")]
        return frame.assign(town_code=frame.GEOID.str[5:], county=frame.GEOID.str[:5])

    old, new = towns(old), towns(new)
    merged = old[["town_code", "county", "NAME"]].merge(
        new[["town_code", "county", "NAME", "ALAND_SQMI"]],
        on="town_code",
        how="outer",
        suffixes=("_old", "_new"),
        validate="one_to_one",
        indicator=True,
    )
    unmatched = merged[merged._merge != "both"]
    if len(unmatched):
        raise ValueError(f"Connecticut towns in only one Gazetteer: {unmatched.town_code.tolist()}")
    table = pd.DataFrame(
        {
            "town_code": merged.town_code,
            "town_name": merged.NAME_new,
            "old_county_fips": merged.county_old,
            "region_fips": merged.county_new,
            "land_area_sqmi": merged.ALAND_SQMI.astype(float),
        }
    )
    return table.sort_values("town_code").reset_index(drop=True)
