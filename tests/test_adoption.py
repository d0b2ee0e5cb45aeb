"""The adoption study (analysis.study.adoption, timing, variables) on tiny synthetic tables
(no processed files are read)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.study import adoption, scope, timing, variables
from analysis.study.adoption import AdoptionTables

DATES = ["2024-12-29", "2025-01-31", "2025-02-28", "2025-03-31", "2025-06-27", "2026-01-30"]


@pytest.fixture
def history():
    # 2024-12-29 and the baseline are out of the time series; the baseline is kept anyway.
    frame = pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(DATES + ["2025-03-31"]),
            "list": ["participating"] * len(DATES) + ["pending"],
            "in_time_series": [False, False, True, True, True, True, True],
        }
    )
    return frame


@pytest.fixture
def covariates():
    return pd.DataFrame(
        {
            "fips": ["12001", "12003", "13001", "48001", "06001", "06003"],
            "state_usps": ["FL", "FL", "GA", "TX", "CA", "CA"],
            "county_name_full": ["A County", "B County", "C County", "D County", "E", "F"],
            "population": pd.array([100, 200, 300, 400, 500, 600], dtype="Int64"),
            "gop_share_2024": [0.7, 0.6, 0.65, 0.8, 0.3, 0.35],
            "rucc_2023": pd.array([1, 2, 6, 9, 1, pd.NA], dtype="Int64"),
            "metro": [True, True, False, False, True, True],
        }
    )


def row(date, fips, state, **counts):
    base = dict(agreements=1, agencies=1, jem=0, tfm=0, wso=0, county_type_agreements=0)
    base.update(municipal_type_agreements=0, state_type_agreements=0, other_type_agreements=0)
    base.update(sheriff_agreements=0, agreements_exact=1, in_time_series=True)
    base.update(counts)
    return {"snapshot_date": pd.Timestamp(date), "county_fips": fips, "state": state, **base}


@pytest.fixture
def county_agreements():
    rows = [
        # 12001 adopted before 2025 (prevalent); sheriff with a jail model.
        row("2024-12-29", "12001", "FL", jem=1, sheriff_agreements=1, county_type_agreements=1),
        row("2025-01-31", "12001", "FL", jem=1, sheriff_agreements=1, county_type_agreements=1),
        row("2025-02-28", "12001", "FL", jem=1, sheriff_agreements=1, county_type_agreements=1),
        row("2025-06-27", "12001", "FL", jem=1, sheriff_agreements=1, county_type_agreements=1),
        row("2026-01-30", "12001", "FL", jem=1, sheriff_agreements=1, county_type_agreements=1),
        # 12003: municipal TFM from March 2025, fuzzy match only.
        row("2025-03-31", "12003", "FL", tfm=1, municipal_type_agreements=1, agreements_exact=0),
        row("2025-06-27", "12003", "FL", tfm=1, municipal_type_agreements=1, agreements_exact=0),
        row("2026-01-30", "12003", "FL", tfm=1, municipal_type_agreements=1, agreements_exact=0),
        # 13001: adopted in 2024 only, at risk again in 2025, adopts 2026-01 (two agreements).
        row("2024-12-29", "13001", "GA", wso=1, sheriff_agreements=1),
        row(
            "2026-01-30",
            "13001",
            "GA",
            agreements=2,
            agencies=2,
            wso=1,
            tfm=1,
            sheriff_agreements=1,
            agreements_exact=2,
        ),
        # 48001: only in June 2025 (later exit): first adoption June 2025.
        row("2025-06-27", "48001", "TX", wso=1, sheriff_agreements=1),
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def state_policies():
    return pd.DataFrame(
        {
            "policy_id": [
                "CA-2017-SB54",
                "FL-2022-908.11",
                "FL-2025-SB2C",
                "GA-2024-HB1105",
                "LA-2025-JML",
                "TX-2025-SB8",
            ],
            "state_usps": ["CA", "FL", "FL", "GA", "LA", "TX"],
            "policy_type": [
                "prohibition",
                "must hold",
                "must hold",
                "must request",
                "state-agency directive",
                "must enter",
            ],
            "year": [2017, 2022, 2025, 2024, 2025, 2025],
            "signed_date": pd.to_datetime(
                [None, None, "2025-02-13", "2024-05-01", None, "2025-06-20"]
            ),
            "effective_date": pd.to_datetime(
                ["2018-01-01", None, "2025-02-13", "2024-07-01", None, "2026-01-01"]
            ),
            "deadline_date": pd.to_datetime([None, None, None, None, None, "2026-12-01"]),
            "prohibition_date": pd.to_datetime(["2018-01-01", None, None, None, None, None]),
            "verification": ["secondary report"] * 5 + ["unverified"],
            "instrument": ["SB 54", "908.11", "SB 2-C", "HB 1105", "JML 25-060", "SB 8"],
            "verification_note": ["not opened"] * 6,
            "source_url": ["https://example.gov/law"] * 6,
        }
    )


@pytest.fixture
def tables(county_agreements, covariates, history, state_policies):
    return AdoptionTables(
        county_agreements=county_agreements,
        covariates=covariates,
        history=history,
        state_policies=state_policies,
    )


def test_snapshot_dates_keep_baseline_and_time_series_only(history):
    dates = scope.snapshot_dates(history)
    assert list(dates.strftime("%Y-%m-%d")) == DATES[1:]
    assert scope.latest_snapshot(history, "2025-06-29") == pd.Timestamp("2025-06-27")
    assert scope.latest_snapshot(history, "2025-06-27") == pd.Timestamp("2025-06-27")
    with pytest.raises(ValueError, match="no participating snapshot"):
        scope.snapshot_dates(history, "2024-01-01")


def test_mandates_coding_by_signing_date(state_policies):
    mandates = adoption.mandates_by_state(state_policies, event="signed").set_index("state")
    assert list(mandates.index) == ["FL", "GA", "TX"]  # no prohibition, no directive
    # FL 908.11 is known by its year only: from 1 January of the next year; SB 2-C later.
    assert str(mandates.loc["FL", "start_month"]) == "2023-01"
    assert mandates.loc["FL", "start_rule"].startswith("year only")
    assert mandates.loc["FL", "instruments"] == "FL-2022-908.11; FL-2025-SB2C"
    assert str(mandates.loc["GA", "start_month"]) == "2024-05"
    assert str(mandates.loc["TX", "start_month"]) == "2025-06"
    assert mandates.loc["TX", "start_date"] == pd.Timestamp("2025-06-20")
    assert mandates.loc["TX", "start_rule"] == "signed date"
    assert mandates.loc["TX", "verification"] == "unverified"
    assert (mandates.event == "signed").all() and mandates["end_month"].isna().all()


def test_mandates_coding_by_effective_date(state_policies):
    mandates = adoption.mandates_by_state(state_policies, event="effective").set_index("state")
    assert str(mandates.loc["GA", "start_month"]) == "2024-07"
    assert str(mandates.loc["TX", "start_month"]) == "2026-01"
    assert mandates.loc["TX", "start_rule"] == "effective date"
    # A law without an effective date falls back on its signing date, and says so.
    no_effective = state_policies.assign(
        effective_date=state_policies.effective_date.where(state_policies.state_usps != "TX")
    )
    texas = adoption.mandates_by_state(no_effective, event="effective").set_index("state").loc["TX"]
    assert str(texas.start_month) == "2025-06"
    assert texas.start_rule == "signed date (no effective date recorded)"
    with pytest.raises(ValueError, match="event must be one of"):
        adoption.mandates_by_state(state_policies, event="deadline")


def test_prohibitions_and_the_laws_table(state_policies):
    prohibitions = adoption.prohibitions_by_state(state_policies).set_index("state")
    assert list(prohibitions.index) == ["CA"]
    assert str(prohibitions.loc["CA", "start_month"]) == "2018-01"
    assert prohibitions.loc["CA", "start_rule"] == "prohibition date"
    laws = adoption.state_laws(state_policies)
    assert laws.kind.tolist() == ["mandate"] * 4 + ["prohibition"]
    assert "LA-2025-JML" not in set(laws.policy_id)  # a directive is no law the models use
    texas = laws.set_index("policy_id").loc["TX-2025-SB8"]
    assert (texas.signed_date, texas.effective_date, texas.deadline_date) == (
        "2025-06-20", "2026-01-01", "2026-12-01",
    )  # fmt: skip
    assert texas.prohibition_date == "" and texas.verification == "unverified"


def test_county_outcomes_latest(tables):
    out = adoption.county_outcomes(tables=tables).set_index("fips")
    assert len(out) == 6 and out.index.is_unique
    assert (out.snapshot_date == pd.Timestamp("2026-01-30")).all()
    assert out.any_agreement.to_dict() == {
        "12001": 1,
        "12003": 1,
        "13001": 1,
        "48001": 0,
        "06001": 0,
        "06003": 0,
    }
    assert out.county_agency_agreement.loc[["12001", "12003", "13001"]].tolist() == [1, 0, 1]
    assert out.tfm_agreement.loc[["12001", "12003", "13001"]].tolist() == [0, 1, 1]
    assert out.jail_model_agreement.loc[["12001", "12003", "13001"]].tolist() == [1, 0, 1]
    assert out.loc["13001", "n_agreements"] == 2 and out.loc["13001", "n_agencies"] == 2
    assert out.any_agreement_exact.loc[["12001", "12003"]].tolist() == [1, 0]
    assert out.mandate_state.to_dict() == {
        "12001": 1,
        "12003": 1,
        "13001": 1,
        "48001": 1,
        "06001": 0,
        "06003": 0,
    }
    assert out.loc["48001", "mandate_in_force"] == 1  # TX from 2026-01
    # Covariates as floats, missing kept as NaN, log population added.
    assert out.rucc_2023.dtype == np.float64 and np.isnan(out.loc["06003", "rucc_2023"])
    assert out.metro.dtype == np.float64
    assert out.loc["12001", "log_population"] == pytest.approx(np.log(100))
    assert out.loc["12001", "state"] == "FL" and out.loc["12001", "county_name"] == "A County"


def test_county_outcomes_as_of_and_exact_only(tables):
    mid = adoption.county_outcomes("2025-06-30", tables=tables).set_index("fips")
    assert mid.snapshot_date.iloc[0] == pd.Timestamp("2025-06-27")
    assert mid.any_agreement.loc[["12001", "12003", "13001", "48001"]].tolist() == [1, 1, 0, 1]
    assert mid.loc["48001", "mandate_in_force"] == 1  # SB 8 signed 2025-06-20 (the event)
    exact = adoption.county_outcomes("2025-06-30", exact_only=True, tables=tables).set_index("fips")
    assert exact.any_agreement.loc["12003"] == 0 and exact.tfm_agreement.loc["12003"] == 0
    assert exact.loc["12003", "n_agreements"] == 0
    assert exact.any_agreement.loc["12001"] == 1


def test_county_outcomes_rejects_unknown_county(tables):
    extra = pd.DataFrame([row("2026-01-30", "99999", "XX")])
    bad = dataclasses.replace(
        tables, county_agreements=pd.concat([tables.county_agreements, extra])
    )
    with pytest.raises(ValueError, match="unknown counties"):
        adoption.county_outcomes(tables=bad)
    with pytest.raises(ValueError, match="unknown counties"):
        timing.first_adoption_months(tables=bad)


def test_status_pair(tables):
    pair = adoption.status_pair("2025-06-27", tables=tables).set_index("fips")
    assert pair.any_agreement_early.loc[["13001", "48001"]].tolist() == [0, 1]
    assert pair.any_agreement.loc[["13001", "48001"]].tolist() == [1, 0]
    assert (pair.snapshot_date_early == pd.Timestamp("2025-06-27")).all()
    with pytest.raises(ValueError, match="precede"):
        adoption.status_pair("2026-01-30", tables=tables)


def test_first_adoption_months(tables):
    first = timing.first_adoption_months(tables=tables).set_index("fips")
    assert isinstance(first.first_adoption_month.dtype, pd.PeriodDtype)
    months = {k: str(v) for k, v in first.first_adoption_month.items()}
    assert months == {
        "12001": "2025-01",
        "12003": "2025-03",
        "13001": "2026-01",  # its 2024 agreement predates the baseline
        "48001": "2025-06",
        "06001": "NaT",
        "06003": "NaT",
    }
    assert first.prevalent.to_dict() == {
        "12001": True,
        "12003": False,
        "13001": False,
        "48001": False,
        "06001": False,
        "06003": False,
    }
    early = timing.first_adoption_months("2025-04-01", tables=tables).set_index("fips")
    assert early.first_adoption_month.isna().loc[["13001", "48001"]].all()


def test_panel_months(tables):
    months = timing.panel_months(tables=tables)
    assert str(months[0]) == "2025-02" and str(months[-1]) == "2026-01" and len(months) == 12
    with pytest.raises(ValueError, match="after the January 2025 baseline"):
        timing.panel_months("2025-02-01", tables=tables)


def test_adoption_panel(tables):
    neighbors = {"12001": ["12003", "13001"], "12003": ["12001"], "13001": ["12001"]}
    result = timing.adoption_panel(neighbors, covariate_columns=["gop_share_2024"], tables=tables)
    panel = result.panel
    assert result.n_prevalent == 1
    assert "12001" not in set(panel.fips)  # prevalent
    p = panel.set_index(["fips", panel.month.astype(str)])
    # 12003 adopts in March 2025 (event in month t=1), at risk Feb and Mar.
    assert p.loc["12003"].event.tolist() == [0, 1]
    # Its in-state neighbour 12001 was adopted from the start.
    assert p.loc[("12003", "2025-02"), "neighbor_share_in_state_lag1"] == 1.0
    # 13001 (GA): cross-state neighbour 12001 adopted; mandate in force (GA from 2024-05).
    assert p.loc[("13001", "2025-02"), "neighbor_share_cross_state_lag1"] == 1.0
    assert (p.loc["13001"].mandate_in_force == 1).all()
    assert p.loc["13001"].event.sum() == 1 and p.loc[("13001", "2026-01"), "event"] == 1
    # TX mandate switches on at signing (June 2025), the month 48001 adopts.
    assert p.loc["48001"].mandate_in_force.tolist() == [0, 0, 0, 0, 1]
    # California forbids agreements (SB 54): its counties are not in the risk set.
    assert not panel.state.eq("CA").any() and (panel.prohibited == 0).all()
    kept = timing.adoption_panel(
        neighbors, covariate_columns=["gop_share_2024"], exclude_prohibited=False, tables=tables
    ).panel.set_index(["fips", "month"])
    ca = kept.loc["06001"]
    assert len(ca) == 12 and ca.event.sum() == 0 and ca.mandate_in_force.sum() == 0
    assert (ca.prohibited == 1).all()
    assert kept.loc[("06001", pd.Period("2025-02", "M")), "gop_share_2024"] == 0.3
    effective = timing.adoption_panel(neighbors, event="effective", tables=tables).panel
    assert effective.loc[effective.fips == "48001", "mandate_in_force"].sum() == 0


def test_sign_comparison():
    results = pd.DataFrame(
        {
            "term": ["gop_share_2024", "hispanic_growth_log_2010_2020", "bachelors_share"],
            "estimate": [0.1, 0.01, 0.05],
            "ci_low": [0.05, -0.02, 0.01],
            "ci_high": [0.15, 0.04, 0.09],
        }
    )
    table = variables.sign_comparison(results).set_index("covariate")
    assert table.loc["gop_share_2024", "found"] == "+"
    assert bool(table.loc["gop_share_2024", "agrees"]) is True
    assert table.loc["hispanic_growth_log_2010_2020", "found"] == "0 (n.s.)"
    assert bool(table.loc["hispanic_growth_log_2010_2020", "agrees"]) is False
    assert bool(table.loc["bachelors_share", "agrees"]) is False  # expected -, found +
    assert table.loc["crime_rate", "found"] == "not available"
    assert pd.isna(table.loc["crime_rate", "agrees"])


def test_literature_expectations_file(tmp_path):
    table = variables.literature_expectations()
    assert list(table.columns) == variables.EXPECTATION_COLUMNS
    assert table.covariate.is_unique and "crime_rate" in set(table.covariate)
    assert set(table.expected_sign.str[0]) <= {"+", "-", "0"}
    assert set(table.covariate) - {"crime_rate"} <= set(variables.COVARIATE_LABELS)
    bad = tmp_path / "bad.csv"
    bad.write_text("# note\ncovariate,sign\nx,+\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must have columns"):
        variables.literature_expectations(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("covariate,expected_sign,literature\nx,+,a\nx,-,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="one row per covariate"):
        variables.literature_expectations(twice)


def test_literature_signs_pooled_and_within():
    pooled = pd.DataFrame(
        {"term": ["gop_share_2024"], "estimate": [0.1], "ci_low": [0.05], "ci_high": [0.15]}
    )
    within = pooled.assign(estimate=-0.1, ci_low=-0.15, ci_high=-0.05)
    signs = variables.literature_signs(pooled, within).set_index("covariate")
    assert signs.loc["gop_share_2024", "found_pooled"] == "+"
    assert signs.loc["gop_share_2024", "found_within_state"] == "-"
    assert not signs.loc["gop_share_2024", "agrees_within_state"]
    assert signs.loc["bachelors_share", "found_pooled"] == "not available"


def test_covariate_labels_and_outcome_rates(tables):
    assert variables.covariate_labels(["gop_share_2024", "x"]) == {
        "gop_share_2024": "Republican share 2024",
        "x": "x",
    }
    rates = adoption.outcome_rates(adoption.county_outcomes(tables=tables)).set_index("outcome")
    assert list(rates.index) == list(variables.OUTCOMES)
    assert rates.loc["any_agreement", "counties adopted"] == 3
    assert rates.loc["tfm_agreement", "share of counties"] == pytest.approx(2 / 6)


def test_risk_set_table_and_switching_states(tables):
    neighbors = {"12001": ["12003"], "12003": ["12001"]}
    panel = timing.adoption_panel(
        neighbors, event="effective", exclude_prohibited=False, tables=tables
    ).panel
    months = timing.panel_months(tables=tables)
    risk = timing.risk_set_table(panel, months).set_index("month")
    assert len(risk) == 12 and risk["first adoptions"].sum() == panel.event.sum() == 3
    assert risk.loc["2025-02", "at risk"] == 5  # all but the prevalent county
    assert risk.loc["2025-02", "in a prohibition state (county-months)"] == 2  # CA's two
    assert risk.loc["2025-02", "at risk, prohibition states left out"] == 3
    # In January 2026 only GA's 13001 (adopting that month) and the CA counties are at risk.
    assert risk.loc["2026-01", "mandate in force (county-months)"] == 1
    assert timing.switching_states(panel) == []  # TX's county adopted before SB 8 took effect
    signed = timing.adoption_panel(neighbors, tables=tables).panel
    assert timing.switching_states(signed) == ["TX"]  # ... but after it was signed
    switched = pd.DataFrame({"state": ["TX", "TX", "GA"], "mandate_in_force": [0, 1, 1]})
    assert timing.switching_states(switched) == ["TX"]


def test_mandate_groups(state_policies):
    mandates = adoption.mandates_by_state(state_policies)
    states = pd.Series(["FL", "GA", "TX", "CA"])
    groups, order = timing.mandate_groups(states, mandates, pd.Period("2025-02", "M"))
    assert groups.tolist() == [
        "FL, GA: mandate in force throughout",
        "FL, GA: mandate in force throughout",
        "TX: mandate from 2025-06",
        "states without mandate",
    ]
    assert order == [
        "FL, GA: mandate in force throughout",
        "TX: mandate from 2025-06",
        "states without mandate",
    ]


def test_adoption_tables_load(tmp_path, tables, monkeypatch):
    read = []

    def fake_read(name, folder=None):
        read.append((name, folder))
        return pd.DataFrame({"table": [name]})

    monkeypatch.setattr(adoption.io, "read_table", fake_read)
    loaded = adoption.AdoptionTables.load(tmp_path)
    assert sorted(n for n, _ in read) == [
        "agencies",
        "agreements_history",
        "county_agreements",
        "county_covariates",
        "state_policies",
    ]
    assert {f for _, f in read} == {tmp_path}
    assert loaded.history.table.iloc[0] == "agreements_history"
    assert adoption.load_if_missing(tables) is tables


def test_county_outcomes_by_snapshot_stacks_county_outcomes(tables):
    dates = [None, *scope.snapshot_dates(tables.history)]
    stacked = adoption.county_outcomes_by_snapshot(dates, tables=tables)
    one_by_one = [adoption.county_outcomes(d, tables=tables) for d in dates]
    pd.testing.assert_frame_equal(stacked, pd.concat(one_by_one, ignore_index=True))
    with pytest.raises(ValueError, match="no participating snapshot"):
        adoption.county_outcomes_by_snapshot(["1990-01-01"], tables=tables)
