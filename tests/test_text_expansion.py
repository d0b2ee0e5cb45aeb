"""Sentences of the descriptive reports built from tiny tables, and the report helpers they use
(raw-file summaries, timeline axes)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report import style  # noqa: E402
from analysis.report import tables as report_tables  # noqa: E402
from analysis.report import text_expansion as text  # noqa: E402

D = pd.Timestamp


def raw_files():
    return pd.DataFrame(
        {
            "folder": ["census_pep", "census_pep", "ice_287g"],
            "path": ["census_pep/a.csv", "census_pep/b.csv", "ice_287g/x.xlsx"],
            "license": ["public domain", "MIT", "public domain"],
            "bytes": [1_500_000, 1_000_000, 250_000],
            "sha256": ["a" * 64, "b" * 64, "c" * 64],
            "verified": [True, False, True],
            "obtained_by": ["mirror", "mirror", "download"],
        }
    )


def test_raw_files_sentence_and_tables():
    files = raw_files()
    assert text.raw_files_summary(files) == (
        "**3 raw files** (2.8 MB) in 2 source folders; **2 of 3** match their catalogued "
        "sha256 now. Obtained by: mirror 2, download 1."
    )
    by_folder = report_tables.raw_files_by_folder(files).set_index("folder")
    assert by_folder.loc["census_pep"].tolist() == ["MIT; public domain", 2, 2.5, False]
    listing = report_tables.raw_files_listing(files)
    assert listing["path"].tolist() == ["census_pep/a.csv", "census_pep/b.csv"]
    assert listing["sha256"].iloc[0] == "a" * 12 + "…"


def test_calendar_and_excluded_sentences():
    calendar = pd.DataFrame(
        {
            "list": ["participating", "participating", "pending"],
            "in_time_series": [True, False, True],
            "snapshot_date": [D("2021-01-31"), D("2025-01-31"), D("2025-03-31")],
        }
    )
    assert text.calendar_summary(calendar) == (
        "**3 snapshot files**: participating 2 (1 in the time series); pending 1 (1 in the time "
        "series). Dates 2021-01-31 to 2025-03-31."
    )
    assert (
        text.excluded_summary(calendar.iloc[:1]) == "**Excluded from the time series: 1 file(s).**"
    )


def test_row_accounting_and_quarantine_sentences():
    files = pd.DataFrame(
        {"list": ["participating", "pending"], "rows_in": [1200, 5], "rows_clean": [1199, 5],
         "rows_quarantined": [1, 0], "trailing_blank_rows": [3, 0], "interior_blank_rows": [0, 1]}
    )  # fmt: skip
    sentence = text.row_accounting_summary(files, pd.Series([True, False]), pd.Series([True, True]))
    assert sentence.startswith("**2 spreadsheets** (1 participating, 1 pending) hold **1,205 data")
    assert "adds up for **1 of 2** files" in sentence and "row count for **2 of 2**" in sentence
    assert sentence.endswith("Trailing blank rows skipped: 3; interior blank rows: 1.")
    assert text.quarantine_summary(pd.DataFrame()).startswith("No row was quarantined")
    assert text.quarantine_summary(pd.DataFrame({"reason": ["x", "y"]})) == (
        "**2 quarantined rows**, by reason:"
    )
    assert text.eras_summary(pd.DataFrame(index=range(4)), pd.DataFrame()) == (
        "4 distinct column layouts. Files whose content contradicts the catalogue's list "
        "label: **0**."
    )


def counts_row(date, agreements, agencies, states, territories, tfm):
    return pd.Series({"snapshot_date": D(date), "agreements": agreements, "agencies": agencies,
                      "states": states, "territories": territories, "TFM": tfm})  # fmt: skip


def test_growth_sentence_mentions_territories_only_when_listed():
    base = counts_row("2025-01-31", 135, 130, 21, 0, 0)
    now = counts_row("2026-05-31", 1350, 1200, 40, 2, 900)
    sentence = text.growth_summary(base, now, D("2026-05-31"))
    assert sentence == (
        "On **2025-01-31** ICE listed **135 agreements** held by 130 agencies in 21 states. "
        "On **2026-05-31** it listed **1,350 agreements** (10.0 times as many) held by 1,200 "
        "agencies in 40 states and 2 territories. The Task Force Model went from 0 to 900 "
        "agreements."
    )
    no_territories = text.growth_summary(
        base, counts_row("2026-05-31", 1350, 1200, 40, 0, 900), D("2026-05-31")
    )
    assert "territories" not in no_territories


def test_flows_lags_and_state_share_sentences():
    flows = pd.DataFrame(
        {"snapshot_date": [D("2025-02-28"), D("2025-03-31")],
         "previous_snapshot": [D("2025-01-31"), D("2025-02-28")],
         "added": [10, 250], "removed_exit": [1, 2]}
    )  # fmt: skip
    assert text.flows_summary(flows) == (
        "The largest addition came between 2025-02-28 and 2025-03-31: **250** agreements. Over "
        "the period shown, 260 agreements were added and 3 exited for good."
    )
    lags = pd.DataFrame(
        {"lag_days": [0, 10, 20, 30, 200], "snapshot_gap_days": [28, 31, 30, 31, 30],
         "signed_before_previous_snapshot": [False, False, False, True, True]}
    )  # fmt: skip
    lag_text = text.signing_lag_summary(lags)
    assert lag_text.startswith(
        "Median lag **20 days** (interquartile range 10–30), against a median gap of 30 days"
    )
    assert "mostly the snapshot spacing" in lag_text
    assert "40.0% of 5 agreements were signed before the previous snapshot" in lag_text
    assert "20.0% took more than 90 days" in lag_text
    ranking = pd.DataFrame(
        {"state": ["FL", "TX", "GA"], "agreements": [50, 30, 20], "share": [0.5, 0.3, 0.2]}
    )
    assert text.florida_texas_share(ranking, D("2026-05-31")) == (
        "Florida and Texas together hold **80.0%** of the 100 agreements on 2026-05-31."
    )
    assert "from 2025-02-21 it is ICE's own TYPE" in text.agency_type_note(D("2025-02-21"))
    assert text.latest_snapshot_note(D("2026-05-31")).startswith("Latest snapshot 2026-05-31.")


def test_geography_sentences():
    snap = pd.DataFrame({"placed": [True, True, False, True], "match_conflict": [0, 1, 0, 0]})
    quality = pd.DataFrame(
        {"agency_type": ["County", "State"], "placed_share": [1.0, 0.0], "agreements": [3, 1]}
    )
    assert text.placement_summary(snap, quality, D("2026-05-31")) == (
        "On 2026-05-31, **75.0%** of 4 agreements are placed in a county: County 100.0% of 3; "
        "State 0.0% of 1. Agreements whose placement carries a conflict between sources: 1."
    )
    status = pd.DataFrame({"tfm": [0, 2, 1]})
    assert text.adopting_counties_summary(status, 3144, D("2026-05-31")) == (
        "On 2026-05-31, **3 of 3,144 counties** have at least one agreement; 2 of them have a "
        "Task Force Model agreement."
    )


def test_profile_sentences():
    covariates = pd.DataFrame({"core_complete": [True, True, False]})
    qa = pd.DataFrame({"fips": ["01001", "01001", "US"]})
    assert text.coverage_summary(covariates, qa) == (
        "**3 counties**; **2** have every core variable. The QA table holds 3 flagged values "
        "over 2 counties or scopes."
    )
    balance = pd.DataFrame({"covariate": ["Poverty rate", "Hispanic share", "GOP"],
                            "smd": [-0.4, 0.1, 0.9]})  # fmt: skip
    assert text.balance_summary(balance, 100, 900, D("2026-05-31")) == (
        "Counties with an agreement: 100 before the expansion, **900** on 2026-05-31. The "
        "largest positive difference now is in **gop** (SMD +0.90); the largest negative in "
        "**poverty rate** (SMD -0.40)."
    )


def test_timeline_axes_marks_only_dates_in_range():
    fig, ax = plt.subplots()
    ax.plot([D("2024-01-01"), D("2026-01-01")], [0, 10])
    marks = pd.DataFrame({"date": [D("2023-06-01"), D("2025-02-13")], "label": ["old", "FL: SB"]})
    style.timeline_axes(ax, "title", "agreements", marks, "2024-01-01", D("2026-01-01"))
    assert ax.get_title() == "title" and ax.get_xlabel() == "snapshot date"
    assert [t.get_text() for t in ax.texts] == ["FL: SB"]
    assert len(ax.lines) == 2  # the data and one mandate line
    style.timeline_axes(ax, "again", "count")  # no marks: labels only
    plt.close(fig)


# --- coverage


def test_coverage_sentences():
    head = {f"{m}_{g}": v for m, base in (("jurisdiction", 0.25), ("county_agency", 0.24),
            ("whole_county", 0.33)) for g, v in (("all", base), ("hispanic", base + 0.01),
            ("foreign_born", base - 0.01))}  # fmt: skip
    sentence = text.coverage_headline_summary(head, D("2026-05-11"))
    assert sentence.startswith("On 2026-05-11, **25.0% of the residents of the 50 states and DC")
    assert "County-level agencies alone cover 24.0% of all residents, 25.0% of Hispanic" in sentence
    assert "gives 33.0% of all residents, 34.0% of Hispanic and 32.0% of foreign-born" in sentence
    assert "county's shares" in sentence
    row = pd.Series({"snapshot_date": D("2026-05-11"), "states": 2, "state_agencies": 5,
                     "territory_agencies": 1})  # fmt: skip
    uncounted = pd.DataFrame({"reason": ["state agency: apart", "other agency: nobody"] * 2})
    assert text.statewide_summary(row, uncounted).startswith(
        "Reported apart, never counted into a county: **2 states**"
    )
    assert "other agency 2, state agency 2." in text.statewide_summary(row, uncounted)


def test_flicker_sentence():
    keys = {"agency_key": ["TX|S PD"], "gone_from": [D("2025-07-30")]}
    flickers = pd.DataFrame({**keys, "agency": ["S PD"], "state": ["TX"],
                             "back_on": [D("2026-03-27")], "snapshots_missing": [8]})  # fmt: skip
    whole = pd.DataFrame({**keys, "group": ["all"], "gone": [-4_731_145.0], "back": [4_731_145.0]})
    own = whole.assign(gone=-1631.0, back=1631.0)
    assert text.flicker_summary(flickers, whole, own) == (
        "**1 absences** of agencies that left ICE's list and came back: **S PD** (TX) missing "
        "from 2025-07-30 until 2026-03-27 (8 snapshots): 4,731,145 residents off the "
        "whole-county line when it left, 4,731,145 back on its return; 1,631 on the "
        "jurisdiction line."
    )
    assert text.flicker_summary(flickers.iloc[:0], whole, own).startswith("No agency")


def test_coverage_plot_labels_the_upper_bound():
    from analysis.report import figures

    rows = [
        (D("2025-01-31"), g, m, 1.0, s)
        for g in ("all", "hispanic", "foreign_born")
        for m, s in (("jurisdiction", 0.2), ("county_agency", 0.1), ("whole_county", 0.3))
    ]
    coverage = pd.DataFrame(rows, columns=["snapshot_date", "group", "measure", "residents",
                                           "share"])  # fmt: skip
    notes = pd.DataFrame(
        {"snapshot_date": [D("2025-01-31")], "group": ["all"], "measure": ["whole_county"],
         "label": ["S Police Department gone"]}
    )  # fmt: skip
    fig = figures.coverage_plot(coverage, notes, title="t")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "whole county (upper bound)" in labels
    assert [t.get_text() for t in fig.axes[0].texts] == ["S PD gone"]
    plt.close(fig)
