"""The fast workbook reader (python-calamine + the sheet XML) reads what openpyxl reads."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from test_ice_fixtures import html_era, pending_list, workbook_era

from analysis.ice import xlsx
from analysis.ice.index import archived_snapshots
from analysis.ice.read import read_sheet


def quirky(path: Path) -> Path:
    """Every cell kind the ICE files hold: shared and inline text, whole and decimal numbers,
    dates, booleans, an error cell, a hyperlink on an empty cell past the last value, formatted
    empty rows below the data and a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "287(g) Agreements"
    ws.append(["STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED", "MOA", "NOTE"])
    ws.append(["TEXAS", "X County Sheriff", "Jail Enforcement Model", datetime(2025, 1, 2)])
    ws.append(["OHIO", "  Y Police  ", "Task Force Model", datetime(2025, 3, 4, 5, 6), "link", 7])
    ws.append(["IOWA", "Z Sheriff", "Warrant Service Officer", 45000, None, 2.5])
    ws.append(["UTAH", "W Sheriff", "Task Force Model", True, "=text, not a formula", ""])
    ws["E2"].hyperlink = "https://example.org/a.pdf?x=1&y=2"
    ws["E3"].hyperlink = "https://example.org/b.pdf"
    ws["G8"].hyperlink = "https://example.org/c.pdf"  # a hyperlinked empty cell
    ws["D6"] = "=text"
    ws["D6"].data_type = "s"
    ws["E5"].value = "#N/A"
    ws["E5"].data_type = "e"
    for row in range(9, 14):
        ws.cell(row, 2).number_format = "0.00"  # formatted empty rows
    wb.create_sheet("Sheet2").append(["tally", 3])
    wb.save(path)
    return path


@pytest.mark.parametrize("make", [quirky, html_era, workbook_era, pending_list])
def test_fast_reader_equals_openpyxl_on_fixtures(tmp_path, make):
    path = make(tmp_path / "f.xlsx")
    assert xlsx.open_workbook(path) is not None
    assert read_sheet(path) == read_sheet(path, fast=False)


def test_merged_cells_are_left_to_openpyxl(tmp_path):
    path = quirky(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("A7:B7")
    wb.save(path)
    assert xlsx.open_workbook(path) is None
    assert read_sheet(path) == read_sheet(path, fast=False)


@pytest.mark.mirror
def test_fast_reader_equals_openpyxl_on_every_mirrored_file(raw_dir):
    for snapshot in archived_snapshots():
        path = raw_dir / snapshot.file
        assert xlsx.open_workbook(path) is not None, snapshot.file
        assert read_sheet(path) == read_sheet(path, fast=False), snapshot.file


def test_formulas_are_left_to_openpyxl(tmp_path):
    path = quirky(tmp_path / "f.xlsx")
    assert xlsx.open_workbook(path, formulas=False) is not None
    wb = openpyxl.load_workbook(path)
    wb.active["F3"] = "=1+1"
    wb.save(path)
    assert xlsx.open_workbook(path) is not None  # values only: the cached results
    assert xlsx.open_workbook(path, formulas=False) is None
    assert read_sheet(path) == read_sheet(path, fast=False)
    assert read_sheet(path).rows[1].formulas == {} and read_sheet(path).rows[1].extra["F"] == "=1+1"


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_RELS_NS}" xmlns:xr="urn:x">'
_LINKS = [  # (hyperlinks block, worksheet head, read without ElementTree)
    ('<hyperlinks><hyperlink ref="A1" r:id="rId1" xr:uid="{X}"/></hyperlinks>', _HEAD, True),
    (
        '<hyperlinks>\n <hyperlink ref="B2" location="\'S 1\'!A1" display="a &amp; b &lt;&gt;"'
        ' /><hyperlink ref="C3" r:id="" location=""/></hyperlinks>',
        _HEAD,
        True,
    ),
    ("<hyperlinks></hyperlinks>", _HEAD, True),
    ('<hyperlinks><hyperlink ref="A1" r:id="x"/></hyperlinks>', _HEAD.replace(":r=", ":q="), False),
    (
        '<hyperlinks><hyperlink ref="A1" xr:uid="1"/></hyperlinks>',
        _HEAD.replace(":xr", ":y"),
        False,
    ),
    ('<hyperlinks><hyperlink ref="A1" r:id="r"><x/></hyperlink></hyperlinks>', _HEAD, False),
    ('<hyperlinks><!-- c --><hyperlink ref="A1"/></hyperlinks>', _HEAD, False),
    ('<hyperlinks><hyperlink ref="A1" location="a&#10;b"/></hyperlinks>', _HEAD, False),
    ('<hyperlinks><hyperlink ref="A1" location="a\nb"/></hyperlinks>', _HEAD, False),
    ('<hyperlinks><hyperlink location="x" ref="A1"/></hyperlinks>', _HEAD, False),
    ('<hyperlinks><hyperlink ref="A1"/></hyperlinks>', '<worksheet xmlns:r="urn:r">', False),
    ('<hyperlinks><hyperlink ref="A1">text</hyperlink></hyperlinks>', _HEAD, False),
    ('<hyperlinks><hyperlink ref="A1" ref="A2"/></hyperlinks>', _HEAD, False),
]
_RELS = [  # (relationships part, read without ElementTree)
    (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<Relationships xmlns="{_PKG_NS}"><Relationship Id="rId1" Type="t" '
        'Target="https://e.org/a?x=1&amp;y=2" TargetMode="External"/>'
        '<Relationship Id="rId2" Type="t" Target="b"/></Relationships>',
        True,
    ),
    (f'<Relationships xmlns="{_PKG_NS}"><Relationship Type="t" Target="b" Id="r"/></Relationships>',
     False),
    ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="urn:other">'
     '<Relationship Id="r" Type="t" Target="b"/></Relationships>', False),
]  # fmt: skip


