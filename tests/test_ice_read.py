"""Reading ICE spreadsheets of every era, splitting rows into tidy and quarantined."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest
from test_ice_fixtures import (
    HTML_COLUMNS,
    PENDING_COLUMNS,
    WORKBOOK_COLUMNS,
    WORKBOOK_QUARANTINED,
    WORKBOOK_ROWS_IN,
    html_era,
    link,
    pending_list,
    workbook_era,
    write_sheet,
)

from analysis.errors import UserError
from analysis.ice.read import IceSheetError, read_sheet
from analysis.ice.rows import split_rows
from analysis.ice.snapshot import load_file


def test_html_era(tmp_path):
    sheet = read_sheet(html_era(tmp_path / "h.xlsx"))
    assert (sheet.sheet_name, sheet.header_row, sheet.list_kind) == (
        "287(g) Agreements",
        1,
        "participating",
    )
    assert sheet.columns == tuple(HTML_COLUMNS)
    assert sheet.era.startswith("participating html table")
    assert len(sheet.rows) == 4 and sheet.rows[0].sheet_row == 2
    split = split_rows(sheet, date(2025, 1, 31), "h.xlsx")
    first = split.clean[0]
    assert first["signed"] == date(2020, 6, 9) and first["signed_flag"] is None
    assert first["moa_url"].startswith("https://web.archive.org/web/")
    assert first["agency_type_inferred"] and first["agency_type"] == "County"
    assert [r["agency_type"] for r in split.clean] == ["County", "State", "Municipality", "Other"]


def test_workbook_era_rows_and_accounting(tmp_path):
    sheet = read_sheet(workbook_era(tmp_path / "w.xlsx"))
    assert sheet.sheet_name == "Sheet1" and sheet.sheet_names == ("Sheet1", "Sheet2")
    assert sheet.columns == tuple(WORKBOOK_COLUMNS) and sheet.unmapped_columns == ()
    assert len(sheet.rows) == WORKBOOK_ROWS_IN
    assert (sheet.interior_blank_rows, sheet.trailing_blank_rows) == (1, 10)
    split = split_rows(sheet, date(2025, 7, 15), "w.xlsx")
    assert len(split.clean) + len(split.quarantined) == len(sheet.rows)
    assert len(split.quarantined) == WORKBOOK_QUARANTINED


def test_workbook_era_normalized_values(tmp_path):
    loaded = load_file(workbook_era(tmp_path / "w.xlsx"), date(2025, 7, 15), "w.xlsx")
    rows = {r["sheet_row"]: r for r in loaded.clean}

    delta = rows[2]
    assert (delta["state_raw"], delta["state"]) == ("Texas ", "TX")
    assert delta["agency"] == "Delta County Sheriff's Office"
    assert delta["agency_key"] == "TX|DELTA COUNTY SHERIFF'S OFFICE" == rows[3]["agency_key"]
    assert (delta["model"], rows[3]["model"]) == ("JEM", "TFM")
    assert delta["moa_raw"] == "link" and delta["moa_url"].endswith("delta_MOA.pdf")
    assert (delta["type_raw"], delta["agency_type"], delta["agency_type_inferred"]) == (
        "County ",
        "County",
        False,
    )

    echo = rows[4]
    assert (echo["state"], echo["state_match"]) == ("PA", "known_typo")
    assert (echo["signed"], echo["signed_flag"]) == (date(2025, 5, 8), "repaired_missing_slash")
    assert echo["agency_type"] == "Municipality" and echo["county_ice"] is None
    assert echo["county_raw"] == "#N/A"

    foxtrot = rows[5]
    assert foxtrot["signed_raw"] == "5025-07-07" and foxtrot["signed"] is None
    assert foxtrot["signed_flag"] == "impossible_year"
    assert foxtrot["signed_corrected"] == date(2025, 7, 7)
    assert foxtrot["agency_type_inferred"] and foxtrot["agency_type"] == "County"
    assert foxtrot["addendum_url"].endswith("foxtrot_add_MOA.pdf")
    assert foxtrot["moa_raw"] == "link\u00a0|\u00a0addendum"

    guam = rows[7]
    assert (guam["state"], guam["is_territory"], guam["agency_type"]) == ("GU", True, "State")

    juliet = rows[10]  # after the interior blank row
    assert juliet["agency_key"] == "FL|JULIET INTERNATIONAL AIRPORT POLICE DEPARTMENT"
    assert juliet["agency_category"] == "airport or port authority"
    assert (juliet["signed"], juliet["signed_flag"]) == (None, "after_snapshot")
    assert juliet["moa_url"] is None and juliet["moa_raw"] == "link pending"

    kilo = [r for r in loaded.clean if r["agency_key"] == "FL|KILO POLICE DEPARTMENT"]
    assert len(kilo) == 2 and all(r["duplicate_key"] for r in kilo)
    assert not delta["duplicate_key"]


def test_quarantined_rows_keep_their_raw_values_and_reasons(tmp_path):
    loaded = load_file(workbook_era(tmp_path / "w.xlsx"), date(2025, 7, 15), "w.xlsx")
    reasons = {q["sheet_row"]: q for q in loaded.quarantined}
    assert set(reasons) == {6, 9}
    assert (reasons[6]["reason"], reasons[6]["columns"]) == ("unknown_model", "SUPPORT TYPE")
    assert "Harbor Patrol Model" in reasons[6]["detail"]
    assert (reasons[9]["reason"], reasons[9]["columns"]) == ("unmapped_state", "STATE")
    raw = json.loads(reasons[9]["raw_values"])
    assert raw["STATE"] == "ATLANTIS" and raw["SIGNED"] == "2025-05-02"
    assert raw["MOA link"].endswith("india_MOA.pdf")


def test_row_with_several_problems_is_quarantined_once(tmp_path):
    path = write_sheet(
        tmp_path / "bad.xlsx",
        WORKBOOK_COLUMNS,
        [[None, None, "County", None, "Rescue Model", datetime(2025, 1, 1), None, None]],
    )
    [q] = load_file(path, date(2025, 2, 1)).quarantined
    assert q["reason"] == "missing_state|missing_agency|unknown_model"
    assert q["columns"] == "STATE|LAW ENFORCEMENT AGENCY|SUPPORT TYPE"


def test_stray_cell_in_an_unnamed_column_is_a_quarantined_row(tmp_path):
    path = tmp_path / "stray.xlsx"
    row = ["TEXAS", "Alpha PD", "Municipality", None, "Task Force Model", datetime(2025, 1, 1)]
    write_sheet(path, WORKBOOK_COLUMNS, [row + [None, None]])
    wb = openpyxl.load_workbook(path)
    wb.active["K5"] = "note: pending review"
    wb.save(path)
    loaded = load_file(path, date(2025, 2, 1))
    assert loaded.rows_in == 2 and len(loaded.clean) == 1
    assert json.loads(loaded.quarantined[0]["raw_values"]) == {"column K": "note: pending review"}


def test_pending_list_is_recognized_by_content_not_name(tmp_path):
    # ICE once published its pending list under the participating file name
    sheet = read_sheet(pending_list(tmp_path / "participatingAgencies09222025pm.xlsx"))
    assert sheet.list_kind == "pending" and sheet.sheet_name == "Sheet 1"
    assert sheet.columns == tuple(PENDING_COLUMNS)
    split = split_rows(sheet, date(2025, 9, 22), "p.xlsx")
    assert all(r["signed"] is None and r["signed_flag"] is None for r in split.clean)


def test_empty_pending_list(tmp_path):
    path = write_sheet(tmp_path / "empty.xlsx", PENDING_COLUMNS, [], sheet="Sheet 1",
                       trailing_blank=5)  # fmt: skip
    sheet = read_sheet(path)
    assert (sheet.list_kind, len(sheet.rows), sheet.trailing_blank_rows) == ("pending", 0, 5)


def test_header_is_found_below_title_rows_and_tallies_sheet_is_skipped(tmp_path):
    path = write_sheet(
        tmp_path / "t.xlsx",
        WORKBOOK_COLUMNS,
        [["OHIO", "Alpha PD", "Municipality", None, "Task Force Model", datetime(2025, 3, 1),
          link("alpha"), None]],
        title_rows=2,
        tallies_sheet="Sheet2",
        tallies_first=True,
    )  # fmt: skip
    sheet = read_sheet(path)
    assert (sheet.sheet_name, sheet.header_row, sheet.rows[0].sheet_row) == ("Sheet1", 3, 4)
    assert sheet.rows[0].links["MOA"].endswith("alpha_MOA.pdf")


def test_unknown_extra_column_is_recorded_and_ignored(tmp_path):
    path = write_sheet(
        tmp_path / "x.xlsx",
        WORKBOOK_COLUMNS + ["NOTES"],
        [["OHIO", "Alpha PD", "Municipality", None, "Task Force Model", datetime(2025, 3, 1),
          None, None, "new"]],
    )  # fmt: skip
    sheet = read_sheet(path)
    assert sheet.unmapped_columns == ("NOTES",) and sheet.columns == tuple(WORKBOOK_COLUMNS)
    assert sheet.rows[0].extra == {"I": "new"}


def test_renamed_required_column_fails_naming_it(tmp_path):
    columns = [c if c != "SUPPORT TYPE" else "MODEL" for c in WORKBOOK_COLUMNS]
    path = write_sheet(tmp_path / "renamed.xlsx", columns, [])
    with pytest.raises(IceSheetError) as error:
        read_sheet(path)
    message = str(error.value)
    assert str(path) in message and "'Sheet1'" in message and "header row 1" in message
    assert "missing required column(s) SUPPORT TYPE" in message
    assert "unrecognized column(s) 'MODEL'" in message
    assert "expected columns STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE" in message
    assert isinstance(error.value, UserError) and isinstance(error.value, ValueError)


def test_renamed_header_marker_fails_naming_it(tmp_path):
    columns = [c if c != "STATE" else "STATE/TERRITORY" for c in WORKBOOK_COLUMNS]
    path = write_sheet(tmp_path / "renamed.xlsx", columns, [], tallies_sheet="Sheet2")
    with pytest.raises(IceSheetError) as error:
        read_sheet(path)
    message = str(error.value)
    assert "no sheet has a header row with both STATE and LAW ENFORCEMENT AGENCY" in message
    assert "sheet 'Sheet1' row 1" in message and "lacks STATE" in message
    assert "unrecognized 'STATE/TERRITORY'" in message and "sheet 'Sheet2'" in message


def test_repeated_column_fails(tmp_path):
    path = write_sheet(tmp_path / "r.xlsx", WORKBOOK_COLUMNS + ["STATE"], [])
    with pytest.raises(IceSheetError, match="repeated column"):
        read_sheet(path)


def test_not_a_workbook_fails_clearly(tmp_path):
    path = tmp_path / "page.xlsx"
    path.write_text("<html>not found</html>")
    with pytest.raises(IceSheetError, match="not a readable .xlsx workbook"):
        read_sheet(path)
