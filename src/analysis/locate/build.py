"""The locate stage: place every agency of the ICE tables in its county.

Inputs: the ICE stage's processed tables ``agreements_history``, ``pending_history``,
``agreements`` and ``ice_snapshot_files`` (read back from ``out_dir``), and the crosswalk files
in ``raw_dir`` (county and county-subdivision Gazetteers, GeoNames). Outputs, validated and
written to ``out_dir``:

- ``agencies``: one row per agency that ever held an agreement
  (:func:`analysis.ice.history.agencies_table`) with its county columns;
- ``county_agreements``, ``agency_location_qa`` and ``jurisdictions``
  (:mod:`analysis.locate.tables`, :mod:`analysis.locate.jurisdictions`).

Without the crosswalk files (small test fixtures) the county columns say ``not_located``, the
jurisdiction columns are NA and the other tables are empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.geo import places as geo_places
from analysis.ice.history import agencies_table
from analysis.io import read_table, write_table
from analysis.locate import crosswalks, jurisdictions, schemas
from analysis.locate.tables import locate_tables, not_located

ICE_INPUTS = ("agreements_history", "pending_history", "agreements", "ice_snapshot_files")


def _locatable(raw_dir: Path) -> bool:
    return crosswalks.available(raw_dir) and geo_places.available(raw_dir)


def prepare(raw_dir: Path) -> None:
    """Load (and keep, per process) what placing agencies needs from ``raw_dir`` alone: the
    crosswalks and the jurisdictions' geography. The build runs this while the ICE stage is
    still building, in the process that then builds this stage."""
    if _locatable(raw_dir):
        cw = crosswalks.load_crosswalks(raw_dir)
        jurisdictions.load_geo(raw_dir)
        cw.derived("places_by_key", crosswalks.places_by_key)  # the lookups placing builds
        jurisdictions.units_by_state(cw)


def location_tables(
    ice_tables: dict[str, pd.DataFrame], raw_dir: Path, *, locate: bool | None = None
) -> dict[str, pd.DataFrame]:
    """``agencies``, ``county_agreements``, ``agency_location_qa`` and ``jurisdictions`` from
    the ICE tables,
    validated, without writing anything. ``locate``: place agencies in counties (default: when
    the crosswalk files are in ``raw_dir``)."""
    history, files = ice_tables["agreements_history"], ice_tables["ice_snapshot_files"]
    agencies = agencies_table(
        history, ice_tables["pending_history"], ice_tables["agreements"], files
    )
    if locate is None:
        locate = _locatable(raw_dir)
    if locate:
        tables = locate_tables(
            agencies,
            history,
            files,
            crosswalks.load_crosswalks(raw_dir),
            jurisdictions.load_geo(raw_dir),
        )
    else:
        needed = sorted({*crosswalks.RAW_FILES, *geo_places.RAW_FILES})
        reason = f"not located: crosswalk files {needed} not in raw_dir"
        tables = {
            "agencies": not_located(agencies, reason),
            "county_agreements": schemas.typed_frame([], "county_agreements"),
            "agency_location_qa": schemas.typed_frame([], "agency_location_qa"),
            "jurisdictions": schemas.typed_frame([], "jurisdictions"),
        }
    return {name: schemas.validate(df, name) for name, df in tables.items()}


def build_locations(raw_dir: Path, out_dir: Path) -> dict[str, int]:
    """Read the ICE stage's tables from ``out_dir``, place every agency, validate and write the
    location tables to ``out_dir``; return {table: row count}."""
    ice_tables = {name: read_table(name, out_dir) for name in ICE_INPUTS}
    tables = location_tables(ice_tables, raw_dir)
    return {name: write_table(df, name, out_dir) for name, df in sorted(tables.items())}
