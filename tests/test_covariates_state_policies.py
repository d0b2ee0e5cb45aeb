"""The committed table of state 287(g) mandates and prohibitions (data/manual)."""

from __future__ import annotations

import csv

import pandas as pd
import pandera.errors
import pytest

from analysis import paths
from analysis.covariates import schemas, states

COMMITTED = paths.MANUAL / states.STATE_POLICIES


@pytest.fixture(scope="module")
def policies():
    return schemas.state_policies(states.load_state_policies())


# Every state with a mandate, a prohibition or a "not a mandate" instrument in state-laws.md.
STATE_LAWS_STATES = {
    "FL", "GA", "TX", "AR", "TN",  # mandates
    "CA", "IL", "WA", "OR", "NJ", "CO", "MD",  # prohibitions
    "LA", "WY", "IN", "SC", "ID", "OK",  # not mandates (and TN SB 6002)
}  # fmt: skip


def date(value) -> str:
    return "" if pd.isna(value) else value.isoformat()[:10]


def test_committed_table_passes_its_schema(policies):
    assert policies.policy_id.is_unique
    assert set(policies.policy_type) <= set(schemas.POLICY_TYPES)
    assert policies.source_url.str.startswith("https://").all()
    assert set(policies.verification) <= set(schemas.VERIFICATION_LEVELS)
    # Nothing was read offline: no row may claim its primary text was read.
    assert not policies.verification.eq("primary text read").any()
    assert policies.verification_note.str.contains("not opened").all()
    assert [c for c in policies.columns if c.endswith("_date")] == list(schemas.POLICY_DATES)


def test_every_law_of_state_laws_md_is_coded(policies):
    assert set(policies.state_usps) == STATE_LAWS_STATES
    by_type = policies.groupby("policy_type").state_usps.apply(set)
    assert by_type["prohibition"] == {"CA", "IL", "WA", "OR", "NJ", "CO", "MD"}
    mandates = policies[policies.policy_type.isin(schemas.MANDATE_TYPES)]
    assert set(mandates.state_usps) == {"FL", "GA", "TX", "AR", "TN"}
    # The "not mandates" list is recorded with a type no model counts as a mandate.
    others = policies[policies.policy_type.isin(schemas.NON_MANDATE_TYPES)]
    assert set(others.policy_id) == {
        "LA-2025-JML25-060", "WY-2025-HB276", "IN-2025-HB1158", "IN-2025-HEA1393",
        "SC-2025-H4764", "ID-2026-HB659", "OK-2025-SB868", "TN-2025-SB6002",
    }  # fmt: skip


def test_the_dates_of_state_laws_md(policies):
    by_id = policies.set_index("policy_id")

    def dates(policy_id):
        return tuple(date(by_id.loc[policy_id, c]) for c in schemas.POLICY_DATES)

    assert dates("TX-2025-SB8") == ("2025-06-20", "2026-01-01", "2026-12-01", "")
    assert dates("AR-2025-ACT654") == ("2025-04-18", "", "", "")  # "early August": no day
    assert dates("FL-2025-SB2C")[0] == "2025-02-13"
    assert dates("GA-2024-HB1105")[0] == "2024-05-01"
    assert dates("CA-2017-SB54") == ("", "2018-01-01", "", "2018-01-01")
    assert dates("MD-2026-LAW")[0] == "2026-02-17" and dates("MD-2026-LAW")[3] == "2026-07-01"
    # Laws known by their year only keep the dates empty, and the note says so.
    for policy_id, year in [("FL-2022-908.11", 2022), ("WA-2019-SB5497", 2019),
                            ("TN-2026-SB2223", 2026), ("CO-2019-HB19-1124", 2019)]:  # fmt: skip
        assert dates(policy_id) == ("", "", "", "") and by_id.loc[policy_id, "year"] == year
        assert "year" in by_id.loc[policy_id, "verification_note"]
    assert by_id.loc["GA-2024-HB1105", "policy_type"] == "must request"
    assert by_id.loc["TX-2025-SB8", "policy_type"] == "must enter"
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


def test_a_malformed_date_names_line_and_column(tmp_path):
    path = rewrite(tmp_path, "2025-04-18", "2025-04-31")
    with pytest.raises(ValueError, match=r"line \d+, column signed_date: '2025-04-31'"):
        states.load_state_policies(path)


def test_a_verification_outside_the_three_levels_is_refused(tmp_path):
    path = rewrite(tmp_path, ",secondary report,", ",checked by a friend,")
    with pytest.raises(pandera.errors.SchemaError):
        schemas.state_policies(states.load_state_policies(path))


def test_a_prohibition_date_on_a_mandate_is_refused(tmp_path):
    path = rewrite(
        tmp_path,
        "2025-06-20,2026-01-01,2026-12-01,,",
        "2025-06-20,2026-01-01,2026-12-01,2026-12-02,",
    )
    with pytest.raises(pandera.errors.SchemaError, match="only a prohibition"):
        schemas.state_policies(states.load_state_policies(path))


def test_signing_after_the_effective_date_is_refused(tmp_path):
    path = rewrite(tmp_path, "2025-06-20,2026-01-01", "2025-12-20,2025-12-01")
    with pytest.raises(pandera.errors.SchemaError, match="effective on or after signing"):
        schemas.state_policies(states.load_state_policies(path))
