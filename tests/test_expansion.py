"""Counting functions of the expansion report on a tiny synthetic history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.report import text_checkpoints
from analysis.report import text_expansion as text
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
    agreements = pd.DataFrame(
        {"agreement_key": ["TX|B|WSO"], "status": ["gone"], "lineage": ["exit"],
         "gone_at": [pd.Timestamp("2025-02-28")]}
    )  # fmt: skip
    flows = expansion.entries_and_exits(history, agreements).set_index("snapshot_date")
    assert flows.loc["2025-02-28", "added"] == 2
    assert flows.loc["2025-02-28", "removed_exit"] == 1
    assert flows.loc["2025-03-31", ["added", "removed"]].tolist() == [0, 0]


def agreement(state, agency, model, last_seen, gone_at, lineage):
    status = "active" if gone_at is None else "gone"
    return {
        "agreement_key": f"{state}|{agency}|{model}", "state": state, "agency": agency,
        "model": model, "first_seen": pd.Timestamp("2025-01-31"),
        "last_seen": pd.Timestamp(last_seen), "gone_at": pd.Timestamp(gone_at or None),
        "status": status, "lineage": lineage, "lineage_note": None,
    }  # fmt: skip


@pytest.fixture
def lives():
    """A (exits 03-31 after a flicker in 02-28), B (renamed 03-31), C (uncertain 04-30), D (exits
    04-30), E (exits 02-28), F (active), and the agreements table the history build would give."""
    listed = {
        "2025-01-31": ["A", "B", "C", "D", "E", "F"],
        "2025-02-28": ["B", "C", "D", "F"],
        "2025-03-31": ["A", "C", "D", "F", "B2"],
        "2025-04-30": ["F", "B2"],
        "2025-05-31": ["F", "B2"],
    }
    history = pd.DataFrame(
        [row(d, "MD", a, "WSO") for d, agencies in listed.items() for a in agencies]
    )
    table = pd.DataFrame(
        [
            agreement("MD", "A", "WSO", "2025-03-31", "2025-04-30", "exit"),
            agreement("MD", "B", "WSO", "2025-02-28", "2025-03-31", "successor"),
            agreement("MD", "C", "WSO", "2025-03-31", "2025-04-30", "successor_uncertain"),
            agreement("MD", "D", "WSO", "2025-03-31", "2025-04-30", "exit"),
            agreement("MD", "E", "WSO", "2025-01-31", "2025-02-28", "exit"),
            agreement("MD", "F", "WSO", "2025-05-31", None, None),
            agreement("MD", "B2", "WSO", "2025-05-31", None, None),
        ]
    )
    return history, table


def test_one_exit_definition_for_flows_and_the_qa_table(lives):
    history, table = lives
    flows = expansion.entries_and_exits(history, table).set_index("snapshot_date")
    # A's flicker out in February is a removal it came back from, not an exit
    february = flows.loc["2025-02-28"]
    assert february[["removed", "removed_exit", "removed_returned_later"]].tolist() == [2, 1, 1]
    assert flows.loc["2025-03-31", "removed_renamed"] == 1
    assert flows.loc["2025-04-30", ["removed_exit", "removed_uncertain"]].tolist() == [2, 1]
    exits = expansion.exits(table)
    assert exits["agency"].tolist() == ["E", "A", "D"]
    assert flows["removed_exit"].sum() == len(exits) == 3
    since = pd.Timestamp("2025-03-01")
    assert flows.loc[since:, "removed_exit"].sum() == len(expansion.exits(table, since=since)) == 2
    recon = expansion.disappearance_reconciliation(table, since=since).set_index("class")
    assert recon.loc["exit"].tolist() == [3, 1, 2]
    assert recon.loc["disappeared"].tolist() == [5, 1, 4]
    assert recon.loc[["renamed", "uncertain", "exit"]].sum().tolist() == [5, 1, 4]


def test_exits_follow_as_of_and_one_state_by_year(lives):
    _history, table = lives
    assert expansion.exits(table, as_of="2025-03-31")["agency"].tolist() == ["E"]
    only = expansion.exits_in(table, "MD", 2025, as_of="2025-04-30")
    assert only["agency"].tolist() == ["E", "A", "D"]
    assert only.columns.tolist() == [
        "state",
        "agency",
        "model",
        "first_seen",
        "last_seen",
        "gone_at",
    ]
    assert expansion.exits_in(table, "KY", 2025).empty


def test_a_gone_agreement_needs_a_lineage(lives):
    _history, table = lives
    table.loc[0, "lineage"] = None
    with pytest.raises(ValueError, match="gone without a known lineage.*MD|A|WSO"):
        expansion.exits(table)


def test_exit_sentences_use_the_same_counts(lives):
    history, table = lives
    since = pd.Timestamp("2025-03-01")
    recon = expansion.disappearance_reconciliation(table, since=since)
    assert text.exit_reconciliation_summary(recon) == (
        "**5 agreements disappeared** for good: 1 renames or typo fixes, 1 uncertain and "
        "**3 exits**. Of the exits, 2 are dated 2025-03-01 or later, the period of the "
        "expansion report's flows (its 'exited for good'), and 1 earlier."
    )
    flows = expansion.entries_and_exits(history, table)
    flows = flows[flows["snapshot_date"] >= since]
    assert text.flows_summary(flows, len(expansion.exits(table))).endswith(
        "and 2 exited for good. Over the whole record **3 agreements exited**, the count of the "
        "QA report; the other 1 left before 2025-03-31, the first snapshot of the period shown."
    )
    state_exits = expansion.exits_in(table, "MD", 2025)
    assert text.state_exits_summary(state_exits, "MD", 2025) == (
        "**3 agreements of MD exited in 2025** (by the first snapshot without them): "
        "1 on 2025-02-28, 2 on 2025-04-30."
    )
    assert text.state_exits_summary(state_exits.iloc[:0], "MD", 2024) == (
        "No agreement of MD exited in 2024."
    )


HEADER = "snapshot_date,list,measure,expected,tolerance,kind,source,source_url\n"


def test_as_of_and_checkpoints(history, tmp_path):
    early = expansion.restrict_as_of(history, "2025-02-28")
    assert early["snapshot_date"].max() == pd.Timestamp("2025-02-28")
    with pytest.raises(ValueError, match="no snapshot"):
        expansion.restrict_as_of(history, "2020-01-01")
    expected = tmp_path / "checkpoints.csv"
    expected.write_text(
        HEADER + "2025-02-28,participating,rows,3,0,published,Outlet A,https://a.example\n"
        "2025-02-28,participating,states,2,0,independent recount,A second reader,\n"
        "2025-02-28,participating,rows,4,1,published,Outlet B,\n"
        "2025-02-28,participating,rows,5,1,published,Outlet C,\n"
        "2025-02-20,participating,rows,9,0,published,Outlet D,\n"
        "2025-03-31,participating,model:TFM,2,0,published,Outlet E,\n"
    )
    table = expansion.checkpoint_table(early, history.iloc[:0], expected)
    assert list(table.columns) == expansion.CHECKPOINT_COLUMNS
    # the 2025-03-31 row is beyond the as-of date; 2025-02-20 has no sheet
    assert table["observed"].tolist()[:4] == [3, 1, 3, 3] and np.isnan(table["observed"][4])
    assert table["status"].tolist() == [
        "exact",
        "outside tolerance",
        "within tolerance",
        "outside tolerance",
        "no sheet on this date",
    ]
    assert table["pass"].tolist()[:4] == [True, False, True, False]
    assert pd.isna(table["pass"][4])
    assert table["difference"].tolist()[:4] == [0, -1, -1, -2]
    assert table["kind"].tolist()[:2] == ["published", "independent recount"]
    assert table["source_url"][0] == "https://a.example"
    text = text_checkpoints.checkpoint_summary(table)
    assert text.startswith(
        "**2 of 3 published figures reproduce (within their stated tolerance); "
        "0 of 1 independent recounts agree.**"
    )
    assert "2025-02-28 rows: expected 4, the sheet gives 3 (within tolerance" in text
    assert "1 expected figures cannot be checked here" in text and "2025-02-20" in text


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2025-02-28,participating,rows,3,0,guessed,Outlet,", "column kind"),
        ("2025-02-28,participating,rows,3,0,published,,", "column source: empty"),
        (
            "2025-02-28,participating,rows,3,0,published,shared/docs/ice-287g-data.md §9,",
            "column source: an internal note",
        ),
        ("2025-02-28,participating,rows,3,-1,published,Outlet,", "column tolerance"),
        ("2025-02-28,participating,rows,many,0,published,Outlet,", "column expected"),
    ],
)
def test_bad_checkpoint_rows_are_named(tmp_path, row, message):
    path = tmp_path / "checkpoints.csv"
    path.write_text(HEADER + row + "\n")
    with pytest.raises(ValueError, match=f"row 2, {message}"):
        expansion.read_checkpoints(path)


def test_committed_checkpoints_are_labelled_and_cite_public_sources():
    table = expansion.read_checkpoints()
    assert set(table["kind"]) == set(expansion.CHECKPOINT_KINDS)
    published = table[table["kind"] == "published"]
    assert len(published) >= 20
    # the mid-June, mid-August, January 2026 and February 2026 figures are in
    months = set(published["snapshot_date"].dt.strftime("%Y-%m"))
    assert {"2025-06", "2025-08", "2026-01", "2026-02"} <= months
    tfm = published[(published["measure"] == "model:TFM") & (published["expected"] == 434)]
    assert tfm["tolerance"].tolist() == [10]


def test_counts_on_takes_the_last_snapshot_on_or_before(history):
    counts = expansion.snapshot_counts(history)
    assert expansion.counts_on(counts, "2025-03-15")["snapshot_date"] == pd.Timestamp("2025-02-28")
    with pytest.raises(ValueError, match="no snapshot"):
        expansion.counts_on(counts, "2024-01-01")


def test_step_series_starts_late_and_repeats_the_last_row(history):
    series = expansion.snapshot_counts(history)
    shown = expansion.step_series(series, "2025-02-01", pd.Timestamp("2025-03-31"), pad_days=10)
    assert (
        shown["snapshot_date"].tolist()
        == pd.to_datetime(["2025-02-28", "2025-03-31", "2025-04-10"]).tolist()
    )
    assert shown["agreements"].tolist() == [3, 3, 3]


def test_mandate_marks_come_from_the_policy_table():
    policies = pd.DataFrame(
        {
            "state_usps": ["CA", "GA", "TX", "FL"],
            "instrument": ["SB 54 (2017)", "HB 1105 (2024 session)", "SB 8, 89th", "Stat. 908"],
            "policy_type": ["prohibition", "must request", "must enter", "must hold"],
            "signed_date": pd.to_datetime(["2017-10-05", "2024-05-01", "2025-06-20", None]),
            "effective_date": pd.to_datetime(["2018-01-01", None, "2026-01-01", None]),
            "verification": ["secondary report", "secondary report", "unverified", "unverified"],
        }
    )
    marks = expansion.mandate_marks(policies)
    # CA's is a prohibition; FL's policy has no signing date; the mark is the signing, not the
    # effective date, labelled with how sure it is.
    assert marks["label"].tolist() == [
        "GA: HB 1105 signed (secondary report)",
        "TX: SB 8 signed (unverified)",
    ]
    assert marks["date"].tolist() == pd.to_datetime(["2024-05-01", "2025-06-20"]).tolist()


def test_category_timeline_orders_by_latest_size_and_change_table(history):
    history = history.assign(
        agency_category=[
            "sheriff",
            "police",
            "sheriff",
            "police",
            "state",
            "sheriff",
            "police",
            "state",
        ]  # fmt: skip
    )
    wide = expansion.category_timeline(history, since="2025-02-01")
    assert list(wide.index) == pd.to_datetime(["2025-02-28", "2025-03-31"]).tolist()
    assert wide.iloc[-1].tolist() == [1, 1, 1]
    history.loc[history.index[-1], "agency_category"] = "police"
    wide = expansion.category_timeline(history, since="2025-02-01")
    assert list(wide.columns) == ["police", "sheriff", "state"]
    change = expansion.category_change(wide)
    assert change.columns.tolist() == ["category", "agreements 2025-02-28", "agreements 2025-03-31"]
    assert change.set_index("category").loc["state"].tolist() == [1, 0]


def files_table():
    return pd.DataFrame(
        {
            "file": ["a.xlsx", "b.xlsx", "c.xlsx"],
            "snapshot_date": pd.to_datetime(["2025-01-31", "2025-02-28", "2025-02-28"]),
            "list": ["participating", "participating", "pending"],
            "list_catalog": ["participating", "pending", "pending"],
            "era": ["web", "workbook", "workbook"],
            "columns": ["A|B", "A|B|SIGNED", "A|B"],
            "rows_in": [10, 12, 5],
            "rows_clean": [10, 11, 5],
            "rows_quarantined": [0, 1, 1],
            "manifest_rows": [10, 12, 4],
            "interior_blank_rows": [0, 1, 0],
            "trailing_blank_rows": [2, 0, 0],
            "in_time_series": [True, True, True],
        }
    )


def test_row_accounting_checks_each_file():
    accounting = expansion.row_accounting(files_table())
    assert accounting.columns.tolist() == expansion.ACCOUNTING_COLUMNS
    adds_up, matches = expansion.accounting_checks(accounting)
    assert adds_up.tolist() == [True, True, False]
    assert matches.tolist() == [True, True, False]


def test_schema_eras_one_row_per_layout():
    eras = expansion.schema_eras(files_table())
    assert eras[["list", "era", "files"]].values.tolist() == [
        ["participating", "web", 1], ["participating", "workbook", 1], ["pending", "workbook", 1]
    ]  # fmt: skip


def qa_rows():
    base = {"file": "a.xlsx", "snapshot_date": pd.Timestamp("2025-02-28"), "state": "TX",
            "state_raw": "TX", "state_match": "exact", "signed_flag": None, "signed_raw": "",
            "agency_type_inferred": False, "type_conflict": False, "state_flag": None,
            "duplicate_key": False}  # fmt: skip
    history = pd.DataFrame(
        [
            base,
            {**base, "state_raw": "Texs", "state_match": "fuzzy", "signed_flag": "text",
             "signed_raw": "Jan 5", "duplicate_key": True},
            {**base, "state_raw": "Texs", "state_match": "fuzzy", "agency_type_inferred": True},
        ]
    )  # fmt: skip
    pending = pd.DataFrame([{**base, "type_conflict": True, "state_flag": "misfiled"}])
    return history, pending.drop(columns=["signed_flag", "signed_raw"])


def test_corrections_count_rows_of_both_lists():
    history, pending = qa_rows()
    table = expansion.corrections(history, pending).set_index("correction or flag")["rows"]
    assert table["state text not an exact state name"] == 2
    assert table["signing date flagged"] == 1
    assert table["agency type inferred from the name"] == 1
    assert table["agency type conflicts with the name"] == 1
    assert table["state flagged as a known misfiling"] == 1
    assert table["duplicate agreement key in a snapshot"] == 1
    spellings = expansion.state_spellings(history, pending)
    assert spellings.values.tolist() == [["Texs", "TX", "fuzzy", 2]]
    flags = expansion.signing_flag_examples(history)
    assert flags[["signed_flag", "signed_raw", "rows"]].values.tolist() == [["text", "Jan 5", 1]]


def test_disappearances_follow_as_of_by_the_date_gone():
    agreements = pd.DataFrame(
        {
            "agreement_key": ["TX|B|WSO", "FL|A|WSO", "FL|C|WSO"],
            "state": ["TX", "FL", "FL"], "agency": ["B", "A", "C"], "model": ["WSO"] * 3,
            "first_seen": pd.to_datetime(["2024-01-31"] * 3),
            "last_seen": pd.to_datetime(["2025-01-31", "2025-03-31", "2025-01-31"]),
            "gone_at": pd.to_datetime(["2025-02-28", None, "2025-05-31"]),
            "status": ["gone", "active", "gone"], "lineage": ["exit", None, "successor"],
            "lineage_note": ["", "", "renamed"],
        }
    )  # fmt: skip
    assert expansion.disappearances(agreements)["agency"].tolist() == ["B", "C"]
    assert expansion.disappearances(agreements, "2025-03-31")["agency"].tolist() == ["B"]
    assert expansion.disappearances(agreements).columns.tolist() == [
        *expansion.DISAPPEARANCE_COLUMNS,
        "class",
    ]
    assert expansion.disappearances(agreements)["class"].tolist() == ["exit", "renamed"]


def test_checkpoint_checks_ignore_figures_without_a_sheet():
    table = pd.DataFrame(
        {
            "kind": ["published", "published", "independent recount"],
            "pass": pd.array([True, pd.NA, False], dtype="boolean"),
        }
    )
    checks = text_checkpoints.checkpoint_checks(table)
    assert list(checks.values()) == [True, False]


def test_signing_lags_know_the_snapshot_before_the_first_listing():
    from analysis.study.expansion import signing_lags

    dates = pd.to_datetime(["2025-03-31", "2025-04-30", "2025-05-31"])
    history = pd.DataFrame(
        {"agreement_key": ["a", "a", "b", "b", "c"], "snapshot_date": dates[[0, 1, 1, 2, 2]],
         "signed": pd.to_datetime(["2025-03-20"] * 2 + ["2025-04-10"] * 2 + ["2025-01-05"]),
         "state": "TX", "model": "TFM", "agency_type": "County", "in_time_series": True}
    )  # fmt: skip
    lags = signing_lags(history).set_index("agreement_key")
    assert lags.loc["b", "lag_days"] == 20 and lags.loc["b", "snapshot_gap_days"] == 30
    assert not lags.loc["b", "signed_before_previous_snapshot"]
    assert lags.loc["c", "signed_before_previous_snapshot"]
    assert pd.isna(lags.loc["a", "previous_snapshot"])


def _flows_by_reindex(history, agreements):
    """The former, Series-based form of :func:`expansion.entries_and_exits` (the reference)."""
    ts = expansion.time_series(history)
    dates = sorted(ts["snapshot_date"].unique())
    keys = {d: set(ts.loc[ts["snapshot_date"] == d, "agreement_key"]) for d in dates}
    table = agreements.set_index("agreement_key")
    kind = expansion.disappearance_class(agreements).set_axis(table.index)
    rows = []
    for before, after in zip(dates, dates[1:], strict=False):
        removed = sorted(keys[before] - keys[after])
        final = table["gone_at"].reindex(removed) == after
        kinds = kind.reindex(removed).where(final, "returned later")
        rows.append(
            {"snapshot_date": after, "previous_snapshot": before,
             "added": len(keys[after] - keys[before]), "removed": len(removed)}
            | {f"removed_{c.replace(' ', '_')}": int((kinds == c).sum())
               for c in expansion.FLOW_CLASSES}
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_flows_equal_the_series_reference(lives):
    history_b, table = lives
    pd.testing.assert_frame_equal(
        expansion.entries_and_exits(history_b, table),
        _flows_by_reindex(history_b, table),
        check_exact=True,
    )
    twice = pd.concat([table, table.head(1)], ignore_index=True)
    with pytest.raises(ValueError, match="appears twice"):
        expansion.entries_and_exits(history_b, twice)
