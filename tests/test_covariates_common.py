"""Shared reading rules: FIPS text, row classification, the row ledger, split areas, QA log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.covariates.common import (
    RowLedger,
    as_fips,
    as_number,
    by_split_parent,
    classify_fips,
    percent_to_share,
    ratio,
    take_counties,
    to_split_children,
)
from analysis.covariates.qa import QaLog

COUNTIES = frozenset({"01001", "02063", "02066", "46102", "51019", "29095", "09110", "09120"})


def test_as_fips_pads_integers_floats_and_text():
    values = pd.Series([1001, "1001", "01001", "2013.0", " 46113 "])
    assert as_fips(values).tolist() == ["01001", "01001", "01001", "02013", "46113"]


def test_as_number_reads_thousands_separators_and_blanks():
    values = pd.Series(["24,599,698", " 12 ", "", "NA"])
    result = as_number(values)
    assert result.iloc[:2].tolist() == [24599698.0, 12.0] and result.iloc[2:].isna().all()


def test_classify_fips_labels_every_kind_of_row():
    codes = pd.Series(
        ["00000", "01000", "72001", "60010", "01001", "09001", "46113", "02010", "99999", "03001"]
    )
    assert classify_fips(codes, COUNTIES).tolist() == [
        "national_total", "state_total", "territory", "territory", "county", "old_ct_county",
        "old_code", "obsolete_code", "unknown", "unknown",
    ]  # fmt: skip


def source_rows():
    return pd.DataFrame(
        {
            "code": ["0", "1000", "1001", "46113", "51019", "51515", "02261", "2010", "9001",
                     "72001", "9003"],
            "count": [100.0, 50, 10, 5, 7, 3, 9, np.nan, 4, 1, np.nan],
            "rate": [0.1, 0.2, 0.3, 0.4, 0.5, np.nan, 0.6, np.nan, 0.7, 0.8, np.nan],
        }
    )  # fmt: skip


def test_take_counties_recodes_merges_and_accounts_for_every_row():
    ledger = RowLedger()
    frame = take_counties(
        source_rows(), "code", "src.csv", ledger, COUNTIES, ["count", "rate"], ("count",)
    )
    assert frame.set_index("fips")["count"].to_dict() == {
        "01001": 10.0, "02261": 9.0, "09001": 4.0, "46102": 5.0, "51019": 10.0,
    }  # fmt: skip
    assert frame.set_index("fips").rate["51019"] == 0.5  # the merged row had no rate
    records = ledger.frame()
    assert records.rows.sum() == len(source_rows())
    outcomes = records.groupby("outcome").rows.sum().to_dict()
    assert outcomes == {
        "county": 2, "empty_row": 2, "merged": 1, "national_total": 1, "old_ct_allocated": 1,
        "renamed": 1, "split_parent": 1, "state_total": 1, "territory": 1,
    }  # fmt: skip
    empty = records[records.outcome == "empty_row"].detail.tolist()
    assert empty == ["old Connecticut counties (regions filled)", "retired codes: 02010"]


def test_take_counties_refuses_unknown_codes_and_retired_codes_with_values():
    rows = pd.DataFrame({"code": ["99999"], "count": [1.0]})
    with pytest.raises(ValueError, match="unexpected codes 99999"):
        take_counties(rows, "code", "src", RowLedger(), COUNTIES, ["count"])
    rows = pd.DataFrame({"code": ["02201"], "count": [1.0]})
    with pytest.raises(ValueError, match="retired codes carry values"):
        take_counties(rows, "code", "src", RowLedger(), COUNTIES, ["count"])


def test_take_counties_refuses_to_add_up_rates_of_merged_codes():
    rows = pd.DataFrame({"code": ["51019", "51515"], "rate": [0.5, 0.4]})
    with pytest.raises(ValueError, match="non-count values"):
        take_counties(rows, "code", "src", RowLedger(), COUNTIES, ["rate"])


def test_split_parent_round_trip():
    new = pd.DataFrame({"fips": ["01001", "02063", "02066"], "n": [1.0, 2.0, 3.0]})
    assert by_split_parent(new, ["n"]).set_index("fips").n.to_dict() == {"01001": 1, "02261": 5}
    old = pd.DataFrame({"fips": ["01001", "02261"], "value": [0.1, 0.2]})
    assert to_split_children(old).set_index("fips").value.to_dict() == {
        "01001": 0.1, "02063": 0.2, "02066": 0.2
    }  # fmt: skip


def test_ratio_and_percent_to_share():
    assert ratio(pd.Series([1.0, 1.0, 1.0]), pd.Series([4.0, 0.0, np.nan])).iloc[0] == 0.25
    assert ratio(pd.Series([1.0, 1.0]), pd.Series([0.0, np.nan])).isna().all()
    assert percent_to_share(pd.Series([29.6])).iloc[0] == 0.296


def test_qa_log_refuses_an_unexplained_gap_and_lists_explained_ones():
    table = pd.DataFrame({"fips": ["01001", "01003"], "a": [1.0, np.nan], "b": [1.0, 2.0]})
    qa = QaLog(core_variables=("a",))
    with pytest.raises(ValueError, match=r"unexplained missing values in \['a'\]"):
        qa.note_missing(table, {})
    qa.note_missing(table, {"a": "suppressed"})
    qa.note_table_wide("c", "not_available", "none", "no source")
    frame = qa.frame(pd.Series({"01001": "A County", "01003": "B County"}))
    assert frame.scope.tolist() == ["all counties", "county"]
    row = frame.iloc[1]
    assert (row.fips, row.county_name_full, row.variable, row.core) == (
        "01003", "B County", "a", True
    )  # fmt: skip
    assert (row.status, row.reason) == ("missing", "suppressed")
    assert pd.isna(frame.fips.iloc[0])
