"""The whole site in one call: front page, methods, downloads and the state pages (the state
pages are rebuilt only when their inputs or this package changed).

Only the front page depends on the notebooks' results (the report links and the run's
``key_findings.json``); the other pages are drawn from the processed tables, the catalog and the
county shapes alone, so the runner builds them while the notebooks run
(:func:`build_data_pages`, in a worker) and the front page after
(:func:`analysis.site.front.write_front_page`, which needs none of this module's imports).
:func:`build_site` is the two in turn.

Returns how long each part took, so the runner can say it."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.site import downloads, front, methods, state_data
from analysis.site.front import DataPages, SiteResult, build_front_page, write_front_page
from analysis.site.page import NAV

STATE_INPUTS = ("agreements", "agencies", "agreements_history", "state_policies")


def _processed_ready(processed: Path) -> bool:
    return all((processed / f"{name}.parquet").exists() for name in STATE_INPUTS)


def states_fingerprint(processed: Path, raw_dir: Path) -> str:
    """Hash of what the state pages are drawn from: their tables, the county shapes and the
    code of this package (and the itables version)."""
    import itables

    from analysis.geo.shapes import TOPOJSON

    digest = hashlib.sha256(itables.__version__.encode())
    files = [processed / f"{name}.parquet" for name in STATE_INPUTS]
    files += [raw_dir / TOPOJSON["albers"], paths.DATA / "catalog.csv"]
    files += sorted(Path(__file__).parent.glob("*.py"))
    files += sorted((Path(__file__).parents[1] / "geo").glob("*.py"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def _latest_on_or_before(history: pd.DataFrame, as_of: str | None) -> pd.Timestamp:
    dates = history.loc[history["in_time_series"].astype(bool), "snapshot_date"]
    if as_of is not None:
        dates = dates[dates <= pd.Timestamp(as_of)]
    return dates.max()


def build_data_pages(
    site: Path,
    *,
    state_dir: Path,
    as_of: str | None = None,
    processed_dir: Path | None = None,
    raw_dir: Path | None = None,
) -> DataPages:
    """Methods, downloads and (without ``as_of``) the state pages, from the processed tables;
    none of them without processed tables. ``changes.html`` must be written first: the
    navigation links it when it exists."""
    started = time.perf_counter()
    processed = processed_dir or paths.PROCESSED
    raw = raw_dir or paths.RAW
    site.mkdir(parents=True, exist_ok=True)
    nav = tuple(n for n in NAV if n[0] != "changes.html" or (site / "changes.html").exists())
    ready = _processed_ready(processed)
    if not (ready and as_of is None):
        nav = tuple(n for n in nav if n[0] != "states/index.html")
    if not ready:
        nav = tuple(n for n in nav if n[0] not in ("methods.html", "downloads.html"))
    data = DataPages(nav)
    if ready:
        tables = state_data.SiteTables.read(processed)
        latest = _latest_on_or_before(tables.history, as_of)
        data.latest = f"{latest:%Y-%m-%d}"
        catalog = pd.read_csv(paths.DATA / "catalog.csv", dtype=str)
        (site / "methods.html").write_text(
            methods.methods_page(tables, catalog, latest, nav), encoding="utf-8"
        )
        items = downloads.copy_downloads(site, processed)
        (site / "downloads.html").write_text(downloads.downloads_page(items, nav), "utf-8")
        data.seconds["methods and downloads"] = time.perf_counter() - started
        if as_of is None:
            t0 = time.perf_counter()
            data.states, data.states_rebuilt = _state_pages(tables, site, state_dir, processed,
                                                            raw, nav)  # fmt: skip
            data.seconds["state pages"] = time.perf_counter() - t0
    data.total = time.perf_counter() - started
    return data


def build_site(
    site: Path,
    *,
    reports: list[front.ReportLink],
    tables_dir: Path,
    state_dir: Path,
    as_of: str | None = None,
    processed_dir: Path | None = None,
    raw_dir: Path | None = None,
    title: str = "The 287(g) atlas: reports",
    data: DataPages | None = None,
) -> SiteResult:
    """Write the site into ``site`` (``reports/html``). ``tables_dir`` holds the run's
    ``key_findings.json``; ``state_dir`` the cache fingerprint of the state pages. Without
    processed tables only the front page is written (and says so). The state pages describe
    the latest snapshot, so an ``as_of`` run gets no state pages. ``data``: the data pages,
    already built (by :func:`build_data_pages`): only the front page is written."""
    if data is not None:
        return write_front_page(site, data, reports=reports, tables_dir=tables_dir, as_of=as_of,
                                title=title)  # fmt: skip
    started = time.perf_counter()
    data = build_data_pages(site, state_dir=state_dir, as_of=as_of,
                            processed_dir=processed_dir, raw_dir=raw_dir)  # fmt: skip
    build_front_page(site, data, reports=reports, tables_dir=tables_dir, as_of=as_of,
                     title=title)  # fmt: skip
    seconds = {**data.seconds, "total": time.perf_counter() - started}
    return SiteResult(seconds, data.states, data.states_rebuilt, pages=data)


def _state_pages(tables, site: Path, state_dir: Path, processed: Path, raw: Path, nav):
    from analysis.site.state_pages import write_state_pages

    record = state_dir / "site-states.json"
    key = states_fingerprint(processed, raw) + json.dumps(nav)
    saved = json.loads(record.read_text()) if record.exists() else {}
    files = saved.get("files") or ["index.html"]  # under states/: every one must be there
    if saved.get("fingerprint") == key and all((site / "states" / f).is_file() for f in files):
        return saved["states"], False
    from analysis.geo.shapes import county_geometry

    written = write_state_pages(tables, county_geometry(raw), site, nav)
    files = sorted(str(f.relative_to(site / "states")) for f in (site / "states").rglob("*")
                   if f.is_file())  # fmt: skip
    state_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"fingerprint": key, "states": written, "files": files}) + "\n")
    return written, True
