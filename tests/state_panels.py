"""A synthetic county x month panel for the few-cluster tests: counties leave after their
event, and one state's covariate ``z`` is shifted (a state-level confounder)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.panel import add_state_period_indicator

MONTHS = pd.period_range("2025-01", periods=10, freq="M")


def unbalanced_panel(
    seed: int, n_states: int, n_counties: int, schedules: pd.DataFrame, shifted_state: str
) -> pd.DataFrame:
    """``n_states`` states of ``n_counties`` counties over :data:`MONTHS`, with ``law`` set
    by ``schedules``; a county leaves after its first ``y = 1``, and 5 % of rows are lost."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame(
        [
            (f"S{s:02d}", f"S{s:02d}-{c}", m)
            for s in range(n_states)
            for c in range(n_counties)
            for m in MONTHS
        ],
        columns=["state", "fips", "month"],
    )
    rows["x"] = rng.normal(size=len(rows))
    rows["z"] = rng.normal(size=len(rows)) + (rows.state == shifted_state)
    rows = add_state_period_indicator(rows, schedules, "law")
    p = 0.1 + 0.03 * rows.x + 0.05 * rows.law
    rows["y"] = (rng.random(len(rows)) < p.clip(0.01, 0.99)).astype(int)
    first = rows[rows.y == 1].groupby("fips").month.min()
    keep = rows.month <= rows.fips.map(first).fillna(MONTHS[-1])
    return rows[keep & (rng.random(len(rows)) > 0.05)].reset_index(drop=True)
