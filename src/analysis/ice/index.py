"""Which ICE 287(g) spreadsheets exist: the archived snapshots and the ones fetched from ICE's page.

Two records list them, and this module is the only reader of both:

- ``data/ice_snapshots.csv``, committed: every archived file with its *corrected* snapshot date
  (ICE's file names carry wrong dates), the list the archive says it is, the archive it came
  from, ICE's original file name, the row count of the archive's manifest and review notes;
- ``data/raw/ice_287g/latest/LATEST.csv``, written by ``analysis fetch --latest-ice``
  (:mod:`analysis.ice.live`): every list downloaded from ICE's live page, dated by the day of
  retrieval (UTC), with its URL, ICE's file name, its hash and size.

Both are returned as :class:`SnapshotFile` records with one set of names for the same facts (the
names of the processed ``ice_snapshot_files`` table). The two files keep their own headers: the
committed index is a reviewed table, and LATEST.csv files already fetched must stay readable.
``LIVE_HEADER`` says which LATEST.csv column holds which field.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths
from analysis.fetch import load_catalog, sha256_file

if TYPE_CHECKING:  # pandas is imported on use (reading the files needs none of it)
    import pandas as pd

ARCHIVE_INDEX = paths.DATA / "ice_snapshots.csv"
LATEST_DIR = "ice_287g/latest"  # in data/raw: the lists fetched from ICE's live page
LATEST_INDEX = f"{LATEST_DIR}/LATEST.csv"
ARCHIVE = "archive"
LIVE = "live"


@dataclass(frozen=True)
class SnapshotFile:
    file: str  # relative to data/raw
    snapshot_date: date  # corrected (archive) or the day of retrieval, UTC (live)
    source: str  # archive | live
    list_catalog: str  # participating | pending, as the index says (the reader checks content)
    origin: str  # the archive it was mirrored from, or the URL it was downloaded from
    original_name: str  # ICE's own file name
    manifest_rows: int | None = None  # rows according to the archive's manifest (archive only)
    notes: str = ""
    sha256: str | None = None  # live only; archived files are hashed in data/catalog.csv
    bytes: int | None = None  # live only
    retrieved_utc: str | None = None  # live only


# LATEST.csv column -> SnapshotFile field, in the file's column order.
LIVE_HEADER = {
    "path": "file",
    "snapshot_date": "snapshot_date",
    "list_by_name": "list_catalog",
    "url": "origin",
    "ice_file_name": "original_name",
    "retrieved_utc": "retrieved_utc",
    "sha256": "sha256",
    "bytes": "bytes",
}


def _by_date(snapshots: list[SnapshotFile]) -> list[SnapshotFile]:
    return sorted(snapshots, key=lambda s: (s.snapshot_date, s.file))


def archived_snapshots(index: Path | None = None) -> list[SnapshotFile]:
    """The committed index (default ``data/ice_snapshots.csv``), in its row order."""
    with open(index or ARCHIVE_INDEX, newline="", encoding="utf-8") as fh:
        return [
            SnapshotFile(
                file=r["file"],
                snapshot_date=date.fromisoformat(r["snapshot_date"]),
                source=ARCHIVE,
                list_catalog=r["list"],
                origin=r["origin"],
                original_name=r["original_name"],
                manifest_rows=int(r["manifest_rows"]) if r["manifest_rows"] else None,
                notes=r["notes"],
            )
            for r in csv.DictReader(fh)
        ]


def live_snapshots(raw_dir: Path | None = None) -> list[SnapshotFile]:
    """The lists fetched from ICE's live page (``LATEST.csv`` under ``raw_dir``), oldest first;
    none when nothing was fetched."""
    index = (raw_dir or paths.RAW) / LATEST_INDEX
    if not index.exists():
        return []
    with open(index, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    snapshots = []
    for row in rows:
        values = {field: row[column] for column, field in LIVE_HEADER.items()}
        values["snapshot_date"] = date.fromisoformat(values["snapshot_date"])
        values["bytes"] = int(values["bytes"])
        snapshots.append(SnapshotFile(source=LIVE, **values))
    return _by_date(snapshots)


def live_row(snapshot: SnapshotFile) -> dict[str, str]:
    """A fetched snapshot as a LATEST.csv row."""
    return {column: str(getattr(snapshot, field)) for column, field in LIVE_HEADER.items()}


def snapshot_files(raw_dir: Path | None = None, index: Path | None = None) -> list[SnapshotFile]:
    """Every snapshot: the archived index (default ``data/ice_snapshots.csv``) plus the lists
    fetched into ``raw_dir``, oldest first (ties by file)."""
    return _by_date(archived_snapshots(index) + live_snapshots(raw_dir))


def as_frame(snapshots: list[SnapshotFile]) -> pd.DataFrame:
    """Snapshot records as a table with one column per field."""
    import pandas as pd

    return pd.DataFrame(
        [[getattr(s, f.name) for f in fields(SnapshotFile)] for s in snapshots],
        columns=[f.name for f in fields(SnapshotFile)],
    )


def catalogued(path: Path, raw_dir: Path | None = None) -> SnapshotFile | None:
    """The record of a file the project knows: found by its place in ``raw_dir``, else by its
    sha256 (so a copy elsewhere is recognized); None for an unknown file."""
    raw_dir = raw_dir or paths.RAW
    live = live_snapshots(raw_dir)
    # A live download recorded under the same path as an archived file takes its place.
    known = {s.file: s for s in archived_snapshots()} | {s.file: s for s in live}
    resolved = path.resolve()
    for relpath, snapshot in known.items():
        if (raw_dir / relpath).resolve() == resolved:
            return snapshot
    by_hash = {e.sha256: e.path for e in load_catalog()} | {s.sha256: s.file for s in live}
    return known.get(by_hash.get(sha256_file(path), ""))


def resolve_snapshot_date(
    path: Path, explicit: date | None = None, raw_dir: Path | None = None
) -> tuple[date, str]:
    """The date a spreadsheet is validated against, and where it came from.

    Order: an explicit ``--date``; the catalogued date of a known file (:func:`catalogued`);
    otherwise the file's modification date (UTC), which for a fresh download is the download day.
    """
    if explicit is not None:
        return explicit, "--date"
    known = catalogued(path, raw_dir)
    if known is not None:
        return known.snapshot_date, "catalog"
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    return modified, "file modification date"
