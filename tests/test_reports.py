"""The full pipeline on the real data: build, execute every notebook, check the HTML in Chromium.

Marked ``mirror``: it needs the real raw files (CI sets ANALYSIS_MIRROR). The session fixture
(``reports``, in conftest.py, shared with
test_browser.py) runs the same steps as ``make reproduce`` after fetching.
"""

from __future__ import annotations

import re
import subprocess
import tempfile

import nbformat
import pytest
from chromium import chromium

from analysis.runner.render import error_outputs
from analysis.runner.run import load_params, run_notebooks

pytestmark = pytest.mark.mirror

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1200,1600",
]  # fmt: skip


def dump_dom(html_file) -> str:
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
             html_file.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return out.stdout


def test_every_listed_notebook_has_a_clean_executed_copy(reports):
    _, specs = load_params()
    for spec in specs:
        nb = nbformat.read(reports / "executed" / f"{spec.name}.ipynb", as_version=4)
        assert error_outputs(nb) == [], spec.name
        assert nb.metadata["title"] == spec.title


def test_index_lists_every_report_in_the_browser(reports):
    _, specs = load_params()
    dom = dump_dom(reports / "html" / "index.html")
    assert "<h1>The 287(g) atlas: reports</h1>" in dom
    for spec in specs:
        assert f'href="{spec.name}.html"' in dom


def test_each_report_renders_with_headings_contents_and_figures(reports):
    _, specs = load_params()
    for spec in specs:
        dom = dump_dom(reports / "html" / f"{spec.name}.html")
        assert f"<title>{spec.title}</title>" in dom
        assert re.search(r"<h1[^>]*>", dom), spec.name
        assert '<nav class="report-toc">' in dom, spec.name
        assert len(re.findall(r"<h2[^>]*>", dom)) >= 3, spec.name
        assert re.search(r'<img[^>]+src="data:image/png;base64,', dom), spec.name
        assert (
            "Traceback" not in dom
            and 'class="jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"'
            not in dom
        )


def test_as_of_replays_the_announcement_of_2025_05_29(reports, tmp_path):
    results = run_notebooks(as_of="2025-05-29", only=["20_expansion"], reports_dir=tmp_path,
                            echo=lambda m: None)  # fmt: skip
    assert [r.status for r in results] == ["executed"]
    html = (tmp_path / "as-of-2025-05-29" / "html" / "20_expansion.html").read_text()
    assert "it listed <strong>635 agreements</strong>" in html
    assert "agencies in 40 states" in html
    # The default reports are untouched by an as-of run.
    assert (
        "2025-05-29</strong> it listed" not in (reports / "html" / "20_expansion.html").read_text()
    )
