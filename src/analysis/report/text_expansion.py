"""Prose of the descriptive reports (00 provenance, 10 row accounting, 20 expansion,
30 geography, 40 county profile): each sentence that carries a number is built here from the
computed tables, so a notebook only displays it and a test can check it.

Every function returns Markdown; spreadsheet text never reaches these sentences (only counts,
dates, shares and the project's own labels), so nothing needs escaping.
"""

from __future__ import annotations

import pandas as pd

from analysis.report.text import fmt_date, fmt_int, fmt_pct

# --- 00 data provenance


def raw_files_summary(files: pd.DataFrame) -> str:
    """Files, megabytes and source folders; how many match their sha256; how each was obtained."""
    obtained = ", ".join(f"{k} {v}" for k, v in files["obtained_by"].value_counts().items())
    return (
        f"**{fmt_int(len(files))} raw files** "
        f"({files['bytes'].sum() / 1e6:.1f} MB) in {files['folder'].nunique()} source folders; "
        f"**{fmt_int(files['verified'].sum())} of {fmt_int(len(files))}** match "
        f"their catalogued sha256 now. Obtained by: " + obtained + "."
    )


def calendar_summary(calendar: pd.DataFrame) -> str:
    """Snapshot files per list (and how many are in the time series), and the date range."""
    counts = calendar.groupby(["list", "in_time_series"]).size().unstack(fill_value=0)
    per_list = "; ".join(
        f"{lst} {int(row.sum())} ({int(row.get(True, 0))} in the time series)"
        for lst, row in counts.iterrows()
    )
    return (
        f"**{len(calendar)} snapshot files**: " + per_list
        + f". Dates {fmt_date(calendar['snapshot_date'].min())} to "
        f"{fmt_date(calendar['snapshot_date'].max())}."
    )  # fmt: skip


def excluded_summary(excluded: pd.DataFrame) -> str:
    return f"**Excluded from the time series: {len(excluded)} file(s).**"


# --- 10 row accounting


def row_accounting_summary(files: pd.DataFrame, adds_up: pd.Series, matches: pd.Series) -> str:
    """Spreadsheets per list, rows read, clean and quarantined, and how many files add up."""
    return (
        f"**{len(files)} spreadsheets** ({(files['list'] == 'participating').sum()} "
        f"participating, {(files['list'] == 'pending').sum()} pending) hold "
        f"**{fmt_int(files['rows_in'].sum())} data rows**: "
        f"{fmt_int(files['rows_clean'].sum())} clean and "
        f"{fmt_int(files['rows_quarantined'].sum())} quarantined. The accounting adds up "
        f"for **{adds_up.sum()} of {len(files)}** files and matches the manifest's row count for "
        f"**{matches.sum()} of {len(files)}**. Trailing blank rows skipped: "
        f"{fmt_int(files['trailing_blank_rows'].sum())}; interior blank rows: "
        f"{fmt_int(files['interior_blank_rows'].sum())}."
    )


def eras_summary(eras: pd.DataFrame, relabelled: pd.DataFrame) -> str:
    return (
        f"{len(eras)} distinct column layouts. Files whose content contradicts the catalogue's "
        f"list label: **{len(relabelled)}**."
    )


def quarantine_summary(quarantine: pd.DataFrame) -> str:
    if quarantine.empty:
        return "No row was quarantined: every row had a known state and a known model."
    return f"**{len(quarantine)} quarantined rows**, by reason:"


# --- 20 expansion


def growth_summary(baseline: pd.Series, now: pd.Series, latest: pd.Timestamp) -> str:
    """The baseline list against the latest: agreements, agencies, states, the TFM."""
    growth = now["agreements"] / baseline["agreements"]
    return (
        f"On **{fmt_date(baseline['snapshot_date'])}** ICE listed "
        f"**{fmt_int(baseline['agreements'])} agreements** held by "
        f"{fmt_int(baseline['agencies'])} agencies in {baseline['states']} states. "
        f"On **{fmt_date(latest)}** it listed **{fmt_int(now['agreements'])} "
        f"agreements** ({growth:.1f} times as many) held by {fmt_int(now['agencies'])} "
        f"agencies in {now['states']} states"
        + (f" and {now['territories']} territories" if now["territories"] else "")
        + f". The Task Force Model went from {fmt_int(baseline['TFM'])} to "
        f"{fmt_int(now['TFM'])} agreements."
    )


def latest_snapshot_note(latest: pd.Timestamp) -> str:
    return f"Latest snapshot {fmt_date(latest)}. Dotted lines: state mandates."


