"""Numbers and spreadsheet text as the reader sees them: house formats, and escaping that never
lets spreadsheet text through as HTML."""

from __future__ import annotations

import html

import pandas as pd


def esc(value: object) -> str:
    """Text from a spreadsheet, safe to put into Markdown/HTML."""
    return html.escape(str(value), quote=True)


def fmt_int(value: float | int) -> str:
    return f"{int(round(value)):,}"


def fmt_pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def fmt_date(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# --- estimates
# An estimate with its interval, and p-values, as prose shows them.


def fmt_ci(
    estimate: float,
    low: float,
    high: float,
    digits: int = 3,
    scale: float = 1.0,
    *,
    signed: bool = False,
) -> str:
    """``"0.123 [0.045, 0.201]"``; ``scale=100`` turns probabilities into percentage points;
    ``signed`` writes a sign before every number (``"+0.123 [+0.045, +0.201]"``)."""
    form = f"{'+' if signed else ''}.{digits}f"
    return f"{scale * estimate:{form}} [{scale * low:{form}}, {scale * high:{form}}]"


def fmt_p(p: float, floor: float | None = None) -> str:
    """A p-value for prose: ``"p = 0.012"``, ``"p < 0.001"``, or ``"p ≤ floor"`` at a
    permutation test's smallest attainable value ``floor = 1 / (B + 1)``."""
    if pd.isna(p):
        return "p not available"
    if floor is not None and p <= floor * (1 + 1e-9):
        return f"p ≤ {floor:.2g}"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def ci_cells(table: pd.DataFrame, digits: int = 3, scale: float = 1.0) -> list[str]:
    """:func:`fmt_ci` of each row's ``estimate``, ``ci_low``, ``ci_high`` (for wide tables)."""
    return [fmt_ci(r.estimate, r.ci_low, r.ci_high, digits, scale) for r in table.itertuples()]


def _p_cell(p: float) -> str:
    """A p-value in a table cell: two significant digits, ``< 0.001`` below that."""
    return "< 0.001" if p < 0.001 else f"{p:.2g}"


def model_type_lines(differences: pd.DataFrame, labels: dict, scale: float) -> str:
    """Per pair, the focal covariates whose association differs at 5% by the wild bootstrap."""
    lines = []
    for label, rows in differences.groupby("comparison", sort=False):
        differ = rows[rows.p_value_few_cluster < 0.05]
        found = ", ".join(
            f"{labels.get(r.term, r.term)} ({scale * r.difference:+.1f} pp per SD)"
            for r in differ.itertuples()
        )
        lines.append(
            f"- {label}: "
            + (f"the associations differ for {found}." if found else "no focal covariate's "
               "association differs at 5% (wild cluster bootstrap).")
        )  # fmt: skip
    return "\n".join(lines)


def inference_table(inference: pd.DataFrame, labels: dict, scale: float) -> pd.DataFrame:
    """Per covariate (rows in ``labels`` order): the estimate with its interval and the
    conventional and wild-bootstrap p-values, pooled and within states, as display text."""
    columns = {}
    for fe, name in [(False, "across counties"), (True, "within states")]:
        part = inference[inference.state_fe == fe].set_index("term").reindex(list(labels))
        columns[f"{name}: pp per SD (95% CI)"] = ci_cells(part, 1, scale)
        columns[f"{name}: p, clustered"] = [_p_cell(p) for p in part.p_value]
        columns[f"{name}: p, wild bootstrap"] = [_p_cell(p) for p in part.p_value_few_cluster]
    return pd.DataFrame(columns, index=pd.Index(list(labels.values()), name="covariate"))


def model_type_table(differences: pd.DataFrame, labels: dict, scale: float) -> pd.DataFrame:
    """:func:`analysis.study.model_types.model_type_differences` as display text: per pair and
    covariate, both outcomes' per-SD associations and their difference with its p-values."""
    return pd.DataFrame(
        {
            "comparison": differences.comparison,
            "covariate": differences.term.map(labels),
            "base outcome: pp per SD (95% CI)": [
                fmt_ci(r.base_estimate, r.base_ci_low, r.base_ci_high, 1, scale)
                for r in differences.itertuples()
            ],
            "other outcome: pp per SD": [f"{scale * v:+.1f}" for v in differences.other_estimate],
            "difference (95% CI)": [
                fmt_ci(r.difference, r.difference_ci_low, r.difference_ci_high, 1, scale)
                for r in differences.itertuples()
            ],
            "p, clustered": [_p_cell(p) for p in differences.p_value],
            "p, wild bootstrap": [_p_cell(p) for p in differences.p_value_few_cluster],
        }
    )


# --- end of estimates
