"""The county outcomes by agency level (analysis.study.adoption.county_outcomes, variables) on a
tiny county/agency fixture, with and without ``agencies.jurisdiction_level``."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analysis.study import adoption, variables
from analysis.study.adoption import AdoptionTables

DATE = pd.Timestamp("2026-01-30")
FIPS = ["01001", "01003", "01005", "01007", "01009", "01011"]

# agency_key, county, ICE type, category, jurisdiction level, models on DATE, exact match
AGENCIES = [
    ("AL|A COUNTY SHERIFF'S OFFICE", "01001", "County", "sheriff", "county", ["JEM"], True),
    ("AL|B POLICE DEPARTMENT", "01003", "Municipality", "municipal police", "municipal",
     ["TFM"], True),
    ("AL|C COUNTY SHERIFF'S OFFICE", "01005", "County", "sheriff", "county", ["WSO"], True),
    ("AL|D POLICE DEPARTMENT", "01005", "Municipality", "municipal police", "municipal",
     ["TFM"], False),
    ("AL|E REGIONAL AIRPORT POLICE", "01007", "Other", "airport or port authority", "other",
     ["TFM"], True),
    # A sheriff ICE typed Municipality: the type rule counts it at both levels.
    ("AL|F COUNTY SHERIFF'S OFFICE", "01011", "Municipality", "sheriff", "county", ["TFM"],
     False),
    # Statewide: not placed in any county.
    ("AL|STATE TROOPERS", None, "State", "state police or patrol", "state", ["TFM"], True),
]  # fmt: skip


def agencies_table(with_level: bool = True) -> pd.DataFrame:
    cols = ["agency_key", "county_fips", "agency_type", "agency_category", "jurisdiction_level"]
    table = pd.DataFrame([a[:5] for a in AGENCIES], columns=cols)
    table["match_exact"] = [a[6] for a in AGENCIES]
    return table if with_level else table.drop(columns="jurisdiction_level")


def history_table() -> pd.DataFrame:
    rows = [
        {
            "snapshot_date": DATE,
            "list": "participating",
            "in_time_series": True,
            "agency_key": key,
            "agreement_key": f"{key}|{model}",
            "model": model,
        }
        for key, _, _, _, _, models, _ in AGENCIES
        for model in models
    ]
    return pd.DataFrame(rows)


def county_agreements_table(agencies: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """What locate.tables.county_agreements writes, counted by hand from the fixture."""
    rows = history.merge(agencies, on="agency_key")
    rows = rows[rows.county_fips.notna()]
    out = []
    for fips, group in rows.groupby("county_fips"):
        out.append(
            {
                "snapshot_date": DATE,
                "county_fips": fips,
                "state": "AL",
                "agreements": len(group),
                "agencies": group.agency_key.nunique(),
                "jem": int((group.model == "JEM").sum()),
                "tfm": int((group.model == "TFM").sum()),
                "wso": int((group.model == "WSO").sum()),
                "county_type_agreements": int((group.agency_type == "County").sum()),
                "municipal_type_agreements": int((group.agency_type == "Municipality").sum()),
                "sheriff_agreements": int((group.agency_category == "sheriff").sum()),
                "agreements_exact": int(group.match_exact.sum()),
                "in_time_series": True,
            }
        )
    return pd.DataFrame(out)


@pytest.fixture
def tables() -> AdoptionTables:
    agencies = agencies_table()
    history = history_table()
    covariates = pd.DataFrame(
        {
            "fips": FIPS,
            "state_usps": ["AL"] * len(FIPS),
            "county_name_full": [f"County {f}" for f in FIPS],
            "gop_share_2024": [0.6, 0.5, 0.7, 0.4, 0.8, 0.55],
        }
    )
    # No state law: an empty table with the columns of the processed state_policies.
    dates = ["signed_date", "effective_date", "deadline_date", "prohibition_date"]
    policies = pd.DataFrame(
        columns=["policy_id", "state_usps", "policy_type", "year", "instrument", "verification"]
    ).assign(**{d: pd.Series(dtype="datetime64[ns]") for d in dates})
    return AdoptionTables(
        county_agreements=county_agreements_table(agencies, history),
        covariates=covariates,
        history=history,
        state_policies=policies,
        agencies=agencies,
    )


def by_county(values: list[int]) -> dict[str, int]:
    return dict(zip(FIPS, values, strict=True))


def outcomes(tables: AdoptionTables, **kwargs) -> pd.DataFrame:
    columns = list(variables.AGENCY_LEVEL_OUTCOMES) + ["agency_level_rule"]
    return adoption.county_outcomes(tables=tables, **kwargs).set_index("fips")[columns]


def test_outcomes_from_jurisdiction_level(tables):
    out = outcomes(tables)
    assert (out.agency_level_rule == adoption.LEVEL_RULE_JURISDICTION).all()
    assert out.county_agency_agreement.to_dict() == by_county([1, 0, 1, 0, 0, 1])
    assert out.any_agreement.to_dict() == by_county([1, 1, 1, 1, 0, 1])
    assert out.municipal_agency_agreement.to_dict() == by_county([0, 1, 1, 0, 0, 0])


@pytest.mark.parametrize("agencies", ["absent", "without level"])
def test_outcomes_fall_back_to_agency_type(tables, agencies):
    replaced = None if agencies == "absent" else agencies_table(with_level=False)
    out = outcomes(dataclasses.replace(tables, agencies=replaced))
    assert (out.agency_level_rule == adoption.LEVEL_RULE_AGENCY_TYPE).all()
    # Sheriff or ICE type County; F's sheriff typed Municipality is county-level and municipal.
    assert out.county_agency_agreement.to_dict() == by_county([1, 0, 1, 0, 0, 1])
    assert out.any_agreement.to_dict() == by_county([1, 1, 1, 1, 0, 1])
    assert out.municipal_agency_agreement.to_dict() == by_county([0, 1, 1, 0, 0, 1])


def test_exact_only_applies_to_every_level(tables):
    out = outcomes(tables, exact_only=True)
    # 01011's only agreement is a fuzzy match; 01005 keeps both levels (its sheriff is exact).
    assert out.county_agency_agreement.loc[["01005", "01011"]].tolist() == [1, 0]
    assert out.municipal_agency_agreement.loc["01005"] == 1
    assert out.any_agreement.loc["01011"] == 0


def test_levels_are_read_at_the_snapshot_date(tables):
    # On 2025-06-27 only B's police held an agreement.
    marker = pd.DataFrame(
        [{"snapshot_date": pd.Timestamp("2025-06-27"), "list": "participating",
          "in_time_series": True, "agency_key": "AL|B POLICE DEPARTMENT",
          "agreement_key": "AL|B POLICE DEPARTMENT|TFM", "model": "TFM"}]
    )  # fmt: skip
    ca = tables.county_agreements
    early_row = ca[ca.county_fips == "01003"].assign(snapshot_date=pd.Timestamp("2025-06-27"))
    replaced = dataclasses.replace(
        tables,
        history=pd.concat([marker, tables.history]),
        county_agreements=pd.concat([early_row, ca]),
    )
    out = outcomes(replaced, as_of="2025-06-30")
    assert out.municipal_agency_agreement.sum() == 1 and out.county_agency_agreement.sum() == 0


def test_unknown_or_missing_level_is_an_error(tables):
    for value in ("city", None):
        agencies = tables.agencies.copy()
        agencies.loc[1, "jurisdiction_level"] = value
        with pytest.raises(ValueError, match="AL\\|B POLICE DEPARTMENT"):
            adoption.county_outcomes(tables=dataclasses.replace(tables, agencies=agencies))


def test_tables_that_disagree_are_an_error(tables):
    ca = tables.county_agreements
    with pytest.raises(ValueError, match="01003"):
        adoption.county_outcomes(
            tables=dataclasses.replace(tables, county_agreements=ca[ca.county_fips != "01003"])
        )


def test_outcome_definitions_lead_with_the_primary():
    assert variables.PRIMARY_OUTCOME == "county_agency_agreement"
    assert list(variables.OUTCOMES)[:3] == [
        "county_agency_agreement",
        "any_agreement",
        "municipal_agency_agreement",
    ]
    assert variables.SECONDARY_OUTCOMES == ["any_agreement", "municipal_agency_agreement"]
    labels = variables.AGENCY_LEVEL_OUTCOMES
    assert "county-level" in labels["county_agency_agreement"]
    assert "municipal" in labels["municipal_agency_agreement"]
    assert "any agency" in labels["any_agreement"]


def test_mandate_states_at_reads_the_cross_section():
    from analysis.study.adoption import mandate_states_at

    counties = pd.DataFrame({"state": ["TX", "TX", "AR", "CA"], "mandate_state": [1, 1, 1, 0]})
    assert mandate_states_at(counties) == ["AR", "TX"]
