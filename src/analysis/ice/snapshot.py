"""Load one ICE spreadsheet into tidy and quarantined rows, with its file-level facts.

``load_file`` is what both the history build (for every archived and live snapshot, possibly in
worker processes) and the reviewer commands (for any path) call. It returns plain Python values
so that it can cross a process boundary. Which files exist, and their dates, is
:mod:`analysis.ice.index`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analysis.fetch import sha256_file
from analysis.ice.read import read_sheet
from analysis.ice.rows import split_rows

# The normalized content that identifies a list: MOA URLs are left out because the HTML-era
# Wayback URLs embed the capture time, and cleaned values are used so trailing spaces do not count.
CONTENT_FIELDS = ("state", "agency_name_key", "model", "signed_raw", "agency_type", "county_ice")


@dataclass(frozen=True)
class LoadedFile:
    file: str
    snapshot_date: date
    sheet: str
    sheet_names: tuple[str, ...]
    header_row: int
    columns: tuple[str, ...]
    unmapped_columns: tuple[str, ...]
    list_kind: str
    era: str
    rows_in: int
    interior_blank_rows: int
    trailing_blank_rows: int
    clean: list[dict]
    quarantined: list[dict]
    sha256: str
    content_hash: str


def content_hash(list_kind: str, clean: list[dict], quarantined: list[dict]) -> str:
    lines = sorted(
        "\t".join("" if r[f] is None else str(r[f]) for f in CONTENT_FIELDS) for r in clean
    )
    lines += sorted(f"quarantined\t{q['raw_values']}" for q in quarantined)
    digest = hashlib.sha256(list_kind.encode())
    for line in lines:
        digest.update(b"\n" + line.encode())
    return digest.hexdigest()


def load_file(path: str | Path, snapshot_date: date, file: str | None = None) -> LoadedFile:
    """Read, normalize and split one spreadsheet; ``file`` is how its rows cite it."""
    path = Path(path)
    sheet = read_sheet(path)
    label = file or str(path)
    split = split_rows(sheet, snapshot_date, label)
    repeats = Counter(r["agreement_key"] for r in split.clean)
    clean = split.clean  # fresh dicts, made for this file: completed in place
    for r in clean:
        r["duplicate_key"] = repeats[r["agreement_key"]] > 1
    return LoadedFile(
        file=label,
        snapshot_date=snapshot_date,
        sheet=sheet.sheet_name,
        sheet_names=sheet.sheet_names,
        header_row=sheet.header_row,
        columns=sheet.columns,
        unmapped_columns=sheet.unmapped_columns,
        list_kind=sheet.list_kind,
        era=sheet.era,
        rows_in=len(sheet.rows),
        interior_blank_rows=sheet.interior_blank_rows,
        trailing_blank_rows=sheet.trailing_blank_rows,
        clean=clean,
        quarantined=split.quarantined,
        sha256=sha256_file(path),
        content_hash=content_hash(sheet.list_kind, clean, split.quarantined),
    )
