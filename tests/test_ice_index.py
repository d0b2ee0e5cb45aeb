"""The ICE snapshot index: archived and fetched snapshots as one kind of record."""

from __future__ import annotations

import csv
import os
from datetime import date

from analysis.fetch import sha256_file
from analysis.ice import index

ARCHIVE_HEADER = "file,snapshot_date,list,origin,original_name,manifest_rows,notes\n"


def write_archive(path, *rows):
    path.write_text(ARCHIVE_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def live(file, day, list_catalog="participating", sha256="ab" * 32):
    return index.SnapshotFile(
        file=file,
        snapshot_date=day,
        source=index.LIVE,
        list_catalog=list_catalog,
        origin=f"https://www.ice.gov/{file}",
        original_name="participatingAgencies.xlsx",
        sha256=sha256,
        bytes=1234,
        retrieved_utc=f"{day}T15:00:00Z",
    )


def write_live(raw_dir, *snapshots):
    latest = raw_dir / index.LATEST_INDEX
    latest.parent.mkdir(parents=True, exist_ok=True)
    with open(latest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(index.LIVE_HEADER))
        writer.writeheader()
        writer.writerows(index.live_row(s) for s in snapshots)


def test_archived_rows_become_typed_records(tmp_path):
    path = write_archive(
        tmp_path / "index.csv",
        "ice_287g/pending_2025-02-28.xlsx,2025-02-28,pending,appelson,pend.xlsx,,",
        "ice_287g/participating_2021-01-13.xlsx,2021-01-13,participating,wayback,P.xlsx,150,"
        "date corrected",
    )
    pending, participating = index.archived_snapshots(path)
    assert pending.manifest_rows is None and pending.list_catalog == "pending"
    assert participating == index.SnapshotFile(
        file="ice_287g/participating_2021-01-13.xlsx",
        snapshot_date=date(2021, 1, 13),
        source="archive",
        list_catalog="participating",
        origin="wayback",
        original_name="P.xlsx",
        manifest_rows=150,
        notes="date corrected",
    )


def test_live_records_round_trip_through_latest_csv_oldest_first(tmp_path):
    newer = live("ice_287g/latest/participating_2026-11-29.xlsx", date(2026, 11, 29))
    older = live("ice_287g/latest/pending_2026-11-28.xlsx", date(2026, 11, 28), "pending")
    assert index.live_snapshots(tmp_path) == []
    write_live(tmp_path, newer, older)
    assert index.live_snapshots(tmp_path) == [older, newer]
    header = (tmp_path / index.LATEST_INDEX).read_text(encoding="utf-8").splitlines()[0]
    assert header == "path,snapshot_date,list_by_name,url,ice_file_name,retrieved_utc,sha256,bytes"


def test_snapshot_files_lists_both_by_date_then_file(tmp_path):
    archive = write_archive(
        tmp_path / "index.csv",
        "ice_287g/participating_2026-11-29.xlsx,2026-11-29,participating,x,a.xlsx,1,",
        "ice_287g/participating_2021-01-13.xlsx,2021-01-13,participating,x,b.xlsx,1,",
    )
    fetched = live("ice_287g/latest/participating_2026-11-28.xlsx", date(2026, 11, 28))
    write_live(tmp_path, fetched)
    files = index.snapshot_files(tmp_path, archive)
    assert [(s.file, s.source) for s in files] == [
        ("ice_287g/participating_2021-01-13.xlsx", "archive"),
        ("ice_287g/latest/participating_2026-11-28.xlsx", "live"),
        ("ice_287g/participating_2026-11-29.xlsx", "archive"),
    ]
    frame = index.as_frame(files)
    assert frame.columns[:5].tolist() == ["file", "snapshot_date", "source", "list_catalog",
                                          "origin"]  # fmt: skip
    assert frame.file.tolist() == [s.file for s in files]


def test_a_known_file_is_found_by_place_or_by_hash(tmp_path):
    raw = tmp_path / "raw"
    # An archived file of the committed index, by its place in raw_dir (content does not matter).
    archived = raw / "ice_287g/participating_2021-01-13.xlsx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"anything")
    assert index.catalogued(archived, raw).snapshot_date == date(2021, 1, 13)
    # A fetched file, and a copy of it elsewhere, found by the hash LATEST.csv recorded.
    fetched = raw / "ice_287g/latest/participating_2026-11-28.xlsx"
    fetched.parent.mkdir(parents=True)
    fetched.write_bytes(b"fetched bytes")
    copy = tmp_path / "Downloads" / "participatingAgencies.xlsx"
    copy.parent.mkdir()
    copy.write_bytes(b"fetched bytes")
    record = live(str(fetched.relative_to(raw)), date(2026, 11, 28), sha256=sha256_file(copy))
    write_live(raw, record)
    assert index.catalogued(fetched, raw) == record
    assert index.catalogued(copy, raw) == record
    copy.write_bytes(b"other bytes")
    assert index.catalogued(copy, raw) is None


def test_snapshot_date_explicit_then_catalogued_then_file_date(tmp_path):
    raw = tmp_path / "raw"
    archived = raw / "ice_287g/participating_2021-01-13.xlsx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"x")
    explicit = date(2025, 7, 15)
    assert index.resolve_snapshot_date(archived, explicit, raw) == (explicit, "--date")
    assert index.resolve_snapshot_date(archived, None, raw) == (date(2021, 1, 13), "catalog")
    unknown = tmp_path / "new.xlsx"
    unknown.write_bytes(b"new")
    os.utime(unknown, (1_767_000_000, 1_767_000_000))  # 2025-12-29 UTC
    assert index.resolve_snapshot_date(unknown, None, raw) == (
        date(2025, 12, 29),
        "file modification date",
    )
