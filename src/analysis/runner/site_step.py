"""The site after the notebooks: the change log (``changes.html``) and the pages of
:func:`analysis.site.build.build_site`, each skipped when what it is drawn from (its inputs,
its code and the run's results) is what it was drawn from last time, so a run with nothing to
do imports none of the site's code."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths
from analysis.fingerprint import PACKAGE_DIR, FileReader, ImportGraph, hash_file
from analysis.runner.layout import Layout, NotebookSpec

if TYPE_CHECKING:
    from analysis.runner.execute import RunResult

SITE_CODE = ("analysis.site.build", "analysis.runner.index_page")
"""What writes the site; their modules, transitively, are part of the site's stamp."""
SITE_LIBRARIES = ("itables", "matplotlib", "pandas", "pyarrow")
"""Libraries whose version is part of the site's stamp (they format its tables and figures)."""


def site_stamp(
    links: list, layout: Layout, as_of: str | None, processed: Path | None,
    graph: ImportGraph, read: FileReader,
) -> str:  # fmt: skip
    """Hash of everything the site is drawn from: the report links (which rendered, which
    failed), the run's key findings, the processed tables and their dictionaries, the catalog,
    the county shapes, the code that writes it (the import closure of :data:`SITE_CODE`) and
    the versions of :data:`SITE_LIBRARIES`."""
    from importlib.metadata import PackageNotFoundError, version

    from analysis.report.findings import KEY_FINDINGS_FILE

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "missing"

    digest = hashlib.sha256()
    digest.update(json.dumps({
        "as_of": as_of, "links": [repr(link) for link in links], "processed": str(processed),
        "changes": (layout.html / "changes.html").is_file(), "root": str(layout.root),
        "libraries": {name: installed(name) for name in SITE_LIBRARIES},
    }, sort_keys=True).encode())  # fmt: skip
    digest.update(graph.fingerprint(graph.closure(SITE_CODE)).encode())
    folder = processed or paths.PROCESSED
    tables = sorted(folder.glob("*.parquet")) + sorted(folder.glob("*.csv"))
    for path in [*tables, paths.DATA / "dictionaries", paths.DATA / "catalog.csv",
                 paths.RAW / "us_atlas_topojson", layout.tables / KEY_FINDINGS_FILE]:  # fmt: skip
        hash_file(digest, path, read)
    return digest.hexdigest()


def write_index(
    specs: list[NotebookSpec],
    results: list[RunResult],
    layout: Layout,
    as_of: str | None,
    echo: Callable[[str], None] = print,
    graph: ImportGraph | None = None,
    read: FileReader | None = None,
) -> None:
    """The site after the notebooks (:func:`analysis.site.build.build_site`): the front page
    linking every rendered report (a report that failed or was skipped is named, not linked),
    methods, downloads and the state pages. The data pages are built when the run's notebooks
    read the processed tables (a run list without them, as in the runner's tests, gets the
    front page only).

    Skipped when :func:`site_stamp` equals the one recorded when the pages on disk were
    written, so a run with nothing to do does not import the site's code."""
    from analysis.runner.index_page import report_links

    read = read or FileReader()
    if graph is None or graph.package_dir != PACKAGE_DIR:
        # The run's notebooks import another package (the runner's tests): its cache is apart.
        graph = ImportGraph(PACKAGE_DIR, cache=layout.state / "import-graph-analysis.json")
    uses_processed = any(i.startswith("data/processed/") for s in specs for i in s.inputs)
    processed = None if uses_processed else layout.state / "no-processed-tables"
    links = report_links(specs, results, layout.html)
    stamp = site_stamp(links, layout, as_of, processed, graph, read)
    record = layout.state / "site.json"
    try:
        saved = json.loads(record.read_text()) if record.is_file() else {}
    except ValueError:
        saved = {}
    written = saved.get("files") or ["index.html"]
    if saved.get("stamp") == stamp and all((layout.html / f).is_file() for f in written):
        echo(f"[site] unchanged ({len(written)} files)")
        graph.save()
        return

    from analysis.site.build import build_site

    result = build_site(
        layout.html, reports=links, tables_dir=layout.tables, state_dir=layout.state,
        as_of=as_of, processed_dir=processed,
    )  # fmt: skip
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