@pytest.mark.parametrize(("block", "head", "plain"), _LINKS)
def test_plain_hyperlinks_are_read_as_elementtree_reads_them(block, head, plain):
    from xml.etree import ElementTree

    got = xlsx._plain_hyperlinks(head.encode(), block.encode())
    assert (got is not None) == plain
    if got is not None:
        tree = ElementTree.fromstring((head + block + "</worksheet>").encode())
        links = tree.iter(f"{{{_MAIN_NS}}}hyperlink")
        rel_id = f"{{{_RELS_NS}}}id"
        assert got == [(e.get("ref"), e.get(rel_id) or None, e.get("location")) for e in links]


@pytest.mark.parametrize(("part", "plain"), _RELS)
def test_plain_relationships_are_read_as_elementtree_reads_them(part, plain):
    from xml.etree import ElementTree

    got = xlsx._plain_relationships(part.encode())
    assert (got is not None) == plain
    if got is not None:
        tree = ElementTree.fromstring(part.encode())
        assert got == {
            e.get("Id"): e.get("Target") for e in tree.iter(f"{{{_PKG_NS}}}Relationship")
        }


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="A1" s="1"><v>1</v></c><c r="AB12" t="s"/>',
        '<c r="A1"/><c s="1" r="B2"/>',
        '<c r="A1"/><c><v>2</v></c>',
        '<c r="A1"/><c r="a1"/>',
        '<c\nr="A1"/><c r="C3"/>',
        '<c r="A1"/><col min="1"/><cols/>',
        "",
    ],
)
def test_cell_refs_are_those_of_the_general_pattern(cells):
    xml = f"<worksheet><sheetData><row>{cells}</row></sheetData></worksheet>".encode()
    refs = xlsx._CELL_REF.findall(xml)
    expected = refs if len(refs) == len(xlsx._CELL_TAG.findall(xml)) else None
    assert xlsx._cell_refs(xml) == expected


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="e"><v>#R</v></c>',
        '<c r="A1" t="e"/><c r="B1" t="e"><v>#N/A</v></c>',
        '<c r="A1" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="A1" t="inlineStr"><is><t>t="e"</t></is></c><c r="B2" t="e"><v>#N/A</v></c>',
        '<c r="A1" x="<c " t="e"><v>#N/A</v></c>',
        '<c t="e" r="D4"><v>#NAME?</v></c><cols t="e"/>',
        "",
    ],
)
def test_error_cells_are_those_of_the_general_pattern(cells):
    xml = f"<worksheet><sheetData><row>{cells}</row></sheetData></worksheet>".encode()
    assert xlsx._error_cells(xml) == xlsx._ERROR_CELL.findall(xml)


@pytest.mark.parametrize(
    "xml",
    [
        b"<a/><hyperlinks><hyperlink/></hyperlinks><b/>",
        b"<hyperlinksX/><hyperlinks>x</hyperlinks></hyperlinks>",
        b"<hyperlinks><hyperlink/>",
        b"<hyperlinks/>",
        b"<hyperlinks",
        b"",
    ],
)
def test_hyperlinks_block_is_what_the_pattern_finds(xml):
    found = xlsx._HYPERLINKS.search(xml)
    assert xlsx._hyperlinks_block(xml) == (found.group(0) if found else None)
