"""The Washington Post panel reader: a tiny workbook in the panel's layout (written with
openpyxl), and the real file on the mirror (counts, placement)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from analysis.covariates import wapo_panel as w

HEADER = [
    "Sheriff",
    "State",
    "County",
    "ori",
    "Unnamed",
    "bsu",
    "FIPS",
    "SUBSET",
    "ignore",
    "Joined after 2018? (Y/N)",
    *w.YEAR_COLUMNS,
    "NOTES",
]


def _row(state, agency, years=(), fips=None, sheriff=None):
    flags = ["X" if y in years else None for y in w.YEARS]
    return [sheriff, state, agency, None, None, None, fips, None, None, "N", *flags, None]


def _write(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def panel_file(tmp_path):
    rows = [
        _row("ALABAMA", "Etowah County Sheriff's Office", range(2008, 2020), 1055, "J. Horton"),
        _row("TEXAS", "Harris County", (2019,)),
        [None] * len(HEADER),
        [None, "State (Alphabetical)", "COUNTIES THAT ENDED 287(g)", *[None] * (len(HEADER) - 3)],
        _row("Virginia", "Loudoun County Sheriff's Office", (2008, 2009)),
        _row(None, "Manassas Police Department", (2008,)),
        _row("Virginia ", "Herndon Police Department", (2007, 2008)),
        _row(None, "Orphan Police Department", ()),
    ]
    return _write(tmp_path / "panel.xlsx", rows)


def test_reads_rows_quarantine_and_accounting(panel_file):
    panel = w.read_wapo_panel(panel_file)
    assert list(panel.rows.agency) == [
        "Etowah County Sheriff's Office",
        "Harris County",
        "Loudoun County Sheriff's Office",
        "Manassas Police Department",
        "Herndon Police Department",
    ]
    assert list(panel.rows.section) == ["participating"] * 2 + ["ended"] * 3
    assert panel.rows.loc[3, "state"] == "VA" and bool(panel.rows.loc[3, "state_inferred"])
    assert panel.rows.loc[0, "fips_panel"] == "01055"
    reasons = dict(zip(panel.quarantine.excel_row, panel.quarantine.reason, strict=True))
    assert reasons[5] == "section header"
    assert reasons[9].startswith("State blank")  # last row: no state below to agree with
    outcome = dict(zip(panel.accounting.outcome, panel.accounting.rows, strict=True))
    assert outcome == {"agency row": 5, "quarantined": 2, "blank": 1}
    assert panel.n_lines == 8


def test_yearly_counts_against_published(panel_file):
    counts = w.yearly_counts(w.read_wapo_panel(panel_file)).set_index("year")
    assert counts.loc[2008, "observed"] == 4  # Etowah, Loudoun, Manassas, Herndon
    assert counts.loc[2019, "observed"] == 2
    assert counts.loc[2019, "published"] == 128 and not counts.loc[2019, "matches"]
    assert (counts.difference == counts.observed - counts.published).all()


def test_bad_flag_names_file_row_and_column(tmp_path):
    row = _row("TEXAS", "Harris County", (2010,))
    row[HEADER.index("y2011")] = "yes"
    path = _write(tmp_path / "bad.xlsx", [row])
    with pytest.raises(w.WapoPanelError, match=r"bad.xlsx: row 2, column y2011: .*'yes'"):
        w.read_wapo_panel(path)


def test_missing_column_and_unknown_state(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Sheriff", "State", "County"])
    book.save(tmp_path / "short.xlsx")
    with pytest.raises(w.WapoPanelError, match="row 1 lacks the columns"):
        w.read_wapo_panel(tmp_path / "short.xlsx")
    path = _write(tmp_path / "state.xlsx", [_row("ATLANTIS", "Harris County", (2010,))])
    with pytest.raises(w.WapoPanelError, match="row 2, column State: unknown state 'ATLANTIS'"):
        w.read_wapo_panel(path)


def test_panel_names_read_as_sheriffs():
    assert w.panel_agency_name("Pinal County")[0] == "PINAL COUNTY SHERIFF'S OFFICE"
    key, note = w.panel_agency_name("Gallatin County Sherrifs Office")
    assert key == "GALLATIN COUNTY SHERIFF'S OFFICE" and "SHERRIFS" in note
    assert w.panel_agency_name("Mesa Police Department") == ("MESA POLICE DEPARTMENT", "")


def test_county_participation_by_era():
    placed = pd.DataFrame(
        {"county_fips": ["01001", "01001", "01003"], "level": ["county", "municipal", "county"]}
        | {c: [False] * 3 for c in w.YEAR_COLUMNS}
    )
    placed.loc[1, "y2008"] = True  # municipal: does not count
    placed.loc[2, "y2018"] = True
    early = w.county_participation(placed, range(2005, 2013))
    late = w.county_participation(placed, (2017, 2018, 2019))
    assert early.to_dict() == {"01001": 0, "01003": 0}
    assert late.to_dict() == {"01001": 0, "01003": 1}
    with pytest.raises(ValueError, match="no columns"):
        w.county_participation(placed, (2020,))


@pytest.mark.mirror
def test_real_panel_counts_and_placement(raw_dir):
    from analysis.locate import load_crosswalks

    panel = w.read_wapo_panel(raw_dir / w.WAPO_PANEL)
    counts = w.yearly_counts(panel)
    assert counts.matches.all()
    assert dict(zip(counts.year, counts.observed, strict=True)) == w.PUBLISHED_COUNTS
    placed, unplaced = w.place_panel(panel, load_crosswalks(raw_dir))
    assert len(placed) + len(unplaced) == len(panel.rows) == 200
    assert (unplaced.reason != "").all()
    by_agency = placed.set_index(["state", "agency"])
    # The panel's FIPS for Kleberg TX is Calhoun FL's: the placement is not fooled.
    kleberg = by_agency.loc[("TX", "Kleberg County Sheriff's Office")]
    assert kleberg.county_fips == "48273" and kleberg.fips_agrees is False
    assert by_agency.loc[("AZ", "Pinal County"), "level"] == "county"
    assert by_agency.loc[("AZ", "Mesa Police Department"), "level"] == "municipal"


def _openpyxl_read_only(path):
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def test_fast_lines_equal_openpyxl_read_only(panel_file):
    lines = w._sheet_lines(panel_file)
    assert lines == _openpyxl_read_only(panel_file)
    assert [type(v) for r in lines for v in r] == [
        type(v) for r in _openpyxl_read_only(panel_file) for v in r
    ]


def test_stated_size_beyond_the_cells_is_left_to_openpyxl(tmp_path):
    path = tmp_path / "big.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(_row("TEXAS", "X County Sheriff's Office", years=(2019,), fips=48001))
    book.save(path)
    import zipfile

    bigger = tmp_path / "bigger.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bigger, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:Z2"', b'<dimension ref="A1:AB40"')
                assert b"A1:AB40" in data
            dst.writestr(item, data)
    from analysis.ice import xlsx

    assert xlsx.read_only_rows(bigger) is None
    lines = w._sheet_lines(bigger)
    assert lines == _openpyxl_read_only(bigger) and len(lines[0]) == 28  # the stated width
    assert xlsx.read_only_rows(path) == _openpyxl_read_only(path)


@pytest.mark.mirror
def test_real_panel_lines_equal_openpyxl_read_only(raw_dir):
    path = raw_dir / w.WAPO_PANEL
    fast = w.xlsx.read_only_rows(path)
    slow = _openpyxl_read_only(path)
    assert fast is not None and fast == slow and (len(fast), len(fast[0])) == (1002, 28)
    assert [type(v) for r in fast for v in r] == [type(v) for r in slow for v in r]
