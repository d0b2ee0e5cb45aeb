"""Prose of report 75 (space, border pairs, exits), built from the computed tables. Every
sentence describes associations; shares are percentages, differences percentage points,
hazard ratios as ratios."""

from __future__ import annotations

import pandas as pd

from analysis.report.text import esc, fmt_date, fmt_int, fmt_p, fmt_pct
from analysis.stats.spatial import NO_NEIGHBOURS, NOT_SIGNIFICANT

TERM_LABELS = {
    "tfm": "Task Force Model (vs JEM)",
    "wso": "Warrant Service Officer (vs JEM)",
    "municipal": "municipal agency (vs county-level)",
    "state_agency": "state agency (vs county-level)",
    "other_level": "other agency (vs county-level)",
    "prohibition_enacted": "state prohibition enacted",
    "gop_change_pp": "Republican share change 2020-24 (per SD)",
    "log_interval_days": "log interval length (days)",
}


def weights_note(n_units: int, n_joins: int, islands, n_components: int, names: dict) -> str:
    """How the contiguity weights were built and which counties are left out."""
    listed = ", ".join(f"{esc(names.get(f, f))} ({f})" for f in islands)
    return (
        f"Queen contiguity (libpysal's rule: polygons sharing a boundary vertex) links "
        f"{fmt_int(n_units)} counties by "
        f"{fmt_int(n_joins)} shared borders or corners. {len(islands)} counties have no "
        f"neighbour or no polygon at 1:10m and are left out of every spatial statistic: "
        f"{listed}. The remaining graph has {n_components} connected parts, and each county is "
        "compared only with neighbours in its own part."
    )


def morans_summary(series: pd.DataFrame) -> str:
    """Moran's I and join counts at the first and last snapshot of ``series``."""
    rows = series.dropna(subset=["morans_i"])
    first, last = rows.iloc[0], rows.iloc[-1]

    def one(r) -> str:
        floor = 1 / (r.permutations + 1)
        return (
            f"on {fmt_date(r.snapshot_date)} ({fmt_int(r.n_adopted)} counties adopted, "
            f"{fmt_pct(r.share_adopted)}), Moran's I = {r.morans_i:.3f} (permutation "
            f"{fmt_p(r.p_sim, floor)}), with {fmt_int(r.join_bb)} adopted-adopted joins "
            f"against {r.expected_bb:,.0f} expected under random placement "
            f"({fmt_p(r.p_sim_bb, floor)})"
        )

    clustered = (rows.morans_i > 0) & (rows.p_sim <= 0.05)
    if clustered.all():
        lead = "Adoption by a county-level agency is spatially clustered at every snapshot: "
    else:
        lead = (
            f"Adoption by a county-level agency is spatially clustered (I > 0, permutation "
            f"p ≤ 0.05) at {int(clustered.sum())} of {len(rows)} snapshots: "
        )
    return (
        lead + f"{one(first)}; "
        f"{one(last)}. Moran's I ranged from {rows.morans_i.min():.3f} to "
        f"{rows.morans_i.max():.3f} over the {len(rows)} snapshots. Counties next to an adopting "
        "county are more likely to have adopted themselves; this describes where adoption is, "
        "and is consistent with state laws, shared regions or imitation alike."
    )


def lisa_summary(clusters: pd.DataFrame, alpha: float, date) -> str:
    """Counts of LISA clusters and the states holding most high-high counties."""
    counts = clusters["cluster"].value_counts()
    high = clusters[clusters["cluster"] == "high-high"]
    top = high["state"].value_counts().head(5)
    tops = ", ".join(f"{esc(s)} {n}" for s, n in top.items())
    kept = len(clusters) - counts.get(NO_NEIGHBOURS, 0)
    return (
        f"Local Moran on {fmt_date(date)}, Benjamini-Hochberg q < {alpha:g} over the "
        f"{fmt_int(kept)} counties with neighbours: {fmt_int(counts.get('high-high', 0))} "
        f"counties are in high-high clusters (adopted, among adopted neighbours), "
        f"{fmt_int(counts.get('low-low', 0))} in low-low clusters, "
        f"{fmt_int(counts.get('high-low', 0) + counts.get('low-high', 0))} are outliers "
        f"(high-low or low-high), and {fmt_int(counts.get(NOT_SIGNIFICANT, 0))} are not "
        f"significant. Most high-high counties are in {tops}."
    )


def _pp(x: float) -> str:
    return f"{100 * x:+.1f} pp"


