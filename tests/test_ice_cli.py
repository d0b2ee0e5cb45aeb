"""``analysis snapshot-summary`` and ``analysis diff`` on synthetic spreadsheets."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from test_ice_fixtures import WORKBOOK_COLUMNS, participating, workbook_era, write_sheet

from analysis.cli import main

REQUIRED_SUMMARY_KEYS = {
    "rows", "agencies", "states", "territories", "by_model", "by_type", "by_state",
    "signed_by_year", "quarantined",
}  # fmt: skip


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_snapshot_summary_json(tmp_path, capsys):
    path = workbook_era(tmp_path / "w.xlsx")
    code, out, _ = run(capsys, "snapshot-summary", path, "--date", "2025-07-15", "--json")
    summary = json.loads(out)
    assert code == 0 and set(summary) >= REQUIRED_SUMMARY_KEYS
    assert (summary["rows"], summary["rows_in"], len(summary["quarantined"])) == (8, 10, 2)
    assert summary["agencies"] == 6  # Delta holds two models, Kilo is listed twice
    assert (summary["states"], summary["territories"]) == (4, 1)  # TX PA UT FL + GU
    assert summary["by_model"] == {"JEM": 2, "TFM": 4, "WSO": 2}
    assert summary["by_state"]["GU"] == 1 and summary["territory_codes"] == ["GU"]
    assert summary["by_type"] == {"County": 3, "Municipality": 4, "State": 1, "Other": 0}
    # unknown: the year 5025 and two dates after the snapshot (Guam, Juliet)
    assert summary["signed_by_year"] == {"2025": 5, "unknown": 3}
    assert summary["by_category"]["airport or port authority"] == 1
    assert summary["duplicate_key_rows"] == 2
    assert {q["reason"] for q in summary["quarantined"]} == {"unknown_model", "unmapped_state"}
    assert (summary["snapshot_date"], summary["date_source"]) == ("2025-07-15", "--date")


def test_snapshot_summary_table(tmp_path, capsys):
    path = workbook_era(tmp_path / "w.xlsx")
    code, out, _ = run(capsys, "snapshot-summary", path, "--date", "2025-07-15")
    assert code == 0
    assert "rows 8   agencies 6   states 4   territories 1 (GU)" in out
    assert "by model     JEM 2  TFM 4  WSO 2" in out
    assert "quarantined rows: 2" in out and "unknown_model" in out
    assert "warning: 2 rows share an agreement key" in out


def test_snapshot_date_defaults_to_the_file_date(tmp_path, capsys):
    path = participating(
        tmp_path / "new.xlsx",
        [("OHIO", "Alpha Police Department", "Task Force Model", datetime(2025, 3, 1))],
    )
    code, out, _ = run(capsys, "snapshot-summary", path, "--json")
    assert code == 0 and json.loads(out)["date_source"] == "file modification date"


def test_diff_json(tmp_path, capsys):
    old = participating(
        tmp_path / "old.xlsx",
        [
            ("OHIO", "Alpha Police Department", "Task Force Model", datetime(2025, 3, 1)),
            ("OHIO", "Bravo County Sheriff's Office", "Jail Enforcement Model",
             datetime(2020, 1, 1)),
            ("TEXAS", "Macro City Police Department", "Task Force Model", datetime(2025, 3, 2)),
        ],
    )  # fmt: skip
    new = participating(
        tmp_path / "new.xlsx",
        [
            ("OHIO", "Alpha Police Department", "Task Force Model", datetime(2025, 3, 3)),
            ("OHIO", "Bravo County Sheriff's Office", "Jail Enforcement Model",
             datetime(2020, 1, 1)),
            ("OHIO", "Bravo County Sheriff's Office", "Warrant Service Officer",
             datetime(2025, 4, 1)),
            ("TEXAS", "Marco City Police Department", "Task Force Model", datetime(2025, 3, 2)),
        ],
    )  # fmt: skip
    code, out, _ = run(capsys, "diff", old, new, "--old-date", "2025-04-01", "--new-date",
                       "2025-05-01", "--json")  # fmt: skip
    diff = json.loads(out)
    assert code == 0 and {"added", "removed", "changed"} <= set(diff)
    assert [a["agreement_key"] for a in diff["added"]] == [
        "OH|BRAVO COUNTY SHERIFF'S OFFICE|WSO",
        "TX|MARCO CITY POLICE DEPARTMENT|TFM",
    ]
    assert diff["removed"] == [
        {"state": "TX", "agency": "Macro City Police Department", "model": "TFM",
         "agreement_key": "TX|MACRO CITY POLICE DEPARTMENT|TFM"}
    ]  # fmt: skip
    changed = {c["agency_key"]: c for c in diff["changed"]}
    assert set(changed) == {"OH|ALPHA POLICE DEPARTMENT", "OH|BRAVO COUNTY SHERIFF'S OFFICE"}
    signed = [c for c in changed["OH|ALPHA POLICE DEPARTMENT"]["changes"] if c["field"] == "signed"]
    assert signed == [{"model": "TFM", "field": "signed", "old": "2025-03-01", "new": "2025-03-03"}]
    bravo = changed["OH|BRAVO COUNTY SHERIFF'S OFFICE"]
    assert (bravo["models_old"], bravo["models_new"]) == (["JEM"], ["JEM", "WSO"])
    assert diff["possible_renames"][0]["added"] == "TX|MARCO CITY POLICE DEPARTMENT|TFM"


def test_diff_table(tmp_path, capsys):
    old = participating(
        tmp_path / "old.xlsx",
        [("OHIO", "Alpha Police Department", "Task Force Model", datetime(2025, 3, 1))],
    )
    new = participating(tmp_path / "new.xlsx", [])
    code, out, _ = run(capsys, "diff", old, new, "--old-date", "2025-04-01",
                       "--new-date", "2025-05-01")  # fmt: skip
    assert code == 0 and "removed 1 agreements (TFM 1)" in out and "added 0 agreements" in out
    assert "OH  TFM  Alpha Police Department" in out


def test_renamed_required_column_is_a_clean_error(tmp_path, capsys):
    columns = [c if c != "SUPPORT TYPE" else "SUPPORT" for c in WORKBOOK_COLUMNS]
    path = write_sheet(tmp_path / "tomorrow.xlsx", columns, [])
    code, out, err = run(capsys, "snapshot-summary", path, "--date", "2026-06-01")
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "Traceback" not in err
    assert "missing required column(s) SUPPORT TYPE" in err and "'SUPPORT'" in err
    assert "tomorrow.xlsx" in err


def test_missing_file_is_a_clean_error(tmp_path, capsys):
    code, _, err = run(capsys, "diff", tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    assert code == 1 and err.startswith("error: ") and "no such file" in err


def test_bad_date_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["snapshot-summary", str(tmp_path / "x.xlsx"), "--date", "31/12/2025"])
    assert exit_.value.code == 2 and "not a YYYY-MM-DD date" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["snapshot-summary", "diff"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0 and "--json" in capsys.readouterr().out
