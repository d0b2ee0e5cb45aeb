"""A fast stand-in for the part of openpyxl's normal mode that :mod:`analysis.ice.read` uses.

openpyxl builds a Python object per cell and takes ~0.2 s per ICE workbook (most of the ICE build).
Here python-calamine (Rust) reads the cell values, and the few things calamine does not give are
read from the worksheet XML: which cells exist (openpyxl's ``max_row`` and ``max_column`` count
every ``<c>`` element, formatted empty ones too, and every hyperlinked cell) and the hyperlinks
with their targets. Values are turned into what openpyxl gives: an empty cell is None, a whole
number is an int (Excel writes ``5``, which openpyxl reads as int; calamine as float 5.0).

:func:`open_workbook` returns None when a workbook holds anything this reader does not model
(merged cells, cell ranges as hyperlink anchors, cells without a reference, namespaced cell
tags, a sheet calamine cannot read): the caller then uses openpyxl. Formulas are left to the
caller (it uses openpyxl for any workbook with one). ``tests/test_ice_read.py`` checks that every
mirrored ICE file reads the same through both.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

_CELL_TAG = re.compile(rb"<c[\s>/]")
_CELL_REF = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s>/]")
_HYPERLINKS = re.compile(rb"<hyperlinks\b.*?</hyperlinks>", re.DOTALL)
_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
# An error cell (``#N/A``): calamine gives no text for it, openpyxl the error's text.
_ERROR_CELL = re.compile(
    rb'<c\s(?=[^>]*\bt="e")[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*(?<!/)>(.*?)</c>', re.DOTALL
)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # as analysis.ice.read's
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<dimension\s+ref="([^"]*)"')


@lru_cache(maxsize=1 << 12)
def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


class Hyperlink(NamedTuple):  # thousands per workbook: a named tuple is made fastest
    target: str | None
    location: str | None


class Cell:
    __slots__ = ("row", "value", "hyperlink")

    def __init__(self, row: int, value: object, hyperlink: Hyperlink | None = None) -> None:
        self.row, self.value, self.hyperlink = row, value, hyperlink


class Worksheet:
    """The cells of one sheet, iterated as openpyxl's normal mode does (from column A to the
    last column holding a cell, every row up to the last)."""

    def __init__(self, title, values, max_row, max_column, links, errors, dimension=None) -> None:
        self.title = title
        self.dimension = dimension  # the sheet's stated ``<dimension ref>``, e.g. "A1:AB1002"
        self.max_row = max_row
        self.max_column = max_column
        blank = [None] * max_column
        convert = _openpyxl_value
        self._rows = [  # 0-based rows of openpyxl values, max_column wide
            # Most cells are text: kept as they are unless empty (the rest as _openpyxl_value).
            [(v or None) if type(v) is str else convert(v) for v in values[i][:max_column]]
            + blank[len(values[i]) :]
            if i < len(values)
            else list(blank)
            for i in range(max_row)
        ]
        for (row, column), text in errors.items():
            self._rows[row - 1][column - 1] = text
        self._links = links  # (row, column) 1-based -> Hyperlink

    def value_rows(self, min_row: int) -> Iterator[tuple[int, list, dict[int, Hyperlink]]]:
        """(row number, values, 0-based column -> Hyperlink) from ``min_row`` to the last row:
        what :meth:`iter_rows` gives, without a Cell per cell. The value lists are the sheet's
        own (not to be changed)."""
        by_row: dict[int, dict[int, Hyperlink]] = {}
        for (row, column), link in self._links.items():
            by_row.setdefault(row, {})[column - 1] = link
        none: dict[int, Hyperlink] = {}
        for row in range(min_row, self.max_row + 1):
            yield row, self._rows[row - 1], by_row.get(row, none)

    def iter_rows(self, min_row=None, max_row=None, values_only=False) -> Iterator[tuple]:
        first, last = min_row or 1, max_row or self.max_row
        links = self._links
        for row in range(first, last + 1):
            values = self._rows[row - 1]
            if values_only:
                yield tuple(values)
            elif links:
                yield tuple(
                    Cell(row, v, links.get((row, c))) for c, v in enumerate(values, start=1)
                )
            else:
                yield tuple(Cell(row, v) for v in values)


class Workbook:
    def __init__(self, sheetnames: tuple[str, ...], worksheets: list[Worksheet]) -> None:
        self.sheetnames = list(sheetnames)
        self.worksheets = worksheets

    def __getitem__(self, title: str) -> Worksheet:
        return next(ws for ws in self.worksheets if ws.title == title)

    def close(self) -> None:
        pass


def _openpyxl_value(value: object) -> object:
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _sheet_paths(zf: zipfile.ZipFile) -> list[tuple[str, str]] | None:
    """(sheet name, worksheet XML path) in workbook order; None for other sheet kinds."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {
        r.get("Id"): (r.get("Type"), r.get("Target")) for r in rels.iter(f"{_PKG_REL}Relationship")
    }
    out = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        kind, target = targets.get(sheet.get(f"{_REL}id"), (None, None))
        if kind != _WORKSHEET_TYPE or target is None:
            return None
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out.append((sheet.get("name"), posixpath.normpath(path)))
    return out


