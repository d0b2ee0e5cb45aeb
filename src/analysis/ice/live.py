"""Download today's ICE 287(g) spreadsheets from ICE's landing page, or add one obtained by hand.

ICE's file names carry wrong dates and unstable suffixes (see shared docs), so the URL is never
built from a date: the landing page is read and every spreadsheet link that names the
"participating" or "pending" list is taken: ``.xlsx`` links and, since 2026, ICE's
``/file-download/download/public/<id>`` links without an extension, whose file name comes from
the ``Content-Disposition`` header. ICE has linked no pending list since February 2026: a page
without one is a note, not a failure (a page without a participating list is one). The
snapshot is dated by retrieval (UTC), saved under
``data/raw/ice_287g/latest/`` and recorded, with its URL and hash, in ``LATEST.csv`` there
(read back by :mod:`analysis.ice.index`). LATEST.csv is rewritten whole through a temporary file,
so an interrupted fetch leaves the previous record intact.

Schema drift alarm: every download is read with the ICE reader and its columns are compared with
the latest known snapshot of the same list (archived or fetched earlier, when its file is in
data/raw; else the newest documented schema). A missing or renamed column stops the fetch before
anything is recorded: the file is kept under ``latest/rejected/`` for inspection, nothing is
added to ``LATEST.csv``, and processed data are never touched. A new extra column only warns.

:func:`add_snapshot` (``analysis add-snapshot``) takes a spreadsheet obtained by hand (from a
colleague, or saved from a browser) through the same checks into the same folder and record. Its
date is ``--date``, else the MMDDYYYY date of ICE's file name when the sheet's SIGNED dates allow
it, else today; the same bytes added twice are recorded once.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from analysis import paths
from analysis.errors import UserError
from analysis.fetch import FetchError, download, load_catalog, sha256_file
from analysis.ice.index import (
    LATEST_DIR,
    LATEST_INDEX,
    LIVE,
    LIVE_HEADER,
    SnapshotFile,
    live_row,
    live_snapshots,
    snapshot_files,
)
from analysis.ice.read import COLUMNS, IceSheetError, read_sheet
from analysis.ice.snapshot import load_file

ICE_LANDING = "https://www.ice.gov/identify-and-arrest/287g"
LIST_WORDS = ("participating", "pending")
REJECTED_DIR = "rejected"
# The newest documented schema of each list (doc ice-287g-data.md §3), when no earlier snapshot
# of the list is at hand to compare with.
NEWEST_SCHEMA = {
    "participating": COLUMNS,
    "pending": ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE"),
}


# A link is to a spreadsheet when its path ends in .xlsx, when it is one of ICE's file-download
# links (``/file-download/download/public/<id>``, no extension since 2026), or when its type,
# text or title says so. Which list it is comes from its href, text, title or aria-label, else
# from the page text between the previous link and this one (a heading, "Participating agencies:").
SPREADSHEET_HINTS = ("/file-download/", "spreadsheet", "xlsx", "excel", "download")
CONTEXT_CHARS = 160


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        # (href, link text, attribute text, text just before the link in its block)
        self.links: list[tuple[str, str, str, str]] = []
        self._href: str | None = None
        self._attrs = ""
        self._text: list[str] = []
        self._before = ""  # page text since the previous link (its last CONTEXT_CHARS)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            values = dict(attrs)
            self._href = values.get("href")
            self._attrs = " ".join(
                values.get(k) or "" for k in ("title", "aria-label", "type", "download")
            )
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        else:
            self._before = (self._before + data)[-CONTEXT_CHARS:]

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            text = " ".join("".join(self._text).split())
            self.links.append((self._href, text, self._attrs, " ".join(self._before.split())))
            self._href = None
            self._before = ""


def _list_word(*texts: str) -> str | None:
    """The list a link names: the first text that names one decides; within the context text
    (the last argument) the word nearest the link wins."""
    for text in texts[:-1]:
        found = [w for w in LIST_WORDS if w in text]
        if len(found) == 1:
            return found[0]
    context = texts[-1]
    positions = {w: context.rfind(w) for w in LIST_WORDS if w in context}
    return max(positions, key=positions.get) if positions else None


def spreadsheet_links(html: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, list word) for each participating/pending spreadsheet link, in page order."""
    parser = _Links()
    parser.feed(html)
    found: list[tuple[str, str]] = []
    for href, text, attrs, before in parser.links:
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        url = urljoin(base_url, href)
        path = unquote(urlparse(url).path).lower()
        text, attrs, before = text.lower(), attrs.lower(), before.lower()
        if path.endswith((".pdf", ".doc", ".docx", ".htm", ".html")) or "pdf" in f"{text} {attrs}":
            continue  # a document, not a list
        haystack = f"{path} {text} {attrs}"
        if not (path.endswith(".xlsx") or any(h in haystack for h in SPREADSHEET_HINTS)):
            continue
        word = _list_word(path, text, attrs, before)
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
    words = {word for _url, word in links}
    if "participating" not in words:
        raise FetchError(
            f"{landing_url}: no participating-agencies spreadsheet link found (only "
            f"{', '.join(sorted(words))}); ICE may have changed the page. Nothing was downloaded."
        )
    if "pending" not in words:
        echo(
            f"note: {landing_url} links no pending-agencies list (ICE has published none since "
            "February 2026); only the participating list is fetched"
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


# ---------------------------------------------------------------------------------------------
# A spreadsheet obtained by hand: `analysis add-snapshot`

HAND_ADDED = "added by hand (analysis add-snapshot)"
_NAME_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")  # ICE's MMDDYYYY


def date_in_file_name(name: str) -> date | None:
    """The MMDDYYYY date in ICE's file name (``participatingAgencies05112026am.xlsx``), or None
    when there is none or it is not a calendar date (ICE's digit typos)."""
    match = _NAME_DATE.search(name)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def snapshot_date_for(path: Path, explicit: date | None, today: date) -> tuple[date, str]:
    """The date of a hand-added sheet and where it came from: ``--date``; else the date in ICE's
    file name, unless the sheet lists an agreement SIGNED more than a day after it or it is in
    the future (ICE's file-name dates are often wrong); else today."""
    if explicit is not None:
        return explicit, "--date"
    named = date_in_file_name(path.name)
    if named is None:
        return today, f"today (no MMDDYYYY date in the file name {path.name!r})"
    signed = [r["signed"] for r in load_file(path, today).clean if r["signed"] is not None]
    newest = max(signed, default=None)
    if named > today:
        why = f"the date {named} in the file name {path.name!r} is in the future"
    elif newest is not None and newest > named + timedelta(days=1):
        why = f"the file name {path.name!r} says {named}, but an agreement is SIGNED {newest}"
    else:
        return named, f"ICE's file name {path.name!r}"
    return today, f"today ({why}; pass --date to set it)"


def _letters(path: Path, sheet_name: str, header_row: int) -> dict[str, str]:
    """Header name (upper-cased) -> column letter on the header row of the data sheet."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        row = next(wb[sheet_name].iter_rows(min_row=header_row, max_row=header_row), ())
        return {
            " ".join(str(c.value).split()).upper(): get_column_letter(i)
            for i, c in enumerate(row, start=1)
            if c.value is not None and str(c.value).strip()
        }
    finally:
        wb.close()


def add_snapshot(
    path: Path,
    *,
    snapshot_date: date | None = None,
    list_kind: str | None = None,
    raw_dir: Path | None = None,
    now: datetime | None = None,
    echo: Callable[[str], None] = print,
) -> SnapshotFile | None:
    """Add an ICE spreadsheet obtained by hand as ``fetch --latest-ice`` adds a download: read
    and checked for schema drift, hashed, copied into ``data/raw/ice_287g/latest/`` and recorded
    in LATEST.csv. None (and a message) when the same bytes are already recorded."""
    now = now or datetime.now(UTC)
    raw_dir = raw_dir or paths.RAW
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    sheet = read_sheet(path)  # IceSheetError names the file, sheet, header row and columns
    word = sheet.list_kind
    if list_kind is not None and list_kind != word:
        has = "has no SIGNED column" if word == "pending" else "has a SIGNED column"
        raise UserError(
            f"{path}: --list {list_kind}, but sheet {sheet.sheet_name!r} (header row "
            f"{sheet.header_row}) {has}, so it is a {word} list; ICE once swapped the two files"
        )
    digest = sha256_file(path)
    for known in live_snapshots(raw_dir):
        if known.sha256 == digest:
            echo(f"{path}: already added as {known.file} ({known.snapshot_date}); nothing changed")
            return None
    archived = {e.sha256: e.path for e in load_catalog()}.get(digest)
    if archived is not None:
        echo(f"{path}: identical to the archived snapshot {archived}; nothing changed")
        return None
    day, source = snapshot_date_for(path, snapshot_date, now.date())
    echo(f"snapshot date {day}: from {source}")
    problem = schema_drift(path, str(path), word, raw_dir, echo)
    if not problem and sheet.unmapped_columns and list_kind is None:
        # The list is known only from the columns here (a download's link names it), and an
        # unknown column may be a renamed one: SIGNED renamed reads as a pending list.
        problem = (
            f"{path}: unrecognized column(s) {', '.join(map(repr, sheet.unmapped_columns))} "
            f"in a sheet that reads as a {word} list; if it is one, pass --list {word} to "
            "accept it with the new column(s) unread, as `fetch --latest-ice` does"
        )
    if problem:
        letters = _letters(path, sheet.sheet_name, sheet.header_row)
        where = ", ".join(f"{name!r} in column {letter}" for name, letter in letters.items())
        raise UserError(
            f"{problem}\n  Sheet {sheet.sheet_name!r}, header row {sheet.header_row}: {where}.\n"
            "  Nothing was copied or recorded. If ICE really changed its columns, teach "
            "analysis.ice.read (COLUMNS, ERAS) the new schema first."
        )
    loaded = load_file(path, day, str(path))
    for row in loaded.quarantined:
        echo(
            f"warning: {path}: row {row['sheet_row']}, column {row['columns']}: {row['detail']}; "
            "the row will be quarantined (listed in ice_quarantine), not dropped silently"
        )
    out_dir = raw_dir / LATEST_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    target, n = out_dir / f"{word}_{day}.xlsx", 1
    while target.exists():
        n += 1
        target = out_dir / f"{word}_{day}_{n}.xlsx"
    tmp = out_dir / f".{word}.add.part.xlsx"
    try:
        shutil.copyfile(path, tmp)
        if sha256_file(tmp) != digest:
            raise UserError(f"{path}: the copy in {out_dir} differs from the file; try again")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    snap = SnapshotFile(
        file=str(target.relative_to(raw_dir)),
        snapshot_date=day,
        source=LIVE,
        list_catalog=word,
        origin=f"{HAND_ADDED} from {path.name}",
        original_name=path.name,
        sha256=digest,
        bytes=target.stat().st_size,
        retrieved_utc=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    _record([snap], raw_dir / LATEST_INDEX)
    echo(
        f"added {path} -> {snap.file} ({word}, {len(loaded.clean):,} agreement rows, sha256 "
        f"{digest[:12]}…); `analysis build` then `analysis run` take it in"
    )
    return snap
