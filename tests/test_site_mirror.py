"""The state pages built from the real processed tables and county shapes."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import io, paths
from analysis.geo.counties import county_list
from analysis.geo.shapes import county_geometry
from analysis.site import state_data, state_pages

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def site(raw_dir, tmp_path_factory):
    if not (paths.PROCESSED / "agreements.parquet").exists():
        pytest.skip("no processed tables: run `analysis build`")
    out = tmp_path_factory.mktemp("site")
    tables = state_data.SiteTables.read()
    written = state_pages.write_state_pages(tables, county_geometry(raw_dir), out)
    return out, tables, written


def test_a_page_for_every_state_ever_listed(site):
    out, tables, written = site
    history = tables.history
    expected = sorted(history.loc[~history["is_territory"], "state"].unique())
    assert written == expected
    assert sorted(p.stem for p in (out / "states").glob("??.html")) == expected


def test_texas_page_counts_its_agreements_and_counties(site, raw_dir):
    out, _, _ = site
    agreements = io.read_table("agreements")
    tx = agreements[agreements["state"] == "TX"]
    page = (out / "states" / "TX.html").read_text(encoding="utf-8")
    lede = f"{len(tx):,} agreements of\n{tx['agency_key'].nunique():,} agencies"
    assert lede in page
    n_counties = (county_list(raw_dir)["state_usps"] == "TX").sum()
    found = re.search(r"Map of Texas&#x27;s ([\d,]+) counties on [\d-]+: ([\d,]+) where .*?, "
                      r"([\d,]+) where only .*?, ([\d,]+) with no agreement", page)  # fmt: skip
    counts = [int(g.replace(",", "")) for g in found.groups()]
    assert counts[0] == n_counties == sum(counts[1:])
    latest = pd.Timestamp(agreements["last_seen"].max())
    assert f"{latest:%Y-%m-%d}" in page
