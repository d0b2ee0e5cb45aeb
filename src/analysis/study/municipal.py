"""Municipal adoption with the place as the unit: incorporated Census places whose police
department holds a 287(g) agreement, against the other incorporated places of the same states.

**Places.** ``census_geo_reference/us_geo_places_2020.csv`` (Census 2020 places with their 2020
population and the county holding most of the place). Only incorporated places (FIPS class
``C*``: cities, towns, villages, boroughs) are in the universe: census-designated places have no
government and so no police of their own. Townships and New England towns are county
subdivisions, not places: their police are listed as unmatched, with that reason.

**Municipal agencies.** With ``agencies.jurisdiction_level``: the agencies whose level is
``municipal``. Without it: ICE type Municipality and category municipal police.

**Agency -> place.** With ``agencies.jurisdiction_geoid``: that GEOID, when it is a place of the
file. Without it, a simple name rule: the place named in the agency's name
(:func:`analysis.locate.names.place_from_name`: the full text, e.g. ``BOISE CITY``, then the
name without its type word) equals, by :func:`analysis.locate.names.place_key`, the Short Name
of exactly one incorporated place lying in one of the agency's counties (``county_fips_all``,
else ``county_fips``; a place's counties come from ``us_geo_place_counties.csv``). Every
municipal agency gets a row with the rule, the place or the reason it has none.

**On the list.** A place is on the list when one of its matched agencies holds an agreement on
the latest participating snapshot on or before ``as_of``. Its county covariates are those of the
place's main county.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.fetch import require
from analysis.locate.names import place_from_name, place_key
from analysis.stats._common import wilson_interval
from analysis.study import scope

PLACES_FILE = "census_geo_reference/us_geo_places_2020.csv"
PLACE_COUNTIES_FILE = "census_geo_reference/us_geo_place_counties.csv"
PLACE_COLUMNS = {
    "GEOID": "place_geoid",
    "Short Name": "place_name",
    "State": "state",
    "County GEOID": "county_fips",
    "FIPS Class": "fips_class",
    "Population": "population",
}
SIZE_EDGES = [0, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, np.inf]
SIZE_LABELS = ["<1k", "1k-2.5k", "2.5k-5k", "5k-10k", "10k-25k", "25k-50k", "50k-100k",
               "100k-250k", "250k+"]  # fmt: skip
COVARIATES = ["gop_share_2024", "hispanic_share", "foreign_born_share"]
NEW_ENGLAND = ("CT", "MA", "ME", "NH", "RI", "VT")
"""States whose municipalities are towns (county subdivisions), not places."""
RULE_GEOID = "agencies.jurisdiction_geoid"
RULE_NAME = "place name in the agency's county"


def _check(frame: pd.DataFrame, column: str, ok: pd.Series, path, what: str) -> None:
    if not ok.all():
        row = int(np.flatnonzero(~ok.to_numpy())[0])
        raise ValueError(
            f"{path}: row {row + 2}, column {column!r}: {what}, not {frame[column].iloc[row]!r}"
        )


def _read_text_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """The named columns of a CSV file as text, blanks kept as empty strings (the frame
    ``pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns)`` gives), read by
    pyarrow's multi-column parser, a few times faster than pandas' own."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, engine="pyarrow")