def border_text(summary: pd.DataFrame, snapshot: str) -> str:
    """The pooled border-pair differences with both intervals, and the largest borders."""
    pooled = summary[summary["scope"] == "pooled"]
    parts = []
    for r in pooled.itertuples():
        parts.append(
            f"{esc(r.contrast)}: {_pp(r.difference)} over {fmt_int(r.n_pairs)} pairs on "
            f"{r.n_borders} borders (dyadic-robust 95% CI {_pp(r.ci_low)} to {_pp(r.ci_high)}; "
            f"cluster bootstrap over borders {_pp(r.boot_ci_low)} to {_pp(r.boot_ci_high)})"
        )
    borders = summary[summary["scope"] == "border"].sort_values("n_pairs", ascending=False)
    big = "; ".join(
        f"{esc(r.border)} {_pp(r.difference)} ({r.n_pairs} pairs)"
        for r in borders.head(6).itertuples()
    )
    return (
        f"On {snapshot}, within contiguous county pairs across a state line, the side whose "
        f"state has the law minus the other side: " + "; ".join(parts) + ". "
        f"The largest borders: {big}. "
        + " ".join(_direction(r) for r in pooled.itertuples())
        + " The two counties of a pair share geography, not necessarily anything else."
    )


def _direction(r) -> str:
    """One sentence on the sign of a pooled difference, only where its interval excludes 0."""
    if r.ci_low > 0:
        word = "more"
    elif r.ci_high < 0:
        word = "less"
    else:
        return (
            f"For {esc(r.contrast)}, the interval includes no difference: the law side and its "
            "neighbours across the line adopt at similar rates."
        )
    return (
        f"For {esc(r.contrast)}, counties on the law side are {word} likely to hold an "
        "agreement than their contiguous neighbours across the line."
    )


def exit_reason_text(exits: pd.DataFrame, panel: pd.DataFrame, reasons: tuple[str, str]) -> str:
    """How many agreements ended, and how many after a prohibition."""
    after = reasons[0]
    n_after = int((exits["reason"] == after).sum())
    states_after = ", ".join(sorted(exits.loc[exits["reason"] == after, "state"].unique()))
    renamed = int(panel["outcome"].isin(["renamed", "uncertain"]).sum())
    flicker = int((panel["outcome"] == "flicker").sum())
    return (
        f"{fmt_int(len(exits))} agreements ended over {fmt_int(len(panel))} agreement-intervals "
        f"at risk: {n_after} after a state prohibition ({states_after}) and "
        f"{fmt_int(len(exits) - n_after)} with no prohibition enacted (an agency's or "
        "ICE's decision the lists do not explain). Not counted as exits: "
        f"{renamed} agreements "
        f"that left under a new key with a clear or possible successor, and {flicker} "
        "intervals in which an agreement was missing from one list and came back."
    )


def exit_model_text(models: pd.DataFrame, prohibition_states: list[str]) -> str:
    """The exit hazard's main terms, the wild bootstrap p and the few-cluster caveat
    (``prohibition_states``: the states with agreements at risk under a prohibition)."""
    main = models[models["model"] == "with partisanship change"].set_index("term")
    lpm = models[models["model"].str.startswith("LPM")].set_index("term")
    first = models[models["model"] == "all agreements"].set_index("term")

    def hr(table, term) -> str:
        r = table.loc[term]
        return (
            f"{TERM_LABELS[term]} HR {r.hazard_ratio:.2f} "
            f"(95% CI {r.hr_ci_low:.2f} to {r.hr_ci_high:.2f})"
        )

    terms = [t for t in ("tfm", "wso", "municipal", "gop_change_pp") if t in main.index]
    text = (
        "Conditional on the other terms and the year, in the model with partisanship change "
        f"({fmt_int(main.n.iloc[0])} intervals, {int(main.n_events.iloc[0])} exits, "
        f"{int(main.n_clusters.iloc[0])} state clusters): "
        + "; ".join(hr(main, t) for t in terms)
        + "."
    )
    if "prohibition_enacted" in first.index and "prohibition_enacted" in lpm.index:
        p_wild = lpm.at["prohibition_enacted", "p_wild"]
        hr_ban = first.at["prohibition_enacted", "hazard_ratio"]
        word = "more" if hr_ban > 1 else "less"
        states = ", ".join(esc(s) for s in prohibition_states)
        text += (
            f" Agreements in a state that had enacted a prohibition are {word} likely to end "
            f"({hr(first, 'prohibition_enacted')} with all agreements), but the term rests on "
            f"{len(prohibition_states)} states ({states}): the conventional clustered "
            f"{fmt_p(first.at['prohibition_enacted', 'p_value'])}; in the linear "
            f"probability version ({lpm.at['prohibition_enacted', 'estimate']:+.1f} pp "
            f"per interval) the clustered {fmt_p(lpm.at['prohibition_enacted', 'p_value'])} "
            f"and the wild cluster bootstrap (null imposed) gives {fmt_p(p_wild)}. With so few "
            "treated clusters even the wild bootstrap is unreliable: read the term as a "
            f"description of the exits in {states}."
        )
    return text
