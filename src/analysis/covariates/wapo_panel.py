"""The Washington Post's hand-curated 287(g) panel, 2005-2019: read, checked, placed in counties.

The file (``ice_287g/supplementary/wapo_sheriffs_287g_curated_2005_2019.xlsx``, from
``wpinvestigative/sheriffs_287g``, CC BY-NC-SA 4.0; not an ICE publication) has one sheet whose
first row is the header: ``Sheriff`` (the sheriff's name), ``State``, ``County`` (the agency:
"Etowah County Sheriff's Office", or a bare "Pinal County" for the county's sheriff), ``ori``,
``FIPS`` (often unpadded, sometimes wrong: Kleberg TX carries Calhoun FL's 12013), flags
``y2005`` ... ``y2019`` ("X" = the agency took part that year) and notes. Below the agencies
that still took part in 2019 the sheet starts a second section with a row ``State
(Alphabetical) | COUNTIES THAT ENDED 287(g)``; four rows of that section (Virginia's Prince
William and Manassas agencies) leave ``State`` blank.

Rules (each row's fate is in :attr:`WapoPanel.accounting`; nothing is dropped silently):

- blank rows are counted, not kept; the section header is quarantined with its reason;
- a year cell must be blank or "X" (any case): anything else stops the read, naming the file,
  the row and the column;
- a blank ``State`` is taken from the rows above and below when both give the same state
  (``state_inferred``); otherwise the row is quarantined;
- the panel's spelling slips ("Sherrifs", "Sheriiff") are corrected, and a bare "<X> County"
  or "<X> Parish" is read as that county's sheriff (the panel is of sheriffs, named in its
  ``Sheriff`` column), before the agency is placed by :func:`analysis.locate.locate_agency`;
  the panel's own FIPS is compared with the placement (``fips_agrees``), not trusted;
- an agency the matcher cannot place in a county (state agencies, unmatched names) is kept in
  the quarantine with the reason; it still counts in the yearly totals, which are the panel's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.ice import xlsx
from analysis.ice.normalize import agency_category, agency_name_key, expand_abbreviations
from analysis.locate.crosswalks import Crosswalks
from analysis.locate.jurisdictions import jurisdiction_level
from analysis.locate.matcher import PLACED, locate_agency, resolve_state

WAPO_PANEL = "ice_287g/supplementary/wapo_sheriffs_287g_curated_2005_2019.xlsx"
YEARS = tuple(range(2005, 2020))
YEAR_COLUMNS = tuple(f"y{year}" for year in YEARS)
REQUIRED_COLUMNS = ("Sheriff", "State", "County", "ori", "FIPS", *YEAR_COLUMNS)
SECTION_HEADER = "STATE (ALPHABETICAL)"

PUBLISHED_COUNTS = dict(
    zip(YEARS, (6, 9, 32, 55, 64, 63, 63, 62, 40, 39, 36, 38, 66, 83, 128), strict=True)
)
"""Agencies marked per year in the Post's panel, as published with it."""
PUBLISHED_SOURCE = (
    "The Washington Post, wpinvestigative/sheriffs_287g (2021), "
    "data/raw_data/287g_curated_2019.xlsx: agencies marked per year"
)

SPELLING = {"SHERRIFS": "SHERIFF'S", "SHERIIFF": "SHERIFF"}
_BARE_COUNTY = re.compile(r"^[A-Z .'-]+ (COUNTY|PARISH)$")

ROW_COLUMNS = [
    "excel_row",
    "section",
    "agency",
    "state",
    "state_inferred",
    "ori",
    "fips_panel",
    *YEAR_COLUMNS,
    "notes",
]


class WapoPanelError(ValueError):
    """The panel file does not have the expected layout or values."""


