"""The site built from tiny processed tables: links, state pages, findings, missing inputs."""

from __future__ import annotations

import html
import re

import pytest
from site_fixtures import FINDINGS, county_shapes, write_findings, write_processed

from analysis.geo import shapes
from analysis.report import findings as kf
from analysis.site.build import build_site
from analysis.site.front import ReportLink

REPORTS = [
    ReportLink("20_expansion.html", "How the program expanded", "Agreements by model."),
    ReportLink(
        "60_adoption_models.html", "Adoption models", "Logit and LPM.", "failed in this run"
    ),
]


@pytest.fixture
def built(tmp_path, monkeypatch):
    processed, tables = tmp_path / "processed", tmp_path / "reports" / "tables"
    write_processed(processed)
    write_findings(tables)
    monkeypatch.setattr(shapes, "county_geometry", lambda raw=None: county_shapes())
    site = tmp_path / "reports" / "html"
    site.mkdir(parents=True)
    (site / "20_expansion.html").write_text("<html></html>")
    result = build_site(site, reports=REPORTS, tables_dir=tables, state_dir=tmp_path / "state",
                        processed_dir=processed, raw_dir=tmp_path / "raw")  # fmt: skip
    return site, result


def pages(site):
    return sorted(site.rglob("*.html"))


def test_every_relative_link_and_image_resolves(built):
    site, _ = built
    for path in pages(site):
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"#]*)(?:#[^"]*)?"', text):
            if target.startswith(("https://", "http://")) or not target:
                continue
            assert (path.parent / target).resolve().is_file(), f"{path.name}: {target}"


def test_no_page_loads_from_the_network_and_images_have_alt_text(built):
    site, _ = built
    for path in pages(site):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'<(?:script|img|link)[^>]+(?:src|href)="https?://', text), path
        for alt in re.findall(r'<img[^>]*alt="([^"]*)"', text):
            assert len(alt) > 40, (path, alt)
        assert not re.search(r">\s*(?:nan|NaN|NaT|None)\s*<", text), path


def test_a_page_for_every_state_with_an_agreement_and_only_its_agencies(built):
    site, result = built
    assert result.states == ["TX", "WY"]  # Guam is a territory: no state page
    assert {p.name for p in (site / "states").glob("*.html")} == {"TX.html", "WY.html",
                                                                  "index.html"}  # fmt: skip
    tx = (site / "states" / "TX.html").read_text()
    assert "Alpha County Sheriff" in tx and "Beta Police Department" in tx
    assert "Gamma" not in tx and "Guam" not in tx
    assert "https://www.ice.gov/doclib/287gMOA/alpha.pdf" in tx
    assert "SB 8" in tx and "secondary report" in tx and "2025-06-20" in tx
    wy = (site / "states" / "WY.html").read_text()
    assert "Gamma County Sheriff &lt;b&gt;" in wy and "<b>" not in wy.split("<main>")[1][:20]
    assert "left the list" in wy and "Alpha" not in wy
    assert "2 counties" in tx or "3 counties" in tx  # the map's alt text counts TX counties
    assert "3 counties on 2026-01-01: 1 where a county-level agency" in tx


def test_front_page_shows_the_findings_formatted_and_failures_only(built):
    site, _ = built
    front = (site / "index.html").read_text()
    for finding in FINDINGS:
        assert html.escape(kf.format_value(finding["value"], finding["unit"])) in front
    assert "+12.3 pp per SD" in front and "45.1%" in front and "1,797" in front
    assert html.escape(kf.format_p(0.0004)) in front
    assert html.escape(kf.format_interval(5.1, 20.0, "pp per SD")) in front
    assert 'href="20_expansion.html"' in front and 'href="60_adoption_models.html"' not in front
    assert "failed in this run" in front and ">ok<" not in front
    assert "2026-01-01" in front and "2 state pages" in front
    assert "changes.html" in front and 'href="changes.html"' not in front  # not written yet


def test_missing_findings_file_is_said_plainly(built):
    site, _ = built
    (site.parent / "tables" / "key_findings.json").unlink()
    processed = site.parents[2] / "processed"
    build_site(site, reports=REPORTS, tables_dir=site.parent / "tables",
               state_dir=site.parents[2] / "state", processed_dir=processed)  # fmt: skip
    front = (site / "index.html").read_text()
    assert "has not been written" in front and "1,797" not in front


def test_without_processed_tables_only_the_front_page(tmp_path):
    site = tmp_path / "html"
    result = build_site(site, reports=[], tables_dir=tmp_path / "tables",
                        state_dir=tmp_path / "state", processed_dir=tmp_path / "none")  # fmt: skip
    front = (site / "index.html").read_text()
    assert result.states == [] and "No processed ICE tables" in front
    assert "states/index.html" not in front and not (site / "methods.html").exists()


def test_downloads_and_methods(built):
    site, _ = built
    downloads = (site / "downloads.html").read_text()
    for name in ("agreements", "agencies", "state_policies"):
        for suffix in (".csv", ".parquet", ".dictionary.csv"):
            assert f'href="downloads/{name}{suffix}"' in downloads
    assert '<td class="num">4</td>' in downloads  # the 4 fixture agreements
    methods = (site / "methods.html").read_text()
    for ref in ("Wong", "Capps", "Creek", "Kiser", "Washington Post", "14159", "2012"):
        assert ref in methods
    assert "1 states: TX" in methods  # mandate states computed from the fixture's laws
    assert "us_atlas_topojson" in methods and "ISC" in methods


def test_state_pages_are_cached_until_an_input_changes(built, tmp_path):
    site, first = built
    assert first.states_rebuilt
    again = build_site(site, reports=REPORTS, tables_dir=tmp_path / "reports" / "tables",
                       state_dir=tmp_path / "state", processed_dir=tmp_path / "processed",
                       raw_dir=tmp_path / "raw")  # fmt: skip
    assert not again.states_rebuilt and again.states == ["TX", "WY"]


FORBIDDEN = ("effect of", "effects of", "impact", "causes", "caused", "compelled", "leads to",
             "led to", "drives", "driven by", "because of", "holding the other")  # fmt: skip


def test_pages_word_associations_as_associations(built):
    site, _ = built
    for path in pages(site):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")).lower()
        assert not [w for w in FORBIDDEN if w in text], path


def test_two_builds_are_byte_identical(built, tmp_path):
    site, _ = built
    other = tmp_path / "again" / "html"
    other.mkdir(parents=True)
    (other / "20_expansion.html").write_text("<html></html>")
    build_site(other, reports=REPORTS, tables_dir=tmp_path / "reports" / "tables",
               state_dir=tmp_path / "again" / "state", processed_dir=tmp_path / "processed",
               raw_dir=tmp_path / "raw")  # fmt: skip
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(other): p.read_bytes() for p in other.rglob("*") if p.is_file()}
    assert first == second
