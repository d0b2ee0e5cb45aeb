"""Integration tests on the mirrored ICE spreadsheets: every file loads, every row is accounted
for, and the published figures reproduce exactly (rows are agreements, agency x model)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.ice.history import agencies_table, build_history, build_tables
from analysis.ice.index import archived_snapshots

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def tables(raw_dir):
    tables = build_tables(raw_dir)
    history, pending = tables["agreements_history"], tables["pending_history"]
    files = tables["ice_snapshot_files"]
    return tables | {"agencies": agencies_table(history, pending, tables["agreements"], files)}


def snapshot(tables, snapshot_date: str, kind: str = "participating") -> pd.DataFrame:
    table = tables["agreements_history" if kind == "participating" else "pending_history"]
    file = f"ice_287g/{kind}_{snapshot_date}.xlsx"
    rows = table[table["file"] == file]
    assert len(rows), f"{file} not loaded"
    return rows


def states(rows: pd.DataFrame) -> int:
    return rows.loc[~rows["is_territory"], "state"].nunique()


def counts(series: pd.Series) -> dict[str, int]:
    return {k: int(v) for k, v in series.value_counts().items()}


def test_every_mirrored_file_loads_and_accounts_for_its_rows(tables):
    catalog = {s.file: s for s in archived_snapshots()}
    assert len(catalog) == 82
    files = tables["ice_snapshot_files"].set_index("file")
    assert set(catalog) <= set(files.index)
    for file, entry in catalog.items():
        row = files.loc[file]
        assert row["rows_in"] == row["rows_clean"] + row["rows_quarantined"], file
        assert row["rows_in"] == entry.manifest_rows, file
        assert row["list"] == entry.list_catalog, file  # by content, agreeing with the manifest
    assert tables["ice_quarantine"]["reason"].notna().all()
    assert tables["ice_quarantine"]["detail"].notna().all()


def test_checkpoint_2025_01_31(tables):
    rows = snapshot(tables, "2025-01-31")
    assert (len(rows), states(rows)) == (135, 21)
    assert counts(rows["model"]) == {"WSO": 75, "JEM": 60}
    assert rows["agency_key"].nunique() == 133
    assert counts(rows["agency_type"]) == {"County": 126, "State": 5, "Municipality": 2, "Other": 2}
    assert rows["agency_type_inferred"].all()
    assert rows["signed"].max() == pd.Timestamp("2020-12-23")


def test_checkpoint_2025_05_29(tables):
    rows = snapshot(tables, "2025-05-29")
    assert (len(rows), states(rows)) == (635, 40)
    assert counts(rows["model"]) == {"TFM": 307, "WSO": 228, "JEM": 100}
    assert rows["agency_key"].nunique() == 518
    assert counts(rows["agency_type"]) == {"County": 444, "Municipality": 141, "State": 50}
    assert rows["signed"].max() == pd.Timestamp("2025-05-28")
    repaired = rows[rows["signed_flag"] == "repaired_missing_slash"]
    assert repaired["signed_raw"].tolist() == ["05/082025"]


def test_checkpoint_2025_05_29_pending(tables):
    rows = snapshot(tables, "2025-05-29", "pending")
    assert len(rows) == 68
    assert (rows["agency_key"].nunique(), states(rows)) == (66, 22)
    assert counts(rows["model"]) == {"TFM": 43, "WSO": 18, "JEM": 7}
    assert counts(rows["agency_type"]) == {"County": 35, "Municipality": 24, "State": 9}


def test_checkpoint_2025_09_30(tables):
    rows = snapshot(tables, "2025-09-30")
    assert (len(rows), states(rows)) == (1035, 40)
    by_state = counts(rows["state"])
    assert (by_state["FL"], by_state["TX"]) == (327, 185)
    assert counts(rows["model"]) == {"TFM": 521, "WSO": 381, "JEM": 133}
    assert rows["agency_key"].nunique() == 861
    assert counts(rows["agency_type"]) == {"County": 699, "Municipality": 268, "State": 68}
    assert set(rows.loc[rows["is_territory"], "state"]) == {"GU"}
    assert len(snapshot(tables, "2025-09-30", "pending")) == 33


def test_checkpoint_2025_12_31(tables):
    rows = snapshot(tables, "2025-12-31")
    assert len(rows) == 1274
    assert counts(rows["model"]) == {"TFM": 684, "WSO": 445, "JEM": 145}
    assert counts(rows["agency_type"]) == {"County": 837, "Municipality": 363, "State": 74}
    assert (rows["agency_key"].nunique(), states(rows)) == (1058, 39)
    assert rows["signed"].max() == pd.Timestamp("2025-12-18")
    assert len(snapshot(tables, "2025-12-31", "pending")) == 24


def test_known_quirks_are_handled(tables):
    feb = snapshot(tables, "2026-02-27")
    typo = feb[feb["state_raw"] == "PENNSLYVANIA"]
    assert len(typo) > 0 and set(typo["state"]) == {"PA"}
    assert set(typo["state_match"]) == {"known_typo"}
    assert "MP" in set(snapshot(tables, "2026-01-30")["state"])
    # HTML-era MOAs are plain-text Wayback URLs, workbook MOAs are cell hyperlinks
    assert snapshot(tables, "2025-01-31")["moa_url"].str.startswith("https://web.archive").all()
    dec = snapshot(tables, "2025-12-31")
    assert dec["moa_url"].str.startswith("https://www.ice.gov/").sum() > 1000


def test_history_tables_hold_together(tables):
    agreements = tables["agreements"]
    latest = tables["ice_snapshot_files"].query("list == 'participating'")["snapshot_date"].max()
    history = tables["agreements_history"]
    on_latest = history[history["snapshot_date"] == latest]
    assert (agreements["status"] == "active").sum() == on_latest["agreement_key"].nunique()
    gone = agreements[agreements["status"] == "gone"]
    assert gone["gone_at"].notna().all() and gone["lineage"].notna().all()
    assert agreements.loc[agreements["lineage"] == "successor", "successor_key"].notna().all()
    assert set(agreements["successor_key"].dropna()) <= set(agreements["agreement_key"])
    agencies = tables["agencies"]
    assert set(agencies["agency_key"]) == set(history["agency_key"])


def test_build_is_deterministic_on_the_mirror(raw_dir, tmp_path):
    build_history(raw_dir, tmp_path / "one", workers=1)
    build_history(raw_dir, tmp_path / "two", workers=2)
    for path in sorted((tmp_path / "one").iterdir()):
        twin = tmp_path / "two" / path.name
        assert hashlib.sha256(path.read_bytes()).digest() == (
            hashlib.sha256(twin.read_bytes()).digest()
        ), path.name


def test_cli_snapshot_summary_on_a_real_file(raw_dir, capsys):
    path = raw_dir / "ice_287g/participating_2025-12-31.xlsx"
    assert main(["snapshot-summary", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["date_source"] == "catalog" and summary["snapshot_date"] == "2025-12-31"
    assert (summary["rows"], summary["agencies"], summary["states"]) == (1274, 1058, 39)
    assert summary["territories"] == 1 and summary["quarantined"] == []
    assert summary["by_model"] == {"JEM": 145, "TFM": 684, "WSO": 445}
    assert summary["by_type"] == {"County": 837, "Municipality": 363, "State": 74, "Other": 0}
    assert sum(summary["signed_by_year"].values()) == 1274


def test_cli_snapshot_summary_on_a_pending_file(raw_dir, capsys):
    path = raw_dir / "ice_287g/pending_2025-05-29.xlsx"
    assert main(["snapshot-summary", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["list"], summary["rows"], summary["signed_by_year"]) == ("pending", 68, {})


def test_cli_diff_on_real_files(raw_dir, capsys):
    old = raw_dir / "ice_287g/participating_2025-11-26.xlsx"
    new = raw_dir / "ice_287g/participating_2025-12-31.xlsx"
    assert main(["diff", str(old), str(new), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert len(diff["added"]) - len(diff["removed"]) == 1274 - 1188
    assert len(diff["added"]) > 0 and len(diff["changed"]) > 0
    added = {a["agreement_key"] for a in diff["added"]}
    removed = {r["agreement_key"] for r in diff["removed"]}
    assert not added & removed
