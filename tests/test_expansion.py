"""Counting functions of the expansion report on a tiny synthetic history."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.study import expansion


def row(date, state, agency, model, agency_type="County", territory=False, ts=True):
    return {
        "snapshot_date": pd.Timestamp(date), "state": state, "agency_key": f"{state}|{agency}",
        "agreement_key": f"{state}|{agency}|{model}", "model": model, "agency_type": agency_type,
        "agency_category": "sheriff", "is_territory": territory, "in_time_series": ts,
        "signed": pd.Timestamp("2025-01-01"),
    }  # fmt: skip


@pytest.fixture
def history():
    return pd.DataFrame(
        [
            row("2025-01-31", "FL", "A", "JEM"),
            row("2025-01-31", "TX", "B", "WSO"),
            row("2025-02-28", "FL", "A", "JEM"),
            row("2025-02-28", "FL", "A", "TFM"),
            row("2025-02-28", "GU", "C", "TFM", "State", territory=True),
            row("2025-03-31", "FL", "A", "JEM"),
            row("2025-03-31", "FL", "A", "TFM"),
            row("2025-03-31", "GU", "C", "TFM", "State", territory=True),
        ]
    )


def test_snapshot_counts_separate_units_and_territories(history):
    counts = expansion.snapshot_counts(history).set_index("snapshot_date")
    feb = counts.loc["2025-02-28"]
    assert (feb["agreements"], feb["agencies"], feb["states"], feb["territories"]) == (3, 2, 1, 1)
    assert (feb["JEM"], feb["TFM"], feb["WSO"]) == (1, 2, 0)
    assert (feb["type_County"], feb["type_State"]) == (2, 1)


def test_entries_and_exits_use_lineage(history):
    agreements = pd.DataFrame({"agreement_key": ["TX|B|WSO"], "lineage": ["exit"]})
    flows = expansion.entries_and_exits(history, agreements).set_index("snapshot_date")
    assert flows.loc["2025-02-28", "added"] == 2
    assert flows.loc["2025-02-28", "removed_exit"] == 1
    assert flows.loc["2025-03-31", ["added", "removed"]].tolist() == [0, 0]


def test_as_of_and_checkpoints(history, tmp_path):
    early = expansion.restrict_as_of(history, "2025-02-28")
    assert early["snapshot_date"].max() == pd.Timestamp("2025-02-28")
    with pytest.raises(ValueError, match="no snapshot"):
        expansion.restrict_as_of(history, "2020-01-01")
    expected = tmp_path / "checkpoints.csv"
    expected.write_text(
        "snapshot_date,list,measure,expected,source\n"
        "2025-02-28,participating,rows,3,test\n"
        "2025-02-28,participating,states,2,test\n"
        "2025-03-31,participating,model:TFM,2,test\n"
    )
    table = expansion.checkpoint_table(early, history.iloc[:0], expected)
    assert table["observed"].tolist() == [3, 1]  # the 2025-03-31 row is beyond the as-of date
    assert table["pass"].tolist() == [True, False]
