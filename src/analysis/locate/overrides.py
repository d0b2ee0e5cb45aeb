"""Manual placements: ``data/manual/agency_county_overrides.csv``, reviewed by a person.

Columns: ``state`` (USPS code as ICE files the agency), ``agency`` (name as ICE writes it; matched
through the agency key, so case, apostrophes and PD/SO abbreviations do not matter),
``county_fips`` (5 digits, a county of the project geography), ``reason`` (the evidence). A row is
only for an agency the rules cannot place, or place wrongly, where the evidence is clear; tests
check that every row names an agency of the data and an existing county.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.ice.normalize import agency_name_key, expand_abbreviations

COLUMNS = ["state", "agency", "county_fips", "reason"]


@dataclass(frozen=True)
class Override:
    state: str
    agency: str
    county_fips: str
    reason: str
    line: int  # row number in the file (header = 1)


def agency_key_name(name: str) -> str:
    """The name part of the ICE agency key (``TAMPA PD`` -> ``TAMPA POLICE DEPARTMENT``)."""
    return expand_abbreviations(agency_name_key(name) or "")


def load_overrides(path: Path) -> dict[tuple[str, str], Override]:
    """(state, agency key name) -> override; malformed or repeated rows are errors."""
    if not path.is_file():
        return {}
    out: dict[tuple[str, str], Override] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            state, agency = row["state"].strip(), row["agency"].strip()
            fips, reason = row["county_fips"].strip(), row["reason"].strip()
            if not re.fullmatch(r"[A-Z]{2}", state) or not agency or not reason:
                raise ValueError(f"{path}:{line}: state, agency and reason are required")
            if not re.fullmatch(r"\d{5}", fips):
                raise ValueError(f"{path}:{line}: county_fips {fips!r} is not 5 digits")
            key = (state, agency_key_name(agency))
            if key in out:
                raise ValueError(f"{path}:{line}: {state} {agency!r} repeats line {out[key].line}")
            out[key] = Override(state, agency, fips, reason, line)
    return out
