"""The location tables: the county columns of ``agencies``, ``county_agreements`` and
``agency_location_qa`` (columns, dtypes, descriptions and pandera checks, as in
:mod:`analysis.ice.schemas`, from which ``agencies`` takes its ICE columns).

The locate stage writes all three; the committed data dictionaries
``data/dictionaries/<table>.csv`` are ``dictionary_rows`` of these specs (a test checks them).
"""

from __future__ import annotations

from analysis import tables
from analysis.ice.schemas import (
    AGENCIES as ICE_AGENCIES,
)
from analysis.ice.schemas import (
    CATEGORY,
    LATEST_NAME,
    LATEST_TYPE,
    STATE,
    col,
)
from analysis.locate.jurisdictions import GEOGRAPHIES, LEVELS
from analysis.locate.matcher import METHODS
from analysis.tables import DATE

LOCATE = "derived in analysis.locate (2023 county list; CT planning regions)"
NOT_LOCATED = "not_located"
MATCH_METHODS = (*METHODS, NOT_LOCATED)
QA_ISSUES = ("conflict", "fuzzy", "manual_override", "multi_county", "statewide", "territory",
             "unmatched")  # fmt: skip

LOCATION = (
    col("county_fips", "str", "5-digit FIPS of the agency's (principal) county in the project "
        "geography (analysis.geo.counties: 2023 list, CT planning regions 09110-09190); "
        "NA for statewide, territory and unmatched agencies", LOCATE, nullable=True),
    col("county_name", "str", "Census name of county_fips (e.g. Collier County, Fairfax city)",
        LOCATE, nullable=True),
    col("county_state", "str", "USPS code of county_fips; differs from state for an agency ICE "
        "files under the wrong state", LOCATE, nullable=True),
    col("match_method", "str", "How the county was found: " + "; ".join(
        f"{k} = {v}" for k, v in METHODS.items()) + "; not_located = crosswalk files absent "
        "from raw_dir (fixtures only)", LOCATE, isin=MATCH_METHODS),
    col("match_score", "float64", "Similarity (0-100) of the deciding match: 100 exact, else "
        "the rapidfuzz ratio", LOCATE, nullable=True),
    col("match_note", "str", "Evidence: what matched what, conflicts and the rule that decided, "
        "or why there is no county", LOCATE),
    col("match_conflict", "bool", "The evidence disagrees (ICE COUNTY vs name vs place, or a "
        "county of another state); county_fips_alternative holds the other candidate", LOCATE),
    col("match_exact", "bool", "High-confidence placement: placed, not fuzzy, not conflicted "
        "(counted in county_agreements.agreements_exact)", LOCATE),
    col("county_fips_all", "str", "Every county of the agency, principal first, |-joined (a "
        "city in several counties, a county list in COUNTY)", LOCATE, nullable=True),
    col("county_fips_alternative", "str", "The other candidate county of a conflict (the "
        "first, when there are several; all in agency_location_qa.alternatives)", LOCATE,
        nullable=True),
)  # fmt: skip

JURIS = "derived in analysis.locate.jurisdictions (analysis.geo.places)"
JURISDICTION = (
    col("jurisdiction_level", "str", "county (sheriff, county police, county jail or "
        "corrections, county government: the county), municipal (city, town, village, borough, "
        "township police: the Census place or county subdivision it polices), state (statewide "
        "and territory agencies: never counted into a county), other (campus, airport, port, "
        "prosecutor, task force, tribal, regional, county-precinct constable: the county where "
        "it operates, flagged); NA only when the crosswalk files are absent", JURIS,
        nullable=True, isin=LEVELS),
    col("jurisdiction_geoid", "str", "GEOID of the jurisdiction: 5-digit county FIPS, 7-digit "
        "Census place GEOID, 10-digit county-subdivision GEOID, or 2-digit state FIPS; NA when "
        "no unit was found (see jurisdiction_evidence)", JURIS, nullable=True),
    col("jurisdiction_name", "str", "Census name of the jurisdiction (Collier County, Tye city, "
        "Pittsburg town, Texas)", JURIS, nullable=True),
    col("jurisdiction_population", "Int64", "Residents of the jurisdiction: places and "
        "county subdivisions from the us_geo 2020 builds (an estimate of about 2020, not the "
        "exact count: Baltimore city 577,193 vs 585,708 counted); counties and states the "
        "2020 Census count (ERS CENSUS_2020_POP; CT planning regions ESTIMATES_BASE_2020)",
        JURIS, nullable=True),
    col("jurisdiction_evidence", "str", "What decided the level and the unit: the rule, the "
        "matched name and GEOID, the population source, or why no unit was found", JURIS,
        nullable=True),
)  # fmt: skip

