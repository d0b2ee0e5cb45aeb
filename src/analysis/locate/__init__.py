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

from analysis.locate.crosswalks import Crosswalks, load_crosswalks
from analysis.locate.matcher import METHODS, Location, locate_agency

__all__ = ["METHODS", "Crosswalks", "Location", "load_crosswalks", "locate_agency"]
