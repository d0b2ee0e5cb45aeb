"""Read any ICE 287(g) spreadsheet, of any era, into its named columns and data rows.

The reader finds the data sheet (the first whose header holds STATE and LAW ENFORCEMENT AGENCY,
so ICE's ``Sheet2`` tallies are skipped), finds the header row, maps the columns of every era
onto one set of names, keeps the MOA and ADDENDUM hyperlink targets, and classifies the list by
its content: a sheet with SIGNED is a participating list, one without is a pending list (the
file name is never trusted; ICE once swapped the two).

The workbook is opened with openpyxl in normal mode, because the MOA URL of the workbook era
exists only as a cell hyperlink (``pd.read_excel`` and openpyxl's read-only mode drop it), or,
for a workbook without formulas, by :mod:`analysis.ice.xlsx` (python-calamine for the values, the
sheet XML for the hyperlinks), which gives the same sheet several times faster.

Before openpyxl touches a file, the zip container is checked: a file that is not a zip (an HTML
error page, an old ``.xls``, an encrypted workbook), a truncated download, and a decompression
bomb (declared uncompressed size, entry count, file size above the limits below) are refused with
a message saying what the file looks like. Real ICE files are under 2 MB uncompressed.

Formulas (none in any known ICE file): a cell's cached value is what is read. ``=HYPERLINK("url",
"label")`` is resolved to its label, and in MOA/ADDENDUM to a link to its URL; any other formula
in a named column is kept on the row (``SheetRow.formulas``) so that the row is quarantined with
the reason ``formula`` rather than trusted.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import UserError
from analysis.ice import xlsx
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

# Limits against decompression bombs and runaway files (real ICE files: < 200 KB on disk,
# < 2 MB uncompressed, < 30 zip entries, < 2,000 rows).
MAX_FILE_BYTES = 50 * 2**20
MAX_UNCOMPRESSED_BYTES = 100 * 2**20
MAX_ZIP_ENTRIES = 1_000
MAX_DATA_ROWS = 100_000
MAX_CELL_CHARS = 1_000  # longer text in a named cell quarantines the row (rows.py)
# openpyxl binds hyperlinks in time quadratic in their number (20,000 take ~10 s): a sheet
# with more is refused (ICE's lists have under 3,000).
MAX_HYPERLINKS = 20_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship[\s>/]")
_HYPERLINK = re.compile(
    r'^=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*$', re.IGNORECASE
)

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
    formulas: dict[str, str] = field(default_factory=dict)  # named column -> formula (not links)


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


# What clean_text reduces to nothing: whitespace and the invisible spaces it removes.
_BLANK_TEXT = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]*")


def _is_empty(value: object) -> bool:
    """None, or text that :func:`clean_text` reduces to None."""
    if value is None:
        return True
    if type(value) is str:
        return _BLANK_TEXT.fullmatch(value) is not None
    return isinstance(value, str) and clean_text(value) is None


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


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


def check_container(path: Path, *, formulas: bool = True) -> bool:
    """Refuse what is not a sane .xlsx zip before openpyxl parses it; True if a worksheet holds
    formulas (not looked for, False, with ``formulas=False``). Raises ``IceSheetError`` saying
    what the file looks like and which limit it broke."""
    if not path.is_file():
        raise IceSheetError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise IceSheetError(f"{path}: empty file (0 bytes); expected an .xlsx workbook")
    if size > MAX_FILE_BYTES:
        raise IceSheetError(
            f"{path}: {_mb(size)} on disk, above the {_mb(MAX_FILE_BYTES)} limit for an ICE "
            "spreadsheet (real ones are under 1 MB); refusing to open it"
        )
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(512)
        if head.startswith(_OLE_MAGIC):
            looks = (
                "an OLE2 compound file: an old .xls workbook or a password-protected .xlsx; "
                "save it as an unencrypted .xlsx"
            )
        elif head.startswith(b"PK"):
            looks = "a truncated or damaged zip (an incomplete download?); download it again"
        elif head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
            looks = "HTML or XML text (an error page saved under the spreadsheet's name?)"
        else:
            looks = f"starting with {head[:16]!r}"
        raise IceSheetError(
            f"{path}: not a readable .xlsx workbook: not a zip archive, as an .xlsx is; {looks}"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise IceSheetError(
                    f"{path}: zip archive with {len(infos):,} entries, above the limit of "
                    f"{MAX_ZIP_ENTRIES:,} (an ICE workbook has about 20); refusing to open it"
                )
            declared = sum(i.file_size for i in infos)
            if declared > MAX_UNCOMPRESSED_BYTES:
                biggest = max(infos, key=lambda i: i.file_size)
                raise IceSheetError(
                    f"{path}: declares {_mb(declared)} uncompressed ({biggest.filename} alone "
                    f"{_mb(biggest.file_size)}), above the {_mb(MAX_UNCOMPRESSED_BYTES)} limit "
                    "(a possible decompression bomb; real ICE files are under 2 MB); "
                    "refusing to open it"
                )
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
                raise IceSheetError(
                    f"{path}: a zip archive but not an .xlsx workbook (no xl/workbook.xml; "
                    f"entries: {shown})"
                )
            for info in infos:
                if info.filename.startswith("xl/worksheets/_rels/"):
                    links = _count(zf, info, _RELATIONSHIP_TAG)
                    if links > MAX_HYPERLINKS:
                        raise IceSheetError(
                            f"{path}: {info.filename} holds {links:,} relationships "
                            f"(hyperlinks), above the limit of {MAX_HYPERLINKS:,} (ICE's lists "
                            "have under 3,000); refusing to open it"
                        )
            if not formulas:
                return False
            sheets = [i for i in infos if re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename)]
            return any(_count(zf, i, _FORMULA_TAG, stop_at=1) for i in sheets)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise IceSheetError(
            f"{path}: damaged zip archive ({exc}); download the file again"
        ) from None


def _count(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tag: re.Pattern, stop_at=None) -> int:
    """Occurrences of ``tag`` in one entry, streamed (zipfile never inflates past the declared
    size); stops early once ``stop_at`` are found."""
    found, tail = 0, b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            found += len(tag.findall(tail + chunk)) - len(tag.findall(tail))
            if stop_at is not None and found >= stop_at:
                break
            tail = chunk[-32:]
    return found


def read_sheet(path: str | Path, *, fast: bool = True) -> Sheet:
    """Read the data sheet of one ICE participating or pending spreadsheet.

    Raises ``IceSheetError`` naming the file, sheet, header row and the missing or unrecognized
    columns when the sheet cannot be mapped, and saying what the file is when it is not a sane
    workbook (not a zip, truncated, above the size limits).

    With ``fast`` (the default), a workbook without formulas is read by :mod:`analysis.ice.xlsx`
    (same result, several times faster) unless it holds something that reader leaves to
    openpyxl.
    """
    path = Path(path)
    if fast:  # the container's formula scan is done on the worksheets the fast reader reads
        check_container(path, formulas=False)
        wb = xlsx.open_workbook(path, formulas=False)
        if wb is not None:
            return _read_workbook(path, wb)
    has_formulas = check_container(path)
    import openpyxl

    workbooks = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl: unsupported extensions
            wb = openpyxl.load_workbook(path, data_only=True)
            workbooks.append(wb)
            if has_formulas:
                workbooks.append(openpyxl.load_workbook(path, data_only=False))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors
        for opened in workbooks:
            opened.close()
        raise IceSheetError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    try:
        return _read_workbook(path, wb, workbooks[1] if has_formulas else None)
    finally:
        for opened in workbooks:
            opened.close()


def _read_workbook(path: Path, wb, formulas_wb=None) -> Sheet:
    sheet_names = tuple(wb.sheetnames)
    for ws in wb.worksheets:
        found = _find_header(ws)
        if found is not None:
            ws_formulas = formulas_wb[ws.title] if formulas_wb is not None else None
            return _read_data(path, ws, sheet_names, *found, ws_formulas)
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


def _formula_text(cell) -> str | None:
    if cell.data_type != "f":
        return None
    value = cell.value
    return value if isinstance(value, str) else getattr(value, "text", None) or str(value)


def _formulas(ws_formulas, header_row: int) -> dict[tuple[int, int], str]:
    """(row, 0-based column) -> formula text, for every formula cell below the header."""
    if ws_formulas is None:
        return {}
    return {
        (cell.row, cell.column - 1): text
        for row in ws_formulas.iter_rows(min_row=header_row + 1)
        for cell in row
        if (text := _formula_text(cell)) is not None
    }


def _hyperlink_formula(text: str) -> tuple[str, str] | None:
    """(url, label) of a literal ``=HYPERLINK("url", "label")``; None for any other formula."""
    match = _HYPERLINK.match(text)
    if not match:
        return None
    url = match.group(1).replace('""', '"')
    label = match.group(2).replace('""', '"') if match.group(2) is not None else url
    return url, label


def _column_letter(number: int) -> str:
    """1 -> "A", 27 -> "AA" (openpyxl's ``get_column_letter``)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _value_rows(ws, min_row: int):
    """(row number, cell values, 0-based column -> hyperlink) of every row from ``min_row``."""
    if isinstance(ws, xlsx.Worksheet):
        yield from ws.value_rows(min_row)
        return
    for cells in ws.iter_rows(min_row=min_row):
        links = {i: c.hyperlink for i, c in enumerate(cells) if c.hyperlink is not None}
        yield cells[0].row, [c.value for c in cells], links


def _read_data(
    path: Path, ws, sheet_names, header_row: int, names: list[str | None], ws_formulas=None
) -> Sheet:
    positions, unmapped = _map_columns(path, ws.title, header_row, names)
    below = ws.max_row - header_row
    if below > MAX_DATA_ROWS:
        raise IceSheetError(
            f"{path}: sheet {ws.title!r} has {below:,} rows below header row {header_row}, "
            f"above the limit of {MAX_DATA_ROWS:,} (ICE's lists have under 2,000 rows); "
            "refusing to read it"
        )
    columns = tuple(sorted(positions, key=positions.get))
    by_index = {i: c for c, i in positions.items()}
    formula_cells = _formulas(ws_formulas, header_row)
    link_positions = [(c, positions[c]) for c in LINK_COLUMNS if c in positions]
    unnamed: dict[int, list[int]] = {}  # row width -> the 0-based unnamed columns
    rows: list[SheetRow] = []
    blank_run = interior_blank = 0
    for number, values, hyperlinks in _value_rows(ws, header_row + 1):
        links: dict[str, str] = {}
        formulas: dict[str, str] = {}
        if formula_cells:
            values = list(values)
        for index in range(len(values) if formula_cells else 0):
            text = formula_cells.get((number, index))
            if text is None:
                continue
            column = by_index.get(index)
            link = _hyperlink_formula(text)
            if link is not None:
                url, label = link
                values[index] = label if _is_empty(values[index]) else values[index]
                if column in LINK_COLUMNS:
                    links[column] = url
            elif column is not None:
                formulas[column] = text
            elif _is_empty(values[index]):
                values[index] = text  # a formula in an unnamed column: kept as its text
        if not formulas and all(v is None or _is_empty(v) for v in values):
            blank_run += 1
            continue
        interior_blank += blank_run if rows else 0
        blank_run = 0
        width = len(values)
        named = {c: values[i] if i < width else None for c, i in positions.items()}
        for column, index in link_positions:
            link = hyperlinks.get(index)
            if link is not None:
                target = link.target or link.location
                if target:
                    links[column] = target
        others = unnamed.get(width)
        if others is None:
            others = unnamed[width] = [i for i in range(width) if i not in by_index]
        extra = {
            _column_letter(i + 1): values[i]
            for i in others
            if values[i] is not None and not _is_empty(values[i])
        }
        rows.append(SheetRow(number, named, links, extra, formulas))
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
