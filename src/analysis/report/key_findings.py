"""The headline findings of a run, assembled from the tables the reports saved.

Each report that owns a headline saves the table behind it (``table20_snapshot_counts``,
``table30_population_coverage``, ``table60_county_inference``, ``table70_mandate_inference``,
…) and shows its headline with :func:`findings_markdown` of the functions below; report 90
collects the same functions over the same tables into ``reports/tables/key_findings.json``
(:func:`collect_key_findings`). One computation, one format (:mod:`analysis.report.findings`):
no two pages can disagree, and a test checks every page against the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from analysis.report.findings import (
    FEW_CLUSTER_FIELDS,
    FIELDS,
    format_interval,
    format_p,
    format_value,
)

PP = 100  # model effects are shown in percentage points per SD
# The headlines every run must produce (the list; pages may show more).
REQUIRED_IDS = (
    "agreements", "states", "residents_covered_share", "hispanic_residents_covered_share",
    "foreign_born_residents_covered_share", "counties_with_county_agency_agreement",
    "gop_share_ame_pooled", "gop_share_ame_within_state", "hispanic_share_ame_within_state",
    "mandate_effect", "neighbour_adoption_hazard_ratio", "exits",
)  # fmt: skip
COVERAGE_GROUPS = {
    "all": ("residents_covered_share", "US residents"),
    "hispanic": ("hispanic_residents_covered_share", "Hispanic residents"),
    "foreign_born": ("foreign_born_residents_covered_share", "foreign-born residents"),
}
# (finding id, term, state FE) of the county adoption model's headline terms.
COUNTY_TERMS = [
    ("gop_share_ame_pooled", "gop_share_2024", False),
    ("gop_share_ame_within_state", "gop_share_2024", True),
    ("hispanic_share_ame_pooled", "hispanic_share", False),
    ("hispanic_share_ame_within_state", "hispanic_share", True),
]
TERM_LABELS = {"gop_share_2024": "2024 Republican share", "hispanic_share": "Hispanic share"}


def finding(id: str, label: str, value: float, unit: str, **fields) -> dict:
    """One finding with every field of :data:`analysis.report.findings.FIELDS` (None where a
    field does not apply); numbers as plain floats so the JSON is stable."""
    made = {name: None for name in FIELDS} | {"id": id, "label": label, "unit": unit}
    made["value"] = _plain(value)
    for name, given in fields.items():
        if name not in FIELDS and name not in FEW_CLUSTER_FIELDS:
            raise ValueError(f"finding {id}: unknown field {name!r}")
        made[name] = _plain(given)
    return made


def _plain(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    number = float(value)
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _date(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# --- the findings of each report, from the table it saved


def expansion_key_findings(snapshot_counts: pd.DataFrame, states_latest: pd.DataFrame) -> list:
    """Report 20: agreements on the latest list (territories included, and said so) and the
    states with one (50 states and DC; territories excluded)."""
    latest = snapshot_counts.assign(snapshot_date=pd.to_datetime(snapshot_counts.snapshot_date))
    now = latest.sort_values("snapshot_date").iloc[-1]
    territories = states_latest[states_latest.is_territory.astype(bool)]
    in_states = states_latest[
        ~states_latest.is_territory.astype(bool) & (states_latest.agreements > 0)
    ]
    date = _date(now.snapshot_date)
    common = {"snapshot_date": date, "notebook": "20_expansion", "method": "count of the list"}
    n_territory = int(territories.agreements.sum())
    return [
        finding(
            "agreements", "Agreements on ICE's participating list", now.agreements, "count",
            sample=f"every agreement on the list, {n_territory} of them in "
            f"{len(territories)} territories", **common,
        ),
        finding(
            "states", "States (and DC) with at least one agreement", len(in_states), "count",
            sample="50 states and DC; territories excluded", **common,
        ),
    ]  # fmt: skip


def exit_key_findings(reconciliation: pd.DataFrame, snapshot_date) -> list:
    """Report 10: agreements that left the list for good (no successor) over the record."""
    exits = reconciliation.set_index("class").loc["exit", "all snapshots"]
    return [
        finding(
            "exits", "Agreements that left the list for good", exits, "count",
            method="absent from every later snapshot with no rename or successor (lineage)",
            sample="every archived participating snapshot", snapshot_date=_date(snapshot_date),
            notebook="10_agreements_qa",
        )
    ]  # fmt: skip


def coverage_key_findings(population_coverage: pd.DataFrame) -> list:
    """Report 30: the share of residents living in the jurisdiction of an agency with an
    agreement (county agencies: their county; police: their place; statewide agencies not
    counted), overall, Hispanic and foreign-born, on the latest snapshot."""
    table = population_coverage.assign(
        snapshot_date=pd.to_datetime(population_coverage.snapshot_date)
    )
    latest = table[
        (table.snapshot_date == table.snapshot_date.max()) & (table.measure == "jurisdiction")
    ]
    shares = latest.set_index("group").share
    return [
        finding(
            id_, f"Share of {who} living in the jurisdiction of an agency with an agreement",
            shares[group], "share", method="2020 census populations of the agencies' "
            "jurisdictions (county, place or county subdivision); statewide agencies apart",
            sample="50 states and DC", snapshot_date=_date(latest.snapshot_date.iloc[0]),
            notebook="30_geography",
        )
        for group, (id_, who) in COVERAGE_GROUPS.items()
    ]  # fmt: skip


def county_key_findings(sample: pd.DataFrame, inference: pd.DataFrame) -> list:
    """Report 60: counties with the primary outcome, and the preferred model's per-SD
    associations (``inference``: :func:`analysis.stats.few_cluster.county_term_inference`
    rows with ``state_fe``), with their wild-cluster-bootstrap p-values."""
    row = sample.iloc[0]
    date = _date(row.snapshot_date)
    found = [
        finding(
            "counties_with_county_agency_agreement",
            "Counties where a county-level agency (sheriff, county police or jail) holds "
            "an agreement",
            row.adopted, "count", method="agencies placed in counties by the matcher",
            sample=f"{int(row.counties):,} counties", snapshot_date=date,
            notebook="60_adoption_models",
        )
    ]  # fmt: skip
    for id_, term, state_fe in COUNTY_TERMS:
        match = inference[(inference.term == term) & (inference.state_fe.astype(bool) == state_fe)]
        if match.empty:
            continue
        r = match.iloc[0]
        where = "within states (state fixed effects)" if state_fe else "across all counties"
        found.append(
            finding(
                id_, f"{TERM_LABELS[term]}, per SD, {where}: change in the probability that a "
                "county-level agency holds an agreement", PP * r.estimate, "pp per SD",
                ci_low=PP * r.ci_low, ci_high=PP * r.ci_high, p_value=r.p_value,
                method=r.method, p_value_few_cluster=r.p_value_few_cluster,
                method_few_cluster=r.method_few_cluster,
                sample=f"{int(r.n):,} counties, {int(r.n_clusters)} state clusters; z-scores "
                "over all of them", snapshot_date=date, notebook="60_adoption_models",
            )
        )  # fmt: skip
    return found


def hazard_key_findings(mandate_inference: pd.DataFrame, hazard: pd.DataFrame, step: float) -> list:
    """Report 70: the mandate hazard ratio (cloglog, month effects, state-clustered) with the
    few-cluster p-values of the same term in the linear-probability hazard on the same risk set
    (wild cluster bootstrap and randomization inference over states), and the in-state
    neighbour hazard ratio per ``step`` of neighbour share."""
    primary_model = hazard.model.iloc[0]
    primary = hazard[hazard.model == primary_model].set_index("term")
    lpm = mandate_inference[mandate_inference.term == "mandate_in_force"].iloc[0]
    mandate = primary.loc["mandate_in_force"]
    found = [
        finding(
            "mandate_effect", "State mandate in force: hazard ratio of a county's first adoption",
            mandate.hazard_ratio, "hazard ratio", ci_low=mandate.hr_ci_low,
            ci_high=mandate.hr_ci_high, p_value=mandate.p_value,
            method=f"{primary_model}, {mandate.se_type}",
            p_value_few_cluster=lpm.p_value_few_cluster,
            method_few_cluster=f"{lpm.method_few_cluster}; on the {lpm.model} hazard",
            p_value_ri=lpm.p_value_ri, method_ri=lpm.method_ri,
            sample=f"{int(mandate.n):,} county-months at risk; {int(lpm.n_treated_clusters)} "
            f"mandate states ({lpm.treated_clusters}) of {int(lpm.n_clusters)}",
            notebook="70_timing_diffusion_mandates",
        )
    ]  # fmt: skip
    neighbours = primary.loc["neighbors_in_state"]
    found.append(
        finding(
            "neighbour_adoption_hazard_ratio",
            f"Hazard ratio of first adoption per {PP * step:.0f} points more of the county's "
            "in-state neighbours already adopting", neighbours.hazard_ratio, "hazard ratio",
            ci_low=neighbours.hr_ci_low, ci_high=neighbours.hr_ci_high,
            p_value=neighbours.p_value, method=f"{primary_model}, {neighbours.se_type}",
            sample=f"{int(neighbours.n):,} county-months at risk",
            notebook="70_timing_diffusion_mandates",
        )
    )  # fmt: skip
    return found


# --- collecting, writing and showing


def collect_key_findings(tables_dir: Path, neighbor_step: float = 0.1) -> list:
    """Every report's findings, read from the tables those reports saved in ``tables_dir``;
    a missing table is an error that names it and the report that writes it."""

    def read(name: str) -> pd.DataFrame:
        path = Path(tables_dir) / f"{name}.csv"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: the key findings need this table; run report {name[5:7]} first"
            )
        return pd.read_csv(path)

    counts = read("table20_snapshot_counts")
    latest = pd.to_datetime(counts.snapshot_date).max()
    found = expansion_key_findings(counts, read("table20_states_latest"))
    found += exit_key_findings(read("table10_ice_exit_reconciliation"), latest)
    found += coverage_key_findings(read("table30_population_coverage"))
    found += county_key_findings(read("table60_sample"), read("table60_county_inference"))
    found += hazard_key_findings(
        read("table70_mandate_inference"), read("table70_hazard"), neighbor_step
    )
    for item in found:
        item["snapshot_date"] = item["snapshot_date"] or _date(latest)
    return found


def write_key_findings(findings: list, path: Path) -> Path:
    """The findings as stable JSON (field order fixed, two-space indent, newline at end)."""
    ordered = [{k: f[k] for k in (*FIELDS, *FEW_CLUSTER_FIELDS) if k in f} for f in findings]
    ids = [f["id"] for f in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate finding ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def finding_text(item: dict, *, full_methods: bool = False) -> str:
    """``value (interval); p-values`` of one finding: the conventional p-value, then the
    few-cluster ones where there are any, each named briefly (``full_methods``: the whole
    method description, as in the key-findings table)."""
    parts = [format_value(item["value"], item["unit"])]
    interval = format_interval(item.get("ci_low"), item.get("ci_high"), item["unit"])
    if interval:
        parts.append(interval.replace("(", "(95% CI ", 1))
    details = []
    for p_field, method_field, short in [
        ("p_value", "method", "state-clustered"),
        ("p_value_few_cluster", "method_few_cluster", "wild cluster bootstrap"),
        ("p_value_ri", "method_ri", "randomization inference over states"),
    ]:
        if item.get(p_field) is not None:
            name = item.get(method_field) if full_methods else short
            details.append(f"{format_p(item[p_field])}, {name or short}")
    return " ".join(parts) + (f"; {'; '.join(details)}" if details else "")


def findings_markdown(findings: list) -> str:
    """The findings as a Markdown list: **label**: value (interval); p-values with methods."""
    return "\n".join(f"- **{f['label']}**: {finding_text(f)}" for f in findings)


README_START = "<!-- key-findings:start (written by `analysis findings --update-readme`) -->"
README_END = "<!-- key-findings:end -->"


def readme_section(findings: list) -> str:
    """The README's headline block: the snapshot, then each finding as the pages show it."""
    date = findings[0]["snapshot_date"] if findings else "no run"
    body = findings_markdown(findings)
    return (
        f"{README_START}\nFrom `reports/tables/key_findings.json`, ICE snapshot of {date}:\n\n"
        f"{body}\n{README_END}"
    )


def replace_readme_section(readme: str, findings: list) -> str:
    """``readme`` with its headline block replaced (an error if the markers are missing)."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start == -1 or end == -1 or end < start:
        raise ValueError("README.md has no key-findings block (its start and end markers)")
    return readme[:start] + readme_section(findings) + readme[end + len(README_END) :]
