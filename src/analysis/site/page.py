"""The HTML shell every site page shares: one stylesheet, the same top navigation, relative
links only (so the pages work from ``file://`` and from any static server), nothing fetched
from the network."""

from __future__ import annotations

import html

NAV = (
    ("index.html", "Home"),
    ("states/index.html", "States"),
    ("changes.html", "Changes"),
    ("methods.html", "Methods"),
    ("downloads.html", "Downloads"),
)

STYLE = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #d8d8d8; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       line-height: 1.5; margin: 0; }
main, header nav { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 1px solid var(--rule); background: #f6f6f6; }
header nav { display: flex; flex-wrap: wrap; gap: .25rem 1.2rem; padding: .6rem 1rem; }
header nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
header nav a[aria-current] { color: var(--ink); }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 1.2rem 0 .4rem; }
h2 { font-size: 1.25rem; margin: 1.8rem 0 .5rem; }
p, li { max-width: 46rem; overflow-wrap: anywhere; }
a { color: var(--accent); }
.lede { color: var(--muted); }
.note { background: #fff7e0; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
.failed { background: #f8dcdc; border-radius: .3rem; padding: 0 .4rem; font-size: .85rem; }
.scroll { overflow-x: auto; max-width: 100%; margin: .5rem 0 1rem; }
table.site { border-collapse: collapse; font-size: .9rem; }
table.site th, table.site td { padding: .3rem .6rem; border-bottom: 1px solid var(--rule);
                               text-align: left; vertical-align: top; }
table.site th { background: #f0f0f0; }
table.site .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.site .date, .date { white-space: nowrap; }
figure { margin: 1rem 0; max-width: 100%; }
figure img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
.findings { list-style: none; padding: 0; display: grid; gap: .8rem;
            grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.findings li { border: 1px solid var(--rule); border-radius: .4rem; padding: .6rem .8rem; }
.findings .value { font-size: 1.35rem; font-weight: 700; white-space: nowrap; }
.findings .detail { color: var(--muted); font-size: .85rem; }
.reports li { margin: 0 0 .9rem; } .reports p { margin: .1rem 0 0; color: var(--muted); }
.states { columns: 14rem; padding-left: 1.2rem; }
table.dataTable td, table.dataTable th { text-align: left; }
table.dataTable td.dt-type-numeric, table.dataTable th.dt-type-numeric { text-align: right; }
table.dataTable td.date, table.dataTable th.date { white-space: nowrap; text-align: left; }
"""


def prefix(depth: int) -> str:
    """The relative path from a page ``depth`` folders below the site root back to it."""
    return "../" * depth


def page(title: str, body: str, *, depth: int = 0, current: str = "", head: str = "",
         nav: tuple[tuple[str, str], ...] = NAV) -> str:  # fmt: skip
    """A complete page: ``title`` (escaped), ``body`` (already HTML), the navigation ``nav``
    (the site's pages that exist; ``current`` is this page's target), ``head`` extra markup
    for ``<head>``."""
    up = prefix(depth)
    links = " ".join(
        f'<a href="{up}{href}"' + (' aria-current="page"' if href == current else "")
        + f">{label}</a>"
        for href, label in nav
    )  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>{head}
</head>
<body><header><nav aria-label="Site">{links}</nav></header>
<main>
{body}
</main></body></html>
"""
