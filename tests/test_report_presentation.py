"""Presentation of a rendered report, on tiny inputs: table cell formats and alignment, labels,
alternative texts, one numbering in the contents, offline interactive tables and maps."""

from __future__ import annotations

import base64
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis.report import labels, tables
from analysis.report.outputs import figure_alt
from analysis.runner.render import normalize, render_html

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def test_table_cells_ints_dates_missing_and_alignment():
    df = pd.DataFrame({
        "state": ["TX", None], "rows_in": [51.0, np.nan], "share": [0.12345, 1234.5],
        "snapshot_date": pd.to_datetime(["2025-01-31", None]), "verified": [True, False],
        "exit_year": [2026, 2025],
    })  # fmt: skip
    html = tables.table_markup(df)
    assert "51.0" not in html and "nan" not in html.lower() and "NaT" not in html
    cells = re.findall(r'<td class="([^"]+)">([^<]*)</td>', html)
    assert cells[:6] == [("report-text", "TX"), ("report-num", "51"), ("report-num", "0.123"),
                         ("report-date", "2025-01-31"), ("report-text", "yes"),
                         ("report-num", "2026")]  # fmt: skip
    assert cells[6:9] == [("report-text", "–"), ("report-num", "–"), ("report-num", "1,234")]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert heads == ["State", "Rows in", "Share", "Snapshot", "Verified", "Exit year"]
    assert html.startswith('<div class="report-table-box">')


def test_labels_never_show_snake_case_and_never_collide():
    assert labels.label("county_fips") == "County FIPS"
    assert labels.label("excluded_reason") == "Why excluded"
    assert labels.label("some_new_column") == "Some new column"
    assert labels.relabel(["file", "path"]) == ["File", "path"]


def test_table_escapes_and_flattens_multiindex_headers():
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "<b>"), ("a", "y")]))
    html = tables.table_markup(df)
    assert "<b>" not in html and "A &lt;b&gt;" in html


def test_figure_alt_from_title_axes_and_caption():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 2])
    ax.set_title("Rows read from each archived ICE spreadsheet")
    ax.set_xlabel("snapshot date")
    ax.set_ylabel("data rows")
    fig.text(0, 0, "Census cartographic boundaries 2023")
    alt = figure_alt(fig)
    plt.close(fig)
    assert alt == (
        "Rows read from each archived ICE spreadsheet. Horizontal axis: snapshot "
        "date; vertical axis: data rows. Census cartographic boundaries 2023."
    )


def _notebook(headings: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Tiny\n\nPurpose."))
    for i, heading in enumerate(headings):
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## {heading}"))
        cell = nbformat.v4.new_code_cell("plt.show()")
        meta = {"image/png": {"alt": "Counts by model."}} if i == 0 else {}
        cell.outputs = [nbformat.v4.new_output("display_data", {"image/png": PNG}, metadata=meta)]
        nb.cells.append(cell)
    return nb


def test_rendered_images_carry_alt_texts_and_contents_number_once():
    html = render_html(normalize(_notebook(["Counts", "Maps"]), "Tiny"))
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert alts == ["Counts by model.", "Figure of the section “Maps”."]
    assert "No description has been provided" not in html
    assert '<nav class="report-toc"><h2>Contents</h2><ol>' in html
    numbered = render_html(normalize(_notebook(["1. Counts", "2. Maps"]), "Tiny"))
    assert '<nav class="report-toc"><h2>Contents</h2><ul>' in numbered
    assert "<ol>" not in numbered.split('<nav class="report-toc">')[1].split("</nav>")[0]


def test_interactive_table_is_offline_and_deterministic(monkeypatch):
    pytest.importorskip("itables")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj.data))
    monkeypatch.setattr(tables, "_ITABLES_LOADED", False)
    df = pd.DataFrame({"agency": ["A <b>", "B"], "agreements": [1500.0, np.nan]})
    first = tables.interactive_table(df, table_id="t_test").data
    second = tables.interactive_table(df, table_id="t_test").data
    assert first == second and len(shown) == 2  # the bundle is shown once, before the table
    bundle = "".join(shown)
    assert "dt_src_b64" not in bundle and len(bundle) > 500_000
    for markup in (bundle, first):
        # A link to itables.org in a <noscript> is not a load; a script or style URL would be.
        assert not re.search(r"""<(script|link)[^>]+(src|href)=|from\s*['"]https?://""", markup)
    assert "A &lt;b&gt;" in first and '"type": "num-fmt"' in first and "\\u2013" in first


def test_choropleth_tooltip_data_and_inline_bundle():
    pytest.importorskip("vl_convert")
    import geopandas as gpd
    from shapely.geometry import box

    from analysis.report import interactive_maps as im

    counties = gpd.GeoDataFrame(
        {"fips": ["01001", "01003"], "county_name_full": ["Autauga County", "Baldwin County"],
         "state_usps": ["AL", "AL"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
    )  # fmt: skip
    states = gpd.GeoDataFrame({"state_usps": ["AL"]}, geometry=[box(0, 0, 20, 10)])
    placed = pd.DataFrame({
        "county_fips": ["01001", "01001", None], "agency": ["Sheriff", "Sheriff", "Unplaced"],
        "model": ["TFM", "JEM", "WSO"],
        "signed_corrected": pd.to_datetime(["2025-03-01", "2019-07-01", "2025-01-01"]),
    })  # fmt: skip
    hover = im.county_hover(placed)
    assert hover.to_dict("records") == [{
        "county_fips": "01001", "agreements": 2, "models": "JEM, TFM",
        "first_signed": pd.Timestamp("2019-07-01"), "agency_list": "Sheriff (JEM, TFM)",
        "category": im.WITH_TFM,
    }]  # fmt: skip
    chart = im.county_choropleth(counties, states, hover, title="t")
    values = chart["layer"][0]["data"]["values"]
    assert [v["properties"]["category"] for v in values] == [im.WITH_TFM, im.NO_AGREEMENT]
    assert values[0]["properties"]["first_signed"] == "2019-07-01"
    html = im.embed_html(chart, "m", "a <map>")
    assert 'aria-label="a &lt;map&gt;"' in html and "window.vegaEmbed" in html
    assert not re.search(r"""<script[^>]+src=|from\s*['"]https?://""", html)
    assert im.county_table(hover, counties)["county"].tolist() == ["Autauga County"]


def test_months_and_iso_dates_are_dates_so_they_stay_on_one_line():
    import pandas as pd

    from analysis.report.tables import DATE, TEXT, column_kind

    assert column_kind(pd.Series(["2025-02", "2025-03"])) == DATE
    assert column_kind(pd.Series(pd.period_range("2025-02", periods=2, freq="M"))) == DATE
    assert column_kind(pd.Series(["2025-02-28", None])) == DATE
    assert column_kind(pd.Series(["2025-02", "TX"])) == TEXT
