"""The lineage rule for a successor in another state: taken only when the first state cannot be
right. Unit tests on tiny histories; an integration test on the mirror."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.ice.lineage import Agreement, JurisdictionNames, link_successors

D1, D2, D3 = date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)

NAMES = JurisdictionNames(
    counties={
        "MD": frozenset({"carroll", "cecil"}),
        "KY": frozenset({"carroll"}),
        "MA": frozenset({"middlesex"}),
        "MN": frozenset({"crowwing"}),
        "AR": frozenset({"miller"}),
        "TX": frozenset({"bowie"}),
    },
    places={"AR": frozenset({"texarkana"}), "TX": frozenset({"texarkana"})},
)


def gone(state, name, model="WSO", state_typo=None):
    return Agreement(f"{state}|{name}|{model}", state, name, model, D1, D1, D2, state_typo)


def new(state, name, model="WSO", first_seen=D2):
    return Agreement(f"{state}|{name}|{model}", state, name, model, first_seen, D3, None)


def test_same_name_in_a_state_that_has_the_county_is_an_exit():
    links = link_successors(
        [
            gone("MD", "CARROLL COUNTY SHERIFF'S OFFICE"),
            new("KY", "CARROLL COUNTY SHERIFF'S OFFICE"),
        ],
        NAMES,
    )
    link = links["MD|CARROLL COUNTY SHERIFF'S OFFICE|WSO"]
    assert (link.lineage, link.successor_key) == ("exit", None)
    assert link.cross_state.startswith("not linked (MD has a county named CARROLL)")
    assert "KY|CARROLL COUNTY SHERIFF'S OFFICE|WSO" in link.cross_state


def test_an_impossible_first_state_gives_a_successor():
    links = link_successors(
        [
            gone("MA", "CROW WING COUNTY SHERIFF'S OFFICE"),
            new("MN", "CROW WING COUNTY SHERIFF'S OFFICE"),
        ],
        NAMES,
    )
    link = links["MA|CROW WING COUNTY SHERIFF'S OFFICE|WSO"]
    assert (link.lineage, link.successor_key) == (
        "successor",
        "MN|CROW WING COUNTY SHERIFF'S OFFICE|WSO",
    )
    assert "first state impossible: MA has no county named CROW WING" in link.cross_state
    assert link.note == link.cross_state


def test_a_misspelt_first_state_gives_a_successor_even_when_the_county_exists():
    old = gone("MD", "CARROLL COUNTY SHERIFF'S OFFICE", state_typo="MARYLNAD")
    links = link_successors([old, new("KY", "CARROLL COUNTY SHERIFF'S OFFICE")], NAMES)
    link = links[old.key]
    assert link.lineage == "successor" and "'MARYLNAD' on every listing" in link.cross_state


def test_the_other_state_counts_only_when_new_then_and_of_the_same_model():
    later = new("KY", "CARROLL COUNTY SHERIFF'S OFFICE", first_seen=D3)
    other_model = new("MN", "CROW WING COUNTY SHERIFF'S OFFICE", model="TFM")
    links = link_successors(
        [gone("MD", "CARROLL COUNTY SHERIFF'S OFFICE"), later,
         gone("MA", "CROW WING COUNTY SHERIFF'S OFFICE"), other_model],
        NAMES,
    )  # fmt: skip
    for key in (
        "MD|CARROLL COUNTY SHERIFF'S OFFICE|WSO",
        "MA|CROW WING COUNTY SHERIFF'S OFFICE|WSO",
    ):
        assert (links[key].lineage, links[key].cross_state) == ("exit", None)


TEXARKANA, CROW_WING = "TEXARKANA POLICE DEPARTMENT", "CROW WING COUNTY SHERIFF'S OFFICE"


def test_towns_are_checked_against_places_and_rivals_stay_uncertain():
    links = link_successors(
        [gone("AR", TEXARKANA, "TFM"), new("TX", TEXARKANA, "TFM"),
         gone("MA", CROW_WING), new("MN", CROW_WING), new("MD", CROW_WING)],
        NAMES,
    )  # fmt: skip
    assert links["AR|TEXARKANA POLICE DEPARTMENT|TFM"].lineage == "exit"
    assert "AR has a county or place" in links["AR|TEXARKANA POLICE DEPARTMENT|TFM"].cross_state
    rivals = links["MA|CROW WING COUNTY SHERIFF'S OFFICE|WSO"]
    assert (rivals.lineage, rivals.successor_key) == ("successor_uncertain", None)
    assert "not the only one" in rivals.note and "first state impossible" in rivals.cross_state


@pytest.mark.parametrize(
    ("state", "name"),
    [("GU", "GUAM CUSTOMS AND QUARANTINE AGENCY"), ("MD", "DEPARTMENT OF PUBLIC SAFETY")],
)
def test_no_county_list_or_no_place_name_never_rules_a_state_out(state, name):
    other = "TX" if state != "TX" else "MD"
    links = link_successors([gone(state, name), new(other, name)], NAMES)
    assert links[f"{state}|{name}|WSO"].lineage == "exit"


def test_a_same_state_rename_still_wins():
    links = link_successors(
        [gone("MD", "CECIL COUNTY SHERIF'S OFFICE"), new("MD", "CECIL COUNTY SHERIFF'S OFFICE"),
         new("KY", "CECIL COUNTY SHERIF'S OFFICE")],
        NAMES,
    )  # fmt: skip
    link = links["MD|CECIL COUNTY SHERIF'S OFFICE|WSO"]
    assert (link.lineage, link.successor_key) == (
        "successor",
        "MD|CECIL COUNTY SHERIFF'S OFFICE|WSO",
    )


# --- the mirror


@pytest.fixture(scope="module")
def agreements(raw_dir):
    from analysis.ice.history import build_tables

    return build_tables(raw_dir)["agreements"]


@pytest.mark.mirror
def test_names_from_the_real_gazetteers(raw_dir):
    names = JurisdictionNames.from_raw(raw_dir)
    carroll = Agreement("MD|C|WSO", "MD", "CARROLL COUNTY SHERIFF'S OFFICE", "WSO", D1, D1, D2)
    crow_wing = Agreement("MA|C|WSO", "MA", "CROW WING COUNTY SHERIFF'S OFFICE", "WSO", D1, D1, D2)
    dickson = Agreement("PA|D|TFM", "PA", "DICKSON CITY POLICE DEPARTMENT", "TFM", D1, D1, D2)
    made_up = Agreement("PA|Q|TFM", "PA", "QWXZ BOROUGH POLICE DEPARTMENT", "TFM", D1, D1, D2)
    assert names.ruled_out(carroll) is None and names.ruled_out(dickson) is None
    assert names.ruled_out(crow_wing) == "first state impossible: MA has no county named CROW WING"
    assert names.ruled_out(made_up).startswith("first state impossible: PA has no county or place")


@pytest.mark.mirror
def test_no_link_crosses_states_unless_the_first_state_is_impossible(agreements):
    state_of = agreements.set_index("agreement_key")["state"]
    linked = agreements[agreements["lineage"].isin(["successor", "successor_uncertain"])]
    for row in linked.itertuples():
        keys = [k for k in state_of.index if k in (row.lineage_note or "")]
        crosses = pd.notna(row.successor_key) and state_of[row.successor_key] != row.state
        crosses |= any(state_of[k] != row.state for k in keys)
        if crosses:
            assert "first state impossible" in (row.cross_state_check or ""), row.agreement_key
    checked = agreements[agreements["cross_state_check"].notna()]
    assert checked["lineage"].notna().all()
    refused = checked["cross_state_check"].str.startswith("not linked")
    assert (checked.loc[refused, "lineage"] == "exit").all()
    carroll = agreements.set_index("agreement_key").loc["MD|CARROLL COUNTY SHERIFF'S OFFICE|WSO"]
    assert (carroll["status"], carroll["lineage"]) == ("gone", "exit")
    assert pd.isna(carroll["successor_key"])
