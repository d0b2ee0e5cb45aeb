"""The whole site in one call, after the notebooks: front page, methods, downloads and the
state pages (the state pages are rebuilt only when their inputs or this package changed).

Returns how long each part took, so the runner can say it."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.report.findings import KEY_FINDINGS_FILE
from analysis.site import downloads, front, methods, state_data
from analysis.site.page import NAV

STATE_INPUTS = ("agreements", "agencies", "agreements_history", "state_policies")


@dataclass
class SiteResult:
    seconds: dict[str, float] = field(default_factory=dict)
    states: list[str] = field(default_factory=list)
    states_rebuilt: bool = False

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        cached = "" if self.states_rebuilt or not self.states else " (state pages unchanged)"
        return f"[site] {len(self.states)} state pages{cached}; {parts}"


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
) -> SiteResult:
    """Write the site into ``site`` (``reports/html``). ``tables_dir`` holds the run's
    ``key_findings.json``; ``state_dir`` the cache fingerprint of the state pages. Without
    processed tables only the front page is written (and says so). The state pages describe
    the latest snapshot, so an ``as_of`` run gets no state pages."""
    result = SiteResult()
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
    latest = None
    if ready:
        tables = state_data.SiteTables.read(processed)
        latest = _latest_on_or_before(tables.history, as_of)
        catalog = pd.read_csv(paths.DATA / "catalog.csv", dtype=str)
        (site / "methods.html").write_text(
            methods.methods_page(tables, catalog, latest, nav), encoding="utf-8"
        )
        items = downloads.copy_downloads(site, processed)
        (site / "downloads.html").write_text(downloads.downloads_page(items, nav), "utf-8")
        result.seconds["methods and downloads"] = time.perf_counter() - started
        if as_of is None:
            t0 = time.perf_counter()
            result.states, result.states_rebuilt = _state_pages(tables, site, state_dir, processed,
                                                                raw, nav)  # fmt: skip
            result.seconds["state pages"] = time.perf_counter() - t0
    findings_path = tables_dir / KEY_FINDINGS_FILE
    shown_path = findings_path.relative_to(paths.ROOT) if findings_path.is_relative_to(
        paths.ROOT) else findings_path  # fmt: skip
    scope = f"as of the ICE snapshot of {as_of}" if as_of else "as of the latest ICE snapshot"
    (site / "index.html").write_text(
        front.front_page(
            title=title, scope=scope, snapshot=None if latest is None else f"{latest:%Y-%m-%d}",
            findings=front.load_findings(findings_path), findings_path=str(shown_path),
            reports=reports, n_states=len(result.states) or None, nav=nav,
        ),
        encoding="utf-8",
    )  # fmt: skip
    result.seconds["total"] = time.perf_counter() - started
    return result


def _state_pages(tables, site: Path, state_dir: Path, processed: Path, raw: Path, nav):
    from analysis.site.state_pages import write_state_pages

    record = state_dir / "site-states.json"
    key = states_fingerprint(processed, raw) + json.dumps(nav)
    saved = json.loads(record.read_text()) if record.exists() else {}
    if saved.get("fingerprint") == key and (site / "states" / "index.html").exists():
        return saved["states"], False
    from analysis.geo.shapes import county_geometry

    written = write_state_pages(tables, county_geometry(raw), site, nav)
    state_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"fingerprint": key, "states": written}) + "\n")
    return written, True
