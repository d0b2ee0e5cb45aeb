"""The headline findings as the reader sees them: one format per unit.

``reports/tables/key_findings.json`` is a list of findings, each a dict with ``id``, ``label``,
``value``, ``unit``, ``ci_low``, ``ci_high``, ``p_value``, ``method``, ``snapshot_date``,
``sample`` and ``notebook`` (state-level terms add ``p_value_few_cluster`` and
``method_few_cluster``, and randomization inference ``p_value_ri`` and ``method_ri``). Every
page that shows a finding formats it with :func:`format_value`, so the same number reads the
same everywhere and a test can look for it in each page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

UNITS = ("count", "share", "pp per SD", "hazard ratio", "odds ratio", "AUC", "days")
FIELDS = ("id", "label", "value", "unit", "ci_low", "ci_high", "p_value", "method")
FIELDS += ("snapshot_date", "sample", "notebook")
FEW_CLUSTER_FIELDS = ("p_value_few_cluster", "method_few_cluster", "p_value_ri", "method_ri")
KEY_FINDINGS_FILE = "key_findings.json"


def format_value(value: float | None, unit: str) -> str:
    """A finding's number in its unit's house format: ``1,797``; ``24.5%``; ``+12.1 pp per SD``;
    ``2.10`` for ratios; ``0.81`` for an AUC; ``15 days``."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "count":
        return f"{int(round(value)):,}"
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "pp per SD":
        return f"{value:+.1f} pp per SD"
    if unit == "days":
        return f"{int(round(value)):,} days"
    return f"{value:.2f}"


def format_interval(low: float | None, high: float | None, unit: str) -> str:
    """The 95% interval in the same format without the unit word: ``(1.12–3.94)``."""
    if low is None or high is None:
        return ""
    parts = [format_value(v, unit).replace(" pp per SD", "") for v in (low, high)]
    return f"({parts[0]}–{parts[1]})"


def format_p(p: float | None) -> str:
    """A p-value as prose shows it: ``p = 0.30``, ``p = 0.004``, ``p < 0.001``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def read_key_findings(path: Path) -> list[dict]:
    """The findings file, checked: every finding has every field and a known unit."""
    findings = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, finding in enumerate(findings):
        missing = [f for f in FIELDS if f not in finding]
        if missing:
            raise ValueError(f"{path}: finding {i} ({finding.get('id')}) lacks {missing}")
        if finding["unit"] not in UNITS:
            unit = finding["unit"]
            raise ValueError(f"{path}: finding {finding['id']} has unknown unit {unit!r}")
    return findings


def findings_by_id(findings: list[dict]) -> dict[str, dict]:
    return {f["id"]: f for f in findings}
