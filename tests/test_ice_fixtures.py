"""Tiny ICE spreadsheets in the real formats, built with openpyxl at test time.

The agency names are invented; no row is copied from the mirror. Other ``test_ice_*`` modules
import the builders from here; the tests below check that the builders reproduce the formats'
quirks (doc ice-287g-data.md §3-5).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HTML_COLUMNS = ["STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED", "MOA"]
WORKBOOK_COLUMNS = [
    "STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA",
    "ADDENDUM",
]  # fmt: skip
PENDING_COLUMNS = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE"]
MOA_URL = "https://www.ice.gov/doclib/287gMOA/{}_MOA.pdf"
WAYBACK = "https://web.archive.org/web/20250131000000/https://www.ice.gov/doclib/287gMOA/{}.pdf"


class Link(str):
    """A cell value that also carries a hyperlink target, as ICE's MOA cells do."""

    target: str

    def __new__(cls, text: str, target: str):
        obj = super().__new__(cls, text)
        obj.target = target
        return obj


def write_sheet(
    path: Path,
    columns: list[str],
    rows: list[list],
    *,
    sheet: str = "Sheet1",
    trailing_blank: int = 0,
    blank_after: int | None = None,
    title_rows: int = 0,
    tallies_sheet: str | None = None,
    tallies_first: bool = False,
    empty_header_columns: int = 0,
) -> Path:
    """One workbook: optional title rows, the header, the rows (an interior blank row after
    ``blank_after`` rows), formatted empty trailing rows, and an optional tallies sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for i in range(title_rows):
        ws.append([f"287(g) list title line {i + 1}"])
    ws.append(columns + [None] * empty_header_columns)
    for i, row in enumerate(rows):
        if blank_after is not None and i == blank_after:
            ws.append([])
            for col in range(1, len(columns) + 1):  # formatted but empty, as ICE leaves them
                ws.cell(ws.max_row, col).font = Font(bold=True)
        ws.append([str(v) if isinstance(v, Link) else v for v in row])
        for col, value in enumerate(row, start=1):
            if isinstance(value, Link):
                ws.cell(ws.max_row, col).hyperlink = value.target
    last = ws.max_row
    for offset in range(1, trailing_blank + 1):
        for col in range(1, len(columns) + 1 + empty_header_columns):
            ws.cell(last + offset, col).font = Font(bold=True)
    if tallies_sheet:
        tallies = wb.create_sheet(tallies_sheet, 0 if tallies_first else None)
        tallies.append(["Total", "JEM", "TFM", "WSO"])
        tallies.append([len(rows), 1, 1, 1])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def link(name: str) -> Link:
    return Link("link", MOA_URL.format(name))


def html_era(path: Path) -> Path:
    """The 2021 - 2025-02-19 format: 5 columns, ISO text dates, plain-text Wayback MOA URLs."""
    rows = [
        ["ALABAMA", "Alpha County Sheriff's Office", "Jail Enforcement Model", "2020-06-09",
         WAYBACK.format("alpha")],
        ["ALASKA", "Department of Corrections", "Warrant Service Officer", "2020-07-24",
         WAYBACK.format("akdoc")],
        ["ALASKA", "Bravo Police Department", "Warrant Service Officer", "2020-07-20",
         WAYBACK.format("bravo")],
        ["NORTH CAROLINA", "Charlie District Jail", "Warrant Service Officer", "2020-03-19",
         WAYBACK.format("charlie")],
    ]  # fmt: skip
    return write_sheet(path, HTML_COLUMNS, rows, sheet="287(g) Agreements")


def workbook_era(path: Path) -> Path:
    """An ICE workbook with every quirk the reader must survive (rows numbered from 2)."""
    rows = [
        # 2: title-case state, trailing spaces, curly apostrophe, a real Excel date, MOA link
        ["Texas ", "Delta County Sheriff\u2019s Office ", "County ", "Delta County",
         "Jail Enforcement Model ", datetime(2025, 4, 14), link("delta"), None],
        # 3: same agency, other model, straight apostrophe, NBSP inside the name
        ["TEXAS", "Delta County\u00a0Sheriff's Office", "County", "Delta County",
         "Task Force Officer ", datetime(2025, 4, 15), link("delta_tfm"), None],
        # 4: typo state, text date with a missing slash, Muncipality typo, #N/A county
        ["PENNSLYVANIA", "Echo Borough Police Department", "Muncipality ", "#N/A",
         "Warrant Services Officer", "05/082025", link("echo"), None],
        # 5: year 5025 (means 2025-07-07), #NA type, addendum link with NBSPs
        ["UTAh", "Foxtrot County Sheriff's Office", "#NA", "Foxtrot County",
         "Warrant Service Office", datetime(5025, 7, 7),
         Link("link\u00a0|\u00a0addendum", MOA_URL.format("foxtrot")), link("foxtrot_add")],
        # 6: unknown model -> quarantined
        ["FLORIDA", "Golf Police Department", "Municipality", "N/A", "Harbor Patrol Model",
         datetime(2025, 5, 1), link("golf"), None],
        # 7: territory
        ["GUAM", "Guam Department of Corrections", "State Agency", "Hotel District",
         "Jail Enforcement Model", datetime(2025, 9, 1), link("guam"), None],
        # 8: unknown state -> quarantined
        ["ATLANTIS", "India Police Department", "Municipality", "N/A", "Task Force Model",
         datetime(2025, 5, 2), link("india"), None],
        # 9: airport police under an abbreviation, signed after the snapshot
        ["FLORIDA", "Juliet International Airport PD.", "Municipality", "Juliet County",
         "Task Force Model", datetime(2025, 12, 1), "link pending", None],
        # 10: duplicate agreement key (ICE listed one agency twice with two dates)
        ["FLORIDA", "Kilo Police Department", "Municipality", "N/A", "Task Force Model",
         datetime(2025, 4, 14), link("kilo"), None],
        ["FLORIDA", "Kilo Police Department ", "Municipality", "N/A", "Task Force Model",
         datetime(2025, 4, 15), link("kilo2"), None],
    ]  # fmt: skip
    return write_sheet(
        path,
        WORKBOOK_COLUMNS,
        rows,
        trailing_blank=10,
        blank_after=6,  # one interior blank row, after row 7 (so the later rows shift by one)
        tallies_sheet="Sheet2",
        empty_header_columns=5,  # ICE workbooks run out to column M
    )


WORKBOOK_ROWS_IN = 10
WORKBOOK_QUARANTINED = 2


def pending_list(path: Path, rows: list[list] | None = None) -> Path:
    rows = rows or [
        ["TEXAS", "Lima County Sheriff's Office", "County", "Lima County", "Task Force Model"],
        ["OHIO", "Mike Police Department", "Municipality", "#N/A", "Task Force Model"],
    ]
    return write_sheet(path, PENDING_COLUMNS, rows, sheet="Sheet 1", trailing_blank=3)


def participating(path: Path, rows: list[tuple[str, str, str, datetime]]) -> Path:
    """A small workbook-era participating list from (state, agency, support type, signed)."""
    full = [
        [state, agency, "County" if "Sheriff" in agency else "Municipality", "N/A", model,
         signed, link(agency.replace(" ", "")), None]
        for state, agency, model, signed in rows
    ]  # fmt: skip
    return write_sheet(path, WORKBOOK_COLUMNS, full, trailing_blank=2)


def write_index(path: Path, raw_dir: Path, entries: list[tuple[str, str, str]]) -> Path:
    """A data/ice_snapshots.csv-style index for (file under raw_dir, snapshot_date, list)."""
    from analysis.ice.read import read_sheet

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["file", "snapshot_date", "list", "origin", "original_name", "manifest_rows", "notes"]
        )
        for file, snapshot_date, kind in entries:
            rows = len(read_sheet(raw_dir / file).rows)
            writer.writerow([file, snapshot_date, kind, "test fixture", Path(file).name, rows, ""])
    return path


# ---------------------------------------------------------------------------------------------


def test_workbook_fixture_has_the_real_quirks(tmp_path):
    path = workbook_era(tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    assert wb.sheetnames == ["Sheet1", "Sheet2"]
    assert [c.value for c in ws[1]][:8] == WORKBOOK_COLUMNS and ws.max_column == 13
    assert ws.max_row == 1 + WORKBOOK_ROWS_IN + 1 + 10  # header, data, interior blank, trailing
    assert ws["G2"].hyperlink.target.endswith("delta_MOA.pdf") and ws["G2"].value == "link"
    assert isinstance(ws["F2"].value, datetime) and ws["F4"].value == "05/082025"
    assert all(c.value is None for c in ws[8])  # the interior blank row


def test_html_fixture_has_text_dates_and_url_text(tmp_path):
    ws = openpyxl.load_workbook(html_era(tmp_path / "h.xlsx"))["287(g) Agreements"]
    assert ws["D2"].value == "2020-06-09" and ws["E2"].value.startswith("https://web.archive")
    assert ws["E2"].hyperlink is None
