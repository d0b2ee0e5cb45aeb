"""The county columns of ``agencies``, the ``county_agreements`` panel and ``agency_location_qa``.

Each agency is placed once, from its last listed name, its last non-missing COUNTY and its last
TYPE (:func:`analysis.locate.matcher.locate_agency`); every agreement of the agency on every
snapshot counts in that county.

- ``county_agreements``: one row per (participating snapshot date in ``agreements_history``,
  county with at least one agreement). A multi-county agency (a city in several counties, a
  county list in COUNTY) counts in its principal county only; ``agencies.county_fips_all`` keeps
  the full list. Statewide, territory and unmatched agencies are left out (they are in the QA
  table). ``state`` is the county's state, which differs from ICE's STATE for a misfiled agency.
- ``agency_location_qa``: every agency a reviewer should look at: statewide, territory,
  unmatched, conflicts, fuzzy matches, manual overrides and multi-county placements, each with
  its issue, note and alternatives (JSON).
- the jurisdiction columns of ``agencies`` and ``jurisdictions`` (one row per GEOID some agency
  polices), from :mod:`analysis.locate.jurisdictions`.
"""

from __future__ import annotations

import json

import pandas as pd

from analysis.locate import schemas
from analysis.locate.crosswalks import Crosswalks
from analysis.locate.jurisdictions import Jurisdiction, JurisdictionGeo, assign
from analysis.locate.matcher import FUZZY_METHODS, Location, locate_agency
from analysis.locate.overrides import agency_key_name
from analysis.locate.schemas import NOT_LOCATED

TYPE_COLUMNS = {
    "County": "county_type_agreements",
    "Municipality": "municipal_type_agreements",
    "State": "state_type_agreements",
    "Other": "other_type_agreements",
}


def _value(x):
    return None if x is None or (isinstance(x, float) and pd.isna(x)) else x


def locate_all(agencies: pd.DataFrame, cw: Crosswalks) -> dict[str, Location]:
    """agency_key -> Location for every row of ``agencies``."""
    out = {}
    for r in agencies[["agency_key", "agency", "state", "county_ice", "agency_type"]].itertuples(
        index=False
    ):
        out[r.agency_key] = locate_agency(
            r.agency,
            r.state,
            _value(r.county_ice),
            agency_type=_value(r.agency_type),
            crosswalks=cw,
        )
    return out


def location_columns(loc: Location, cw: Crosswalks) -> dict:
    return {
        "county_fips": loc.county_fips,
        "county_name": loc.county_name,
        "county_state": cw.counties[loc.county_fips].state if loc.county_fips else None,
        "match_method": loc.match_method,
        "match_score": loc.match_score,
        "match_note": loc.match_note,
        "match_conflict": loc.conflict,
        "match_exact": loc.exact,
        "county_fips_all": "|".join(loc.all_counties) if loc.all_counties else None,
        "county_fips_alternative": loc.alternative_fips,
    }


def add_locations(
    agencies: pd.DataFrame, locations: dict[str, Location], cw: Crosswalks
) -> pd.DataFrame:
    """``agencies`` with its county columns filled."""
    rows = pd.DataFrame([location_columns(locations[k], cw) for k in agencies["agency_key"]])
    table = agencies.reset_index(drop=True).copy()
    for column in rows.columns:
        table[column] = rows[column]
    return schemas.typed_frame(table, "agencies")


def not_located(agencies: pd.DataFrame, reason: str) -> pd.DataFrame:
    """``agencies`` with empty county columns (the crosswalk files are not in raw_dir)."""
    table = agencies.copy()
    table["match_method"] = NOT_LOCATED
    table["match_note"] = reason
    table["match_conflict"] = False
    table["match_exact"] = False
    return schemas.typed_frame(table, "agencies")


def county_agreements(
    history: pd.DataFrame, files: pd.DataFrame, agencies: pd.DataFrame
) -> pd.DataFrame:
    """Agreements per (participating snapshot date, principal county); see the module doc."""
    participating = files[files["list"] == "participating"]
    in_series = participating.groupby("snapshot_date")["in_time_series"].any()
    placed = agencies[agencies["county_fips"].notna()].set_index("agency_key")
    rows = history[["snapshot_date", "agreement_key", "agency_key", "model"]].drop_duplicates(
        ["snapshot_date", "agreement_key"]
    )
    rows = rows[rows["agency_key"].isin(placed.index)]
    attrs = placed.loc[
        rows["agency_key"],
        ["county_fips", "county_state", "agency_type", "agency_category", "match_exact"],
    ]
    rows = pd.concat([rows.reset_index(drop=True), attrs.reset_index(drop=True)], axis=1)
    for model in ("JEM", "TFM", "WSO"):
        rows[model.lower()] = rows["model"] == model
    for agency_type, column in TYPE_COLUMNS.items():
        rows[column] = rows["agency_type"] == agency_type
    rows["sheriff_agreements"] = rows["agency_category"] == "sheriff"
    rows["agreements_exact"] = rows["match_exact"].astype(bool)
    counts = ["jem", "tfm", "wso", *TYPE_COLUMNS.values(), "sheriff_agreements",
              "agreements_exact"]  # fmt: skip
    grouped = rows.groupby(["snapshot_date", "county_fips"], sort=True)
    table = grouped[counts].sum()
    table["agreements"] = grouped["agreement_key"].nunique()
    table["agencies"] = grouped["agency_key"].nunique()
    table["state"] = grouped["county_state"].first()
    table = table.reset_index()
    table["in_time_series"] = table["snapshot_date"].map(in_series).fillna(False).astype(bool)
    return schemas.typed_frame(table, "county_agreements")


