"""Agency -> county placement: every 287(g) agency gets a county FIPS of the project geography
(:func:`analysis.geo.counties.county_list`, the 2023 list with Connecticut's planning regions), a
``match_method`` and an audit trail (score, note, alternatives, conflict flag).

- :mod:`analysis.locate.names`: parse agency names (sheriffs, parishes, city/town/township/
  borough police, campus and airport police);
- :mod:`analysis.locate.crosswalks`: the county list, county subdivisions (Gazetteer 2025) and
  GeoNames places as in-memory lookups, cached per raw directory;
- :mod:`analysis.locate.overrides`: the human-reviewed ``data/manual/agency_county_overrides.csv``;
- :mod:`analysis.locate.evidence`: what an agency row says about its county (ICE's COUNTY, the
  county or the place in the name, county-equivalent cities), each kind matched on its own;
- :mod:`analysis.locate.matcher`: :func:`locate_agency`, the decision: the rules in order of
  evidence, conflicts and alternatives;
- :mod:`analysis.locate.tables`: the county columns of ``agencies``, ``county_agreements`` and
  ``agency_location_qa``; :mod:`analysis.locate.schemas`: their columns and checks;
- :mod:`analysis.locate.build`: the locate build stage, from the ICE stage's processed tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import lazy_exports

# Imported on first use (PEP 562), so that `from analysis import locate` costs nothing until
# a name is used; the imports below are what type checkers and the import graph
# (analysis.fingerprint, tests/test_architecture.py) read.
if TYPE_CHECKING:
    from analysis.locate.crosswalks import Crosswalks, load_crosswalks
    from analysis.locate.matcher import METHODS, Location, locate_agency

_SOURCES = {
    "Crosswalks": "crosswalks",
    "Location": "matcher",
    "METHODS": "matcher",
    "load_crosswalks": "crosswalks",
    "locate_agency": "matcher",
}
"""Each re-exported name and the submodule that defines it."""

__all__ = [
    "Crosswalks",
    "Location",
    "METHODS",
    "load_crosswalks",
    "locate_agency",
]

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
