"""The exit risk set, reasons and flows on a tiny ICE history in the processed tables' shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.study import exits

DATES = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"])
LISTED = {
    "TX|A SO|JEM": [0, 1, 2, 3],  # stays
    "TX|B PD|TFM": [0, 1],  # exits at 2025-03-31
    "MD|C SO|WSO": [0, 1, 2],  # exits at 2025-04-30, after MD's prohibition was signed
    "TX|D SO|WSO": [0],  # renamed at 2025-02-28 to E
    "TX|E SO|WSO": [1, 2, 3],
    "TX|F PD|TFM": [0, 2, 3],  # missing from one list: a flicker
    "TX|G SO|TFM": [2, 3],  # enters at 2025-03-31
}
LINEAGE = {"TX|B PD|TFM": ("exit", 2), "MD|C SO|WSO": ("exit", 3), "TX|D SO|WSO": ("successor", 1)}


def fixtures():
    history = pd.DataFrame(
        [
            {"snapshot_date": DATES[i], "list": "participating", "in_time_series": True,
             "agreement_key": key}
            for key, where in LISTED.items() for i in where
        ]
    )  # fmt: skip
    rows = []
    for key, where in LISTED.items():
        state, name, model = key.split("|")
        lineage, gone = LINEAGE.get(key, (None, None))
        rows.append({"agreement_key": key, "state": state, "model": model,
                     "agency_key": f"{state}|{name}", "first_seen": DATES[where[0]],
                     "gone_at": DATES[gone] if gone is not None else pd.NaT,
                     "lineage": lineage,
                     "successor_key": "TX|E SO|WSO" if key == "TX|D SO|WSO" else None})  # fmt: skip
    agreements = pd.DataFrame(rows)
    agencies = pd.DataFrame(
        {
            "agency_key": agreements.agency_key,
            "jurisdiction_level": np.where(agreements.agency_key.str.contains("PD"),
                                           "municipal", "county"),
            "county_fips": ["48001", "48003", "24001", "48005", "48005", None, "48007"],
        }
    )  # fmt: skip
    covariates = pd.DataFrame(
        {"fips": ["48001", "48003", "24001", "48005", "48007"],
         "gop_share_2020": [0.5, 0.6, 0.7, 0.4, 0.5],
         "gop_share_2024": [0.55, 0.6, 0.65, 0.5, 0.52]}
    )  # fmt: skip
    policies = pd.DataFrame(
        {"policy_id": ["MD-1"], "state_usps": ["MD"], "policy_type": ["prohibition"],
         "year": [2025], "signed_date": pd.to_datetime(["2025-04-10"]),
         "effective_date": pd.NaT, "prohibition_date": pd.to_datetime(["2025-07-01"]),
         "verification": ["secondary report"]}
    )  # fmt: skip
    return history, agreements, agencies, covariates, policies


def test_risk_set_outcomes():
    history, agreements, agencies, covariates, policies = fixtures()
    panel = exits.exit_panel(history, agreements, agencies, covariates, policies)
    # At risk: every listing but those on the last list; 4 + 2 (A, E) ... counted by hand.
    assert len(panel) == 3 + 2 + 3 + 1 + 2 + 2 + 1
    got = panel.set_index(["agreement_key", "t1"]).outcome
    assert got[("TX|B PD|TFM", DATES[2])] == "exit"
    assert got[("MD|C SO|WSO", DATES[3])] == "exit"
    assert got[("TX|D SO|WSO", DATES[1])] == "renamed"
    assert got[("TX|F PD|TFM", DATES[1])] == "flicker"
    assert ("TX|F PD|TFM", DATES[2]) not in got.index  # not listed at 2025-02-28: not at risk
    assert panel.event.sum() == 2
    md = panel[panel.state == "MD"].set_index("t1").prohibition_enacted
    assert md.to_dict() == {DATES[1]: 0, DATES[2]: 0, DATES[3]: 1}
    a = panel[panel.agreement_key == "TX|A SO|JEM"]
    assert a.gop_change_pp.round(6).eq(5.0).all() and (a.agency_level == "county").all()
    assert panel.loc[panel.agreement_key == "TX|F PD|TFM", "gop_change_pp"].isna().all()
    assert set(panel.loc[panel.agreement_key == "TX|B PD|TFM", "municipal"]) == {1}


def test_reasons_and_flows():
    history, agreements, agencies, covariates, policies = fixtures()
    panel = exits.exit_panel(history, agreements, agencies, covariates, policies)
    ended = exits.exit_reasons(panel).set_index("agreement_key")
    assert ended.reason.to_dict() == {
        "TX|B PD|TFM": exits.NO_PROHIBITION, "MD|C SO|WSO": exits.AFTER_PROHIBITION
    }  # fmt: skip
    by_reason = exits.exits_by_reason(ended.reset_index())
    assert by_reason.exits.sum() == 2 and set(by_reason.state) == {"MD", "TX"}
    flows = exits.entries_and_exits(panel, agreements, DATES).set_index("snapshot_date")
    assert flows.entries.tolist() == [0, 1, 0]  # G enters; E is a rename, not an entry
    assert flows.renamed_in.tolist() == [1, 0, 0]
    assert flows.exits.tolist() == [0, 1, 1] and flows.exits_after_prohibition.tolist() == [0, 0, 1]
    balance = exits.state_balance(panel, agreements, DATES).set_index("state")
    assert balance.loc["MD", "exits_after_prohibition"] == 1 and balance.loc["TX", "entries"] == 1


def test_unknown_keys_are_named():
    history, agreements, agencies, covariates, policies = fixtures()
    with pytest.raises(ValueError, match="missing from agreements"):
        exits.exit_panel(history, agreements.iloc[1:], agencies, covariates, policies)


def test_exit_model_recovers_a_known_hazard():
    rng = np.random.default_rng(7)
    n = 40000
    panel = pd.DataFrame(
        {
            "state": rng.choice([f"S{i:02d}" for i in range(30)], n),
            "period": rng.choice(["2025", "2026"], n),
            "tfm": rng.integers(0, 2, n),
            "municipal": rng.integers(0, 2, n),
            "gop_change_pp": rng.normal(0, 3, n),
            "log_interval_days": np.log(rng.choice([28, 30, 31], n)),
        }
    )
    for name in ("wso", "state_agency", "other_level"):
        panel[name] = 0
    banned = panel.state.isin(["S00", "S01", "S02", "S03"])
    panel["prohibition_enacted"] = banned.astype(int)
    eta = -4.5 + np.log(0.5) * panel.tfm + np.log(2.0) * panel.municipal + 1.5 * banned
    panel["event"] = (rng.random(n) < 1 - np.exp(-np.exp(eta))).astype(int)
    models = exits.fit_exit_models(panel, seed=1, reps=199)
    first = models[models.model == "all agreements"].set_index("term")
    assert set(first.index) == {"tfm", "municipal", "prohibition_enacted", "log_interval_days"}
    assert first.at["tfm", "hazard_ratio"] == pytest.approx(0.5, rel=0.25)
    assert first.at["municipal", "hazard_ratio"] == pytest.approx(2.0, rel=0.25)
    lpm = models[models.unit == "pp per interval"].set_index("term")
    assert 0 <= lpm.at["prohibition_enacted", "p_wild"] <= 1
    assert lpm.at["prohibition_enacted", "estimate"] > 0
