"""Download today's ICE 287(g) spreadsheets from ICE's landing page.

ICE's file names carry wrong dates and unstable suffixes (see shared docs), so the URL is never
built from a date: the landing page is read and every ``.xlsx`` link that mentions
"participating" or "pending" is taken. The snapshot is dated by retrieval (UTC), saved under
``data/raw/ice_287g/latest/`` and recorded, with its URL and hash, in ``LATEST.csv`` there
(read back by :mod:`analysis.ice.index`). LATEST.csv is rewritten whole through a temporary file,
so an interrupted fetch leaves the previous record intact.

Schema drift alarm: every download is read with the ICE reader and its columns are compared with
the latest known snapshot of the same list (archived or fetched earlier, when its file is in
data/raw; else the newest documented schema). A missing or renamed column stops the fetch before
anything is recorded: the file is kept under ``latest/rejected/`` for inspection, nothing is
added to ``LATEST.csv``, and processed data are never touched. A new extra column only warns.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from analysis import paths
from analysis.fetch import FetchError, download, sha256_file
from analysis.ice.index import (
    LATEST_DIR,
    LATEST_INDEX,
    LIVE,
    LIVE_HEADER,
    SnapshotFile,
    live_row,
    snapshot_files,
)
from analysis.ice.read import COLUMNS, IceSheetError, read_sheet

ICE_LANDING = "https://www.ice.gov/identify-and-arrest/287g"
LIST_WORDS = ("participating", "pending")
REJECTED_DIR = "rejected"
# The newest documented schema of each list (doc ice-287g-data.md §3), when no earlier snapshot
# of the list is at hand to compare with.
NEWEST_SCHEMA = {
    "participating": COLUMNS,
    "pending": ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE"),
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def spreadsheet_links(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, list word) for each participating/pending spreadsheet link, in page order."""
    parser = _Links()
    parser.feed(html)
    found: list[tuple[str, str]] = []
    for href, text in parser.links:
        url = urljoin(base_url, href)
        path = urlparse(url).path.lower()
        haystack = f"{path} {text.lower()}"
        if not (path.endswith(".xlsx") or "download" in haystack):
            continue
        word = next((w for w in LIST_WORDS if w in haystack), None)
        if word and url not in [u for u, _ in found]:
            found.append((url, word))
    return found


def _file_name(url: str, content_disposition: str | None) -> str:
    name = unquote(Path(urlparse(url).path).name)
    if content_disposition:
        match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", content_disposition)
        if match:
            name = unquote(match.group(1))
    return name


def fetch_latest_ice(
    landing_url: str = ICE_LANDING,
    *,
    raw_dir: Path | None = None,
    timeout: float = 60,
    retries: int = 3,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
) -> list[SnapshotFile]:
    """Download, check and record today's participating and pending lists; the records of the
    files kept (a list identical to one already fetched that day is not downloaded twice)."""
    import requests

    now = now or datetime.now(UTC)
    raw_dir = raw_dir or paths.RAW
    try:
        page = requests.get(landing_url, timeout=timeout)
        page.raise_for_status()
    except requests.RequestException as exc:
        raise FetchError(
            f"could not read ICE's 287(g) page {landing_url}: {exc}. "
            "`fetch --latest-ice` needs network access; the archived snapshots do not."
        ) from None
    links = spreadsheet_links(page.text, landing_url)
    if not links:
        raise FetchError(
            f"{landing_url}: no participating or pending .xlsx link found; ICE may have changed "
            "the page. Nothing was downloaded."
        )
    out_dir = raw_dir / LATEST_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    day = now.strftime("%Y-%m-%d")
    retrieved = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    staged: list[tuple[str, str, Path]] = []
    snapshots = []
    try:
        for url, word in links:
            tmp = out_dir / f".{word}.download.part.xlsx"  # openpyxl wants .xlsx
            staged.append((url, word, tmp))
            download(url, tmp, timeout=timeout, retries=retries)
        # Every download is checked before any is kept: a schema change stops them all.
        problems = []
        for url, word, tmp in staged:
            problem = schema_drift(tmp, url, word, raw_dir, echo)
            if problem:
                rejected = _reject(tmp, out_dir, word, now)
                problems.append(f"{problem}\n  The download is kept for inspection at {rejected}.")
        if problems:
            raise FetchError(
                "\n".join(problems) + "\n  Nothing was recorded in LATEST.csv and the processed "
                "data were not touched. Compare the rejected file with the previous snapshot; if "
                "ICE really changed its columns, teach analysis.ice.read (COLUMNS, ERAS) the new "
                "schema, then run `analysis fetch --latest-ice` again."
            )
        # ICE's file names are asked for before any file is kept, so a failure keeps none.
        names = {url: _file_name(url, _disposition(url, timeout)) for url, _word, _tmp in staged}
        for url, word, tmp in staged:
            digest = sha256_file(tmp)
            # Raw data is immutable: a second, different download on the same day gets a suffix.
            target, n = out_dir / f"{word}_{day}.xlsx", 1
            while target.exists() and sha256_file(target) != digest:
                n += 1
                target = out_dir / f"{word}_{day}_{n}.xlsx"
            if not target.exists():
                os.replace(tmp, target)
            snap = SnapshotFile(
                file=str(target.relative_to(raw_dir)),
                snapshot_date=now.date(),
                source=LIVE,
                list_catalog=word,  # what the link says; the reader classifies by content
                origin=url,
                original_name=names[url],
                sha256=digest,
                bytes=target.stat().st_size,
                retrieved_utc=retrieved,
            )
            echo(f"downloaded {url} -> {snap.file}")
            snapshots.append(snap)
    finally:
        for _url, _word, tmp in staged:
            tmp.unlink(missing_ok=True)
    _record(snapshots, raw_dir / LATEST_INDEX)
    return snapshots