def flows_summary(flows: pd.DataFrame, exits_total: int | None = None) -> str:
    """The largest addition between two snapshots, and the totals added and exited; with
    ``exits_total`` (every exit of the record, as report 10 counts them), how the two relate."""
    biggest = flows.loc[flows["added"].idxmax()]
    text = (
        f"The largest addition came between {fmt_date(biggest['previous_snapshot'])} and "
        f"{fmt_date(biggest['snapshot_date'])}: **{fmt_int(biggest['added'])}** "
        f"agreements. Over the period shown, {fmt_int(flows['added'].sum())} agreements "
        f"were added and {fmt_int(flows['removed_exit'].sum())} exited for good."
    )
    if exits_total is None:
        return text
    earlier = exits_total - int(flows["removed_exit"].sum())
    return text + (
        f" Over the whole record **{fmt_int(exits_total)} agreements exited**, the count of the "
        f"QA report; the other {fmt_int(earlier)} left before "
        f"{fmt_date(flows['snapshot_date'].min())}, the first snapshot of the period shown."
    )


def exit_reconciliation_summary(reconciliation: pd.DataFrame) -> str:
    """Disappearances, and how many were renames, uncertain and exits, overall and in the
    expansion report's period (the table of ``expansion.disappearance_reconciliation``)."""
    table = reconciliation.set_index("class")
    total, before, later = table.columns
    return (
        f"**{fmt_int(table.loc['disappeared', total])} agreements disappeared** for good: "
        f"{fmt_int(table.loc['renamed', total])} renames or typo fixes, "
        f"{fmt_int(table.loc['uncertain', total])} uncertain and "
        f"**{fmt_int(table.loc['exit', total])} exits**. Of the exits, "
        f"{fmt_int(table.loc['exit', later])} are dated {later.removesuffix(' on')} or later, "
        f"the period of the expansion report's flows (its 'exited for good'), and "
        f"{fmt_int(table.loc['exit', before])} earlier."
    )


def state_exits_summary(state_exits: pd.DataFrame, state: str, year: int) -> str:
    """How many agreements of ``state`` exited in ``year``, by the first snapshot without them."""
    if state_exits.empty:
        return f"No agreement of {state} exited in {year}."
    by_date = state_exits.groupby("gone_at").size()
    dates = ", ".join(f"{n} on {fmt_date(d)}" for d, n in by_date.items())
    return (
        f"**{fmt_int(len(state_exits))} agreements of {state} exited in {year}** (by the first "
        f"snapshot without them): {dates}."
    )


def signing_lag_summary(lags: pd.DataFrame) -> str:
    """Median and interquartile range of the lag, read against the snapshot spacing (the gap
    before the first listing), the share listed at least one snapshot late, and the share
    above 90 days."""
    days, gap = lags["lag_days"], lags["snapshot_gap_days"]
    late = lags["signed_before_previous_snapshot"].mean()
    return (
        f"Median lag **{days.median():.0f} days** (interquartile range "
        f"{days.quantile(0.25):.0f}–{days.quantile(0.75):.0f}), against a median gap of "
        f"{gap.median():.0f} days between the snapshot that first lists an agreement and the "
        "one before it: a lag shorter than that gap is mostly the snapshot spacing, not ICE's "
        f"delay. {late:.1%} of {fmt_int(len(lags))} agreements were signed before the previous "
        f"snapshot, so they were listed at least one snapshot late; {(days > 90).mean():.1%} "
        "took more than 90 days (usually an older agreement re-signed or listed late)."
    )


def florida_texas_share(ranking: pd.DataFrame, latest: pd.Timestamp) -> str:
    """The share of all agreements held by Florida and Texas on the latest snapshot."""
    share = ranking.set_index("state").reindex(["FL", "TX"])["share"].sum()
    return (
        f"Florida and Texas together hold **{fmt_pct(share)}** of the "
        f"{fmt_int(ranking['agreements'].sum())} agreements on "
        f"{fmt_date(latest)}."
    )


# --- 30 geography


def placement_summary(snap: pd.DataFrame, quality: pd.DataFrame, latest: pd.Timestamp) -> str:
    """Share of the latest agreements placed in a county, by agency type, and conflicts."""
    by_type = "; ".join(
        f"{r.agency_type} {fmt_pct(r.placed_share)} of {fmt_int(r.agreements)}"
        for r in quality.itertuples()
    )
    return (
        f"On {fmt_date(latest)}, **{fmt_pct(snap['placed'].mean())}** of "
        f"{fmt_int(len(snap))} agreements are placed in a county: " + by_type
        + f". Agreements whose placement carries a conflict between sources: "
        f"{fmt_int(snap['match_conflict'].sum())}."
    )  # fmt: skip


def adopting_counties_summary(status: pd.DataFrame, counties: int, latest: pd.Timestamp) -> str:
    """Counties with an agreement out of all ``counties``, and those with a TFM agreement."""
    tfm_counties = int((status["tfm"] > 0).sum())
    return (
        f"On {fmt_date(latest)}, **{fmt_int(len(status))} of "
        f"{fmt_int(counties)} counties** have at least one agreement; "
        f"{fmt_int(tfm_counties)} of them have a Task Force Model agreement."
    )


