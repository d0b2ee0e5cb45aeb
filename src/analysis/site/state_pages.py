"""One page per state (``states/<USPS>.html``) and their index (``states/index.html``).

A state page shows its agreements over time by model, its county map, its laws with their
dates and verification level, and a searchable, sortable table of its agreements (itables in
offline mode: the DataTables bundle ships once beside the pages as ``assets/itables.js``, so no
page loads anything from the network)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from analysis.site import cells, state_data, state_figures
from analysis.site.page import NAV, page

ASSET = "assets/itables.js"
DATE_TARGETS = [6, 7, 8]
"""The date columns of the agency table (signed, first and last listed): kept on one line."""
LAW_COLUMNS = ["instrument", "policy_type", "applies_to", "year", "signed_date",
               "effective_date", "deadline_date", "prohibition_date", "verification"]  # fmt: skip


def write_itables_asset(site: Path) -> None:
    """The DataTables bundle and its stylesheet as one classic script (read by every state
    page from ``assets/``; a classic script loads from ``file://`` too)."""
    from itables import javascript, options

    markup = javascript.generate_init_offline_itables_html(options.dt_bundle)
    found = re.match(r"\s*<script>(.*?)</script>", markup, flags=re.DOTALL)
    if not found:
        raise RuntimeError("itables: its offline loader no longer starts with a <script> block")
    target = site / ASSET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(found.group(1), encoding="utf-8")


def _link(url: object, text: str) -> str:
    if cells.is_missing(url) or not str(url).startswith(("https://", "http://")):
        return ""
    return f'<a href="{html.escape(str(url), quote=True)}">{text}</a>'


def agency_rows(agreements: pd.DataFrame) -> pd.DataFrame:
    """The state's agreements as the table shows them: text cells (escaped) and links."""
    status = [
        "on the latest list" if s == "active" else cells.LINEAGE.get(lineage, "left the list")
        for s, lineage in zip(agreements["status"], agreements["lineage"], strict=True)
    ]
    level = agreements["jurisdiction_level"].fillna("")
    name = agreements["jurisdiction_name"].fillna("")
    jurisdiction = [
        f"{n} ({lv})" if n and lv else n or lv for n, lv in zip(name, level, strict=True)
    ]
    shown = pd.DataFrame({
        "agency": agreements["agency"],
        "model": agreements["model"],
        "agency_type": agreements["agency_type"],
        "jurisdiction_name": jurisdiction,
        "county_name": agreements["county_name"],
        "match_method": agreements["match_method"].map(cells.MATCH_METHODS),
        "signed_last": agreements["signed_last"],
        "first_seen": agreements["first_seen"],
        "last_seen": agreements["last_seen"],
        "status": status,
    })  # fmt: skip
    display = cells.for_display(shown).map(html.escape)
    display[cells.label("moa")] = [_link(u, "MOA") for u in agreements["moa_url"]]
    display[cells.label("addendum")] = [_link(u, "addendum") for u in agreements["addendum_url"]]
    # As Python strings (itables formats them as it formats pandas' strings, without
    # converting each column first).
    return display.astype(object)


def agency_table(agreements: pd.DataFrame, table_id: str, shown=None) -> str:
    """The searchable table of the state's agreements; ``shown``: their :func:`agency_rows`,
    when the caller made them once for all states. (itables' checks of its own options' types
    are skipped: they take longer than the table and change nothing in it.)"""
    from itables import to_html_datatable

    return to_html_datatable(
        agency_rows(agreements) if shown is None else shown, connected=False, table_id=table_id,
        allow_html=True,
        maxBytes=0, maxRows=0, maxColumns=0, scrollX=True, pageLength=25, showIndex=False,
        classes="display compact", order=[],
        columnDefs=[{"targets": DATE_TARGETS, "className": "date"}],
        warn_on_undocumented_option=False, warn_on_unexpected_option_type=False,
    )  # fmt: skip


def law_cells(policies: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What :func:`laws_section` shows of each state with a law (its rows of
    :func:`analysis.site.state_data.laws_by_state`, ``year`` as text), converted once."""
    ordered = policies.sort_values(["state_usps", "year", "policy_id"], kind="stable")
    shown = ordered[LAW_COLUMNS].astype({"year": str})
    return {
        state: rows.reset_index(drop=True)
        for state, rows in shown.groupby(ordered["state_usps"].to_numpy(), sort=False)
    }


def laws_section(laws: pd.DataFrame, state_name: str, shown=None) -> str:
    """The state's laws; ``shown``: its entry of :func:`law_cells`, when made once."""
    if laws.empty:
        return f"<p>The project's table of state laws records no law for {state_name}.</p>"
    if shown is None:
        shown = laws[LAW_COLUMNS].astype({"year": str})
    return cells.html_table(shown) + (
        '<p class="lede">Verification: <em>primary text read</em>, <em>secondary report</em> or '
        "<em>unverified</em>; dates the sources do not give are left empty. Details and sources "
        'are in the <a href="../downloads.html">state_policies</a> table.</p>'
    )


def state_page(state: str, state_name: str, agreements: pd.DataFrame, laws: pd.DataFrame,
               alts: dict[str, str], latest, nav=NAV, shown=None,
               laws_shown=None) -> str:  # fmt: skip
    """The page of one state (figures already written beside it); ``shown``: the agency
    table's cells (:func:`agency_rows`) and ``laws_shown`` the laws' (:func:`law_cells`),
    when made once for all states."""
    active = agreements[agreements["status"] == "active"]
    gone = len(agreements) - len(active)
    body = f"""<h1>{html.escape(state_name)}</h1>
<p class="lede">{cells.count(len(agreements), "agreement")} of
{cells.count(agreements["agency_key"].nunique(), "agency", "agencies")}
listed at any snapshot; {len(active):,} on the latest list
(<span class="date">{pd.Timestamp(latest):%Y-%m-%d}</span>),
{gone:,} no longer listed.</p>
<h2>Agreements over time</h2>
<figure><img src="{state}_timeline.png" alt="{html.escape(alts["timeline"], quote=True)}"
 width="614" height="278"><figcaption>{html.escape(alts["timeline"])}</figcaption></figure>
<h2>Counties</h2>
<figure><img src="{state}_counties.png" alt="{html.escape(alts["map"], quote=True)}">
<figcaption>{html.escape(alts["map"])} Agencies are placed in their principal county by
matching names (the method is in the table below); statewide agencies are not drawn.
</figcaption></figure>
<h2>State laws</h2>
{laws_section(laws, html.escape(state_name), laws_shown)}
<h2>Agencies and their agreements</h2>
<p>One row per agency and model. Type in the search box to filter; click a column to sort.
Documents link to the memorandum of agreement and addendum ICE lists (on ice.gov).</p>
<div class="scroll">{agency_table(agreements, f"agencies_{state}", shown)}</div>
"""
    head = f'\n<script src="../{ASSET}"></script>'
    return page(f"{state_name}: 287(g) agreements", body, depth=1, current="states/index.html",
                head=head, nav=nav)  # fmt: skip


def states_index(rows: list[tuple[str, str, int, int]], latest, nav=NAV) -> str:
    """``rows``: (USPS, name, agreements ever, agreements on the latest list); listed by name."""
    ordered = sorted(rows, key=lambda r: r[1])
    table = pd.DataFrame(
        {
            "state": [f'<a href="{u}.html">{html.escape(n)}</a>' for u, n, _, _ in ordered],
            "agreements_ever": [ever for _, _, ever, _ in ordered],
            "agreements_latest": [now for _, _, _, now in ordered],
        }
    )
    body = f"""<h1>States</h1>
<p class="lede">Every state with a 287(g) agreement on any ICE list in the time series
({len(rows):,} states): agreements (agency and model) listed at any snapshot, and on the latest
list (<span class="date">{pd.Timestamp(latest):%Y-%m-%d}</span>).</p>
{cells.html_table(table, raw_html=("state",))}"""
    return page(
        "States with 287(g) agreements", body, depth=1, current="states/index.html", nav=nav
    )


def write_state_pages(tables: state_data.SiteTables, shapes, site: Path, nav=NAV) -> list[str]:
    """Every state page, its figures and the index under ``site/states``; the states written.

    ``shapes``: ``geo.shapes.county_geometry()`` (read once by the caller)."""
    from analysis.geo.states import states as state_table

    names = state_table().set_index("state_usps")
    folder = site / "states"
    folder.mkdir(parents=True, exist_ok=True)
    write_itables_asset(site)
    documents = state_data.latest_documents(tables.history)
    latest = tables.latest
    rows = []
    written = state_data.states_with_agreements(tables)
    unknown = [s for s in written if s not in names.index]
    if unknown:
        raise ValueError(f"agreements_history: state {unknown[0]!r} is not in analysis.geo.states")
    # Everything sliced by state is computed once for all states.
    placed = state_data.placed_agreements(tables, documents)
    positions = state_data.state_rows(placed, written)
    shown = agency_rows(placed)
    timelines = state_data.model_timelines(tables.history, written)
    lookup = state_data.county_class_lookup(tables.agencies)
    laws_of = state_data.laws_by_state(tables.state_policies)
    laws_cells = law_cells(tables.state_policies)
    by_state = shapes.groupby("state_usps", sort=False)["fips"]
    counties = {state: fips.reset_index(drop=True) for state, fips in by_state}
    paths = state_figures.county_paths(shapes[shapes["state_usps"].isin(written)])
    figures = state_figures.StateFigures()
    no_counties = pd.Series([], dtype=object, name="fips")
    for state in written:
        name, fips = names.at[state, "state_name"], names.at[state, "state_fips"]
        own = positions[state]
        agreements = state_data.state_agreements(tables, state, documents, placed, own)
        own_counties = counties.get(state, no_counties)
        classes = state_data.county_classes(tables.agencies, fips, own_counties, lookup)
        timeline, county_map = folder / f"{state}_timeline.png", folder / f"{state}_counties.png"
        alts = {
            "timeline": figures.timeline(timelines[state], name, timeline),
            "map": figures.county_map(paths.get(state, []), classes, name, latest, county_map),
        }
        laws = laws_of.get(state, tables.state_policies.iloc[:0])
        cells_shown = shown.iloc[own].reset_index(drop=True)
        text = state_page(state, name, agreements, laws, alts, latest, nav, cells_shown,
                          laws_cells.get(state))  # fmt: skip
        (folder / f"{state}.html").write_text(text, encoding="utf-8")
        rows.append((state, name, len(agreements), int((agreements["status"] == "active").sum())))
    (folder / "index.html").write_text(states_index(rows, latest, nav), encoding="utf-8")
    return written
