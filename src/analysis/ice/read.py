"""Read any ICE 287(g) spreadsheet, of any era, into its named columns and data rows.

The reader finds the data sheet (the first whose header holds STATE and LAW ENFORCEMENT AGENCY,
so ICE's ``Sheet2`` tallies are skipped), finds the header row, maps the columns of every era
onto one set of names, keeps the MOA and ADDENDUM hyperlink targets, and classifies the list by
its content: a sheet with SIGNED is a participating list, one without is a pending list (the
file name is never trusted; ICE once swapped the two).

The workbook is opened with openpyxl in normal mode, because the MOA URL of the workbook era
exists only as a cell hyperlink (``pd.read_excel`` and openpyxl's read-only mode drop it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from analysis.cli import UserError
from analysis.ice.normalize import clean_text

COLUMNS = (
    "STATE",
    "LAW ENFORCEMENT AGENCY",
    "TYPE",
    "COUNTY",
    "SUPPORT TYPE",
    "SIGNED",
    "MOA",
    "ADDENDUM",
)
REQUIRED = ("STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE")
HEADER_MARKERS = ("STATE", "LAW ENFORCEMENT AGENCY")
LINK_COLUMNS = ("MOA", "ADDENDUM")
HEADER_SCAN_ROWS = 30
PARTICIPATING, PENDING = "participating", "pending"

# Schema eras (doc §3), by the set of named columns.
_BASE = frozenset(REQUIRED)
ERAS = {
    _BASE | {"SIGNED", "MOA"}: "participating html table (2021-01 to 2025-02-19)",
    _BASE | {"TYPE", "SIGNED", "MOA"}: "participating workbook +TYPE (2025-02-21)",
    _BASE | {"TYPE", "COUNTY", "SIGNED", "MOA"}: "participating workbook +COUNTY (2025-03-17)",
    _BASE | {"TYPE", "COUNTY", "SIGNED", "MOA", "ADDENDUM"}: (
        "participating workbook +ADDENDUM (2025-07-01)"
    ),
    _BASE | {"TYPE"}: "pending workbook (2025-02)",
    _BASE | {"TYPE", "COUNTY"}: "pending workbook +COUNTY (2025-03-17)",
    _BASE | {"TYPE", "COUNTY", "MOA"}: "pending workbook +MOA (2026-01-08)",
}


class IceSheetError(UserError, ValueError):
    """A spreadsheet that cannot be mapped onto the ICE schema; the message says which file,
    sheet, header row and columns, and what was expected."""


@dataclass(frozen=True)
class SheetRow:
    sheet_row: int  # 1-based row number in the sheet, as Excel shows it
    cells: dict[str, object]  # named column -> raw cell value (None when empty)
    links: dict[str, str]  # MOA/ADDENDUM -> hyperlink target, when the cell has one
    extra: dict[str, object] = field(default_factory=dict)  # other non-empty cells, by letter


@dataclass(frozen=True)
class Sheet:
    path: Path
    sheet_name: str
    sheet_names: tuple[str, ...]
    header_row: int
    columns: tuple[str, ...]  # named columns, in sheet order
    unmapped_columns: tuple[str, ...]  # named header cells the schema does not know (ignored)
    list_kind: str  # participating | pending, by content
    era: str
    rows: tuple[SheetRow, ...]  # data rows: at least one non-empty cell
    interior_blank_rows: int  # empty rows between data rows
    trailing_blank_rows: int  # empty (often formatted) rows after the last data row


def _header_name(value: object) -> str | None:
    text = clean_text(value)
    return text.upper() if text else None


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) is None)


def _describe(values: list[str | None]) -> str:
    named = [v for v in values if v]
    return "[" + ", ".join(repr(v) for v in named) + "]" if named else "no named cells"


def _expected() -> str:
    optional = [c for c in COLUMNS if c not in REQUIRED]
    return f"expected columns {', '.join(REQUIRED)} (required) and {', '.join(optional)} (by era)"


def _top_rows(ws) -> list[tuple[int, list[str | None]]]:
    """(row number, upper-cased cell texts) of the rows where a header may be."""
    # Never past max_row: in openpyxl's normal mode, reading a cell creates it.
    last = min(HEADER_SCAN_ROWS, ws.max_row)
    rows = ws.iter_rows(min_row=1, max_row=last, values_only=True)
    return [(n, [_header_name(v) for v in row]) for n, row in enumerate(rows, start=1)]


def _find_header(ws) -> tuple[int, list[str | None]] | None:
    """The first row holding both STATE and LAW ENFORCEMENT AGENCY (row 1 in every known file)."""
    for number, names in _top_rows(ws):
        if all(marker in names for marker in HEADER_MARKERS):
            return number, names
    return None


def _closest_header(ws) -> tuple[int, list[str | None]]:
    """The row that looks most like a header (most known column names), for error messages."""
    candidates = [(sum(n in COLUMNS for n in names), -number, names) for number, names in
                  _top_rows(ws) if any(names)]  # fmt: skip
    if not candidates:
        return 1, []
    _, number, names = max(candidates, key=lambda c: (c[0], c[1]))
    return -number, names


def _map_columns(
    path: Path, sheet: str, header_row: int, names: list[str | None]
) -> tuple[dict[str, int], list[str]]:
    """Column positions by name, and the named header cells the schema does not know."""
    positions: dict[str, int] = {}
    unmapped: list[str] = []
    repeated: list[str] = []
    for index, name in enumerate(names):
        if not name:
            continue  # ICE workbooks run out to column M with empty header cells
        if name not in COLUMNS:
            unmapped.append(name)
        elif name in positions:
            repeated.append(name)
        else:
            positions[name] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing or repeated:
        problems = []
        if missing:
            problems.append(f"missing required column(s) {', '.join(missing)}")
        if repeated:
            problems.append(f"repeated column(s) {', '.join(repeated)}")
        if unmapped:
            problems.append(f"unrecognized column(s) {', '.join(map(repr, unmapped))}")
        raise IceSheetError(
            f"{path}: sheet {sheet!r}, header row {header_row} {_describe(names)}: "
            f"{'; '.join(problems)}. {_expected()}."
        )
    return positions, unmapped


def read_sheet(path: str | Path) -> Sheet:
    """Read the data sheet of one ICE participating or pending spreadsheet.

    Raises ``IceSheetError`` naming the file, sheet, header row and the missing or unrecognized
    columns when the sheet cannot be mapped.
    """
    import openpyxl

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl: unsupported extensions
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise IceSheetError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        return _read_workbook(path, wb)
    finally:
        wb.close()


def _read_workbook(path: Path, wb) -> Sheet:
    sheet_names = tuple(wb.sheetnames)
    for ws in wb.worksheets:
        found = _find_header(ws)
        if found is not None:
            return _read_data(path, ws, sheet_names, *found)
    tried = []
    for ws in wb.worksheets:
        number, names = _closest_header(ws)
        present = [m for m in HEADER_MARKERS if m in names]
        missing = [m for m in HEADER_MARKERS if m not in names]
        unknown = [n for n in names if n and n not in COLUMNS]
        tried.append(
            f"sheet {ws.title!r} row {number} {_describe(names)}"
            + (f" has {', '.join(present)} but" if present else "")
            + f" lacks {', '.join(missing)}"
            + (f"; unrecognized {', '.join(map(repr, unknown))}" if unknown else "")
        )
    raise IceSheetError(
        f"{path}: no sheet has a header row with both STATE and LAW ENFORCEMENT AGENCY in its "
        f"first {HEADER_SCAN_ROWS} rows ({'; '.join(tried) or 'no sheets'}). {_expected()}."
    )


def _read_data(path: Path, ws, sheet_names, header_row: int, names: list[str | None]) -> Sheet:
    from openpyxl.utils import get_column_letter

    positions, unmapped = _map_columns(path, ws.title, header_row, names)
    columns = tuple(sorted(positions, key=positions.get))
    rows: list[SheetRow] = []
    blank_run = interior_blank = 0
    for cells in ws.iter_rows(min_row=header_row + 1):
        values = [c.value for c in cells]
        if all(_is_empty(v) for v in values):
            blank_run += 1
            continue
        interior_blank += blank_run if rows else 0
        blank_run = 0
        named = {c: values[i] if i < len(values) else None for c, i in positions.items()}
        links = {}
        for column in LINK_COLUMNS:
            index = positions.get(column)
            if index is not None and index < len(cells) and cells[index].hyperlink is not None:
                target = cells[index].hyperlink.target or cells[index].hyperlink.location
                if target:
                    links[column] = target
        mapped = set(positions.values())
        extra = {
            get_column_letter(i + 1): v
            for i, v in enumerate(values)
            if i not in mapped and not _is_empty(v)
        }
        rows.append(SheetRow(cells[0].row, named, links, extra))
    list_kind = PARTICIPATING if "SIGNED" in positions else PENDING
    era = ERAS.get(frozenset(columns), f"{list_kind} unrecognized column set")
    return Sheet(
        path=path,
        sheet_name=ws.title,
        sheet_names=sheet_names,
        header_row=header_row,
        columns=columns,
        unmapped_columns=tuple(unmapped),
        list_kind=list_kind,
        era=era,
        rows=tuple(rows),
        interior_blank_rows=interior_blank,
        trailing_blank_rows=blank_run,
    )