def _issue(loc: Location) -> str | None:
    if loc.match_method in ("unmatched", "territory", "statewide", "manual_override"):
        return loc.match_method
    if loc.conflict:
        return "conflict"
    if loc.match_method in FUZZY_METHODS or (loc.match_score or 100) < 100:
        return "fuzzy"
    if len(loc.all_counties) > 1:
        return "multi_county"
    return None


def location_qa(agencies: pd.DataFrame, locations: dict[str, Location]) -> pd.DataFrame:
    """One row per agency whose placement needs a reviewer's eye (see ``schemas.QA_ISSUES``)."""
    records = []
    for r in agencies.itertuples(index=False):
        loc = locations[r.agency_key]
        issue = _issue(loc)
        if issue is None:
            continue
        records.append(
            {
                "qa_issue": issue,
                "agency_key": r.agency_key,
                "state": r.state,
                "agency": r.agency,
                "agency_type": r.agency_type,
                "agency_category": r.agency_category,
                "status": r.status,
                "n_agreements": r.n_agreements,
                "county_ice": _value(r.county_ice),
                "match_method": loc.match_method,
                "county_fips": loc.county_fips,
                "county_name": loc.county_name,
                "match_score": loc.match_score,
                "county_fips_all": "|".join(loc.all_counties) or None,
                "county_fips_alternative": loc.alternative_fips,
                "alternatives": json.dumps([a.to_dict() for a in loc.alternatives], sort_keys=True)
                if loc.alternatives
                else None,
                "match_note": loc.match_note,
            }
        )
    return schemas.typed_frame(records, "agency_location_qa")


def assign_all(
    agencies: pd.DataFrame, locations: dict[str, Location], cw: Crosswalks, geo: JurisdictionGeo
) -> dict[str, Jurisdiction]:
    """agency_key -> Jurisdiction for every row of ``agencies``."""
    return {
        r.agency_key: assign(
            agency_key_name(r.agency), r.state, r.agency_category, locations[r.agency_key], cw, geo
        )
        for r in agencies[["agency_key", "agency", "state", "agency_category"]].itertuples(
            index=False
        )
    }


def add_jurisdictions(agencies: pd.DataFrame, found: dict[str, Jurisdiction]) -> pd.DataFrame:
    """``agencies`` with its jurisdiction columns filled."""
    table = agencies.reset_index(drop=True).copy()
    rows = [found[k] for k in table["agency_key"]]
    table["jurisdiction_level"] = [j.level for j in rows]
    table["jurisdiction_geoid"] = [j.geoid for j in rows]
    table["jurisdiction_name"] = [j.name for j in rows]
    table["jurisdiction_population"] = pd.array([j.population for j in rows], dtype="Int64")
    table["jurisdiction_evidence"] = [j.evidence for j in rows]
    return schemas.typed_frame(table, "agencies")


def jurisdictions_table(found: dict[str, Jurisdiction]) -> pd.DataFrame:
    """One row per jurisdiction GEOID, with the levels and the number of agencies policing it."""
    units: dict[str, list[Jurisdiction]] = {}
    for key in sorted(found):
        j = found[key]
        if j.geoid is not None:
            units.setdefault(j.geoid, []).append(j)
    records = []
    for geoid, js in units.items():
        j = js[0]
        records.append(
            {
                "geoid": geoid,
                "level": j.geography,
                "kind": j.kind,
                "name": j.name,
                "state": j.state,
                "principal_county_fips": j.principal_county,
                "county_fips_all": "|".join(j.counties) if j.counties else None,
                "population_2020": j.population,
                "agency_levels": "|".join(sorted({x.level for x in js})),
                "n_agencies": len(js),
            }
        )
    return schemas.typed_frame(records, "jurisdictions")


def locate_tables(
    agencies: pd.DataFrame,
    history: pd.DataFrame,
    files: pd.DataFrame,
    cw: Crosswalks,
    geo: JurisdictionGeo,
) -> dict[str, pd.DataFrame]:
    """``agencies`` with county and jurisdiction columns, ``county_agreements``,
    ``agency_location_qa`` and ``jurisdictions``."""
    locations = locate_all(agencies, cw)
    located = add_locations(agencies, locations, cw)
    found = assign_all(located, locations, cw, geo)
    return {
        "agencies": add_jurisdictions(located, found),
        "county_agreements": county_agreements(history, files, located),
        "agency_location_qa": location_qa(located, locations),
        "jurisdictions": jurisdictions_table(found),
    }
