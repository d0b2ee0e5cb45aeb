"""The built site in a real browser: Debian's Chromium driven by Playwright for Python.

Every page under reports/html loads with no console error and no request leaving the machine,
fits the window at phone and desktop widths, gives every image a real alternative text; the
search box of an agency table filters its rows and the county map answers a hover.

Marked ``mirror`` (it needs the whole pipeline run of the session fixture ``reports``).
Playwright drives the system browser through ``executable_path`` (no ``playwright install``).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from chromium import chromium

pytestmark = pytest.mark.mirror

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip
WIDTHS = (390, 1280)
NBCONVERT_DEFAULT_ALT = "No description has been provided"
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
REMOTE_REF = re.compile(
    r"""<script[^>]+src=["']?(?:https?:)?//|<link[^>]+href=["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//|import[^;'"]*from\s*['"](?:https?:)?//""",
    re.I,
)


def _is_local(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def pages(reports):
    found = sorted((reports / "html").rglob("*.html"))
    assert len(found) >= 2, found
    return found


def _open(browser, page_file, width: int):
    """A page at ``width`` px with its console errors, page errors and remote requests."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if _is_local(r.url) else problems.append(f"request: {r.url}"))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # module scripts (DataTables, Vega) run after load
    return page, problems


def test_every_page_loads_offline_without_errors(browser, pages):
    for page_file in pages:
        text = page_file.read_text(encoding="utf-8")
        assert not REMOTE_REF.search(text), (page_file.name, REMOTE_REF.search(text).group(0))
        page, problems = _open(browser, page_file, 1280)
        page.close()
        assert problems == [], (page_file.name, problems)


def test_no_page_overflows_horizontally(browser, pages):
    for width in WIDTHS:
        for page_file in pages:
            page, _ = _open(browser, page_file, width)
            scroll, inner = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            page.close()
            assert scroll <= inner, (page_file.name, width, scroll, inner)


def test_every_image_has_a_real_alt_text(browser, pages):
    for page_file in pages:
        page, _ = _open(browser, page_file, 1280)
        alts = page.evaluate("[...document.images].map(i => i.getAttribute('alt'))")
        page.close()
        for alt in alts:
            assert alt and alt.strip() and NBCONVERT_DEFAULT_ALT not in alt, (page_file.name, alt)


def _rows(page, table_id: str) -> list[str]:
    return page.locator(f"#{table_id} tbody tr").all_inner_texts()


@pytest.mark.parametrize(
    ("report", "table_id"),
    [("30_geography", "t30_counties"), ("10_agreements_qa", "t10_disappearances")],
)
def test_agency_table_search_filters_its_rows(browser, reports, report, table_id):
    page, problems = _open(browser, reports / "html" / f"{report}.html", 1280)
    page.wait_for_selector(f"#{table_id}.dataTable tbody tr")
    before = _rows(page, table_id)
    info = page.locator(f"#{table_id}_info").inner_text()
    total = int(re.search(r"of ([\d,]+) entr(?:y|ies)", info).group(1).replace(",", ""))
    assert total > len(before) > 1, (info, len(before))
    # The first row's first cell (an agency or county name) as the search term.
    term = page.locator(f"#{table_id} tbody tr:first-child td:first-child").inner_text().strip()
    search = page.locator(f"#{table_id}_wrapper input[type=search]")
    search.fill(term)
    page.wait_for_timeout(200)
    after = _rows(page, table_id)
    filtered = page.locator(f"#{table_id}_info").inner_text()
    kept = int(re.search(r"of ([\d,]+) entr(?:y|ies)", filtered).group(1).replace(",", ""))
    assert 1 <= kept < total, (term, filtered)
    assert after and all(term.lower() in row.lower() for row in after), (term, after[:3])
    search.fill("no agency is called this zzqx")
    page.wait_for_timeout(200)
    assert "No matching records" in page.locator(f"#{table_id} tbody").inner_text()
    page.close()
    assert problems == []


def test_county_map_answers_a_hover(browser, reports):
    page, problems = _open(browser, reports / "html" / "30_geography.html", 1280)
    shapes = page.locator("#map30-models svg path[aria-roledescription='geoshape']")
    shapes.first.wait_for(state="attached")
    assert shapes.count() > 3000
    first = page.locator("#t30_counties tbody tr:first-child td:first-child").inner_text()
    box = page.locator("#map30-models").bounding_box()
    page.locator("#map30-models").scroll_into_view_if_needed()
    tooltip = page.locator("#vg-tooltip-element")
    texts = []
    for index in range(0, shapes.count(), 50):
        # A pointer event on the county's path, as the mouse would send (Vega listens to it).
        shapes.nth(index).dispatch_event("pointermove", {"bubbles": True})
        texts.append(tooltip.inner_text() if tooltip.count() else "")
    found = next((t for t in texts if "Agencies" in t and "none" not in t), "")
    empty = next((t for t in texts if "no agreement" in t or "none" in t), "")
    page.close()
    assert box and box["width"] > 300
    assert "County" in found and "First signed" in found, (first, texts[:3])
    assert "undefined" not in "".join(texts) and "NaN" not in "".join(texts), texts[:3]
    assert empty, texts[:3]
    assert problems == []
