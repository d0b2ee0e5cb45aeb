"""The site of a run: the change log (``changes.html``) and the pages of
:mod:`analysis.site.build`, each skipped when what it is drawn from (its inputs, its code and
the run's results) is what it was drawn from last time, so a run with nothing to do imports
none of the site's code.

Only the front page depends on the notebooks' results. The data pages (changes, methods,
downloads, the state pages) depend on the processed tables alone, so the runner builds them
while the notebooks run, in a worker that has no notebook to execute (:func:`build_ahead`), and
writes only the front page at the end (:func:`write_index`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.fingerprint import PACKAGE_DIR, FileReader, ImportGraph, hash_file
from analysis.runner.layout import Layout, NotebookSpec

if TYPE_CHECKING:
    from analysis.runner.execute import RunResult

SITE_CODE = ("analysis.site.build", "analysis.runner.index_page")
"""What writes the site; their modules, transitively, are part of the site's stamp."""
SITE_LIBRARIES = ("itables", "matplotlib", "pandas", "pyarrow")
"""Libraries whose version is part of the site's stamp (they format its tables and figures)."""
DATA_RECORD = "site-data.json"
"""In the state folder: the data pages' stamp, files and what the front page needs of them."""
DATA_PAGES_SECONDS = 6.0
"""The data pages' build time before a run has measured it (the full site, 2 cores)."""


@dataclass
class Ahead:
    """The data pages being built while the notebooks run: their stamp, and the worker's
    :func:`build_ahead` (its lines to print and the :class:`DataPages` record)."""

    stamp: str
    future: Future


def site_graph(graph: ImportGraph | None, layout: Layout) -> ImportGraph:
    """The import graph of the package that writes the site."""
    if graph is None or graph.package_dir != PACKAGE_DIR:
        # The run's notebooks import another package (the runner's tests): its cache is apart.
        return ImportGraph(PACKAGE_DIR, cache=layout.state / "import-graph-analysis.json")
    return graph


def processed_folder(specs: list[NotebookSpec], layout: Layout) -> Path | None:
    """The processed tables the site is drawn from: None (``data/processed``) when the run's
    notebooks read them, else a folder that does not exist (a run list without them, as in the
    runner's tests, gets the front page only)."""
    uses_processed = any(i.startswith("data/processed/") for s in specs for i in s.inputs)
    return None if uses_processed else layout.state / "no-processed-tables"


