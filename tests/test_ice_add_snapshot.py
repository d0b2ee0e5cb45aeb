"""`analysis add-snapshot`: a spreadsheet obtained by hand joins the history as a download does."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest
from test_ice_fixtures import PENDING_COLUMNS, WORKBOOK_COLUMNS, link, write_sheet

from analysis.cli import main
from analysis.errors import UserError
from analysis.ice.history import snapshot_sources
from analysis.ice.live import add_snapshot, date_in_file_name, snapshot_date_for
from analysis.ice.read import IceSheetError

NOW = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


def sheet(path, *, signed=datetime(2026, 5, 20), columns=WORKBOOK_COLUMNS, agency="Alpha PD"):
    row = {
        "STATE": "OHIO ", "LAW ENFORCEMENT AGENCY": agency, "TYPE": "Municipality",
        "COUNTY": "N/A", "SUPPORT TYPE": "Task Force Model", "SIGNED": signed,
        "MOA": link("alpha"), "ADDENDUM": None,
    }  # fmt: skip
    return write_sheet(path, list(columns), [[row.get(c, "x") for c in columns]])


def latest_rows(raw):
    with open(raw / "ice_287g/latest/LATEST.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_date_in_ice_file_names():
    assert date_in_file_name("participatingAgencies05182026pm.xlsx") == date(2026, 5, 18)
    assert date_in_file_name("ParticipatingAgencies04232026.xlsx") == date(2026, 4, 23)
    assert date_in_file_name("participatingAgencies11114025am.xlsx") == date(4025, 11, 11)
    assert date_in_file_name("participatingAgencies090022025am.xlsx") is None  # 9 digits
    assert date_in_file_name("pendingAgencies13402026am.xlsx") is None  # month 13
    assert date_in_file_name("287g list from a colleague.xlsx") is None


def test_the_date_comes_from_date_then_the_file_name_then_today(tmp_path):
    named = sheet(tmp_path / "participatingAgencies05282026am.xlsx")
    today = NOW.date()
    assert snapshot_date_for(named, date(2026, 5, 30), today) == (date(2026, 5, 30), "--date")
    assert snapshot_date_for(named, None, today) == (
        date(2026, 5, 28),
        "ICE's file name 'participatingAgencies05282026am.xlsx'",
    )
    plain = sheet(tmp_path / "from a colleague.xlsx")
    day, why = snapshot_date_for(plain, None, today)
    assert day == today and why.startswith("today (no MMDDYYYY date in the file name")
    # ICE's year typos: a file named 01052025 whose SIGNED dates run into December 2025.
    typo = sheet(tmp_path / "participatingAgencies01052025pm.xlsx", signed=datetime(2025, 12, 18))
    day, why = snapshot_date_for(typo, None, today)
    assert day == today
    assert "says 2025-01-05, but an agreement is SIGNED 2025-12-18" in why
    future = sheet(tmp_path / "participatingAgencies11114025am.xlsx")
    assert "in the future" in snapshot_date_for(future, None, today)[1]


def test_added_sheet_is_copied_hashed_recorded_and_read_by_the_build(tmp_path):
    raw = tmp_path / "raw"
    path = sheet(tmp_path / "participatingAgencies05282026am.xlsx")
    said: list[str] = []
    snap = add_snapshot(path, raw_dir=raw, now=NOW, echo=said.append)
    assert snap.file == "ice_287g/latest/participating_2026-05-28.xlsx"
    assert (raw / snap.file).read_bytes() == path.read_bytes()
    assert said[0] == (
        "snapshot date 2026-05-28: from ICE's file name 'participatingAgencies05282026am.xlsx'"
    )
    [row] = latest_rows(raw)
    assert row["sha256"] == snap.sha256 and row["list_by_name"] == "participating"
    assert row["ice_file_name"] == path.name and row["retrieved_utc"] == "2026-06-03T09:00:00Z"
    assert row["url"].startswith("added by hand (analysis add-snapshot) from ")
    index = tmp_path / "ice_snapshots.csv"
    index.write_text("file,snapshot_date,list,origin,original_name,manifest_rows,notes\n")
    sources = snapshot_sources(raw, index)
    assert [(s.file, s.snapshot_date, s.source) for s in sources] == [
        (snap.file, date(2026, 5, 28), "live")
    ]


def test_adding_the_same_file_twice_is_a_no_op_with_a_message(tmp_path):
    raw = tmp_path / "raw"
    path = sheet(tmp_path / "participatingAgencies05282026am.xlsx")
    add_snapshot(path, raw_dir=raw, now=NOW, echo=lambda m: None)
    before = (raw / "ice_287g/latest/LATEST.csv").read_bytes()
    said: list[str] = []
    assert add_snapshot(path, raw_dir=raw, now=NOW, echo=said.append) is None
    assert said == [
        f"{path}: already added as ice_287g/latest/participating_2026-05-28.xlsx (2026-05-28); "
        "nothing changed"
    ]
    assert (raw / "ice_287g/latest/LATEST.csv").read_bytes() == before
    # Another sheet on the same day is kept beside the first.
    other = sheet(tmp_path / "participatingAgencies05282026pm.xlsx", agency="Bravo PD")
    assert add_snapshot(other, raw_dir=raw, now=NOW, echo=lambda m: None).file.endswith(
        "participating_2026-05-28_2.xlsx"
    )
    assert len(latest_rows(raw)) == 2


def test_a_file_that_is_not_a_spreadsheet_names_the_file(tmp_path):
    page = tmp_path / "participatingAgencies05282026am.xlsx"
    page.write_text("<!DOCTYPE html><html>Access Denied</html>")
    with pytest.raises(IceSheetError, match=f"^{page}: not a readable .xlsx workbook.*HTML"):
        add_snapshot(page, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    assert not (tmp_path / "raw").exists()


def test_a_renamed_column_names_the_file_row_and_column(tmp_path):
    columns = [("DATE SIGNED" if c == "SIGNED" else c) for c in WORKBOOK_COLUMNS]
    path = sheet(tmp_path / "p.xlsx", columns=columns)
    # Without SIGNED the sheet reads as a pending list with an unknown column: refused.
    with pytest.raises(UserError) as err:
        add_snapshot(path, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    message = str(err.value)
    assert message.startswith(f"{path}: unrecognized column(s) 'DATE SIGNED' in a sheet that ")
    assert "Sheet 'Sheet1', header row 1: " in message and "'DATE SIGNED' in column F" in message
    assert "Nothing was copied or recorded" in message
    # Said to be participating, it fails the schema-drift alarm as a download would.
    with pytest.raises(UserError) as err:
        add_snapshot(path, list_kind="participating", raw_dir=tmp_path / "raw", now=NOW)
    assert "sheet 'Sheet1' (header row 1) has no SIGNED column" in str(err.value)
    dropped = sheet(tmp_path / "q.xlsx", columns=[c for c in WORKBOOK_COLUMNS if c != "COUNTY"])
    with pytest.raises(UserError) as err:
        add_snapshot(dropped, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    assert str(err.value).startswith(
        f"{dropped}: ICE's participating list changed its columns: removed COUNTY (compared "
        "with the newest documented participating schema)"
    )
    assert "'SUPPORT TYPE' in column D" in str(err.value)
    assert not (tmp_path / "raw" / "ice_287g/latest/LATEST.csv").exists()


def test_a_new_column_is_accepted_when_the_list_is_named(tmp_path):
    path = sheet(tmp_path / "p.xlsx", columns=WORKBOOK_COLUMNS + ["TERMINATED"])
    with pytest.raises(UserError, match="pass --list participating"):
        add_snapshot(path, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    said: list[str] = []
    snap = add_snapshot(
        path, list_kind="participating", raw_dir=tmp_path / "raw", now=NOW, echo=said.append
    )
    assert snap is not None and any("new column(s) 'TERMINATED'" in m for m in said)


def test_a_required_column_missing_names_the_header_row_and_columns(tmp_path):
    columns = [("AGENCY" if c == "LAW ENFORCEMENT AGENCY" else c) for c in WORKBOOK_COLUMNS]
    path = sheet(tmp_path / "p.xlsx", columns=columns)
    with pytest.raises(IceSheetError, match=f"^{path}: no sheet has a header row.*row 1"):
        add_snapshot(path, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)


def test_list_is_checked_against_the_content(tmp_path):
    row = ["OHIO", "Bravo PD", "Municipality", "N/A", "Task Force Model"]
    path = write_sheet(tmp_path / "participatingAgencies05282026am.xlsx", PENDING_COLUMNS, [row])
    with pytest.raises(UserError, match="--list participating, but sheet 'Sheet1' .* pending list"):
        add_snapshot(path, list_kind="participating", raw_dir=tmp_path / "raw", now=NOW)
    snap = add_snapshot(path, raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    assert snap.file == "ice_287g/latest/pending_2026-05-28.xlsx"


def test_cli_says_where_the_date_came_from(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("analysis.paths.RAW", tmp_path / "raw")
    path = sheet(tmp_path / "list.xlsx")
    assert main(["add-snapshot", str(path), "--date", "2026-05-29", "--list", "participating"]) == 0
    out = capsys.readouterr().out
    assert "snapshot date 2026-05-29: from --date" in out
    assert "-> ice_287g/latest/participating_2026-05-29.xlsx" in out
    assert main(["add-snapshot", str(path)]) == 0
    assert "already added" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert main(["add-snapshot", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: ") and "Traceback" not in err