def _hyperlinks(zf: zipfile.ZipFile, path: str, xml: bytes) -> dict[tuple[int, int], Hyperlink]:
    block = _hyperlinks_block(xml)
    if block is None:
        return {}
    rels_path = posixpath.join(posixpath.dirname(path), "_rels", posixpath.basename(path) + ".rels")
    targets = {}
    if rels_path in zf.namelist():
        rels_xml = zf.read(rels_path)
        targets = _plain_relationships(rels_xml)
        if targets is None:
            rels = ElementTree.fromstring(rels_xml)
            targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship")}
    # The namespace declarations of the worksheet element, for the r:id attribute.
    head = xml[: xml.index(b">", xml.index(b"<worksheet")) + 1] if b"<worksheet" in xml else b""
    elements = _plain_hyperlinks(head, block)
    if elements is None:
        wrapper = head + block + b"</worksheet>"
        elements = [
            (link.get("ref") or "", link.get(f"{_REL}id"), link.get("location"))
            for link in ElementTree.fromstring(wrapper).iter(f"{_MAIN}hyperlink")
        ]
    links = {}
    for ref_text, rel_id, location in elements:
        ref = _REF.match(ref_text)
        if ref is None:
            raise _Unsupported
        target = targets[rel_id] if rel_id else None
        cell = (int(ref.group(2)), _column_number(ref.group(1)))
        links[cell] = Hyperlink(target, location)
    return links


def _hyperlinks_block(xml: bytes) -> bytes | None:
    """What ``_HYPERLINKS.search(xml)`` finds (the first ``<hyperlinks`` tag to the next
    ``</hyperlinks>``), by plain finds."""
    start = xml.find(b"<hyperlinks")
    while start != -1:
        after = xml[start + 11 : start + 12]
        if not (after.isalnum() or after == b"_"):  # a word boundary (\b) after the name
            end = xml.find(b"</hyperlinks>", start + 11)
            return None if end == -1 else xml[start : end + 13]
        start = xml.find(b"<hyperlinks", start + 1)
    return None


# The hyperlinks and relationships as Excel writes them (attributes in its order, values
# without tabs or line breaks), read by regular expressions instead of ElementTree.
def _attribute(name: bytes, group: bool, optional: bool = False) -> bytes:
    value = rb'"([^"<\t\n\r]*)"' if group else rb'"[^"<\t\n\r]*"'
    return rb"(?: " + name + rb"=" + value + (rb")?" if optional else rb")")


def _link(group: bool) -> bytes:
    """ref, r:id, (location attribute, location), (xr:uid)."""
    location = _attribute(b"location", group, optional=True)
    uid = _attribute(b"xr:uid", False, optional=True)
    return (
        rb"<hyperlink"
        + _attribute(b"ref", group)
        + _attribute(b"r:id", group, optional=True)
        + ((rb"(" + location + rb")") if group else location)
        + _attribute(b"tooltip", False, optional=True)
        + _attribute(b"display", False, optional=True)
        + ((rb"(" + uid + rb")") if group else uid)
        + rb"\s*/>"
    )


