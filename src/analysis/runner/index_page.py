"""Which reports the front page lists, and how: every report of the run list that rendered
(linked, with its summary), and those that failed or were skipped (named, with why). The page
itself is written by :mod:`analysis.site.front`. Kept apart from :mod:`analysis.runner.render`
so a run with nothing to execute writes it without importing nbformat."""

from __future__ import annotations

from pathlib import Path

from analysis.site.front import ReportLink

FAILED = {"failed": "failed in this run", "skipped": "not run: an upstream report failed"}


def report_links(specs, results, html_dir: Path) -> list[ReportLink]:
    """One link per report in run-list order; a report neither rendered nor run is left out."""
    status = {r.name: r.status for r in results}
    links = []
    for spec in specs:
        state = status.get(spec.name, "unchanged")
        rendered = (html_dir / f"{spec.name}.html").exists()
        if not rendered and spec.name not in status:
            continue
        failed = FAILED.get(state, "" if rendered else "not rendered")
        links.append(ReportLink(f"{spec.name}.html", spec.title, spec.summary, failed))
    return links


def index_html(title: str, subtitle: str, entries: list[dict[str, str]]) -> str:
    """The report list alone as a page (every text escaped): ``entries`` with ``href``,
    ``title``, ``summary`` and ``status`` (``failed`` or ``skipped`` is shown; anything else
    is a rendered report, linked). The run writes the full front page instead
    (:func:`analysis.site.build.build_site`)."""
    import html

    from analysis.site.front import reports_section
    from analysis.site.page import page

    links = [ReportLink(e["href"], e["title"], e["summary"], FAILED.get(e["status"], ""))
             for e in entries]  # fmt: skip
    body = f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(subtitle)}</p>\n"
    return page(title, body + reports_section(links), current="index.html")
