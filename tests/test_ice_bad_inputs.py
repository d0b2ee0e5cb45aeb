"""A corpus of bad ICE spreadsheets, generated at test time, and what each must end in.

Every case ends either in an ``IceSheetError`` whose message names the file (and, where there is
one, the sheet, row, column and what was expected), or in rows quarantined with a stated reason
(or a flag on a kept row) - never in a bare traceback, and never with a row lost:
``rows_in == rows_clean + rows_quarantined`` for every file that loads.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from test_ice_fixtures import (
    PENDING_COLUMNS,
    WORKBOOK_COLUMNS,
    link,
    write_sheet,
)

from analysis.cli import main
from analysis.ice import read
from analysis.ice.read import IceSheetError, read_sheet
from analysis.ice.snapshot import LoadedFile, load_file

SNAPSHOT = date(2025, 7, 15)


def good_row(n: int = 0, **changes) -> list:
    row = dict(
        zip(
            WORKBOOK_COLUMNS,
            ["TEXAS", f"Alpha{n} County Sheriff's Office", "County", "Alpha County",
             "Jail Enforcement Model", datetime(2025, 4, 14), link(f"alpha{n}"), None],
            strict=True,
        )
    )  # fmt: skip
    row.update({k.replace("_", " "): v for k, v in changes.items()})
    return [row[c] for c in WORKBOOK_COLUMNS]


def workbook(tmp_path: Path, rows: list[list] | None = None, name="bad.xlsx", **kw) -> Path:
    columns = kw.pop("columns", WORKBOOK_COLUMNS)
    return write_sheet(tmp_path / name, columns, rows if rows is not None else [good_row()], **kw)


def load(path: Path) -> LoadedFile:
    loaded = load_file(path, SNAPSHOT)
    # The accounting promise, for every file that loads.
    assert loaded.rows_in == len(loaded.clean) + len(loaded.quarantined)
    assert loaded.rows_in == len(read_sheet(path).rows)
    return loaded


def rewrite(path: Path, replace: dict[str, bytes] | None = None, add=()) -> Path:
    """Copy the zip at ``path`` with some entries replaced and others added."""
    replace = replace or {}
    out = path.with_name("re_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, data in add:
            dst.writestr(name, data)
    return out


# ---------------------------------------------------------------------------------------------
# Cases that must end in a clear error. Each builder returns the path; the fragments must all
# appear in the message.


def renamed_required_column(tmp_path):
    columns = [("MODEL" if c == "SUPPORT TYPE" else c) for c in WORKBOOK_COLUMNS]
    return workbook(tmp_path, columns=columns)


def missing_required_column(tmp_path):
    columns = [c for c in WORKBOOK_COLUMNS if c != "SUPPORT TYPE"]
    return workbook(tmp_path, [good_row()[:4] + good_row()[5:]], columns=columns)


def renamed_header_marker(tmp_path):
    columns = [("AGENCY" if c == "LAW ENFORCEMENT AGENCY" else c) for c in WORKBOOK_COLUMNS]
    return workbook(tmp_path, columns=columns)


def repeated_column(tmp_path):
    return workbook(tmp_path, columns=WORKBOOK_COLUMNS + ["COUNTY"])


def header_below_scan_window(tmp_path):
    return workbook(tmp_path, title_rows=read.HEADER_SCAN_ROWS)


def empty_sheet(tmp_path):
    path = tmp_path / "bad.xlsx"
    openpyxl.Workbook().save(path)
    return path


def only_a_tallies_sheet(tmp_path):
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet2"
    wb.active.append(["Total", "JEM", "TFM", "WSO"])
    wb.active.append([635, 100, 307, 228])
    wb.save(path)
    return path


def raw_file(data: bytes):
    """A builder of a file named bad.xlsx holding ``data``."""

    def build(tmp_path):
        path = tmp_path / "bad.xlsx"
        path.write_bytes(data)
        return path

    return build


html_error_page = raw_file(b"<!DOCTYPE html><html><body>Access Denied</body></html>")
zero_bytes = raw_file(b"")
csv_renamed = raw_file(
    b"STATE,LAW ENFORCEMENT AGENCY,SUPPORT TYPE\nTEXAS,Alpha PD,Task Force Model\n"
)
old_xls_or_encrypted = raw_file(read._OLE_MAGIC + b"\0" * 504)


def truncated_zip(tmp_path):
    whole = workbook(tmp_path, [good_row(i) for i in range(50)], name="whole.xlsx")
    path = tmp_path / "bad.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path


def corrupt_sheet_xml(tmp_path):
    good = workbook(tmp_path, name="good.xlsx")
    broken = b"<?xml version='1.0'?><worksheet><sheetData><row r='1'><c r='A1'"
    return rewrite(good, {"xl/worksheets/sheet1.xml": broken})


def decompression_bomb(tmp_path):
    """101 MB of zeros declared uncompressed, about 100 KB on disk."""
    path = workbook(tmp_path)
    chunk = b"\0" * 2**20
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/media/padding.bin", "w", force_zip64=True) as fh,
    ):
        for _ in range(101):
            fh.write(chunk)
    assert path.stat().st_size < 2**20
    return path


def too_many_zip_entries(tmp_path):
    good = workbook(tmp_path, name="good.xlsx")
    return rewrite(good, add=[(f"xl/pad/{i}.txt", b"") for i in range(read.MAX_ZIP_ENTRIES)])


ERRORS = {
    "renamed required column": (renamed_required_column, [
        "bad.xlsx: sheet 'Sheet1', header row 1", "missing required column(s) SUPPORT TYPE",
        "unrecognized column(s) 'MODEL'",
        "expected columns STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE (required)",
    ]),
    "missing required column": (missing_required_column, [
        "bad.xlsx: sheet 'Sheet1', header row 1", "missing required column(s) SUPPORT TYPE.",
    ]),
    "renamed header marker": (renamed_header_marker, [
        "bad.xlsx: no sheet has a header row with both STATE and LAW ENFORCEMENT AGENCY",
        "sheet 'Sheet1' row 1", "has STATE but lacks LAW ENFORCEMENT AGENCY",
        "unrecognized 'AGENCY'",
    ]),
    "repeated column": (repeated_column, [
        "bad.xlsx: sheet 'Sheet1', header row 1", "repeated column(s) COUNTY",
    ]),
    "header below row 30": (header_below_scan_window, [
        "bad.xlsx: no sheet has a header row", "in its first 30 rows",
    ]),
    "empty sheet": (empty_sheet, [
        "bad.xlsx: no sheet has a header row",
        "sheet 'Sheet' row 1 no named cells lacks STATE, LAW ENFORCEMENT AGENCY",
    ]),
    "only a tallies sheet": (only_a_tallies_sheet, [
        "sheet 'Sheet2' row 1 ['TOTAL', 'JEM', 'TFM', 'WSO'] lacks STATE",
        "unrecognized 'TOTAL', 'JEM', 'TFM', 'WSO'",
    ]),
    "html error page named .xlsx": (html_error_page, [
        "bad.xlsx: not a readable .xlsx workbook: not a zip archive", "HTML or XML text",
    ]),
    "zero-byte file": (zero_bytes, ["bad.xlsx: empty file (0 bytes)"]),
    "csv renamed .xlsx": (csv_renamed, ["not a zip archive", "starting with b'STATE,LAW"]),
    "old .xls or encrypted": (old_xls_or_encrypted, [
        "not a zip archive", "an old .xls workbook or a password-protected .xlsx",
    ]),
    "truncated zip": (truncated_zip, [
        "bad.xlsx: not a readable .xlsx workbook", "truncated or damaged zip",
        "download it again",
    ]),
    "zip that is not a workbook": (zip_that_is_not_a_workbook, [
        "bad.xlsx: a zip archive but not an .xlsx workbook (no xl/workbook.xml; entries: "
        "readme.txt)",
    ]),
    "corrupt sheet xml": (corrupt_sheet_xml, [
        "re_good.xlsx: not a readable .xlsx workbook (",
    ]),
    "decompression bomb": (decompression_bomb, [
        "bad.xlsx: declares 101.0 MB uncompressed (xl/media/padding.bin alone 101.0 MB)",
        "above the 100.0 MB limit", "decompression bomb", "refusing to open it",
    ]),
    "too many zip entries": (too_many_zip_entries, [
        "re_good.xlsx: zip archive with", "entries, above the limit of 1,000",
    ]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_file_fails_with_a_clear_message(tmp_path, case):
    build, fragments = ERRORS[case]
    path = build(tmp_path)
    with pytest.raises(IceSheetError) as err:
        load_file(path, SNAPSHOT)
    message = str(err.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message and "Traceback" not in message


def test_file_above_the_size_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    path = workbook(tmp_path)
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 1000)
    with pytest.raises(IceSheetError, match=r"bad\.xlsx: .* MB on disk, above the .* limit"):
        read_sheet(path)


def test_sheet_above_the_row_limit_is_refused(tmp_path, monkeypatch):
    path = workbook(tmp_path, [good_row(i) for i in range(60)])
    monkeypatch.setattr(read, "MAX_DATA_ROWS", 50)
    with pytest.raises(IceSheetError) as err:
        read_sheet(path)
    assert "bad.xlsx: sheet 'Sheet1' has 60 rows below header row 1, above the limit of 50" in (
        str(err.value)
    )


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(IceSheetError, match=r"nothere\.xlsx: no such file"):
        read_sheet(tmp_path / "nothere.xlsx")


# ---------------------------------------------------------------------------------------------
# Cases that must end in quarantine with a reason (the row is kept, with its raw values).

LONG = "Sheriff " * 200  # 1,600 characters

QUARANTINES = {
    "unknown model": (
        good_row(SUPPORT_TYPE="Harbor Patrol Model"),
        "SUPPORT TYPE", "unknown_model", "SUPPORT TYPE 'Harbor Patrol Model'",
    ),
    "unknown state": (
        good_row(STATE="ATLANTIS"), "STATE", "unmapped_state", "STATE 'ATLANTIS'",
    ),
    "missing state": (good_row(STATE="  "), "STATE", "missing_state", "STATE '  '"),
    "error value in state": (
        good_row(STATE="#REF!"), "STATE", "unmapped_state", "STATE '#REF!'",
    ),
    "missing agency": (
        good_row(LAW_ENFORCEMENT_AGENCY=None), "LAW ENFORCEMENT AGENCY", "missing_agency",
        "no agency name",
    ),
    "missing model": (
        good_row(SUPPORT_TYPE="\u00a0"), "SUPPORT TYPE", "missing_model", "SUPPORT TYPE '\\xa0'",
    ),
    "formula in SIGNED": (
        good_row(SIGNED="=TODAY()"), "SIGNED", "formula", "SIGNED holds the formula '=TODAY()'",
    ),
    "formula in agency": (
        good_row(LAW_ENFORCEMENT_AGENCY='=CONCAT("Alpha ","PD")'),
        "LAW ENFORCEMENT AGENCY|LAW ENFORCEMENT AGENCY", "missing_agency|formula",
        "no agency name; LAW ENFORCEMENT AGENCY holds the formula '=CONCAT(\"Alpha \",\"PD\")'",
    ),
    "very long agency name": (
        good_row(LAW_ENFORCEMENT_AGENCY=LONG), "LAW ENFORCEMENT AGENCY", "cell_too_long",
        "LAW ENFORCEMENT AGENCY has 1,600 characters (limit 1,000)",
    ),
    "very long county": (
        good_row(COUNTY=LONG), "COUNTY", "cell_too_long", "COUNTY has 1,600 characters",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(QUARANTINES))
def test_bad_row_is_quarantined_with_its_reason(tmp_path, case):
    row, columns, reason, detail = QUARANTINES[case]
    path = workbook(tmp_path, [good_row(1), row, good_row(2)])
    loaded = load(path)
    assert (loaded.rows_in, len(loaded.clean), len(loaded.quarantined)) == (3, 2, 1)
    q = loaded.quarantined[0]
    assert (q["sheet"], q["sheet_row"], q["columns"], q["reason"]) == ("Sheet1", 3, columns, reason)
    assert q["detail"].startswith(detail), q["detail"]
    assert json.loads(q["raw_values"])  # the raw cells travel with the row


def test_a_row_of_formulas_without_values_is_not_lost(tmp_path):
    # openpyxl writes no cached values: read as values, the row looks blank.
    row = ['=UPPER("texas")', None, None, None, '=IF(1,"Task Force Model")', None, None, None]
    loaded = load(workbook(tmp_path, [good_row(1), row]))
    assert loaded.rows_in == 2 and len(loaded.quarantined) == 1
    q = loaded.quarantined[0]
    assert q["reason"] == "missing_state|missing_agency|missing_model|formula|formula"
    assert q["columns"].endswith("STATE|SUPPORT TYPE")
    assert json.loads(q["raw_values"])["STATE formula"] == '=UPPER("texas")'


# ---------------------------------------------------------------------------------------------
# Cases that load, with the quirk recorded where it belongs.


def test_hyperlink_formula_gives_the_moa_url(tmp_path):
    url = "https://www.ice.gov/doclib/287gMOA/AlphaCoSO_TX_JEM_MOA.pdf"
    rows = [
        good_row(1, MOA=f'=HYPERLINK("{url}","link")'),
        good_row(2, MOA=f'=HYPERLINK("{url}")'),
        good_row(3, LAW_ENFORCEMENT_AGENCY='=HYPERLINK("https://x.example/","Bravo PD")'),
    ]
    loaded = load(workbook(tmp_path, rows))
    assert loaded.quarantined == []
    assert [r["moa_url"] for r in loaded.clean] == [url, url, loaded.clean[2]["moa_url"]]
    assert [r["moa_raw"] for r in loaded.clean][:2] == ["link", url]
    assert loaded.clean[2]["agency"] == "Bravo PD"


def test_duplicate_rows_are_kept_and_flagged(tmp_path):
    loaded = load(workbook(tmp_path, [good_row(1), good_row(1), good_row(2)]))
    assert len(loaded.clean) == 3 and loaded.quarantined == []
    assert [r["duplicate_key"] for r in loaded.clean] == [True, True, False]


@pytest.mark.parametrize(
    ("raw", "flag"),
    [
        ("soon", "unparseable"),
        ("13/45/2025", "unparseable"),
        ("2025-02-30", "unparseable"),
        ("#VALUE!", "unparseable"),
        (None, "missing"),
        (0, "before_2002"),
        (datetime(1999, 1, 1), "before_2002"),
        (datetime(2031, 1, 1), "after_snapshot"),
        (datetime(5025, 7, 7), "impossible_year"),
    ],
)
def test_garbage_dates_are_flagged_on_kept_rows(tmp_path, raw, flag):
    loaded = load(workbook(tmp_path, [good_row(SIGNED=raw)]))
    assert loaded.quarantined == [] and len(loaded.clean) == 1
    assert (loaded.clean[0]["signed"], loaded.clean[0]["signed_flag"]) == (None, flag)


def test_header_on_row_3_below_title_rows(tmp_path):
    loaded = load(workbook(tmp_path, [good_row(1), good_row(2)], title_rows=2))
    assert loaded.header_row == 3 and [r["sheet_row"] for r in loaded.clean] == [4, 5]


def test_second_sheet_with_other_data_is_ignored_wherever_it_is(tmp_path):
    first = load(workbook(tmp_path, name="a.xlsx", tallies_sheet="Sheet2", tallies_first=True))
    last = load(workbook(tmp_path, name="b.xlsx", tallies_sheet="Sheet2"))
    for loaded in (first, last):
        assert loaded.sheet == "Sheet1" and loaded.rows_in == 1
        assert set(loaded.sheet_names) == {"Sheet1", "Sheet2"}


@pytest.mark.parametrize("columns", [WORKBOOK_COLUMNS, PENDING_COLUMNS])
def test_header_only(tmp_path, columns):
    loaded = load(workbook(tmp_path, [], columns=columns, trailing_blank=5))
    assert (loaded.rows_in, loaded.clean, loaded.quarantined) == (0, [], [])
    assert loaded.trailing_blank_rows == 5


def test_interior_blank_rows_lose_nothing(tmp_path):
    loaded = load(workbook(tmp_path, [good_row(i) for i in range(6)], blank_after=3))
    assert loaded.rows_in == 6 and loaded.interior_blank_rows == 1


def test_unknown_extra_column_is_recorded(tmp_path):
    loaded = load(workbook(tmp_path, [good_row() + ["x"]], columns=WORKBOOK_COLUMNS + ["NOTES"]))
    assert loaded.unmapped_columns == ("NOTES",) and len(loaded.clean) == 1


def test_large_legitimate_file_loads_quickly(tmp_path):
    """20,000 rows (ten times ICE's longest list), HTML-era style plain-text MOA URLs; written
    in openpyxl's write-only mode so the test stays fast."""
    n = 20_000
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("287(g) Agreements")
    ws.append(["STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED", "MOA"])
    for i in range(n):
        model = "Harbor Patrol Model" if i == 777 else "Warrant Service Officer"
        ws.append(["TEXAS", f"Agency {i} Police Department", model, "2020-06-09",
                   f"https://web.archive.org/web/2021/https://www.ice.gov/{i}.pdf"])  # fmt: skip
    path = tmp_path / "large.xlsx"
    wb.save(path)
    start = time.perf_counter()
    loaded = load_file(path, SNAPSHOT)
    assert time.perf_counter() - start < 30
    assert loaded.rows_in == n == len(loaded.clean) + len(loaded.quarantined)
    assert [(q["sheet_row"], q["reason"]) for q in loaded.quarantined] == [(779, "unknown_model")]


def test_sheet_with_too_many_hyperlinks_is_refused(tmp_path, monkeypatch):
    path = workbook(tmp_path, [good_row(i) for i in range(6)])
    monkeypatch.setattr(read, "MAX_HYPERLINKS", 5)
    with pytest.raises(IceSheetError) as err:
        read_sheet(path)
    assert (
        "bad.xlsx: xl/worksheets/_rels/sheet1.xml.rels holds 6 relationships (hyperlinks), "
        "above the limit of 5" in str(err.value)
    )


# ---------------------------------------------------------------------------------------------
# The reviewer command on bad files: one line, exit code 1, no traceback.


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (html_error_page, "not a zip archive"),
        (missing_required_column, "missing required column(s) SUPPORT TYPE"),
        (decompression_bomb, "decompression bomb"),
    ],
    ids=["html page", "missing column", "bomb"],
)
def test_cli_reports_bad_files_without_traceback(tmp_path, capsys, build, fragment):
    path = build(tmp_path)
    code = main(["snapshot-summary", str(path), "--date", "2025-07-15"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}") and fragment in err
    assert "Traceback" not in err


def test_cli_summary_lists_quarantine_reasons(tmp_path, capsys):
    path = workbook(tmp_path, [good_row(1), good_row(2, SIGNED="=TODAY()")])
    shutil.copy(path, tmp_path / "copy.xlsx")
    code = main(["snapshot-summary", str(tmp_path / "copy.xlsx"), "--date", "2025-07-15", "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["rows_in"] == 2 and summary["rows"] == 1
    assert [q["reason"] for q in summary["quarantined"]] == ["formula"]
