"""Done-when test of the change log: two later sheets, built from the mirror's latest
participating list in ICE's format, added with ``add-snapshot``, then ``build`` and the runner.

Nothing touches the real data/raw: a temporary raw folder links to its files, with its own
``ice_287g/latest/``; processed tables and reports go to temporary folders too.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis import paths
from analysis.build.stages import build
from analysis.ice.live import add_snapshot
from analysis.study.changes import change_log

pytestmark = pytest.mark.mirror

LATEST_MIRRORED = "ice_287g/participating_2026-05-11.xlsx"
COLUMNS = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA",
           "ADDENDUM"]  # fmt: skip


def read_rows(path: Path) -> list[dict]:
    """The data rows of ICE's workbook: cell values by column, with MOA/ADDENDUM hyperlinks."""
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header[:8] == COLUMNS
    rows = []
    for cells in ws.iter_rows(min_row=2):
        values = {h: c.value for h, c in zip(COLUMNS, cells, strict=False)}
        if not values["LAW ENFORCEMENT AGENCY"]:
            continue
        links = {h: c.hyperlink.target for h, c in zip(COLUMNS, cells, strict=False)
                 if c.hyperlink is not None}  # fmt: skip
        rows.append({"values": values, "links": links})
    return rows


def write_rows(path: Path, rows: list[dict]) -> Path:
    """ICE's format: Sheet1, header on row 1, MOA labels with the PDF as the cell hyperlink."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(COLUMNS)
    for r in rows:
        ws.append([r["values"].get(c) for c in COLUMNS])
        for col, name in enumerate(COLUMNS, start=1):
            if name in r["links"]:
                ws.cell(ws.max_row, col).hyperlink = r["links"][name]
    wb.save(path)
    return path


def new_row(state, agency, kind, county, model, signed):
    values = dict(zip(COLUMNS, [state, agency, kind, county, model, signed, "link", None],
                      strict=True))  # fmt: skip
    return {"values": values, "links": {"MOA": "https://www.ice.gov/doclib/287gMOA/test.pdf"}}


def named(row) -> tuple[str, str]:
    return row["values"]["STATE"].strip().upper(), row["values"]["LAW ENFORCEMENT AGENCY"].strip()


def without(rows, *agencies):
    """``rows`` without those of the (STATE, agency) pairs, each on exactly one row."""
    kept = [r for r in rows if named(r) not in agencies]
    assert len(rows) - len(kept) == len(agencies), agencies  # each names exactly one row
    return kept


def renamed(rows, old, new):
    return [
        {**r, "values": {**r["values"], "LAW ENFORCEMENT AGENCY": new}}
        if named(r) == old else r
        for r in rows
    ]  # fmt: skip


def temporary_raw(real: Path, tmp: Path) -> Path:
    """A raw folder whose files are links to the real ones, with an empty ice_287g/latest/."""
    raw = tmp / "raw"
    (raw / "ice_287g").mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name != "ice_287g":
            (raw / entry.name).symlink_to(entry)
    for entry in (real / "ice_287g").iterdir():
        if entry.name != "latest":
            (raw / "ice_287g" / entry.name).symlink_to(entry)
    return raw


def test_two_added_sheets_reach_the_tables_and_the_change_log(raw_dir, tmp_path, monkeypatch):
    started = time.perf_counter()
    real_latest = sorted((raw_dir / "ice_287g").rglob("*"))
    raw = temporary_raw(raw_dir, tmp_path)
    base = read_rows(raw_dir / LATEST_MIRRORED)
    sheet_a = renamed(
        without(base, ("GEORGIA", "Alto Police Department"),
                ("GEORGIA", "Bacon County Sheriff's Office")),
        ("GEORGIA", "Appling County Sheriff's Office"), "Appling County Sherif's Office",
    ) + [
        new_row("OHIO", "Athens County Sheriff's Office", "County", "Athens County",
                "Task Force Model", datetime(2026, 5, 14)),
        new_row("VERMONT", "Orange County Sheriff's Department", "County", "Orange County",
                "Warrant Service Officer", datetime(2026, 5, 15)),
    ]  # fmt: skip
    alto = [r for r in base if named(r) == ("GEORGIA", "Alto Police Department")]
    sheet_b = without(sheet_a, ("GEORGIA", "Burke County Sheriff's Office")) + alto + [
        new_row("MONTANA", "Glacier County Sheriff's Office", "County", "Glacier County",
                "Task Force Model", datetime(2026, 5, 21)),
    ]  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = write_rows(inbox / "participatingAgencies05182026am.xlsx", sheet_a)
    b = write_rows(inbox / "list from a colleague.xlsx", sheet_b)
    said: list[str] = []
    now = datetime(2026, 5, 26, 12, 0, tzinfo=UTC)
    add_snapshot(a, raw_dir=raw, now=now, echo=said.append)
    add_snapshot(b, snapshot_date=date(2026, 5, 25), list_kind="participating", raw_dir=raw,
                 now=now, echo=said.append)  # fmt: skip
    assert (
        "snapshot date 2026-05-18: from ICE's file name 'participatingAgencies05182026am.xlsx'"
        in said
    )
    assert "snapshot date 2026-05-25: from --date" in said
    assert sorted(p.name for p in (raw / "ice_287g" / "latest").iterdir()) == [
        "LATEST.csv", "participating_2026-05-18.xlsx", "participating_2026-05-25.xlsx"]  # fmt: skip
    assert real_latest == sorted((raw_dir / "ice_287g").rglob("*"))  # the real data/raw untouched

    processed = tmp_path / "processed"
    if (paths.PROCESSED / ".build-covariates.json").exists():
        shutil.copytree(paths.PROCESSED, processed)  # the county tables do not read ICE's lists
        build(["ice", "locate"], raw, processed, echo=lambda m: None)
    else:
        build([], raw, processed, echo=lambda m: None)
    history = pd.read_parquet(processed / "agreements_history.parquet")
    files = pd.read_parquet(processed / "ice_snapshot_files.parquet")
    agreements = pd.read_parquet(processed / "agreements.parquet")
    agencies = pd.read_parquet(processed / "agencies.parquet")
    dates = set(pd.to_datetime(history["snapshot_date"]).dt.strftime("%Y-%m-%d"))
    assert {"2026-05-11", "2026-05-18", "2026-05-25"} <= dates
    live = files[files["source"] == "live"]
    assert sorted(live["snapshot_date"].dt.strftime("%Y-%m-%d")) == ["2026-05-18", "2026-05-25"]
    assert live["in_time_series"].all()
    glacier = agencies[agencies["agency"] == "Glacier County Sheriff's Office"]
    assert glacier[["state", "status", "county_fips"]].values.tolist() == [
        ["MT", "active", "30035"]
    ]

    # The change log at the first added sheet: who left and joined.
    first = change_log(history, agreements, as_of="2026-05-18").latest
    assert set(first.agencies_joined["agency"]) == {
        "Athens County Sheriff's Office", "Orange County Sheriff's Department"}  # fmt: skip
    assert dict(zip(first.removed["agency"], first.removed["change"], strict=True)) == {
        "Alto Police Department": "uncertain",  # as of 2026-05-18 its return is not known
        "Appling County Sheriff's Office": "renamed",
        "Bacon County Sheriff's Office": "exit",
    }
    per_snapshot = change_log(history, agreements).history.set_index("snapshot_date")
    assert per_snapshot.loc["2026-05-18", ["added", "returned", "renamed", "removed", "exits"]
                            ].tolist() == [2, 0, 1, 2, 1]  # fmt: skip
    assert per_snapshot.loc["2026-05-25", ["added", "returned", "renamed", "removed", "exits"]
                            ].tolist() == [1, 1, 0, 1, 1]  # fmt: skip
    assert first.renamed["agency"].tolist() == ["Appling County Sherif's Office"]

    # The runner, on the notebooks that show the latest snapshot, writes the change log.
    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(processed))
    monkeypatch.setattr(paths, "PROCESSED", processed)
    from analysis.runner.run import run_notebooks

    reports = tmp_path / "reports"
    results = run_notebooks(only=["20_expansion"], force=True, reports_dir=reports,
                            echo=lambda m: None)  # fmt: skip
    assert [r.status for r in results] == ["executed"], results
    expansion = (reports / "html" / "20_expansion.html").read_text(encoding="utf-8")
    assert "2026-05-25" in expansion
    page = (reports / "html" / "changes.html").read_text(encoding="utf-8")
    assert 'list of <span class="date">2026-05-25</span>' in page
    assert f"against {len(sheet_a):,} agreements" in page
    joined = page.split("Agencies that joined the list")[1].split("Agencies that left")[0]
    assert "Glacier County Sheriff&#x27;s Office" in joined
    assert "Alto Police Department" in joined  # returned after an absence
    removed = page.split("Agreements removed")[1].split("Renamed agreements")[0]
    assert '<tr class="exit"><td class="">GA</td><td class="">Burke County Sheriff' in removed
    assert "Bacon County" not in removed  # it left at the snapshot before
    print(f"done-when test: {time.perf_counter() - started:.0f} s")
