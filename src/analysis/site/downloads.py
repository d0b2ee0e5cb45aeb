"""Downloads: every processed table as CSV and Parquet with its data dictionary, copied under
``downloads/`` beside the pages (relative links work from ``file://`` and a static server), and
the page listing them with rows, size and a description."""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

from analysis import io, paths

DESCRIPTIONS = {
    "agreements_history": "Every row of every ICE participating list, normalised: one row per "
    "snapshot, agency and model, with the MOA and addendum links ICE gave.",
    "pending_history": "Every row of every ICE pending list, normalised.",
    "agreements": "One row per agreement (agency and model): signing dates, first and last "
    "listed, status and lineage (exit, rename).",
    "agencies": "One row per agency: type, category, county placement with its method and "
    "evidence, jurisdiction level and residents.",
    "ice_snapshot_files": "Every ICE spreadsheet read: date, schema, rows, and whether it is in "
    "the time series.",
    "ice_quarantine": "Spreadsheet rows set aside, with the reason.",
    "county_agreements": "Agreements per county and snapshot, by model and agency type.",
    "agency_location_qa": "Placement review: agencies whose county evidence conflicts or is weak.",
    "jurisdictions": "The jurisdictions agencies police (counties, places, towns, states) with "
    "their residents.",
    "county_covariates": "County demographic, economic and political characteristics.",
    "county_covariates_qa": "Coverage and checks of each county covariate.",
    "county_covariates_inputs": "Which raw file and column each covariate comes from.",
    "state_aggregates": "State totals of the county covariates.",
    "state_policies": "State laws on 287(g): mandates and prohibitions with their dates and "
    "verification level.",
}
"""What each table holds, in a sentence (the columns are described by its dictionary)."""


@dataclass(frozen=True)
class Download:
    table: str
    rows: int
    files: dict[str, int]  # relative href -> bytes
    description: str


def _copy(source: Path, target: Path) -> int:
    """Copy unless the target already has the same size and modification time."""
    stat = source.stat()
    if not (target.exists() and target.stat().st_size == stat.st_size
            and target.stat().st_mtime_ns == stat.st_mtime_ns):  # fmt: skip
        shutil.copy2(source, target)
    return stat.st_size


def copy_downloads(site: Path, processed_dir: Path | None = None) -> list[Download]:
    """Copy each processed table with a dictionary (Parquet, CSV, dictionary) to
    ``site/downloads``; a documented table whose files are missing is an error."""
    import pyarrow.parquet as pq

    processed = processed_dir or paths.PROCESSED
    target = site / "downloads"
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for dictionary in sorted((paths.DATA / "dictionaries").glob("*.csv")):
        name = dictionary.stem
        sources = [processed / f"{name}.csv", processed / f"{name}.parquet"]
        absent = [str(s) for s in sources if not s.exists()]
        if absent:
            raise FileNotFoundError(f"downloads: {', '.join(absent)} missing; run `analysis build`")
        io.read_dictionary(name)  # checked: the header is the dictionary's
        files = {}
        shown_names = (f"{name}.csv", f"{name}.parquet", f"{name}.dictionary.csv")
        for source, shown in zip((*sources, dictionary), shown_names, strict=True):
            files[f"downloads/{shown}"] = _copy(source, target / shown)
        rows = pq.read_metadata(sources[1]).num_rows
        out.append(Download(name, rows, files, DESCRIPTIONS.get(name, "")))
    return out


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} kB"


def downloads_page(items: list[Download], nav=None) -> str:
    from analysis.site.page import NAV, page

    rows = []
    for d in items:
        links = " · ".join(
            f'<a href="{html.escape(href, quote=True)}">{label}</a> '
            f'<span class="lede">{_size(size)}</span>'
            for (href, size), label in zip(d.files.items(), ("CSV", "Parquet", "dictionary"),
                                           strict=True)
        )  # fmt: skip
        rows.append(
            f'<tr><td class="text"><code>{html.escape(d.table)}</code></td>'
            f'<td class="num">{d.rows:,}</td><td class="text">{html.escape(d.description)}</td>'
            f'<td class="text">{links}</td></tr>'
        )
    body = f"""<h1>Downloads</h1>
<p class="lede">The {len(items):,} processed tables this run read, as CSV (for spreadsheets) and
Parquet (for code), each with its data dictionary: one row per column with its type,
description and source. Raw inputs are not redistributed; <code>data/catalog.csv</code> lists
their URLs and hashes (see <a href="methods.html#sources">Methods</a>).</p>
<div class="scroll"><table class="site"><thead><tr><th>Table</th><th class="num">Rows</th>
<th>Description</th><th>Files</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></div>"""
    return page("Downloads: the processed tables", body, current="downloads.html",
                nav=NAV if nav is None else nav)  # fmt: skip