def _relationship(group: bool) -> bytes:
    """Id, Target."""
    return (
        rb"<Relationship"
        + _attribute(b"Id", group)
        + _attribute(b"Type", False)
        + _attribute(b"Target", group)
        + _attribute(b"TargetMode", False, optional=True)
        + rb"\s*/>"
    )


_LINK_ELEMENT = re.compile(_link(True))
_LINK_BLOCK = re.compile(rb"<hyperlinks>(?:\s*" + _link(False) + rb")*\s*</hyperlinks>")
_RELATIONSHIP_ELEMENT = re.compile(_relationship(True))
_RELATIONSHIPS = re.compile(
    rb'<\?xml version="1.0" encoding="UTF-8"(?: standalone="yes")?\?>\s*<Relationships xmlns="'
    + _PKG_REL[1:-1].encode()
    + rb'">(?:\s*'
    + _relationship(False)
    + rb")*\s*</Relationships>\s*"
)
_NAMED_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)")


def _plain_relationships(xml: bytes) -> dict[str, str] | None:
    """Id -> Target of a relationships part as Excel writes it; None (for ElementTree to read
    it) for any other form."""
    if not _plain_text(xml) or not _RELATIONSHIPS.fullmatch(xml):
        return None
    return {
        _unescape(i.decode()): _unescape(t.decode()) for i, t in _RELATIONSHIP_ELEMENT.findall(xml)
    }


def _plain_hyperlinks(head: bytes, block: bytes) -> list[tuple] | None:
    """(ref, relationship id, location) of every hyperlink in ``block`` (the worksheet's
    ``<hyperlinks>``) as Excel writes it, under the worksheet element ``head``; None (for
    ElementTree to read it) for any other form."""
    if not _plain_text(block) or not _LINK_BLOCK.fullmatch(block):
        return None
    parser = ElementTree.XMLPullParser(events=("start-ns",))
    parser.feed(head + b"</worksheet>")
    parser.close()
    declared: dict[str, str] = {}
    for _event, (prefix, uri) in parser.read_events():
        declared[prefix] = uri
    if declared.get("") != _MAIN[1:-1] or declared.get("r") != _REL[1:-1]:
        return None
    out = []
    for ref, rel_id, location_attribute, location, uid in _LINK_ELEMENT.findall(block):
        if uid and "xr" not in declared:
            return None
        out.append(
            (
                _unescape(ref.decode()),
                _unescape(rel_id.decode()) or None,
                _unescape(location.decode()) if location_attribute else None,
            )
        )
    return out


def _plain_text(xml: bytes) -> bool:
    """No character references and no ``&`` but in the five named entities."""
    return b"&#" not in xml and _NAMED_ENTITY.search(xml) is None


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def _errors(xml: bytes) -> dict[tuple[int, int], str]:
    if b't="e"' not in xml:
        return {}  # no error cell (the pattern below needs this text)
    out = {}
    for column, row, body in _error_cells(xml):
        value = _VALUE.search(body)
        if value is None:
            raise _Unsupported
        out[int(row), _column_number(column)] = html.unescape(value.group(1).decode())
    return out


def _cell_refs(xml: bytes) -> list[tuple[bytes, bytes]] | None:
    """(column letters, row number) of every cell, None if a cell has no reference. Excel
    writes the reference first (``<c r="A1" ...>``): read so by a plainer pattern when every
    cell tag is written so."""
    if _OTHER_CELL_TAG.search(xml) is None:
        return _PLAIN_CELL_REF.findall(xml)
    refs = _CELL_REF.findall(xml)
    return refs if len(refs) == len(_CELL_TAG.findall(xml)) else None


_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')
_OTHER_CELL_TAG = re.compile(rb'<c(?:[\t\n\r\x0b\x0c>/]| (?!r="[A-Z]{1,3}[0-9]+"))')


