"""The summary's prose follows the few-cluster p-values and says what to conclude."""

import pandas as pd

from analysis.report import text_summary as ts
from analysis.report.key_findings import finding


def findings(mandate_few=0.3, hispanic_within_few=0.4):
    def ame(id_, value, p, few):
        return finding(id_, id_, value, "pp per SD", ci_low=value - 3, ci_high=value + 3,
                       p_value=p, method="CRV1", p_value_few_cluster=few,
                       method_few_cluster="WCR")  # fmt: skip

    items = [
        ame("gop_share_ame_pooled", 20.1, 1e-6, 0.001),
        ame("gop_share_ame_within_state", 11.0, 1e-9, 0.001),
        ame("hispanic_share_ame_pooled", 10.2, 0.005, 0.01),
        ame("hispanic_share_ame_within_state", 1.9, 0.02, hispanic_within_few),
        finding("mandate_effect", "mandate", 2.1, "hazard ratio", ci_low=1.1, ci_high=3.9,
                p_value=0.02, method="cloglog, CRV1", p_value_few_cluster=mandate_few,
                method_few_cluster="wild cluster bootstrap (Webb)",
                sample="county-months at risk; 2 mandate states of 45"),
        finding("neighbour_adoption_hazard_ratio", "Neighbours", 1.3, "hazard ratio",
                ci_low=1.2, ci_high=1.4, p_value=1e-5, method="cloglog"),
    ]  # fmt: skip
    return {f["id"]: f for f in items}


def test_mandate_text_follows_the_few_cluster_p_value():
    text = ts.mandates_and_diffusion(findings(mandate_few=0.3))
    assert "cannot distinguish it from no association" in text and "p = 0.30" in text
    assert "cannot distinguish" not in ts.mandates_and_diffusion(findings(mandate_few=0.01))
    # The value is said once; the interval and p-values follow in one pair of parentheses.
    assert "**2.10** (95% CI 1.10–3.90; p = 0.02, state-clustered;" in text and "((" not in text


def test_hispanic_paragraph_concludes_from_the_within_state_test():
    robustness = pd.DataFrame(
        {"term": ["hispanic_share"], "estimator": ["lpm"], "sample": ["without FL, TX"],
         "estimate": [0.005], "ci_low": [-0.02], "ci_high": [0.03]}
    )  # fmt: skip
    curve = pd.DataFrame(
        {"focal": ["hispanic_share"] * 4, "status": ["ok"] * 4,
         "outcome": ["county_agency_agreement", "x", "x", "x"],
         "estimate": [0.01, -0.02, 0.03, 0.0], "p_value": [0.2, 0.01, 0.5, 0.9]}
    )  # fmt: skip
    text = ts.hispanic_synthesis(findings(), robustness, curve, outcome="county_agency_agreement")
    assert "+0.5 pp per SD" in text and "positive in 50%" in text and "significant" in text
    assert "mostly a difference between states" in text
    survives = ts.hispanic_synthesis(
        findings(hispanic_within_few=0.01), robustness, curve, outcome="county_agency_agreement"
    )
    assert "survives the comparison within states" in survives


def test_caveats_count_the_unverified_law_dates():
    laws = pd.DataFrame(
        {"policy_type": ["must hold", "must enter", "prohibition"],
         "state_usps": ["FL", "TX", "CA"],
         "verification": ["primary text read", "secondary report", "unverified"]}
    )  # fmt: skip
    text = ts.caveats(laws, findings())
    assert "1 of the 2 mandate laws coded (FL, TX)" in text and "2 mandate states of 45" in text
