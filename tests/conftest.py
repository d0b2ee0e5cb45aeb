"""Shared fixtures. Integration tests run on the real files: from ANALYSIS_MIRROR (as in CI) or
from an already fetched data/raw; without either they are skipped with the reason."""

from __future__ import annotations

import pytest

from analysis import paths
from analysis.fetch import fetch_all, load_catalog


@pytest.fixture(scope="session")
def raw_dir():
    """data/raw filled and verified from the mirror (or already fetched)."""
    mirror = paths.mirror()
    if mirror is not None:
        fetch_all(mirror=mirror, progress=False, echo=lambda _m: None)
        return paths.RAW
    missing = [e.path for e in load_catalog() if not (paths.RAW / e.path).is_file()]
    if missing:
        pytest.skip(f"no ANALYSIS_MIRROR and {len(missing)} raw files not fetched")
    return paths.RAW


@pytest.fixture(scope="session")
def reports(raw_dir):
    """The whole pipeline once per test session (as ``make reproduce`` after fetching): the
    processed tables built, every notebook executed and rendered into reports/html.
    Shared by test_reports.py and test_browser.py."""
    from analysis.cli import main
    from analysis.runner.run import run_notebooks

    assert main(["build"]) == 0
    results = run_notebooks(echo=print)
    failed = [f"{r.name}: {r.message}" for r in results if r.status in ("failed", "skipped")]
    assert failed == []
    return paths.REPORTS
