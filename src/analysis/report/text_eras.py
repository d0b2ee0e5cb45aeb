"""Prose of notebook 80 built from its numbers: the Post panel's counts, the era comparison
(worded as associations) and the Texas SB 8 forecast with its back-test and refresh note."""

from __future__ import annotations

import pandas as pd

from analysis.report.text import fmt_ci, fmt_date, fmt_int, fmt_p, fmt_pct

ALPHA = 0.05


def wapo_counts_note(
    counts: pd.DataFrame, accounting: pd.DataFrame, n_placed: int, n_unplaced: int
) -> str:
    """One paragraph: the yearly counts against the published ones, and the row accounting."""
    ok = int(counts["matches"].sum())
    rows = dict(zip(accounting["outcome"], accounting["rows"], strict=True))
    first, last = counts.iloc[0], counts.iloc[-1]
    return (
        f"All {ok} of {len(counts)} yearly counts match the published ones exactly "
        f"({int(first.year)}: {fmt_int(first.observed)} agencies; {int(last.year)}: "
        f"{fmt_int(last.observed)}). The sheet has {fmt_int(rows['agency row'])} agency rows, "
        f"{fmt_int(rows['quarantined'])} quarantined row(s) and {fmt_int(rows['blank'])} blank "
        f"rows; {fmt_int(n_placed)} agencies are placed in a county and {fmt_int(n_unplaced)} "
        "(state agencies, regional jails and names the matcher cannot place) are listed below "
        "with the reason. They count in the yearly totals but not in the county models."
    )


def _effect(row, reps: int) -> str:
    ci = fmt_ci(row.estimate_pp_per_sd, row.ci_low_pp, row.ci_high_pp, digits=1, signed=True)
    return f"{ci} pp per SD (wild bootstrap {fmt_p(row.p_wild, floor=1 / (reps + 1))})"


def _supported(row) -> bool:
    return bool(row.p_wild < ALPHA and row.ci_low_pp * row.ci_high_pp > 0)


def era_summary(models: pd.DataFrame, era_order, reps: int) -> str:
    """Per era: the partisanship, Hispanic share and growth terms; then whether partisanship
    has taken over from Hispanic growth, judged by which terms the wild bootstrap supports."""
    lines = []
    verdict = {}
    for era in era_order:
        rows = models[models["era"] == era].set_index("role")
        part, share, growth = (
            rows.loc[r] for r in ("partisanship", "hispanic_share", "hispanic_growth")
        )
        verdict[era] = {
            r: _supported(rows.loc[r])
            for r in ("partisanship", "hispanic_share", "hispanic_growth")
        }
        lines.append(
            f"- **{era}** ({fmt_int(part.n)} counties, {fmt_int(part.n_adopted)} with a "
            f"county-level agency taking part, {fmt_pct(part.outcome_mean)}): Republican share "
            f"{_effect(part, reps)}; Hispanic share {_effect(share, reps)}; Hispanic growth "
            f"{_effect(growth, reps)}."
        )
    first, last = era_order[0], era_order[-1]
    words = {True: "is associated with", False: "is not clearly associated with"}
    text = "\n".join(lines) + "\n\n"
    text += (
        f"Conditional on the other three covariates, in {first} a higher Republican share "
        f"{words[verdict[first]['partisanship']]} participation and faster Hispanic growth "
        f"{words[verdict[first]['hispanic_growth']]} it; in {last} a higher Republican share "
        f"{words[verdict[last]['partisanship']]} adoption and Hispanic growth "
        f"{words[verdict[last]['hispanic_growth']]} it. "
    )
    took_over = verdict[last]["partisanship"] and not verdict[last]["hispanic_growth"]
    if took_over and verdict[first]["hispanic_growth"]:
        text += (
            "The pattern fits the reading after Wong (2012): Hispanic growth went with "
            "participation in the first program and partisanship goes with it now."
        )
    elif took_over:
        text += (
            "Partisanship now carries the association and Hispanic growth does not, but growth "
            f"was not clearly associated with participation in {first} either, so the data show "
            "partisanship's rise more than a hand-over from growth."
        )
    else:
        text += "The data do not show partisanship taking over from Hispanic growth."
    base = models.groupby("era", sort=False)["outcome_mean"].first()
    text += (
        " The eras' adoption rates differ widely ("
        + ", ".join(f"{e}: {fmt_pct(base[e])}" for e in era_order)
        + "), so a difference of a few pp per SD weighs more in the early eras."
    )
    return text


def texas_summary(forecast: pd.DataFrame, backtest, last_snapshot, deadline, months: int) -> str:
    """The forecast's totals, the expected number of holders at the deadline and the back-test."""
    holders = int(forecast["status_last_snapshot"].sum())
    expected = float(forecast["predicted_probability"].sum())
    low, high = float(forecast["ci_low"].sum()), float(forecast["ci_high"].sum())
    without = forecast[forecast["status_last_snapshot"] == 0]
    honest = backtest.metrics.iloc[0]
    return (
        f"On {fmt_date(last_snapshot)}, {holders} of {len(forecast)} Texas counties have a "
        f"county-level agency with an agreement; {len(without)} do not. Projecting the hazard of "
        f"the months since SB 8 took effect over the {months} months left before "
        f"{fmt_date(deadline)}, the model expects about {expected:.0f} counties to hold one by "
        f"the deadline (sum of the counties' interval ends: {low:.0f} to {high:.0f}); the median "
        f"probability among the {len(without)} counties without one is "
        f"{fmt_pct(without['predicted_probability'].median())}. Back-test (fitted on the lists "
        f"up to {fmt_date(backtest.fit_until)}, predicting the last snapshot, {backtest.months} "
        f"months on): among the {int(honest.n)} counties without an agreement at the cut-off, "
        f"AUC {honest.auc:.2f}, Brier score {honest.brier_score:.3f}, mean predicted "
        f"{fmt_pct(honest.mean_predicted)} against {fmt_pct(honest.observed_rate)} observed."
    )


REFRESH_NOTE = (
    "**How to refresh.** Online, `analysis fetch --latest-ice` downloads today's lists from "
    "ICE's 287(g) page into `data/raw/ice_287g/latest/`; offline, `analysis add-snapshot PATH` "
    "adds a downloaded spreadsheet. Then `analysis build` and `analysis run` (or "
    "`analysis run --force`) re-fit the model on every snapshot and rewrite "
    "`tables/table80_texas_forecast.csv`. After 2026-12-01, compare `status_last_snapshot` of a "
    "refreshed run with this table's `predicted_probability`."
)

JAIL_NOTE = (
    "**Which counties have a county jail.** No public list of Texas county jails is in the "
    "mirror (the Texas Commission on Jail Standards' list is not catalogued), so every Texas "
    "county is treated as sheriff-run: each has an elected sheriff, the office SB 8 addresses. "
    "A county that houses its prisoners in a neighbour's jail, which SB 8 may not cover, is "
    "not told apart."
)
