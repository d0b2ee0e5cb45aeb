"""The landing page of the reports. Kept apart from :mod:`analysis.runner.render` so a run
with nothing to execute writes it without importing nbformat (whose schema validators take
seconds to load)."""

from __future__ import annotations

import html


def index_html(title: str, subtitle: str, entries: list[dict[str, str]]) -> str:
    """The landing page linking every report with its one-line summary (all text escaped)."""
    rows = "\n".join(
        '<li><a href="{href}">{title}</a> <span class="status {status}">{status}</span>'
        "<p>{summary}</p></li>".format(**{k: html.escape(v) for k, v in e.items()})
        for e in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.5; }}
li {{ margin: 0 0 1rem 0; }} li p {{ margin: .2rem 0 0 0; color: #444; }}
.status {{ font-size: .8rem; padding: 0 .4rem; border-radius: .3rem; background: #e6f2e6; }}
.status.failed, .status.skipped {{ background: #f8dcdc; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p>{html.escape(subtitle)}</p>
<nav><h2>Reports</h2><ol>
{rows}
</ol></nav>
</main></body></html>
"""