JURISDICTIONS = (
    col("geoid", "str", "GEOID of a jurisdiction some agency polices (see "
        "agencies.jurisdiction_geoid)", JURIS, unique=True),
    col("level", "str", "Geography of the GEOID: county, place (Census place), "
        "county_subdivision or state", JURIS, isin=GEOGRAPHIES),
    col("kind", "str", "County type (County, Parish, city, Borough, Planning Region ...), place "
        "or subdivision kind (city, town, village, borough, township, consolidated), or "
        "state/territory", JURIS, nullable=True),
    col("name", "str", "Census name", JURIS),
    col("state", "str", "USPS code", JURIS),
    col("principal_county_fips", "str", "County holding most of the jurisdiction (itself for a "
        "county; NA for a state)", JURIS, nullable=True),
    col("county_fips_all", "str", "Every county the jurisdiction lies in, principal first, "
        "|-joined (places from us_geo_place_counties.csv; NA for a state)", JURIS,
        nullable=True),
    col("population_2020", "Int64", "Residents (see agencies.jurisdiction_population)", JURIS,
        nullable=True),
    col("agency_levels", "str", "The jurisdiction_level of the agencies policing it, |-joined "
        "(a county policed by its sheriff and an airport police: county|other)", JURIS),
    col("n_agencies", "int64", "Agencies (ever listed) whose jurisdiction it is", JURIS),
)  # fmt: skip

COUNTY_AGREEMENTS = (
    col("snapshot_date", DATE, "Participating snapshot date (every date in agreements_history)"),
    col("county_fips", "str", "5-digit county FIPS (principal county of the agencies)", LOCATE),
    col("state", "str", "USPS code of the county", LOCATE),
    col("agreements", "int64", "Agreements (agency x model) of agencies placed in this county "
        "as principal county"),
    col("agencies", "int64", "Agencies with at least one agreement"),
    col("jem", "int64", "Jail Enforcement Model agreements"),
    col("tfm", "int64", "Task Force Model agreements"),
    col("wso", "int64", "Warrant Service Officer agreements"),
    col("county_type_agreements", "int64", "Agreements of agencies with agency_type County"),
    col("municipal_type_agreements", "int64", "Agreements of agencies with agency_type "
        "Municipality"),
    col("state_type_agreements", "int64", "Agreements of agencies with agency_type State placed "
        "in a county (state-typed but local by name or COUNTY)"),
    col("other_type_agreements", "int64", "Agreements of agencies with agency_type Other"),
    col("sheriff_agreements", "int64", "Agreements of agencies with agency_category sheriff"),
    col("agreements_exact", "int64", "Agreements whose agency's placement is match_exact (not "
        "fuzzy, not conflicted): for robustness checks"),
    col("in_time_series", "bool", "A file of that date is in the time series (False for the "
        "content duplicates, e.g. the 2025-01-31 baseline = 2024-12-29)"),
)  # fmt: skip

LOCATION_QA = (
    col("qa_issue", "str", "Why a reviewer should look: conflict, fuzzy, manual_override, "
        "multi_county, statewide, territory or unmatched",
        isin=QA_ISSUES),
    col("agency_key", "str", "state|agency name key", unique=True),
    STATE,
    LATEST_NAME,
    LATEST_TYPE,
    CATEGORY,
    col("status", "str", "active or gone", isin=("active", "gone")),
    col("n_agreements", "int64", "Agreements ever held"),
    col("county_ice", "str", "Last non-missing COUNTY ICE gave", nullable=True),
    col("match_method", "str", "See agencies.match_method", LOCATE, isin=MATCH_METHODS),
    col("county_fips", "str", "Chosen county (NA when none)", LOCATE, nullable=True),
    col("county_name", "str", "Census name of county_fips", LOCATE, nullable=True),
    col("match_score", "float64", "Similarity of the deciding match", LOCATE, nullable=True),
    col("county_fips_all", "str", "Every county, principal first, |-joined", LOCATE,
        nullable=True),
    col("county_fips_alternative", "str", "The other candidate of a conflict", LOCATE,
        nullable=True),
    col("alternatives", "str", "All other candidates as JSON: fips, name, state, method, score, "
        "note", LOCATE, nullable=True),
    col("match_note", "str", "Evidence, the deciding rule, or the reason there is no county",
        LOCATE),
)  # fmt: skip

TABLES = tables.Tables(
    tables.Table(
        "agencies",
        ICE_AGENCIES.columns + LOCATION + JURISDICTION,
        ICE_AGENCIES.sort_key,
        checks=ICE_AGENCIES.checks,
    ),
    tables.Table(
        "county_agreements",
        COUNTY_AGREEMENTS,
        ("snapshot_date", "county_fips"),
        ("snapshot_date", "county_fips"),
    ),
    tables.Table("agency_location_qa", LOCATION_QA, ("qa_issue", "agency_key")),
    tables.Table(
        "jurisdictions",
        JURISDICTIONS,
        ("geoid",),
        ("geoid",),
        checks=(
            tables.RowCheck(
                lambda df: (
                    df["geoid"]
                    .str.len()
                    .map({2: "state", 5: "county", 7: "place", 10: "county_subdivision"})
                    .eq(df["level"])
                ),
                "geoid length does not fit level (2 state, 5 county, 7 place, 10 cousub)",
            ),
        ),
    ),
)

# The helpers by table name: schemas.validate(df, "agencies") and so on.
dictionary_rows = TABLES.dictionary_rows
typed_frame = TABLES.typed_frame
schema = TABLES.schema
validate = TABLES.validate
write_dictionaries = TABLES.write_dictionaries
