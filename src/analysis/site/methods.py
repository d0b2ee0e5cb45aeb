"""The methods and limitations page (``methods.html``): the program's context, how the tables
are built, the main limitations, the references and the data sources with their licences.

Facts come from the project's research notes; every number on the page is computed here from
the processed tables and ``data/catalog.csv``."""

from __future__ import annotations

import html
import re

import pandas as pd

from analysis.site.state_data import SiteTables
from analysis.study.adoption import mandates_by_state

EO_DATE = pd.Timestamp("2025-01-20")
"""Executive Order 14159, signed on 20 January 2025."""

REFERENCES = (
    ("Capps, R., Rosenblum, M. R., Rodríguez, C. and Chishti, M. (2011). <em>Delegation and "
     "Divergence: A Study of 287(g) State and Local Immigration Enforcement</em>. Migration Policy "
     "Institute.", ""),
    ("Creek, H. M. and Yoder, S. (2012). With a Little Help from Our Feds: Understanding State "
     "Immigration Enforcement Policy Adoption in American Federalism. <em>Policy Studies "
     "Journal</em> 40(4).", ""),
    ("Kiser, M. (2025). Gaining and losing 287(g) agreements and the targeted immigrant "
     "population: code and data.", "https://github.com/menakiser/287g"),
    ("The Washington Post (2021). Sheriffs in the 287(g) program, 2005–2019, and their "
     "low-level arrests: data and analysis.", "https://github.com/wpinvestigative/sheriffs_287g"),
    ("Wong, T. K. (2012). 287(g) and the Politics of Interior Immigration Control in the United "
     "States: Explaining Local Cooperation with Federal Immigration Authorities. <em>Journal of "
     "Ethnic and Migration Studies</em> 38(5).", ""),
    ("Executive Order 14159, Protecting the American People Against Invasion (20 January 2025).",
     ""),
)  # fmt: skip
"""Citation (HTML, no numbers from the data) and a link, in alphabetical order of author."""


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def context_numbers(tables: SiteTables, latest: pd.Timestamp) -> dict[str, str]:
    """Agreements in the states on the last list before the executive order (any archived
    file, also one whose content repeats an earlier list) and on ``latest``, with TFM."""
    series = tables.history[~tables.history["is_territory"].astype(bool)]
    before = series.loc[series["snapshot_date"] < EO_DATE, "snapshot_date"].max()
    out = {}
    for key, date in (("before", before), ("latest", latest)):
        rows = series[series["snapshot_date"] == date]
        out |= {f"{key}_date": f"{date:%Y-%m-%d}" if pd.notna(date) else "n/a",
                f"{key}_n": f"{len(rows):,}", f"{key}_tfm": f"{(rows['model'] == 'TFM').sum():,}",
                f"{key}_states": f"{rows['state'].nunique():,}"}  # fmt: skip
    return out


def placement_numbers(agencies: pd.DataFrame) -> dict[str, str]:
    n = len(agencies)
    method = agencies["match_method"]
    by_name = method.isin(["agency_name", "agency_name_fuzzy", "independent_city",
                           "place_cousub", "place_census", "place_geonames"]).sum()  # fmt: skip
    fuzzy = method.str.endswith("_fuzzy").sum()
    level = agencies["jurisdiction_level"].value_counts()
    return {
        "agencies": f"{n:,}",
        "ice_county": _pct(int(method.isin(["ice_county_exact", "ice_county_fuzzy"]).sum()), n),
        "by_name": _pct(int(by_name), n),
        "manual": f"{int((method == 'manual_override').sum()):,}",
        "fuzzy": f"{int(fuzzy):,}",
        "conflict": f"{int(agencies['match_conflict'].astype(bool).sum()):,}",
        "unplaced": f"{int(method.isin(['unmatched', 'not_located']).sum()):,}",
        "municipal": f"{int(level.get('municipal', 0)):,}",
        "county_level": f"{int(level.get('county', 0)):,}",
    }


def law_numbers(policies: pd.DataFrame) -> dict[str, str]:
    mandates = mandates_by_state(policies)
    verification = policies["verification"].value_counts()
    return {
        "mandate_states": f"{len(mandates):,}",
        "mandate_list": ", ".join(sorted(mandates["state"])),
        "laws": f"{len(policies):,}",
        "primary": f"{int(verification.get('primary text read', 0)):,}",
        "secondary": f"{int(verification.get('secondary report', 0)):,}",
        "unverified": f"{int(verification.get('unverified', 0)):,}",
    }


def sources_table(catalog: pd.DataFrame) -> str:
    """One row per source folder of the catalog: files, licences, publisher's page."""
    catalog = catalog.assign(folder=catalog["path"].str.split("/").str[0])
    rows = []
    for folder, group in catalog.groupby("folder", sort=True):
        licences = "; ".join(sorted(set(group["license"].dropna())))
        pages = []
        for landing in sorted(set(group["landing_page"].dropna())):
            url = re.search(r"https?://\S+", landing)
            href = url.group(0).rstrip(",;)") if url else ""
            text = html.escape(landing)
            pages.append(f'<a href="{html.escape(href, quote=True)}">{text}</a>' if href else text)
        rows.append(f'<tr><td class="text"><code>{html.escape(folder)}</code></td>'
                    f'<td class="num">{len(group):,}</td><td class="text">{html.escape(licences)}'
                    f'</td><td class="text">{"<br>".join(pages)}</td></tr>')  # fmt: skip
    return ('<div class="scroll"><table class="site"><thead><tr><th>Folder</th>'
            '<th class="num">Files</th><th>Licence</th><th>Publisher\'s page</th></tr></thead>'
            f"<tbody>\n{chr(10).join(rows)}\n</tbody></table></div>")  # fmt: skip


