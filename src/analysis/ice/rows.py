"""One read sheet -> tidy agreement rows plus quarantined rows, each with a reason.

Every data row of the sheet ends in exactly one of the two lists, so for every file
``rows_in == rows_clean + rows_quarantined``. A row is quarantined only when it cannot be an
agreement: no recognizable state, no agency name, or no recognizable model; or when a named cell
cannot be trusted as data: a formula (other than ``=HYPERLINK``) or text longer than
``read.MAX_CELL_CHARS``. Problems in other cells (dates, types, counties) are flagged on the tidy
row and never drop it.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from analysis.ice import normalize as nz
from analysis.ice.read import LINK_COLUMNS, MAX_CELL_CHARS, Sheet, SheetRow

QUARANTINE_REASONS = {
    "missing_state": "STATE is empty",
    "unmapped_state": "STATE is not a US state or territory, even allowing for typos",
    "missing_agency": "LAW ENFORCEMENT AGENCY is empty",
    "missing_model": "SUPPORT TYPE is empty",
    "unknown_model": "SUPPORT TYPE names none (or several) of JEM, TFM, WSO",
    "formula": "a named cell holds a spreadsheet formula (other than HYPERLINK), not a value",
    "cell_too_long": f"a named cell holds more than {MAX_CELL_CHARS:,} characters",
}


@dataclass(frozen=True)
class AgencyName:
    display: str  # as ICE wrote it, whitespace and apostrophes cleaned
    name_key: str  # doc §6 normalization (upper-case, no trailing punctuation)
    key: str  # name_key with abbreviations expanded: the name part of the agency key
    agency_type_by_name: str
    category: str
    county_level_by_name: bool


@cache
def _agency(raw: object) -> AgencyName | None:
    display = nz.agency_display(raw)
    name_key = nz.agency_name_key(raw)
    if display is None or name_key is None:
        return None
    key = nz.expand_abbreviations(name_key)
    return AgencyName(
        display=display,
        name_key=name_key,
        key=key,
        agency_type_by_name=nz.infer_type(key),
        category=nz.agency_category(key),
        county_level_by_name=nz.is_county_level_name(key),
    )


_state = cache(nz.normalize_state)
_model = cache(nz.normalize_model)


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return nz.raw_text(value)


def raw_values_json(row: SheetRow) -> str:
    """The row's non-empty raw cells as JSON, in sheet order (unnamed columns by letter)."""
    cells = {k: _json_value(v) for k, v in row.cells.items() if v is not None}
    cells |= {f"column {k}": _json_value(v) for k, v in row.extra.items()}
    cells |= {f"{k} link": v for k, v in row.links.items()}
    cells |= {f"{k} formula": v for k, v in row.formulas.items()}
    return json.dumps(cells, ensure_ascii=False)


def _problems(
    cells: dict, formulas: dict, state: nz.StateMatch, agency, model
) -> list[tuple[str, str, str]]:
    """(column, reason code, detail) for everything that keeps the row out of the tidy table."""
    found = []
    if state.code is None:
        code = "missing_state" if state.match == "missing" else "unmapped_state"
        found.append(("STATE", code, f"STATE {cells.get('STATE')!r}"))
    if agency is None:
        found.append(("LAW ENFORCEMENT AGENCY", "missing_agency", "no agency name"))
    if model is None:
        raw = cells.get("SUPPORT TYPE")
        code = "missing_model" if nz.clean_text(raw) is None else "unknown_model"
        found.append(("SUPPORT TYPE", code, f"SUPPORT TYPE {raw!r}"))
    for column, formula in formulas.items():
        found.append((column, "formula", f"{column} holds the formula {formula!r}"))
    for column, value in cells.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            detail = f"{column} has {len(value):,} characters (limit {MAX_CELL_CHARS:,})"
            found.append((column, "cell_too_long", detail))
    return found


@dataclass(frozen=True)
class SplitRows:
    clean: list[dict]
    quarantined: list[dict]


def split_rows(sheet: Sheet, snapshot_date: date, file: str) -> SplitRows:
    """Normalize every data row of ``sheet``; ``file`` is how the rows cite their source."""
    base = {"file": file, "snapshot_date": snapshot_date, "list": sheet.list_kind}
    has_signed = "SIGNED" in sheet.columns
    no_signed = {"signed": None, "signed_flag": None, "signed_corrected": None}
    dated_by_value: dict = {}  # (type, SIGNED) -> the signed columns, for this snapshot date
    clean, quarantined = [], []
    names, split = None, None
    for row in sheet.rows:
        cells = row.cells
        if names != (names := tuple(cells)):
            split = _Columns(names)
        try:  # most rows repeat, unchanged, in the next month's list
            problems, before, after = split.content(cells, row.links, row.formulas)
        except TypeError:  # an unhashable cell value
            problems, before, after = _checked(cells, row.links, row.formulas)
        if problems:
            quarantined.append(
                base
                | {
                    "sheet": sheet.sheet_name,
                    "sheet_row": row.sheet_row,
                    "columns": "|".join(p[0] for p in problems),
                    "reason": "|".join(p[1] for p in problems),
                    "detail": "; ".join(p[2] for p in problems),
                    "raw_values": raw_values_json(row),
                }
            )
            continue
        if has_signed:
            value = cells.get("SIGNED")
            try:
                dated = dated_by_value.get((type(value), value))
            except TypeError:
                dated = None
            if dated is None:
                dated = _dated(value, snapshot_date)
                with contextlib.suppress(TypeError):
                    dated_by_value[type(value), value] = dated
        else:
            dated = no_signed
        clean.append({**base, "sheet_row": row.sheet_row, **before, **dated, **after})
    return SplitRows(clean, quarantined)


