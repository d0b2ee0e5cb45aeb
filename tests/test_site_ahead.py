"""The site's data pages built while the notebooks run: the same bytes as the site built after
them, skipped when current, and a failure while building them is raised, not swallowed."""

from __future__ import annotations

from concurrent.futures import Future

import pytest
import yaml
from site_fixtures import county_shapes, write_findings, write_processed
from tiny_notebooks import write_notebook

from analysis import paths
from analysis.geo import shapes
from analysis.runner import run as runner_run
from analysis.runner import site_step
from analysis.runner.layout import Layout
from analysis.runner.run import run_notebooks
from analysis.runner.site_step import Ahead, write_index
from analysis.site import state_pages
from analysis.site.build import build_data_pages, build_site
from analysis.site.front import ReportLink

REPORTS = [ReportLink("20_expansion.html", "How the program expanded", "Agreements by model.")]


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def processed(tmp_path, monkeypatch):
    folder = tmp_path / "processed"
    write_processed(folder)
    monkeypatch.setattr(shapes, "county_geometry", lambda raw=None: county_shapes())
    # The fixture has no ICE snapshot tables for the change log (the workers are forked, so
    # they inherit these patches).
    monkeypatch.setattr(site_step, "write_changes", lambda *args, **kwargs: None)
    monkeypatch.setattr(runner_run, "write_changes", lambda *args, **kwargs: None)
    return folder


def test_data_pages_then_the_front_page_are_the_whole_site(processed, tmp_path):
    tables = tmp_path / "tables"
    write_findings(tables)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    common = dict(reports=REPORTS, tables_dir=tables, processed_dir=processed)
    build_site(whole, state_dir=tmp_path / "s1", **common)
    data = build_data_pages(parts, state_dir=tmp_path / "s2", processed_dir=processed)
    result = build_site(parts, state_dir=tmp_path / "s2", data=data, **common)
    assert files(whole) == files(parts)
    assert result.states == ["TX", "WY"] and "front page" in result.seconds


def test_a_failure_while_building_ahead_is_raised(tmp_path):
    failed = Future()
    failed.set_exception(RuntimeError("state page of TX: no counties"))
    layout = Layout(tmp_path / "reports")
    with pytest.raises(RuntimeError, match="state page of TX"):
        write_index([], [], layout, None, echo=lambda m: None, ahead=Ahead("stamp", failed))


def tiny_project(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    reads = ["data/processed/agreements.parquet"]  # the run reads processed tables
    for name in ("10_first", "20_second", "30_third"):
        write_notebook(nbs, name, "output_dir = None", "import time\ntime.sleep(1)")
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": [
        {"name": "10_first", "title": "First", "summary": "one", "inputs": reads},
        {"name": "20_second", "title": "Second", "summary": "two", "inputs": reads},
        {"name": "30_third", "title": "Third", "summary": "three", "inputs": reads,
         "needs": ["10_first"]},
    ]}))  # fmt: skip
    return nbs, params


def test_a_run_builds_the_data_pages_while_notebooks_run(processed, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", processed)
    nbs, params = tiny_project(tmp_path)
    reports = tmp_path / "reports"

    def run(**kw):
        lines = []
        run_notebooks(params_path=params, notebooks_dir=nbs, reports_dir=reports, workers=2,
                      echo=lines.append, force=True, **kw)  # fmt: skip
        return [line for line in lines if line.startswith("[site]")]

    assert run()[0].endswith("(all but the front page built while the notebooks ran)")
    html = reports / "html"
    assert (html / "states" / "TX.html").is_file() and (html / "methods.html").is_file()
    first = files(html)
    assert run()[0].startswith("[site] unchanged (")  # the data pages are current: no job
    (html / "states" / "TX.html").unlink()  # a data page is missing: built again, identical
    assert "while the notebooks ran" in run()[0] and files(html) == first


def test_a_failure_in_the_state_pages_ends_the_run(processed, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", processed)

    def broken(*args, **kwargs):
        raise ValueError("no county map for TX")

    monkeypatch.setattr(state_pages, "write_state_pages", broken)
    nbs, params = tiny_project(tmp_path)
    with pytest.raises(ValueError, match="no county map for TX"):
        run_notebooks(params_path=params, notebooks_dir=nbs, reports_dir=tmp_path / "reports",
                      workers=2, echo=lambda m: None)  # fmt: skip
    assert (tmp_path / "reports" / "html" / "30_third.html").is_file()  # the notebooks ran
