"""Spreadsheet text (agency names, counties) reaches the HTML reports as text, never as markup."""

from __future__ import annotations

from test_reproducibility import tiny_project

from analysis.report import esc
from analysis.runner.index_page import index_html
from analysis.runner.run import run_notebooks

EVIL = "<script>alert(1)</script>"
SAFE = "&lt;script&gt;alert(1)&lt;/script&gt;"

BODY = f"""\
import pandas as pd
from IPython.display import Markdown, display
from analysis.report import esc, table_html

agency = {EVIL!r}
county = '<img src=x onerror=alert(2)> County'
df = pd.DataFrame({{"state": ["TX"], "agency": [agency], "county": [county]}})
display(df)                      # pandas' own HTML repr
display(table_html(df))          # the project's table helper
display(Markdown(f"Largest agency: **{{esc(agency)}}** in {{esc(county)}}"))
print(agency)                    # plain stream output
"""


def test_agency_named_script_shows_as_text(tmp_path):
    nbs, params = tiny_project(tmp_path, "evil", BODY, f"Agencies {EVIL}", f"About {EVIL}", {})
    reports = tmp_path / "reports"
    results = run_notebooks(params_path=params, notebooks_dir=nbs, reports_dir=reports,
                            echo=lambda m: None)  # fmt: skip
    assert [r.status for r in results] == ["executed"], results
    html = (reports / "html" / "evil.html").read_text()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    # Shown as text by each of the four routes (pandas, table_html, Markdown+esc, print),
    # and in the <title>.
    assert html.count(SAFE) >= 5, html.count(SAFE)
    assert f"<title>Agencies {SAFE}</title>" in html
    assert "&lt;img src=x onerror=alert(2)&gt; County" in html
    index = (reports / "html" / "index.html").read_text()
    assert "<script>alert(1)" not in index and SAFE in index


def test_esc_and_index_escape_everything():
    assert esc(EVIL) == SAFE
    assert esc("\"quoted\" & 'single'") == "&quot;quoted&quot; &amp; &#x27;single&#x27;"
    page = index_html(EVIL, f"sub {EVIL}", [
        {"href": 'x.html"><script>alert(3)</script>', "title": EVIL, "summary": EVIL,
         "status": "<b>ok</b>"},
    ])  # fmt: skip
    assert "<script>" not in page and "<b>ok</b>" not in page
    assert 'href="x.html&quot;&gt;&lt;script&gt;' in page
    assert page.count(SAFE) >= 4
