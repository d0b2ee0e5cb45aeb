"""The committed table of state 287(g) mandates and prohibitions (data/manual)."""

from __future__ import annotations

import csv

import pandera.errors
import pytest

from analysis import paths
from analysis.covariates import schemas, states

COMMITTED = paths.MANUAL / states.STATE_POLICIES


@pytest.fixture(scope="module")
def policies():
    return schemas.state_policies(states.load_state_policies())


def test_committed_table_passes_its_schema(policies):
    assert len(policies) >= 6 and policies.policy_id.is_unique
    assert set(policies.policy_type) <= set(schemas.POLICY_TYPES)
    assert policies.source_url.str.startswith("https://").all()
    assert (policies.verification.str.len() > 20).all()


def test_research_context_facts_are_coded(policies):
    by_id = policies.set_index("policy_id")
    assert by_id.loc["FL-2025-SB2C", "enacted_date"].isoformat()[:10] == "2025-02-13"
    assert by_id.loc["GA-2024-HB1105", "policy_type"] == "must request"
    texas = by_id.loc["TX-2025-SB8"]
    assert texas.policy_type == "must enter"
    assert (texas.effective_date.isoformat()[:10], texas.deadline_date.isoformat()[:10]) == (
        "2026-01-01",
        "2026-12-01",
    )
    assert by_id.loc["LA-2025-JML25-060", "policy_type"] == "state-agency directive"
    assert by_id.loc["CA-2017-SB54", "policy_type"] == "prohibition"
    assert set(policies.state_usps) == {"CA", "FL", "GA", "LA", "TX"}
    assert by_id.loc["FL-2022-908.11", "state_fips"] == "12"


def test_every_date_is_iso_or_blank():
    with open(COMMITTED, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for column in states.DATE_COLUMNS:
                value = row[column]
                assert value == "" or (len(value) == 10 and value[4] == value[7] == "-"), value


def rewrite(tmp_path, old, new):
    """A copy of the committed table with one edit."""
    text = COMMITTED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "state_policies.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_malformed_date_is_refused(tmp_path):
    path = rewrite(tmp_path, "2025-02-13", "13/02/2025")
    with pytest.raises(ValueError):
        states.load_state_policies(path)


def test_an_unknown_state_is_refused(tmp_path):
    path = rewrite(tmp_path, "\nGA-2024-HB1105,GA,", "\nGA-2024-HB1105,XX,")
    with pytest.raises(ValueError, match="unknown state codes"):
        states.load_state_policies(path)


def test_an_unknown_policy_type_is_refused(tmp_path):
    path = rewrite(tmp_path, ",must request,", ",should consider,")
    with pytest.raises(pandera.errors.SchemaError):
        schemas.state_policies(states.load_state_policies(path))


def test_a_deadline_before_the_effective_date_is_refused(tmp_path):
    path = rewrite(tmp_path, "2026-12-01", "2025-12-01")
    with pytest.raises(pandera.errors.SchemaError):
        schemas.state_policies(states.load_state_policies(path))
