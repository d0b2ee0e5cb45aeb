"""State laws in the timing analysis (analysis.study.timing) and the prose that says which date
it uses (analysis.report.text_models, state-laws block), on a tiny synthetic panel."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report import text_inference, text_models
from analysis.study import adoption, timing
from analysis.study.adoption import AdoptionTables

# Snapshots: the January 2025 baseline, then one list a month to June 2025.
DATES = ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-30", "2025-06-27"]
COUNTIES = {"01001": "AL", "01003": "AL", "24001": "MD", "24003": "MD", "48001": "TX"}


def agreement(date, fips):
    counts = dict(agreements=1, agencies=1, jem=0, tfm=0, wso=1, county_type_agreements=1)
    counts.update(sheriff_agreements=1, agreements_exact=1)
    return {"snapshot_date": pd.Timestamp(date), "county_fips": fips, **counts}


def policies(prohibition_date="2025-04-15"):
    """MD forbids agreements from ``prohibition_date``; TX signs a mandate 2025-03-10 that takes
    effect 2025-05-01."""
    return pd.DataFrame(
        {
            "policy_id": ["MD-2025-X", "TX-2025-Y"],
            "state_usps": ["MD", "TX"],
            "instrument": ["Act X", "SB Y"],
            "policy_type": ["prohibition", "must enter"],
            "year": [2025, 2025],
            "signed_date": pd.to_datetime(["2025-03-01", "2025-03-10"]),
            "effective_date": pd.to_datetime([None, "2025-05-01"]),
            "deadline_date": pd.to_datetime([None, None]),
            "prohibition_date": pd.to_datetime([prohibition_date, None]),
            "verification": ["secondary report", "unverified"],
            "verification_note": ["not opened", "not opened"],
            "source_url": ["https://example.gov/x", "https://example.gov/y"],
        }
    )


def make_tables(state_policies):
    history = pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(DATES),
            "list": "participating",
            "in_time_series": [False] + [True] * 5,
        }
    )
    covariates = pd.DataFrame(
        {
            "fips": list(COUNTIES),
            "state_usps": list(COUNTIES.values()),
            "county_name_full": [f"County {f}" for f in COUNTIES],
            "population": pd.array([10, 20, 30, 40, 50], dtype="Int64"),
        }
    )
    # 24003 (MD) adopts in May 2025, after Maryland's prohibition date; 01001 in March.
    rows = [agreement("2025-03-31", "01001"), agreement("2025-05-30", "24003")]
    return AdoptionTables(
        county_agreements=pd.DataFrame(rows),
        covariates=covariates,
        history=history,
        state_policies=state_policies,
    )


NEIGHBORS = {"01001": ["01003"], "01003": ["01001"], "24001": ["24003"], "24003": ["24001"]}


def months_of(panel, fips):
    return panel.loc[panel.fips == fips, "month"].astype(str).tolist()


def test_a_prohibition_state_leaves_the_risk_set_from_its_prohibition_date():
    tables = make_tables(policies("2025-04-15"))
    kept = timing.adoption_panel(NEIGHBORS, exclude_prohibited=False, tables=tables).panel
    dropped = timing.adoption_panel(NEIGHBORS, tables=tables).panel
    everything = ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert months_of(kept, "24001") == everything
    assert kept.loc[kept.fips == "24001", "prohibited"].tolist() == [0, 0, 1, 1, 1]
    # From April 2025 (the prohibition's month) Maryland's counties are out of the risk set...
    assert months_of(dropped, "24001") == ["2025-02", "2025-03"]
    # ... and so is an adoption in a prohibited month (it is in the version that keeps them).
    assert months_of(dropped, "24003") == ["2025-02", "2025-03"]
    assert kept.loc[kept.fips == "24003", "event"].sum() == 1
    assert dropped.loc[dropped.fips == "24003", "event"].sum() == 0
    # Other states are untouched.
    assert months_of(dropped, "01003") == months_of(kept, "01003") == everything
    assert months_of(dropped, "01001") == ["2025-02", "2025-03"]
    assert len(kept) - len(dropped) == 5  # 24001: April-June; 24003: April-May


def test_a_prohibition_after_the_window_removes_nothing():
    tables = make_tables(policies("2026-07-01"))
    kept = timing.adoption_panel(NEIGHBORS, exclude_prohibited=False, tables=tables).panel
    dropped = timing.adoption_panel(NEIGHBORS, tables=tables).panel
    assert kept.prohibited.sum() == 0 and len(kept) == len(dropped)


def test_the_risk_set_table_counts_the_prohibited_county_months():
    tables = make_tables(policies("2025-04-15"))
    kept = timing.adoption_panel(NEIGHBORS, exclude_prohibited=False, tables=tables).panel
    months = timing.panel_months(tables=tables)
    risk = timing.risk_set_table(kept, months).set_index("month")
    assert risk["in a prohibition state (county-months)"].tolist() == [0, 0, 2, 2, 1]
    assert risk.loc["2025-05", "first adoptions in a prohibition state"] == 1
    assert (risk["at risk, prohibition states left out"]
            == risk["at risk"] - risk["in a prohibition state (county-months)"]).all()  # fmt: skip


def test_the_mandate_term_follows_the_event_date():
    tables = make_tables(policies())
    signed = timing.adoption_panel(NEIGHBORS, event="signed", tables=tables).panel
    effective = timing.adoption_panel(NEIGHBORS, event="effective", tables=tables).panel
    texas = signed.fips == "48001"
    assert signed.loc[texas, "mandate_in_force"].tolist() == [0, 1, 1, 1, 1]
    texas = effective.fips == "48001"
    assert effective.loc[texas, "mandate_in_force"].tolist() == [0, 0, 0, 1, 1]
    with pytest.raises(ValueError, match="event must be one of"):
        timing.adoption_panel(NEIGHBORS, event="deadline", tables=tables)


def test_state_laws_note_says_which_date_and_how_sure():
    laws = adoption.state_laws(policies())
    note = text_models.state_laws_note(laws, "signed")
    assert "month of each law's signing date (the effective date is the robustness check)" in note
    assert "2 laws: 1 secondary report, 1 unverified" in note
    assert "None was checked against its primary text" in note
    assert "Year only" not in note  # both laws have a day
    effective = text_models.state_laws_note(laws, "effective")
    # MD has no effective date: the note names the law that falls back on the other date.
    assert "effective date (the signing date is the robustness check)" in effective
    assert "used (MD-2025-X)" not in effective  # prohibitions are timed by their own date
    undated = policies().assign(signed_date=pd.NaT, prohibition_date=pd.NaT, effective_date=pd.NaT)
    note = text_models.state_laws_note(adoption.state_laws(undated), "effective")
    assert "used (TX-2025-Y)" not in note  # no date at all: the year rule, not a fallback
    assert "**Year only** (no day recorded): TX-2025-Y, MD-2025-X." in note
    no_effective = policies().assign(effective_date=pd.NaT)
    note = text_models.state_laws_note(adoption.state_laws(no_effective), "effective")
    assert "the other one is used (TX-2025-Y)" in note
    read = policies().assign(verification="primary text read")
    assert "2 checked against the primary text" in text_models.state_laws_note(
        adoption.state_laws(read)
    )
    with pytest.raises(ValueError, match="event must be one of"):
        text_models.state_laws_note(laws, "deadline")


def test_mandate_timing_summary_lists_every_fit():
    grid = pd.DataFrame(
        {
            "event": ["signed", "effective"],
            "risk_set": ["prohibition states left out", "all counties"],
            "hazard_ratio": [2.1, 1.5],
            "hr_ci_low": [1.1, 0.8],
            "hr_ci_high": [3.9, 3.0],
            "n": [36841, 41945],
        }
    )
    text = text_models.mandate_timing_summary(grid)
    lines = text.splitlines()
    assert lines[0].startswith("- Signing date, prohibition states left out: hazard ratio 2.10")
    assert "36,841 county-months" in lines[0]
    assert lines[1].startswith("- Effective date, all counties: hazard ratio 1.50")
    assert "associations" in lines[-1]


def test_state_term_specs_leave_out_a_prohibition_no_state_switches():
    inside = timing.adoption_panel(
        NEIGHBORS, exclude_prohibited=False, tables=make_tables(policies("2025-04-15"))
    ).panel
    specs = {(s["term"], s["fixed_effects"]): s for s in timing.state_term_specs(inside, ["x"])}
    assert len(specs) == 4
    # Maryland's prohibition switches on in April 2025: identified with state effects.
    assert specs[("prohibited", ("month", "state"))]["terms"] == ["x", "prohibited"]
    # The mandate is tested in the primary risk set, without the prohibited county-months.
    assert (specs[("mandate_in_force", ("month",))]["data"].prohibited == 0).all()
    after = timing.adoption_panel(
        NEIGHBORS, exclude_prohibited=False, tables=make_tables(policies("2026-07-01"))
    ).panel
    specs = {(s["term"], s["fixed_effects"]): s for s in timing.state_term_specs(after, ["x"])}
    assert specs[("prohibited", ("month", "state"))]["terms"] == ["x"]
    assert specs[("prohibited", ("month",))]["terms"] == ["x", "prohibited"]


def inference_rows():
    base = dict(ci_low=0.01, ci_high=0.09, n_clusters=45, ri_reps=200, p_value=1e-9)
    return pd.DataFrame(
        [
            dict(base, term="mandate_in_force", model="LPM, month + state effects",
                 estimate=0.05, p_value_few_cluster=0.10, p_value_ri=0.01,
                 n_treated_clusters=2, treated_clusters="AR, TX", method="CRV1"),
            dict(base, term="prohibited", model="LPM, month effects", estimate=-0.008,
                 ci_low=-0.013, ci_high=-0.004, p_value_few_cluster=0.006, p_value_ri=0.015,
                 n_treated_clusters=6, treated_clusters="CA, CO", method="CRV1"),
            dict(base, term="prohibited", model="LPM, month + state effects", estimate=None,
                 p_value_few_cluster=None, p_value_ri=None, n_treated_clusters=0,
                 treated_clusters="", method="not identified: no state in which it varies"),
        ]
    )  # fmt: skip


BANNED = ["effect of", "effects of", "impact", "causes", "caused", "compelled", "leads to",
          "led to", "drives", "driven by", "because of", "holding the other"]  # fmt: skip


def test_state_term_lines_follow_the_few_cluster_p_values():
    lines = text_inference.state_term_lines(inference_rows()).splitlines()
    assert lines[0].startswith("- **State mandate in force**, LPM, month + state effects: +5.0")
    assert "conventional clustered p < 0.001, wild cluster bootstrap p = 0.100" in lines[0]
    assert "randomization inference p = 0.010" in lines[0] and "2 of 45 states" in lines[0]
    assert "(AR, TX)" in lines[0] and "cannot distinguish it from zero" in lines[0]
    assert "distinguishable from zero under both few-cluster tests" in lines[1]
    assert lines[2].endswith("not identified: no state in which it varies, so no estimate or test.")
    caveat = text_inference.few_treated_caveat(inference_rows())
    assert "As few as 2 states".lower() in caveat.lower()
    intro = text_inference.inference_intro(45)
    for text in [*lines, caveat, intro]:
        assert not [w for w in BANNED if w in text.lower()], text


def test_placebo_size_note_gives_the_measured_rejection_rate():
    sizes = pd.DataFrame(
        {
            "term": ["mandate_in_force"],
            "model": ["LPM, month + state effects"],
            "rejection_rate": [0.295],
            "ci_low": [0.236],
            "ci_high": [0.362],
            "n_valid": [200],
            "alpha": [0.05],
        }  # fmt: skip
    )
    note = text_inference.placebo_size_note(sizes)
    assert "rejects in **29.5%** of 200 placebo draws (95% interval 23.6%–36.2%)" in note
    assert "5.9 times as often" in note and "10–20" not in note
    # The closing sentence is its own paragraph, not part of the last list item.
    assert "\n\nAt worst" in note
    held = text_inference.placebo_size_note(sizes.assign(rejection_rate=0.06))
    assert "\n\nThe conventional test holds roughly its size" in held
    with pytest.raises(ValueError, match="no placebo"):
        text_inference.placebo_size_note(sizes.iloc[:0])


@pytest.mark.parametrize("exclude_prohibited", [False, True])
def test_panels_for_both_events_equal_a_panel_built_per_event(exclude_prohibited):
    from analysis.stats.panel import build_adoption_panel

    tables = make_tables(policies())
    both = timing.adoption_panels(NEIGHBORS, events=adoption.EVENTS, tables=tables,
                                  exclude_prohibited=exclude_prohibited)  # fmt: skip
    assert list(both) == list(adoption.EVENTS)
    for event in adoption.EVENTS:
        built = build_adoption_panel(
            timing.first_adoption_months(tables=tables),
            timing.panel_months(tables=tables),
            NEIGHBORS,
            mandates=adoption.mandates_by_state(tables.state_policies, event=event),
            covariates=adoption.counties_with_covariates(tables.covariates)[["fips"]],
        )
        panel = timing.flag_prohibited(
            built.panel, adoption.prohibitions_by_state(tables.state_policies)
        )
        if exclude_prohibited:
            panel = panel[panel["prohibited"] == 0].reset_index(drop=True)
        pd.testing.assert_frame_equal(both[event].panel, panel, check_exact=True)
        pd.testing.assert_frame_equal(both[event].durations, built.durations, check_exact=True)
        assert both[event].n_prevalent == built.n_prevalent
    assert not both["signed"].panel.mandate_in_force.equals(
        both["effective"].panel.mandate_in_force
    )