def read_places(path: str | Path | None = None) -> pd.DataFrame:
    """The places file as ``place_geoid``, ``place_name``, ``state``, ``county_fips``,
    ``fips_class``, ``population`` (Int64; missing where the file has none) and
    ``incorporated``. Bad GEOIDs or populations stop with the file, row and column."""
    path = Path(path) if path else require(PLACES_FILE)
    header = pd.read_csv(path, dtype=str, nrows=0).columns
    missing = [c for c in PLACE_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    raw = _read_text_columns(path, [c for c in header if c in PLACE_COLUMNS])
    _check(raw, "GEOID", raw["GEOID"].str.fullmatch(r"\d{7}"), path, "a 7-digit GEOID")
    _check(raw, "County GEOID", raw["County GEOID"].str.fullmatch(r"\d{5}"), path, "5 digits")
    pop = raw["Population"].str.strip()
    _check(raw, "Population", pop.str.fullmatch(r"\d*"), path, "a count or blank")
    if raw["GEOID"].duplicated().any():
        raise ValueError(f"{path}: GEOID {raw['GEOID'][raw['GEOID'].duplicated()].iloc[0]} twice")
    places = raw[list(PLACE_COLUMNS)].rename(columns=PLACE_COLUMNS)
    places["population"] = pd.to_numeric(pop.replace("", None)).astype("Int64")
    places["incorporated"] = places["fips_class"].str.startswith("C")
    return places


def read_place_counties(path: str | Path | None = None) -> pd.DataFrame:
    """Every (``place_geoid``, ``county_fips``) pair of ``us_geo_place_counties.csv``."""
    path = Path(path) if path else require(PLACE_COUNTIES_FILE)
    header = pd.read_csv(path, dtype=str, nrows=0).columns
    if list(header[:2]) != ["Place GEOID", "County GEOID"]:
        raise ValueError(f"{path}: columns must be Place GEOID, County GEOID")
    raw = _read_text_columns(path, list(header[:2]))
    return raw.iloc[:, :2].set_axis(["place_geoid", "county_fips"], axis=1)


def municipal_agencies(agencies: pd.DataFrame) -> pd.DataFrame:
    """The municipal agencies of ``agencies`` (see the module doc for the rule)."""
    if "jurisdiction_level" in agencies:
        keep = agencies["jurisdiction_level"] == "municipal"
    else:
        keep = (agencies["agency_type"] == "Municipality") & (
            agencies["agency_category"] == "municipal police"
        )
    return agencies[keep.fillna(False).astype(bool)].reset_index(drop=True)


def _name_keys(agency: str) -> list[str]:
    parsed = place_from_name(agency.upper())
    if parsed is None:
        return []
    return list(dict.fromkeys(k for k in (place_key(parsed.text), place_key(parsed.base)) if k))


def _by_name(agency: dict, places: pd.DataFrame, place_counties: pd.DataFrame):
    """(place_geoid, note) of one agency by the name rule."""
    if pd.isna(agency["county_fips"]):
        return None, "agency not placed in a county"
    all_counties = agency.get("county_fips_all")
    counties = set(str(all_counties).split("|")) if pd.notna(all_counties) else set()
    counties.add(str(agency["county_fips"]))
    geoids = set(place_counties.loc[place_counties["county_fips"].isin(counties), "place_geoid"])
    here = places[places["place_geoid"].isin(geoids) | places["county_fips"].isin(counties)]
    keys = _name_keys(str(agency["agency"]))
    if not keys:
        return None, "no place name in the agency name"
    cdp_only = False
    for key in keys:
        found = here[here["key"] == key]
        incorporated = found[found["incorporated"]]
        if len(incorporated) == 1:
            return incorporated["place_geoid"].iloc[0], None
        if len(incorporated) > 1:
            return None, "several places of that name: " + ", ".join(incorporated.place_geoid)
        cdp_only = cdp_only or len(found) > 0
    if " TOWNSHIP" in str(agency["agency"]).upper() or agency["state"] in NEW_ENGLAND:
        return None, "a town or township: a county subdivision, not a Census place"
    if cdp_only:
        return None, "only a census-designated place of that name (no government)"
    return None, "no incorporated place of that name in the agency's county"


def match_places(
    agencies: pd.DataFrame, places: pd.DataFrame, place_counties: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per municipal agency: ``agency_key``, ``agency``, ``state``, ``county_fips``,
    ``place_geoid`` (missing when unmatched), ``match_rule`` and ``match_note`` (why there is
    no place). ``place_counties`` serves the name rule only (read from data/raw if needed and
    not given)."""
    municipal = municipal_agencies(agencies)
    by_geoid = "jurisdiction_geoid" in municipal
    if by_geoid:
        place_geoids = set(places["place_geoid"].tolist())
    else:
        places = places.assign(key=places["place_name"].map(place_key))
        place_counties = read_place_counties() if place_counties is None else place_counties
    rows = []
    # One dict a row (column name -> value) of the columns read, much cheaper than iterrows.
    used = ["agency_key", "agency", "state", "county_fips", "county_fips_all", "jurisdiction_geoid"]
    for agency in municipal[[c for c in used if c in municipal]].to_dict("records"):
        if by_geoid:
            rule, geoid = RULE_GEOID, agency["jurisdiction_geoid"]
            known = pd.notna(geoid) and str(geoid) in place_geoids
            note = None if known else "jurisdiction_geoid is not a Census place"
            geoid = str(geoid) if known else None
        else:
            rule = RULE_NAME
            geoid, note = _by_name(agency, places, place_counties)
        rows.append(
            {
                "agency_key": agency["agency_key"],
                "agency": agency["agency"],
                "state": agency["state"],
                "county_fips": agency["county_fips"],
                "place_geoid": geoid,
                "match_rule": rule,
                "match_note": note,
            }
        )
    columns = ["agency_key", "agency", "state", "county_fips", "place_geoid", "match_rule"]
    return pd.DataFrame(rows, columns=[*columns, "match_note"])


def agencies_on_list(history: pd.DataFrame, as_of=None) -> tuple[pd.Timestamp, set[str]]:
    """The snapshot date used and the agencies holding an agreement on it."""
    date = scope.latest_snapshot(history, as_of)
    rows = history[history["list"] == "participating"] if "list" in history else history
    return date, set(rows.loc[pd.to_datetime(rows["snapshot_date"]) == date, "agency_key"])


def place_table(
    places: pd.DataFrame,
    matches: pd.DataFrame,
    on_list: set[str],
    covariates: pd.DataFrame,
) -> pd.DataFrame:
    """One row per incorporated place of the states with at least one place on the list:
    the place columns, ``size_bin``, ``on_list`` (0/1), ``agencies_on_list`` (names) and the
    county covariates :data:`COVARIATES` of its main county."""
    listed = matches[matches["place_geoid"].notna() & matches["agency_key"].isin(on_list)]
    by_place: dict[str, list[str]] = {}
    for geoid, agency in zip(listed["place_geoid"], listed["agency"], strict=True):
        by_place.setdefault(geoid, []).append(agency)
    # The groupby("place_geoid")["agency"] of "; ".join(sorted(agencies)), built in one pass.
    geoids = sorted(by_place)
    names = pd.Series(
        ["; ".join(sorted(by_place[g])) for g in geoids],
        index=pd.Index(geoids, dtype=listed["place_geoid"].dtype, name="place_geoid"),
        dtype=listed["agency"].dtype,
        name="agency",
    )
    universe = places[places["incorporated"] & places["state"].isin(set(listed["state"]))].copy()
    universe["on_list"] = universe["place_geoid"].isin(names.index).astype(int)
    universe["agencies_on_list"] = universe["place_geoid"].map(names)
    universe["size_bin"] = pd.cut(
        universe["population"].astype("float64"), SIZE_EDGES, right=False, labels=SIZE_LABELS
    )
    county = covariates.assign(fips=covariates["fips"].astype(str)).set_index("fips")
    # Series.map by the county table, the lookup done once for all covariates.
    if not county.index.is_unique:
        raise ValueError("covariates: fips must be unique")
    position = county.index.get_indexer(universe["county_fips"].tolist())
    found = position >= 0
    for name in COVARIATES:
        values = county[name].to_numpy(dtype="float64", na_value=np.nan)
        universe[name] = np.where(found, values[np.where(found, position, 0)], np.nan)
    return universe.drop(columns=["key"], errors="ignore").reset_index(drop=True)


def place_summary(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """By place-size bin and for all sizes: places, places on the list, the share on the list
    (Wilson interval), the median population and the mean county covariates of the places on
    the list and of the others (``<covariate>_on_list``, ``<covariate>_other``)."""
    # Only the columns summarised: each group's rows are copied, so narrower is faster.
    table = table[["size_bin", "on_list", "population", *COVARIATES]]
    groups = [(str(b), g) for b, g in table.groupby("size_bin", observed=False)]
    groups.append(("all sizes", table))
    rows = []
    for label, g in groups:
        listed, other = g[g["on_list"] == 1], g[g["on_list"] == 0]
        row = {"size_bin": label, "places": len(g), "on_list": int(g["on_list"].sum())}
        rows.append(row)
        row["median_population_on_list"] = listed["population"].astype("float64").median()
        row["median_population_other"] = other["population"].astype("float64").median()
        for name in COVARIATES:
            row[f"{name}_on_list"] = listed[name].mean()
            row[f"{name}_other"] = other[name].mean()
    out = pd.DataFrame(rows)
    low, high = wilson_interval(out["on_list"], out["places"], alpha)
    out.insert(3, "share_on_list", out["on_list"] / out["places"].where(out["places"] > 0))
    out.insert(4, "share_ci_low", low)
    out.insert(5, "share_ci_high", high)
    return out


@dataclass(frozen=True)
class MunicipalPlaces:
    """The place-level study: ``matches`` (one row per municipal agency), ``places`` (the
    place table), ``summary`` (by size bin) and the ``snapshot_date``."""

    matches: pd.DataFrame
    places: pd.DataFrame
    summary: pd.DataFrame
    snapshot_date: pd.Timestamp


def municipal_places(
    agencies: pd.DataFrame,
    history: pd.DataFrame,
    covariates: pd.DataFrame,
    as_of=None,
    *,
    places: pd.DataFrame | None = None,
    place_counties: pd.DataFrame | None = None,
) -> MunicipalPlaces:
    """The whole place-level study at the latest snapshot on or before ``as_of`` (places and,
    for the name rule, place counties read from data/raw unless given)."""
    places = read_places() if places is None else places
    date, on_list = agencies_on_list(history, as_of)
    matches = match_places(agencies, places, place_counties)
    matches["on_list"] = matches["agency_key"].isin(on_list).astype(int)
    table = place_table(places, matches, on_list, covariates)
    return MunicipalPlaces(matches, table, place_summary(table), date)
