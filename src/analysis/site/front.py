"""The front page (``index.html``): the snapshot the pages describe, the headline numbers of
``key_findings.json`` (each formatted by :mod:`analysis.report.findings`, the format every page
shares), and links to every report, the state pages, the change log, methods and downloads."""

from __future__ import annotations

import html
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis import paths
from analysis.report import findings as kf
from analysis.report.findings import KEY_FINDINGS_FILE


@dataclass(frozen=True)
class ReportLink:
    href: str
    title: str
    summary: str
    failed: str = ""
    """Empty when the report rendered; else why it did not (failed, or skipped after an
    upstream failure): the only status the front page shows."""


def load_findings(path: Path) -> list[dict] | None:
    """The key findings, checked; None when the file does not exist (yet)."""
    return kf.read_key_findings(path) if path.exists() else None


def finding_parts(finding: dict) -> dict[str, str]:
    """A finding's displayed value, interval and p-value, in the shared formats."""
    unit = finding["unit"]
    return {
        "value": kf.format_value(finding["value"], unit),
        "interval": kf.format_interval(finding["ci_low"], finding["ci_high"], unit),
        "p": kf.format_p(finding["p_value"]),
    }


def findings_section(
    findings: list[dict] | None, path_text: str, titles: dict[str, str] | None = None
) -> str:
    """The findings as cards; ``titles``: the title of each rendered report by notebook name
    (a finding links to its report only when that report rendered)."""
    titles = titles or {}
    if findings is None:
        return (f'<p class="note">The key findings file (<code>{html.escape(path_text)}</code>) '
                "has not been written: run the summary report (<code>analysis run</code>) to "
                "produce it. No headline numbers are shown until it exists.</p>")  # fmt: skip
    if not findings:
        return f'<p class="note">The key findings file ({html.escape(path_text)}) lists none.</p>'
    items = []
    for f in findings:
        parts = finding_parts(f)
        extra = " ".join(x for x in (parts["interval"], parts["p"]) if x)
        detail = "; ".join(str(f[k]) for k in ("method", "sample") if f.get(k))
        source = html.escape(str(f["notebook"]))
        title = titles.get(str(f["notebook"]))
        link = f'<a href="{source}.html">{html.escape(title)}</a>' if title else source
        items.append(
            f'<li id="finding-{html.escape(str(f["id"]), quote=True)}">'
            f"<div>{html.escape(str(f['label']))}</div>"
            f'<div class="value">{html.escape(parts["value"])}</div>'
            + (f'<div class="detail">{html.escape(extra)}</div>' if extra else "")
            + f'<div class="detail">{html.escape(detail)} (snapshot '
            f'<span class="date">{html.escape(str(f["snapshot_date"]))}</span>; '
            f"{link})</div></li>"
        )
    return '<ul class="findings">\n' + "\n".join(items) + "\n</ul>"


def reports_section(reports: list[ReportLink]) -> str:
    items = []
    for r in reports:
        title = html.escape(r.title)
        head = (f'{title} <span class="failed">{html.escape(r.failed)}</span>' if r.failed
                else f'<a href="{html.escape(r.href, quote=True)}">{title}</a>')  # fmt: skip
        items.append(f"<li>{head}<p>{html.escape(r.summary)}</p></li>")
    return '<ol class="reports">\n' + "\n".join(items) + "\n</ol>"