def data_stamp(
    layout: Layout, as_of: str | None, processed: Path | None, graph: ImportGraph,
    read: FileReader,
) -> str:  # fmt: skip
    """Hash of everything the data pages are drawn from: the processed tables and their
    dictionaries, the catalog, the county shapes, the code that writes the site (the import
    closure of :data:`SITE_CODE`) and the versions of :data:`SITE_LIBRARIES`."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "missing"

    digest = hashlib.sha256()
    digest.update(json.dumps({
        "as_of": as_of, "processed": str(processed), "root": str(layout.root),
        "libraries": {name: installed(name) for name in SITE_LIBRARIES},
    }, sort_keys=True).encode())  # fmt: skip
    digest.update(graph.fingerprint(graph.closure(SITE_CODE)).encode())
    folder = processed or paths.PROCESSED
    tables = sorted(folder.glob("*.parquet")) + sorted(folder.glob("*.csv"))
    for path in [*tables, paths.DATA / "dictionaries", paths.DATA / "catalog.csv",
                 paths.RAW / "us_atlas_topojson"]:  # fmt: skip
        hash_file(digest, path, read)
    return digest.hexdigest()


def site_stamp(links: list, layout: Layout, data: str, read: FileReader) -> str:
    """Hash of everything the site is drawn from: the data pages' :func:`data_stamp`, the
    report links (which rendered, which failed), whether the change log exists and the run's
    key findings."""
    from analysis.report.findings import KEY_FINDINGS_FILE

    digest = hashlib.sha256(data.encode())
    digest.update(json.dumps({
        "links": [repr(link) for link in links],
        "changes": (layout.html / "changes.html").is_file(),
    }, sort_keys=True).encode())  # fmt: skip
    hash_file(digest, layout.tables / KEY_FINDINGS_FILE, read)
    return digest.hexdigest()


def recorded_data_pages(layout: Layout, stamp: str) -> dict[str, Any] | None:
    """The record of the data pages on disk when they were drawn from ``stamp``, all their
    files are there and the change log is as their navigation says; else None."""
    record = layout.state / DATA_RECORD
    try:
        saved = json.loads(record.read_text()) if record.is_file() else {}
    except ValueError:
        return None
    if saved.get("stamp") != stamp or "pages" not in saved:
        return None
    changes = (layout.html / "changes.html").is_file()
    in_nav = any(item[0] == "changes.html" for item in saved["pages"].get("nav", []))
    if changes != in_nav or not all((layout.html / f).is_file() for f in saved["files"]):
        return None
    return saved["pages"]


def stale_data_pages(
    specs: list[NotebookSpec], layout: Layout, as_of: str | None, graph: ImportGraph | None,
    read: FileReader,
) -> str | None:  # fmt: skip
    """The data pages' stamp when they are worth building ahead (the run's notebooks read the
    processed tables, and the pages on disk were not drawn from them); else None."""
    processed = processed_folder(specs, layout)
    if processed is not None:
        return None
    stamp = data_stamp(layout, as_of, processed, site_graph(graph, layout), read)
    return None if recorded_data_pages(layout, stamp) else stamp


def data_pages_seconds(layout: Layout) -> float:
    """How long the data pages took to build last time (:data:`DATA_PAGES_SECONDS` without a
    record), to hand them to a worker in :func:`analysis.runner.run.dispatch_order`."""
    try:
        return float(json.loads((layout.state / DATA_RECORD).read_text())["pages"]["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return DATA_PAGES_SECONDS


def build_ahead(layout: Layout, as_of: str | None, stamp: str) -> tuple[list[str], dict]:
    """In a worker, while notebooks run: ``changes.html``, then the data pages of the
    processed tables (:func:`analysis.site.build.build_data_pages`), recorded under ``stamp``.
    Returns the lines to print and the record."""
    from analysis.site.build import build_data_pages

    forget_site(layout)
    lines: list[str] = []
    write_changes(layout, as_of, lines.append)
    pages = build_data_pages(layout.html, state_dir=layout.state, as_of=as_of).to_json()
    record_data_pages(layout, stamp, pages)
    return lines, pages


def forget_site(layout: Layout) -> None:
    """Before pages are rewritten: drop their records, so that pages left half-written by an
    interrupted run are not taken for current."""
    for name in (DATA_RECORD, "site.json"):
        (layout.state / name).unlink(missing_ok=True)


def record_data_pages(layout: Layout, stamp: str, pages: dict[str, Any]) -> None:
    """Keep what the data pages on disk were drawn from, their files and ``pages`` (the
    :class:`analysis.site.build.DataPages` the front page needs), for
    :func:`recorded_data_pages`."""
    html = layout.html
    files = sorted(
        str(f.relative_to(html))
        for f in [html / "methods.html", html / "downloads.html",
                  *(html / "downloads").rglob("*"), *(html / "states").rglob("*")]
        if f.is_file()
    )  # fmt: skip
    layout.state.mkdir(parents=True, exist_ok=True)
    record = {"stamp": stamp, "files": files, "pages": pages}
    (layout.state / DATA_RECORD).write_text(json.dumps(record, indent=1) + "\n")


def write_index(
    specs: list[NotebookSpec],
    results: list[RunResult],
    layout: Layout,
    as_of: str | None,
    echo: Callable[[str], None] = print,
    graph: ImportGraph | None = None,
    read: FileReader | None = None,
    ahead: Ahead | None = None,
) -> None:
    """The site after the notebooks (:func:`analysis.site.build.build_site`): the front page
    linking every rendered report (a report that failed or was skipped is named, not linked),
    methods, downloads and the state pages. The data pages are built when the run's notebooks
    read the processed tables (a run list without them, as in the runner's tests, gets the
    front page only).

    ``ahead``: the data pages built while the notebooks ran (its lines are printed first, and
    its failure raised here). Else the data pages are rebuilt unless :func:`recorded_data_pages`
    has them. Skipped when :func:`site_stamp` equals the one recorded when the pages on disk
    were written, so a run with nothing to do does not import the site's code."""
    from analysis.runner.index_page import report_links

    read = read or FileReader()
    data = None
    if ahead is not None:
        lines, data = ahead.future.result()  # a failure while building them is raised here
        for line in lines:
            echo(line)
    graph = site_graph(graph, layout)
    processed = processed_folder(specs, layout)
    links = report_links(specs, results, layout.html)
    built = ahead.stamp if ahead else data_stamp(layout, as_of, processed, graph, read)
    stamp = site_stamp(links, layout, built, read)
    record = layout.state / "site.json"
    try:
        saved = json.loads(record.read_text()) if record.is_file() else {}
    except ValueError:
        saved = {}
    written = saved.get("files") or ["index.html"]
    current = saved.get("stamp") == stamp and all((layout.html / f).is_file() for f in written)
    if current and ahead is None:
        echo(f"[site] unchanged ({len(written)} files)")
        graph.save()
        return

    note = "all but the front page built while the notebooks ran" if ahead else ""
    if data is None:
        data = recorded_data_pages(layout, built)
        if data is not None:  # only the front page is out of date
            data = {**data, "seconds": {}, "total": 0.0, "states_rebuilt": False}
            note = "the front page alone: the other pages were current"
    if data is not None:  # without importing the data pages' code (pandas, matplotlib)
        from analysis.site.front import DataPages, write_front_page

        result = write_front_page(layout.html, DataPages.from_json(data), reports=links,
                                  tables_dir=layout.tables, as_of=as_of)  # fmt: skip
    else:
        from analysis.site.build import build_site

        forget_site(layout)
        result = build_site(
            layout.html, reports=links, tables_dir=layout.tables, state_dir=layout.state,
            as_of=as_of, processed_dir=processed,
        )  # fmt: skip
        record_data_pages(layout, built, result.pages.to_json())
    result.note = note
    pages = ["index.html", "methods.html", "downloads.html"]
    written = [p for p in pages if (layout.html / p).is_file()] + sorted(
        str(f.relative_to(layout.html))
        for folder in ("downloads", "states") for f in (layout.html / folder).rglob("*")
        if f.is_file()
    )  # fmt: skip
    layout.state.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"stamp": stamp, "files": written}, indent=1) + "\n")
    graph.save()
    echo(result.summary())