def _error_cells(xml: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """``_ERROR_CELL.findall(xml)``, matched only at the cell tags holding ``t="e"`` (a match
    starts at one): the tag that opens before each ``t="e"``. When the ``<`` before one is not a
    cell tag's, or follows another ``<`` not closed, the whole text is searched."""
    found, resume = [], 0
    for flag in _flags(xml):
        start = xml.rfind(b"<", 0, flag)
        if start < resume:
            continue  # inside the last match
        if (
            not _CELL_OPEN.match(xml, start)
            or xml.rfind(b"<", xml.rfind(b">", 0, start) + 1, start) != -1
        ):  # not a cell tag, or one opened inside another tag
            return _ERROR_CELL.findall(xml)
        if xml.find(b">", start, flag) != -1:
            continue  # outside any tag
        match = _ERROR_CELL.match(xml, start)
        if match is not None:
            found.append(match.groups())
            resume = match.end()
    return found


def _flags(xml: bytes) -> Iterator[int]:
    """Where ``\\bt="e"`` matches (a literal find: the pattern's ``\\b`` defeats the regex
    engine's search for a literal prefix)."""
    at = xml.find(b't="e"')
    while at != -1:
        before = xml[at - 1 : at]
        if not (before.isalnum() or before == b"_"):
            yield at
        at = xml.find(b't="e"', at + 1)


_CELL_OPEN = re.compile(rb"<c\s")


class _Unsupported(Exception):
    pass


def open_workbook(path: Path, *, formulas: bool = True) -> Workbook | None:
    """The workbook's sheets, or None when it holds something this reader does not model;
    with ``formulas=False`` also None when a worksheet part holds a formula (the test of
    :func:`analysis.ice.read.check_container`, on the parts read here anyway)."""
    import python_calamine

    try:
        with zipfile.ZipFile(path) as zf:
            sheets = _sheet_paths(zf)
            if sheets is None:
                return None
            if not formulas:
                read = {part for _, part in sheets}
                others = [
                    n for n in zf.namelist() if n not in read and _WORKSHEET_PART.fullmatch(n)
                ]
                if any(_FORMULA_TAG.search(zf.read(name)) for name in others):
                    return None
            parts = []
            for title, part in sheets:
                xml = zf.read(part)
                if not formulas and _FORMULA_TAG.search(xml):
                    return None
                if b"<mergeCell" in xml or _PREFIXED_CELL.search(xml):
                    return None
                refs = _cell_refs(xml)
                if refs is None:
                    return None  # a cell without its reference
                links = _hyperlinks(zf, part, xml)
                errors = _errors(xml)
                letters, numbers = zip(*refs, strict=True) if refs else ((), ())
                rows = [*map(int, set(numbers)), *(r for r, _ in links)]
                columns = [*map(_column_number, set(letters)), *(c for _, c in links)]
                dimension = _DIMENSION.search(xml)
                stated = dimension.group(1).decode() if dimension else None
                parts.append(
                    (title, max(rows, default=1), max(columns, default=1), links, errors, stated)
                )
        calamine = python_calamine.CalamineWorkbook.from_path(str(path))
        if list(calamine.sheet_names) != [title for title, *_ in parts]:
            return None
        worksheets = []
        for title, max_row, max_column, links, errors, stated in parts:
            values = calamine.get_sheet_by_name(title).to_python(skip_empty_area=False)
            worksheets.append(Worksheet(title, values, max_row, max_column, links, errors, stated))
        calamine.close()
    except (_Unsupported, KeyError, ValueError, ElementTree.ParseError):
        return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None  # the caller's container check says what is wrong
    except python_calamine.CalamineError:
        return None
    return Workbook(tuple(title for title, *_ in parts), worksheets)


def read_only_rows(path: Path) -> list[tuple] | None:
    """The first sheet's rows as openpyxl's read-only mode gives them
    (``load_workbook(path, read_only=True, data_only=True)``, ``iter_rows(values_only=True)``),
    or None when this reader cannot promise that.

    Read-only openpyxl sizes the sheet by its stated ``<dimension ref>``, normal mode by the
    cells present: the two agree when the dimension is ``A1:`` to the last row and column
    holding a cell, and only then are the rows returned (cached values of formula cells, as
    ``data_only`` gives them)."""
    wb = open_workbook(path)
    if wb is None or not wb.worksheets:
        return None
    ws = wb.worksheets[0]
    ref = _DIMENSION_REF.match(ws.dimension or "")
    if ref is None or (int(ref.group(2)), _column_number(ref.group(1))) != (
        ws.max_row,
        ws.max_column,
    ):
        return None
    return list(ws.iter_rows(values_only=True))


_DIMENSION_REF = re.compile(r"^A1:([A-Z]{1,3})([0-9]+)$")