def _disposition(url: str, timeout: float) -> str | None:
    """The Content-Disposition header of a link that does not end in .xlsx (it names the file)."""
    import requests

    if urlparse(url).path.lower().endswith(".xlsx"):
        return None
    try:
        head = requests.head(url, timeout=timeout, allow_redirects=True)
    except requests.RequestException as exc:
        raise FetchError(
            f"could not ask {url} for its file name: {type(exc).__name__}: {exc}. "
            "Nothing was recorded in LATEST.csv."
        ) from None
    return head.headers.get("Content-Disposition")


def _reject(tmp: Path, out_dir: Path, word: str, now: datetime) -> Path:
    folder = out_dir / REJECTED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{word}_{now.strftime('%Y-%m-%dT%H%M%SZ')}.xlsx"
    os.replace(tmp, target)
    return target


def reference_columns(word: str, raw_dir: Path) -> tuple[tuple[str, ...], str]:
    """The columns of the latest known snapshot of the ``word`` list whose file is in raw_dir
    (archived in data/ice_snapshots.csv or fetched before, LATEST.csv), and what it is; the
    newest documented schema when there is none."""
    for snapshot in reversed(snapshot_files(raw_dir)):  # newest first
        path = raw_dir / snapshot.file
        if snapshot.list_catalog == word and path.is_file():
            try:
                return read_sheet(path).columns, f"the latest {word} snapshot {snapshot.file}"
            except IceSheetError:
                continue
    return NEWEST_SCHEMA[word], f"the newest documented {word} schema"


def schema_drift(
    path: Path, url: str, word: str, raw_dir: Path, echo: Callable[[str], None] = print
) -> str | None:
    """Why the downloaded ``word`` list at ``path`` cannot be accepted, naming the columns that
    changed; None when its columns match (a new extra column only warns)."""
    expected, reference = reference_columns(word, raw_dir)
    try:
        sheet = read_sheet(path)
    except IceSheetError as exc:
        reason = str(exc).replace(str(path), "the sheet", 1)
        return (
            f"{url}: ICE's {word} list cannot be read any more: {reason} (compared with "
            f"{reference}: {', '.join(expected)})"
        )
    removed = [c for c in expected if c not in sheet.columns]
    added = [c for c in sheet.columns if c not in expected] + list(sheet.unmapped_columns)
    if removed:
        kind = "" if sheet.list_kind == word else f"; it reads as a {sheet.list_kind} list"
        return (
            f"{url}: ICE's {word} list changed its columns: removed {', '.join(removed)}"
            + (f"; added {', '.join(map(repr, added))}" if added else "")
            + f" (compared with {reference}){kind}"
        )
    if added:
        echo(
            f"warning: {url}: ICE's {word} list has new column(s) {', '.join(map(repr, added))} "
            f"not in {reference}; accepted, the new column(s) are not read"
        )
    return None


def _record(snapshots: list[SnapshotFile], index: Path) -> None:
    """Append ``snapshots`` to LATEST.csv (a file already recorded keeps its first record). The
    earlier rows are kept as they are; the new file replaces the old one only once written."""
    rows = []
    if index.exists():
        with open(index, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    known = {r["path"] for r in rows}  # LATEST.csv's name for SnapshotFile.file
    rows += [live_row(s) for s in snapshots if s.file not in known]
    tmp = index.with_name(f".{index.name}.part")
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(LIVE_HEADER))
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, index)
    finally:
        tmp.unlink(missing_ok=True)