def write_changes(
    layout: Layout,
    as_of: str | None,
    echo: Callable[[str], None] = print,
    read: FileReader | None = None,
) -> None:
    """``changes.html``: the latest ICE snapshot (up to ``as_of``) against the one before, from
    the processed ICE tables; without them (no ``analysis build`` yet) it says so and skips."""

    # Skipped when its inputs and code are those of the page on disk, so a no-op run stays fast.
    sources = [paths.PROCESSED / f"{t}.parquet" for t in ("agreements_history", "agreements")]
    code = [PACKAGE_DIR / p for p in ("site/changes.py", "study/changes.py")]
    digest = hashlib.sha256(str(as_of).encode())
    for file in sources + code:
        digest.update((read or FileReader())(file) if file.is_file() else b"missing")
    stamp, page = layout.state / "changes.sha256", layout.html / "changes.html"
    if page.is_file() and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        return

    from analysis.io import read_table
    from analysis.site.changes import changes_html
    from analysis.study.changes import change_log

    try:
        history, agreements = read_table("agreements_history"), read_table("agreements")
    except FileNotFoundError as exc:
        echo(f"[run] changes.html not written: {exc}")
        return
    log = change_log(history, agreements, as_of)
    scope = f"the ICE snapshot of {as_of}" if as_of else "the latest ICE snapshot"
    layout.html.mkdir(parents=True, exist_ok=True)
    page.write_text(changes_html(log, scope=scope), encoding="utf-8")
    layout.state.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest())
    echo(f"[run] changes.html: {log.latest.latest:%Y-%m-%d} against the snapshot before")
