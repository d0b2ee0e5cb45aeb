"""The key findings are assembled from the tables the reports save, in one format."""

import json

import pandas as pd
import pytest

from analysis.report import key_findings as kf
from analysis.report.findings import FIELDS, read_key_findings

REQUIRED_IDS = {
    "agreements",
    "states",
    "residents_covered_share",
    "hispanic_residents_covered_share",
    "foreign_born_residents_covered_share",
    "counties_with_county_agency_agreement",
    "gop_share_ame_pooled",
    "gop_share_ame_within_state",
    "hispanic_share_ame_within_state",
    "mandate_effect",
    "neighbour_adoption_hazard_ratio",
    "exits",
}  # fmt: skip (the issue's list, typed here on purpose: the module must not shrink it)


def write_tables(folder):
    tables = {
        "table20_snapshot_counts": pd.DataFrame(
            {"snapshot_date": ["2025-01-31", "2026-05-11"], "agreements": [135, 1797]}
        ),
        "table20_states_latest": pd.DataFrame(
            {
                "state": ["TX", "FL", "PR", "GU"],
                "agreements": [380, 347, 2, 1],
                "is_territory": [False, False, True, True],
            }
        ),  # fmt: skip
        "table10_ice_exit_reconciliation": pd.DataFrame(
            {"class": ["renamed", "exit"], "all snapshots": [38, 88]}
        ),
        "table30_population_coverage": pd.DataFrame(
            {
                "snapshot_date": ["2026-05-11"] * 4 + ["2025-01-31"],
                "group": ["all", "hispanic", "foreign_born", "all", "all"],
                "measure": ["jurisdiction"] * 3 + ["whole_county", "jurisdiction"],
                "share": [0.245, 0.262, 0.212, 0.33, 0.09],
            }
        ),  # fmt: skip
        "table60_sample": pd.DataFrame(
            {"snapshot_date": ["2026-05-11"], "counties": [3144], "adopted": [775]}
        ),
        "table60_county_inference": pd.DataFrame(
            {
                "term": ["gop_share_2024", "gop_share_2024", "hispanic_share", "hispanic_share"],
                "state_fe": [False, True, False, True],
                "estimate": [0.2, 0.11, 0.1, 0.02],
                "ci_low": [0.15, 0.08, 0.03, -0.01],
                "ci_high": [0.25, 0.14, 0.17, 0.05],
                "p_value": [1e-6, 1e-9, 0.005, 0.2],
                "p_value_few_cluster": [0.001, 0.001, 0.02, 0.3],
                "method": ["CRV1 by state"] * 4,
                "method_few_cluster": ["WCR, Rademacher"] * 4,
                "n": [3144] * 4,
                "n_clusters": [51] * 4,
            }
        ),  # fmt: skip
        "table70_mandate_inference": pd.DataFrame(
            {
                "term": ["mandate_in_force"],
                "model": ["LPM, month effects"],
                "p_value_few_cluster": [0.3],
                "method_few_cluster": ["WCR, Webb"],
                "p_value_ri": [0.32],
                "method_ri": ["RI over states"],
                "n_treated_clusters": [4],
                "treated_clusters": ["AR, FL, GA, TX"],
                "n_clusters": [45],
            }
        ),  # fmt: skip
        "table70_hazard": pd.DataFrame(
            {
                "model": ["cloglog, month effects"] * 2,
                "term": ["mandate_in_force", "neighbors_in_state"],
                "hazard_ratio": [2.1, 1.3],
                "hr_ci_low": [1.12, 1.2],
                "hr_ci_high": [3.94, 1.4],
                "p_value": [0.02, 1e-5],
                "se_type": ["cluster(state)"] * 2,
                "n": [36841] * 2,
            }
        ),  # fmt: skip
    }
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False)


def test_collects_every_required_finding_with_every_field(tmp_path):
    write_tables(tmp_path)
    findings = kf.collect_key_findings(tmp_path)
    assert {f["id"] for f in findings} >= REQUIRED_IDS == set(kf.REQUIRED_IDS)
    by_id = {f["id"]: f for f in findings}
    assert (
        by_id["agreements"]["value"] == 1797
        and "3 of them in 2 territories" in (by_id["agreements"]["sample"])
    )
    assert by_id["states"]["value"] == 2  # TX and FL; the territories are excluded
    assert by_id["exits"]["value"] == 88
    assert by_id["residents_covered_share"]["value"] == 0.245
    assert by_id["gop_share_ame_within_state"]["value"] == pytest.approx(11.0)
    assert by_id["gop_share_ame_within_state"]["unit"] == "pp per SD"
    assert by_id["mandate_effect"]["p_value_few_cluster"] == 0.3
    path = kf.write_key_findings(findings, tmp_path / "key_findings.json")
    again = read_key_findings(path)
    assert [list(f)[: len(FIELDS)] for f in again] == [list(FIELDS)] * len(again)
    assert json.loads(path.read_text()) == again


def test_a_missing_table_names_it_and_its_report(tmp_path):
    write_tables(tmp_path)
    (tmp_path / "table70_hazard.csv").unlink()
    with pytest.raises(FileNotFoundError, match="table70_hazard.csv.*report 70"):
        kf.collect_key_findings(tmp_path)


def test_text_shows_the_value_interval_and_both_p_values(tmp_path):
    write_tables(tmp_path)
    by_id = {f["id"]: f for f in kf.collect_key_findings(tmp_path)}
    text = kf.finding_text(by_id["mandate_effect"])
    assert text.startswith("2.10 (95% CI 1.12–3.94)")
    assert "p = 0.02, state-clustered; p = 0.30, wild cluster bootstrap" in text
    assert "p = 0.32, randomization inference over states" in text
    full = kf.finding_text(by_id["mandate_effect"], full_methods=True)
    assert "p = 0.02, cloglog, month effects, cluster(state)" in full
    assert "p = 0.30, WCR, Webb; on the LPM, month effects hazard" in full
    markdown = kf.findings_markdown([by_id["residents_covered_share"]])
    assert markdown.startswith("- **Share of US residents") and "24.5%" in markdown


def test_duplicate_ids_are_refused(tmp_path):
    item = kf.finding("x", "X", 1, "count")
    with pytest.raises(ValueError, match="duplicate"):
        kf.write_key_findings([item, item], tmp_path / "k.json")


def test_the_readme_block_is_replaced_between_its_markers(tmp_path):
    write_tables(tmp_path)
    findings = kf.collect_key_findings(tmp_path)
    readme = f"# Title\n\n{kf.README_START}\nSTALE BLOCK\n{kf.README_END}\n\nMore.\n"
    new = kf.replace_readme_section(readme, findings)
    assert (
        new.startswith("# Title\n\n") and new.endswith("\n\nMore.\n") and "STALE BLOCK" not in new
    )
    assert "1,797" in new and "24.5%" in new and "2026-05-11" in new
    assert kf.replace_readme_section(new, findings) == new
    with pytest.raises(ValueError, match="no key-findings block"):
        kf.replace_readme_section("# no block\n", findings)