def front_page(*, title: str, scope: str, snapshot: str | None, findings: list[dict] | None,
               findings_path: str, reports: list[ReportLink], n_states: int | None,
               nav=None) -> str:  # fmt: skip
    """The front page. ``snapshot``: the latest ICE list the pages describe (None: no processed
    tables); ``n_states``: states with a page (None: the state pages were not built)."""
    from analysis.site.page import NAV, page

    nav = NAV if nav is None else nav
    titles = {r.href.removesuffix(".html"): r.title for r in reports if not r.failed}
    changes = ('<li><a href="changes.html">What changed</a> between the latest ICE list and the '
               "one before.</li>") if ("changes.html", "Changes") in nav else (
               "<li>The change log (changes.html) was not written in this run.</li>")  # fmt: skip

    date = "No processed ICE tables were found for this run."
    if snapshot:
        date = f'The latest ICE list in these pages is of <span class="date">{snapshot}</span>.'

    states = (f'<a href="states/index.html">{n_states:,} state pages</a>: each state\'s '
              "agreements over time, county map, laws and agencies with their documents."
              if n_states else "State pages are built for the default run only.")  # fmt: skip
    body = f"""<h1>{html.escape(title)}</h1>
<p class="lede">How ICE's 287(g) program expanded, where, and which counties adopt;
{html.escape(scope)}. {date} Every number is computed from public data in the run that
produced these pages.</p>
<h2>Key findings</h2>
{findings_section(findings, findings_path, titles)}
<h2>Explore</h2>
<ul>
<li>{states}</li>
{changes}
<li><a href="methods.html">Methods and limitations</a>, with references and data sources.</li>
<li><a href="downloads.html">Downloads</a>: every processed table as CSV and Parquet, with its
data dictionary.</li>
</ul>
<h2>Reports</h2>
{reports_section(reports)}
"""
    return page(title, body, current="index.html", nav=nav)


@dataclass
class SiteResult:
    seconds: dict[str, float] = field(default_factory=dict)
    states: list[str] = field(default_factory=list)
    states_rebuilt: bool = False
    note: str = ""  # e.g. where the data pages were built
    pages: DataPages | None = None  # what the front page took from the data pages

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        cached = "" if self.states_rebuilt or not self.states else " (state pages unchanged)"
        note = f" ({self.note})" if self.note else ""
        return f"[site] {len(self.states)} state pages{cached}; {parts}{note}"


@dataclass
class DataPages:
    """What the pages drawn from the processed tables leave for the front page: the site's
    navigation, the snapshot they describe, the states with a page. JSON-able, so a worker can
    hand it back and a later run can reuse it."""

    nav: tuple[tuple[str, str], ...]
    latest: str | None = None  # the latest snapshot, YYYY-MM-DD (None: no processed tables)
    states: list[str] = field(default_factory=list)
    states_rebuilt: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # by part
    total: float = 0.0  # seconds

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> DataPages:
        nav = tuple(tuple(item) for item in record["nav"])
        return cls(nav, record.get("latest"), list(record.get("states", [])),
                   bool(record.get("states_rebuilt")), dict(record.get("seconds", {})),
                   float(record.get("total", 0)))  # fmt: skip


def build_front_page(
    site: Path,
    data: DataPages,
    *,
    reports: list[ReportLink],
    tables_dir: Path,
    as_of: str | None = None,
    title: str = "The 287(g) atlas: reports",
) -> None:
    """``index.html``: the run's key findings (``tables_dir``), the report links and what
    :func:`analysis.site.build.build_data_pages` built."""
    site.mkdir(parents=True, exist_ok=True)
    findings_path = tables_dir / KEY_FINDINGS_FILE
    shown_path = findings_path.relative_to(paths.ROOT) if findings_path.is_relative_to(
        paths.ROOT) else findings_path  # fmt: skip
    scope = f"as of the ICE snapshot of {as_of}" if as_of else "as of the latest ICE snapshot"
    (site / "index.html").write_text(
        front_page(
            title=title, scope=scope, snapshot=data.latest,
            findings=load_findings(findings_path), findings_path=str(shown_path),
            reports=reports, n_states=len(data.states) or None, nav=data.nav,
        ),
        encoding="utf-8",
    )  # fmt: skip


def write_front_page(
    site: Path,
    data: DataPages,
    *,
    reports: list[ReportLink],
    tables_dir: Path,
    as_of: str | None = None,
    title: str = "The 287(g) atlas: reports",
) -> SiteResult:
    """The front page alone, the other pages being ``data`` (built before, elsewhere): what
    :func:`analysis.site.build.build_site` returns, their seconds and the front page's."""
    started = time.perf_counter()
    build_front_page(site, data, reports=reports, tables_dir=tables_dir, as_of=as_of,
                     title=title)  # fmt: skip
    seconds = {**data.seconds, "front page": time.perf_counter() - started}
    seconds["total"] = data.total + seconds["front page"]
    return SiteResult(seconds, data.states, data.states_rebuilt, pages=data)