# --- 40 county profile


def coverage_summary(covariates: pd.DataFrame, qa: pd.DataFrame) -> str:
    return (
        f"**{fmt_int(len(covariates))} counties**; "
        f"**{fmt_int(covariates['core_complete'].sum())}** have every core variable. "
        f"The QA table holds {fmt_int(len(qa))} flagged values over "
        f"{qa['fips'].nunique()} counties or scopes."
    )


def balance_summary(
    latest_balance: pd.DataFrame, with_before: int, with_latest: int, latest: pd.Timestamp
) -> str:
    """Adopting counties before and now, and the covariates with the largest SMD either way."""
    top = latest_balance.sort_values("smd")
    return (
        f"Counties with an agreement: {with_before} before the expansion, **{with_latest}** on "
        f"{fmt_date(latest)}. The largest positive difference now is in "
        f"**{top.iloc[-1]['covariate'].lower()}** (SMD {top.iloc[-1]['smd']:+.2f}); the largest "
        f"negative in **{top.iloc[0]['covariate'].lower()}** (SMD {top.iloc[0]['smd']:+.2f})."
    )


def agency_type_note(workbook_era_start: pd.Timestamp) -> str:
    """Where the agency type comes from, before and after ICE's own workbooks."""
    return (
        "Before 2025 the agency type is inferred from the agency's name (the web-page table had "
        f"no TYPE column); from {fmt_date(workbook_era_start)} it is ICE's own TYPE where present."
    )


# --- coverage


def coverage_headline_summary(head: dict[str, float], date: pd.Timestamp) -> str:
    """The nine shares of :func:`analysis.study.coverage.coverage_headline` as one paragraph."""

    def three(measure: str) -> str:
        return (
            f"{fmt_pct(head[f'{measure}_all'])} of all residents, "
            f"{fmt_pct(head[f'{measure}_hispanic'])} of Hispanic and "
            f"{fmt_pct(head[f'{measure}_foreign_born'])} of foreign-born residents"
        )

    return (
        f"On {fmt_date(date)}, **{fmt_pct(head['jurisdiction_all'])} of the residents of the 50 "
        "states and DC live in the jurisdiction of an agency with an agreement** ("
        + three("jurisdiction") + "). County-level agencies alone cover " + three("county_agency")
        + ". Counting every county that holds any placed agency, the old whole-county figure, "
        "gives " + three("whole_county") + ": an upper bound, since a city police department "
        "stands there for its whole county. Hispanic and foreign-born residents of a place are "
        "estimated with its county's shares (no place-level count is in the data)."
    )  # fmt: skip


def statewide_summary(states_row: pd.Series, uncounted: pd.DataFrame) -> str:
    """States with a statewide agreement, and the agencies that add no residents by rule."""
    counts = uncounted["reason"].str.split(":").str[0].value_counts()
    parts = ", ".join(f"{reason} {fmt_int(n)}" for reason, n in counts.sort_index().items())
    return (
        f"Reported apart, never counted into a county: **{fmt_int(states_row['states'])} states** "
        f"have a statewide agency with an agreement ({fmt_int(states_row['state_agencies'])} "
        f"agencies; {fmt_int(states_row['territory_agencies'])} more in territories). Agencies "
        f"adding no residents on {fmt_date(states_row['snapshot_date'])}: {parts or 'none'}."
    )


def flicker_summary(flickers: pd.DataFrame, whole: pd.DataFrame, own: pd.DataFrame) -> str:
    """The flickering agencies (:func:`analysis.study.coverage.flickering_agencies`) and what
    each absence moved: ``whole`` and ``own`` are :func:`~analysis.study.coverage.flicker_effects`
    on the whole-county and the jurisdiction measure."""
    if flickers.empty:
        return "No agency leaves the list and comes back."
    keys = ["agency_key", "gone_from"]
    moved = whole[whole["group"] == "all"].merge(
        own[own["group"] == "all"], on=keys, suffixes=("", "_own"), validate="one_to_one"
    )
    moved = flickers.merge(moved[[*keys, "gone", "back", "gone_own"]], on=keys, how="left")
    parts = "; ".join(
        f"**{r.agency}** ({r.state}) missing from {fmt_date(r.gone_from)} until "
        f"{fmt_date(r.back_on)} ({r.snapshots_missing} snapshots): "
        f"{fmt_int(-r.gone)} residents off the whole-county line when it left, "
        f"{fmt_int(r.back)} back on its return; {fmt_int(-r.gone_own)} on the jurisdiction line"
        for r in moved.itertuples()
    )
    return f"**{len(flickers)} absences** of agencies that left ICE's list and came back: {parts}."