@dataclass(frozen=True)
class WapoPanel:
    """``rows``: one row per agency (``ROW_COLUMNS``, year flags as bool); ``quarantine``:
    rows not used as agencies, with ``excel_row``, ``reason`` and the raw text; ``accounting``:
    physical rows by outcome (``outcome``, ``rows``)."""

    rows: pd.DataFrame
    quarantine: pd.DataFrame
    accounting: pd.DataFrame
    n_lines: int = 0  # physical rows of the sheet below the header


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value, path: Path, row: int, column: str) -> bool:
    text = _text(value)
    if text is None:
        return False
    if text.upper() == "X":
        return True
    raise WapoPanelError(
        f"{path.name}: row {row}, column {column}: expected 'X' or blank, got {text!r}"
    )


def _fips(value) -> str | None:
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\.0$", "", text)
    return digits.zfill(5) if digits.isdigit() and len(digits) <= 5 else None


def read_wapo_panel(path: str | Path) -> WapoPanel:
    """Read the panel workbook (its first sheet) under the rules of the module docstring."""
    path = Path(path)
    lines = _sheet_lines(path)
    if not lines:
        raise WapoPanelError(f"{path.name}: the first sheet is empty")
    header = [_text(v) for v in lines[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise WapoPanelError(f"{path.name}: row 1 lacks the columns {missing}")
    col = {name: header.index(name) for name in REQUIRED_COLUMNS}
    notes_col = header.index("NOTES") if "NOTES" in header else None
    records, quarantine, counts = [], [], {"blank": 0}
    section = "participating"
    for offset, line in enumerate(lines[1:]):
        excel_row = offset + 2
        cells = [_text(v) for v in line]
        if not any(cells):
            counts["blank"] += 1
            continue
        state_text, agency = cells[col["State"]], cells[col["County"]]
        if state_text and state_text.upper() == SECTION_HEADER:
            section = "ended"
            quarantine.append(
                {
                    "excel_row": excel_row,
                    "reason": "section header",
                    "text": " | ".join(c for c in cells if c),
                }
            )
            continue
        flags = {c: _flag(line[col[c]], path, excel_row, c) for c in YEAR_COLUMNS}
        if agency is None:
            quarantine.append(
                {
                    "excel_row": excel_row,
                    "reason": "no agency name (County blank)",
                    "text": " | ".join(c for c in cells if c),
                }
            )
            continue
        try:
            state = resolve_state(state_text) if state_text else None
        except ValueError:
            raise WapoPanelError(
                f"{path.name}: row {excel_row}, column State: unknown state {state_text!r}"
            ) from None
        records.append(
            {
                "excel_row": excel_row,
                "section": section,
                "agency": agency,
                "state": state,
                "state_inferred": False,
                "ori": cells[col["ori"]],
                "fips_panel": _fips(line[col["FIPS"]]),
                **flags,
                "notes": cells[notes_col] if notes_col is not None else None,
            }
        )
    rows = pd.DataFrame(records, columns=ROW_COLUMNS)
    rows, unresolved = _infer_states(rows)
    quarantine += [
        {
            "excel_row": r.excel_row,
            "reason": "State blank and not the same above and below",
            "text": r.agency,
        }
        for r in unresolved.itertuples()
    ]
    quarantine = pd.DataFrame(quarantine, columns=["excel_row", "reason", "text"])
    accounting = pd.DataFrame(
        [
            {"outcome": "agency row", "rows": len(rows)},
            {"outcome": "quarantined", "rows": len(quarantine)},
            {"outcome": "blank", "rows": counts["blank"]},
        ]
    )
    return WapoPanel(rows.reset_index(drop=True), quarantine, accounting, len(lines) - 1)


def _sheet_lines(path: Path) -> list[tuple]:
    """The first sheet's rows as openpyxl's read-only mode gives them (its stated size, cached
    formula values): by :func:`analysis.ice.xlsx.read_only_rows` (python-calamine and the sheet
    XML, ~20 times faster) when it can promise the same rows, else by openpyxl."""
    lines = xlsx.read_only_rows(path)
    if lines is not None:
        return lines
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _infer_states(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill a blank state from the nearest rows above and below when they agree."""
    before = rows["state"].ffill()
    after = rows["state"].bfill()
    blank = rows["state"].isna()
    fill = blank & before.notna() & (before == after)
    rows = rows.copy()
    rows.loc[fill, "state"] = before[fill]
    rows.loc[fill, "state_inferred"] = True
    unresolved = rows[rows["state"].isna()]
    return rows[rows["state"].notna()], unresolved


def yearly_counts(panel: WapoPanel) -> pd.DataFrame:
    """Agencies marked per year against the published counts: ``year``, ``published``,
    ``observed``, ``difference``, ``matches``, ``source``. Quarantined rows carry no flag
    (checked), so the agency rows are the whole count."""
    observed = [int(panel.rows[c].sum()) for c in YEAR_COLUMNS]
    table = pd.DataFrame({"year": list(YEARS), "published": list(PUBLISHED_COUNTS.values())})
    table["observed"] = observed
    table["difference"] = table["observed"] - table["published"]
    table["matches"] = table["difference"] == 0
    table["source"] = PUBLISHED_SOURCE
    return table


def panel_agency_name(name: str) -> tuple[str, str]:
    """(name to locate, note): the panel's spelling slips corrected; a bare county or parish
    read as its sheriff's office."""
    key = expand_abbreviations(agency_name_key(name) or "")
    notes = []
    for wrong, right in SPELLING.items():
        if wrong in key:
            key = key.replace(wrong, right)
            notes.append(f"{wrong} -> {right}")
    if _BARE_COUNTY.match(key):
        key = f"{key} SHERIFF'S OFFICE"
        notes.append("bare county name read as its sheriff's office")
    return key, "; ".join(notes)


def place_panel(panel: WapoPanel, crosswalks: Crosswalks) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(placed, unplaced): every agency row with ``county_fips``, ``county_name``,
    ``match_method``, ``level`` (county | municipal | state | other, the rule of
    :func:`analysis.locate.jurisdictions.jurisdiction_level`), ``level_reason``,
    ``name_note`` and ``fips_agrees`` (the panel's FIPS equals the placement; NA without a
    panel FIPS). ``unplaced`` holds the rows without a county, with ``reason``."""
    out = []
    for row in panel.rows.itertuples(index=False):
        key, note = panel_agency_name(row.agency)
        loc = locate_agency(key, row.state, None, crosswalks=crosswalks)
        level, why = jurisdiction_level(key, row.state, agency_category(key), loc)
        placed = loc.match_method in PLACED and loc.county_fips is not None
        out.append(
            {
                **row._asdict(),
                "located_name": key,
                "name_note": note,
                "county_fips": loc.county_fips if placed else None,
                "county_name": loc.county_name if placed else None,
                "match_method": loc.match_method,
                "match_exact": loc.exact,
                "level": level,
                "level_reason": why,
                "fips_agrees": (row.fips_panel == loc.county_fips)
                if pd.notna(row.fips_panel)
                else pd.NA,
                "reason": ""
                if placed
                else f"not placed in a county: {loc.match_method}; {loc.match_note}",
            }
        )
    frame = pd.DataFrame(out)
    has_county = frame["county_fips"].notna()
    return (
        frame[has_county].drop(columns="reason").reset_index(drop=True),
        frame[~has_county].reset_index(drop=True),
    )


def county_participation(placed: pd.DataFrame, years, *, level: str = "county") -> pd.Series:
    """County FIPS -> 1 when an agency of ``level`` placed there is marked in any of ``years``
    (the era's cohort), indexed by the counties that have one."""
    columns = [f"y{year}" for year in years]
    unknown = [c for c in columns if c not in placed]
    if unknown:
        raise ValueError(f"the panel has no columns {unknown}")
    rows = placed[placed["level"] == level]
    marked = rows[columns].any(axis=1)
    return marked.groupby(rows["county_fips"]).any().astype(int)