def methods_body(tables: SiteTables, catalog: pd.DataFrame, latest: pd.Timestamp) -> str:
    c = context_numbers(tables, latest)
    p = placement_numbers(tables.agencies)
    law = law_numbers(tables.state_policies)
    references = "\n".join(
        f"<li>{text}" + (f' <a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>'
                         if url else "") + "</li>"
        for text, url in REFERENCES
    )  # fmt: skip
    return f"""<h1>Methods and limitations</h1>
<h2 id="context">The program and its expansion</h2>
<p>Section 287(g) of the Immigration and Nationality Act lets ICE delegate immigration-officer
functions to state and local law-enforcement agencies through a memorandum of agreement (MOA),
under one of three models: the Jail Enforcement Model (JEM), the Warrant Service Officer model
(WSO) and the Task Force Model (TFM), in which officers use the authority in the field. ICE
ended the Task Force Model in 2012. Executive Order 14159 of 20 January 2025 directed DHS to
authorise 287(g) agreements to the maximum extent permitted by law, and ICE revived the Task
Force Model in February 2025.</p>
<p>On the last archived ICE list before the order
(<span class="date">{c["before_date"]}</span>) there were {c["before_n"]} agreements in
{c["before_states"]} states, {c["before_tfm"]} of them under the Task Force Model; on the
latest (<span class="date">{c["latest_date"]}</span>),
{c["latest_n"]} agreements in {c["latest_states"]} states, {c["latest_tfm"]} under the Task Force
Model.</p>
<h2 id="methods">How the tables are built</h2>
<p>Every archived ICE spreadsheet is read, each row normalised and kept or set aside with a
reason; agreements (agency and model) are followed across snapshots, and an agreement that
disappears is classed as an exit, a rename or uncertain. Each agency is placed in its principal
county and given its jurisdiction (county, municipality, state or other). Of the {p["agencies"]}
agencies, {p["ice_county"]} were placed from ICE's own county column, {p["by_name"]} from the
county, city or town in their name, and {p["manual"]} by a reviewed manual entry. County
characteristics come from Census, ACS, USDA and election files. The reports describe
associations between county characteristics and adoption, conditional on state.</p>
<h2 id="limitations">Main limitations</h2>
<ul>
<li><strong>Placement by matching.</strong> Counties are found by matching names, not from an
official identifier: {p["fuzzy"]} agencies were placed by a corrected typo, {p["conflict"]} have
conflicting evidence and {p["unplaced"]} could not be placed.</li>
<li><strong>Whole county versus jurisdiction.</strong> A police department's agreement covers its
city or town, not its county. Counting every resident of a county with any agreement is an upper
bound; the reports show it beside the residents of the agencies' own jurisdictions
({p["county_level"]} agencies police a county, {p["municipal"]} a municipality).</li>
<li><strong>Mandate states measure compliance.</strong> Where state law requires sheriffs to hold,
request or enter an agreement ({law["mandate_states"]} states: {law["mandate_list"]}), adoption
reflects the law more than local choice; the models control for state.</li>
<li><strong>Few treated clusters.</strong> A state-level term such as a mandate is identified from
those {law["mandate_states"]} states only, so its standard errors rest on few clusters; read
its p-value with that in mind, and with the few-cluster p-value where the findings give one.</li>
<li><strong>Unverified law dates.</strong> Of the {law["laws"]} state laws recorded,
{law["primary"]} were checked against the primary text, {law["secondary"]} rest on secondary
reports and {law["unverified"]} are unverified; each state page shows the level.</li>
<li><strong>Alaska's vote.</strong> Alaska reports presidential results by house district, not by
borough, so every Alaska borough carries the statewide vote share.</li>
<li><strong>Snapshots, not events.</strong> A list shows who was listed on its date: a signing
is seen only on the next archived list, and an agency missing from one list and back on the next
(a flicker) is shown as ICE listed it.</li>
</ul>
<h2 id="references">References</h2>
<ul>
{references}
</ul>
<h2 id="sources">Data sources</h2>
<p>Every raw file, with its URL and sha256, is listed in <code>data/catalog.csv</code>
({len(catalog):,} files); the pipeline verifies each hash when it fetches the file.</p>
{sources_table(catalog)}
"""


def methods_page(tables: SiteTables, catalog: pd.DataFrame, latest, nav=None) -> str:
    from analysis.site.page import NAV, page

    return page("Methods and limitations", methods_body(tables, catalog, pd.Timestamp(latest)),
                current="methods.html", nav=NAV if nav is None else nav)  # fmt: skip