def _dated(value: object, snapshot_date: date) -> dict:
    signed = nz.parse_signed(value, snapshot_date)
    return {
        "signed": signed.signed,
        "signed_flag": signed.flag,
        "signed_corrected": signed.corrected,
    }


class _Columns:
    """A sheet's named columns split into the link cells (MOA, ADDENDUM: their text and targets
    change from month to month in the HTML era) and the rest, so that the columns derived from
    each are looked up apart: the same result as :func:`_checked` of the whole row."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.core = tuple(c for c in names if c not in LINK_COLUMNS)
        self.index = [i for i, c in enumerate(names) if c not in LINK_COLUMNS]
        self.links = [c for c in LINK_COLUMNS if c in names]

    def content(self, cells: dict, links: dict, formulas: dict) -> tuple:
        values = tuple(cells.values())
        linked = [cells[c] for c in self.links]
        if formulas or any(type(v) is not str or len(v) > MAX_CELL_CHARS for v in linked if v):
            key = (
                tuple((c, type(v), v) for c, v in cells.items()),
                tuple(links.items()),
                tuple(formulas.items()),
            )
            return _by_content(key)
        core = tuple([values[i] for i in self.index])
        problems, before = _by_core((self.core, core, tuple(map(type, core))))
        if problems:
            return problems, None, None
        moa, addendum = cells.get("MOA"), cells.get("ADDENDUM")
        after = _after(
            type(moa), moa, links.get("MOA"), type(addendum), addendum, links.get("ADDENDUM")
        )
        return (), before, after


@lru_cache(maxsize=1 << 15)
def _by_core(key) -> tuple:
    """(problems, columns before SIGNED) of a row without formulas whose link cells are short
    text or empty, given its other cells as (names, values, value types)."""
    cells = dict(zip(key[0], key[1], strict=True))
    state = _state(cells.get("STATE"))
    agency = _agency(cells.get("LAW ENFORCEMENT AGENCY"))
    model = _model(cells.get("SUPPORT TYPE"))
    problems = _problems(cells, {}, state, agency, model)
    if problems:
        return problems, None
    return (), _before(cells, state, agency, model)


@lru_cache(maxsize=1 << 15)
def _after(_moa_type, moa, moa_link, _addendum_type, addendum, addendum_link) -> dict:
    return {
        "moa_raw": nz.raw_text(moa),
        "moa_url": nz.link_url(moa, moa_link),
        "addendum_raw": nz.raw_text(addendum),
        "addendum_url": nz.link_url(addendum, addendum_link),
    }


def _checked(cells: dict, links: dict, formulas: dict):
    """(problems, columns before SIGNED, columns after SIGNED) of a row's content: the problems
    that quarantine it, or none and the columns of its tidy row that depend on its cells only
    (not on the snapshot date)."""
    state = _state(cells.get("STATE"))
    agency = _agency(cells.get("LAW ENFORCEMENT AGENCY"))
    model = _model(cells.get("SUPPORT TYPE"))
    problems = _problems(cells, formulas, state, agency, model)
    if problems:
        return problems, None, None
    return (), *_content_columns(cells, links, state, agency, model)


@lru_cache(maxsize=1 << 15)
def _by_content(key) -> tuple:
    """:func:`_checked` of a row given as (cells, links, formulas) items with the value types,
    so that ``1``, ``1.0`` and ``True`` stay apart; the dicts are only ever copied."""
    cells = {column: value for column, _type, value in key[0]}
    return _checked(cells, dict(key[1]), dict(key[2]))


def _content_columns(cells: dict, links: dict, state, agency: AgencyName, model: str):
    """The columns of a tidy row that depend on its cells only (not on the snapshot date),
    before and after the SIGNED columns."""
    moa, addendum = cells.get("MOA"), cells.get("ADDENDUM")
    after = {
        "moa_raw": nz.raw_text(moa),
        "moa_url": nz.link_url(moa, links.get("MOA")),
        "addendum_raw": nz.raw_text(addendum),
        "addendum_url": nz.link_url(addendum, links.get("ADDENDUM")),
    }
    return _before(cells, state, agency, model), after


def _before(cells: dict, state, agency: AgencyName, model: str) -> dict:
    """The columns of a tidy row before SIGNED: from its cells other than MOA and ADDENDUM."""
    ice_type = nz.normalize_type(cells.get("TYPE"))
    agency_type = ice_type or agency.agency_type_by_name
    is_county = agency_type == "County"
    agency_key = f"{state.code}|{agency.key}"
    return {
        "state_raw": nz.raw_text(cells.get("STATE")),
        "state": state.code,
        "state_match": state.match,
        "is_territory": state.is_territory,
        "state_flag": nz.state_flag(state.code, agency.key),
        "agency_raw": nz.raw_text(cells.get("LAW ENFORCEMENT AGENCY")),
        "agency": agency.display,
        "agency_name_key": agency.name_key,
        "agency_key": agency_key,
        "agreement_key": f"{agency_key}|{model}",
        "support_type_raw": nz.raw_text(cells.get("SUPPORT TYPE")),
        "model": model,
        "type_raw": nz.raw_text(cells.get("TYPE")),
        "agency_type": agency_type,
        "agency_type_inferred": ice_type is None,
        "county_level_by_name": agency.county_level_by_name,
        # Doc §4.3: ICE's TYPE and the name disagree about whether this is a county agency.
        "type_conflict": ice_type is not None and agency.county_level_by_name != is_county,
        "agency_category": agency.category,
        "county_raw": nz.raw_text(cells.get("COUNTY")),
        "county_ice": nz.normalize_county(cells.get("COUNTY")),
        "signed_raw": nz.raw_text(cells.get("SIGNED")),
    }
