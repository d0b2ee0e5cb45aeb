"""Human labels for the code names of columns shown in a report's tables.

The CSV files keep the code names (they are the data dictionaries' names); only what a reader
sees on the page is relabelled. A name without an entry is shown with its underscores as
spaces and its first letter capitalised, so no table shows a raw ``snake_case`` header.
"""

from __future__ import annotations

LABELS = {
    "gop_share_2024_on_list": "Republican share 2024 (on list)",
    "gop_share_2024_other": "Republican share 2024 (other)",
    "hispanic_share_on_list": "Hispanic share (on list)",
    "hispanic_share_other": "Hispanic share (other)",
    "foreign_born_share_on_list": "Foreign-born share (on list)",
    "foreign_born_share_other": "Foreign-born share (other)",
    "focal": "Covariate",
    "median_pp": "Median (pp per SD)",
    "min_pp": "Min (pp per SD)",
    "max_pp": "Max (pp per SD)",
    "r (descriptive)": "r (descriptive)",
    "r within (descriptive)": "r within (descriptive)",
    "adopters": "Adopters",
    "agencies": "Agencies",
    "agency": "Agency",
    "agency_category": "Agency category",
    "agency_key": "Agency key",
    "agency_type": "Agency type",
    "agreement_key": "Agreement",
    "agreements": "Agreements",
    "agrees_pooled": "Agrees (pooled)",
    "agrees_within_state": "Agrees (within state)",
    "all snapshots": "All snapshots",
    "auc": "AUC",
    "auc_ci_high": "AUC CI high",
    "auc_ci_low": "AUC CI low",
    "bin": "Bin",
    "boot_ci_high": "Bootstrap CI high",
    "boot_ci_low": "Bootstrap CI low",
    "border": "Border",
    "brier": "Brier score",
    "brier_reference": "Brier score (reference)",
    "brier_score": "Brier score",
    "brier_skill": "Brier skill",
    "bytes": "Bytes",
    "ci_high": "CI high",
    "ci_high_pp": "CI high (pp)",
    "ci_low": "CI low",
    "ci_low_pp": "CI low (pp)",
    "class": "Class",
    "column": "Column",
    "contrast": "Contrast",
    "counties": "Counties",
    "county": "County",
    "county_fips": "County FIPS",
    "county_name_full": "County",
    "cov_between_share": "Between share of covariance",
    "cov_within_share": "Within share of covariance",
    "covariate": "Covariate",
    "cross_state_check": "Cross-state check",
    "deadline_date": "Deadline",
    "description": "Description",
    "difference": "Difference",
    "effective_date": "Effective",
    "end_month": "End month",
    "entries": "Entries",
    "era": "Era",
    "estimate": "Estimate",
    "estimate_pooled": "Estimate (pooled)",
    "estimate_pp_per_sd": "pp per SD",
    "estimate_within": "Estimate (within)",
    "estimator": "Estimator",
    "evaluation_set": "Evaluated on",
    "event": "Event date",
    "excel_row": "Excel row",
    "excluded_reason": "Why excluded",
    "exits": "Exits",
    "exits_after_prohibition": "Exits after a prohibition",
    "exits_per_entry": "Exits per entry",
    "expected": "Expected",
    "expected_bb": "Expected BB joins",
    "expected_sign": "Expected sign",
    "file": "File",
    "files": "Files",
    "fips": "County FIPS",
    "first_exit": "First exit",
    "first_seen": "First listed",
    "first_signed": "First signed",
    "folder": "Source folder",
    "found_pooled": "Found (pooled)",
    "found_within_state": "Found (within state)",
    "gone_at": "Gone at",
    "hazard_ratio": "Hazard ratio",
    "hr_ci_high": "HR CI high",
    "hr_ci_low": "HR CI low",
    "in_time_series": "In time series",
    "instruments": "Instruments",
    "is_territory": "Territory",
    "jem": "JEM",
    "join_bb": "BB joins",
    "kind": "Kind",
    "last_exit": "Last exit",
    "last_seen": "Last listed",
    "level": "Level",
    "licence": "Licence",
    "license": "Licence",
    "lineage": "Lineage",
    "list": "ICE list",
    "literature": "Literature",
    "mandate_state": "Mandate state",
    "manifest_rows": "Rows (manifest)",
    "match_method": "Placement method",
    "match_note": "Placement note",
    "match_rule": "Placement rule",
    "matches": "Matches",
    "mean_predicted": "Mean predicted",
    "measure": "Measure",
    "median_population_on_list": "Median population (on list)",
    "median_population_other": "Median population (other)",
    "megabytes": "MB",
    "method": "Method",
    "model": "Model",
    "models": "Models",
    "morans_i": "Moran's I",
    "n": "N",
    "n_adopted": "Adopted",
    "n_clusters": "Clusters",
    "n_dropped": "Dropped",
    "n_events": "Events",
    "n_fe_dropped": "Dropped by the FE",
    "n_law_counties": "Counties (law side)",
    "n_other_counties": "Counties (other side)",
    "n_pairs": "Pairs",
    "n_test": "Test counties",
    "n_test_events": "Test adoptions",
    "n_train": "Training counties",
    "n_treated_clusters": "Treated states",
    "n_unpredictable": "Unpredictable",
    "notes": "Notes",
    "observed": "Observed",
    "observed_rate": "Observed rate",
    "obtained_by": "Obtained by",
    "on_list": "On the list",
    "origin": "Origin",
    "original_name": "Original file name",
    "p_high": "p high",
    "p_low": "p low",
    "p_sim": "p (permutation)",
    "p_sim_bb": "p BB (permutation)",
    "p_value": "p",
    "p_value_few_cluster": "p (wild bootstrap)",
    "p_value_ri": "p (randomization)",
    "p_value_ri_coef": "p (randomization, coefficient)",
    "p_wild": "p (wild bootstrap)",
    "pass": "Pass",
    "path": "File",
    "places": "Places",
    "policy_id": "Law",
    "policy_type": "Law type",
    "policy_types": "Law types",
    "predicted_probability": "Predicted probability",
    "prohibition_date": "Prohibition",
    "published": "Published",
    "r_pooled": "r (pooled)",
    "r_within": "r (within)",
    "rate": "Rate",
    "reason": "Reason",
    "rejection_rate": "Rejection rate",
    "rejections": "Rejections",
    "result": "Result",
    "risk_set": "Risk set",
    "role": "Role",
    "rows": "Rows",
    "rows_in": "Rows in",
    "sample": "Sample",
    "scope": "Scope",
    "se_dyadic": "SE (dyadic)",
    "se_type": "Standard errors",
    "sha256": "SHA-256",
    "share": "Share",
    "share_adopted": "Share adopted",
    "share_ci_high": "Share CI high",
    "share_ci_low": "Share CI low",
    "share_on_list": "Share on the list",
    "signed": "Signed",
    "signed_date": "Signed",
    "size_bin": "Population",
    "slope_between": "Slope (between)",
    "slope_pooled": "Slope (pooled)",
    "slope_within": "Slope (within)",
    "smd": "Standardized mean difference",
    "smoothing_steps": "Smoothing steps",
    "snapshot_date": "Snapshot",
    "source": "Source",
    "source_url": "Source link",
    "start_date": "Start date",
    "start_month": "Start month",
    "start_rule": "Start rule",
    "state": "State",
    "state_usps": "State",
    "status": "Status",
    "status_last_snapshot": "Status at the last snapshot",
    "std_error": "Std. error",
    "std_error_pooled": "Std. error (pooled)",
    "std_error_within": "Std. error (within)",
    "term": "Term",
    "test": "Test",
    "tfm": "TFM",
    "timing": "Timing",
    "tolerance": "Tolerance",
    "treated_clusters": "Treated states (list)",
    "unit": "Unit",
    "variable": "Variable",
    "verification": "Verification",
    "verified": "Verified",
    "vintage": "Vintage",
    "when": "When",
    "within_share_ci_high": "Within share CI high",
    "within_share_ci_low": "Within share CI low",
    "within_to_pooled": "Within / pooled",
    "wso": "WSO",
    "x_between_share": "Between share of covariate variance",
    "year": "Year",
}


def label(name: object) -> str:
    """The reader's label of a column name (see the module docstring for unknown names)."""
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    spaced = text.replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:] if spaced else text


def relabel(columns) -> list[str]:
    """Labels of several column names; a label already taken falls back to the name itself."""
    labels: list[str] = []
    for name in columns:
        text = label(name)
        if text in labels:
            text = str(name)
        labels.append(text)
    return labels


def as_percent(df, columns, digits: int | None = None, unit: str = "%"):
    """``df`` with the share ``columns`` (0-1) shown as percentages: times 100 (rounded to
    ``digits`` decimals if given; ``table_html`` shows three significant digits), renamed
    "<label> (%)" (``unit="pp"`` for differences of shares)."""
    scaled = {c: 100 * df[c] for c in columns}
    shown = df.assign(**{c: v if digits is None else v.round(digits) for c, v in scaled.items()})
    return shown.rename(columns={c: f"{label(c)} ({unit})" for c in columns})


def is_p_column(name: object) -> bool:
    """A p- or q-value column by its code name (``p_value``, ``p_sim``, ``pooled_q_value``…)."""
    text = str(name)
    return text.startswith(("p_", "q_")) or "_p_value" in text or "_q_value" in text


def p_text(value) -> object:
    """A p-value as shown: two significant digits, "< 0.001" (one line) below 0.001; missing
    kept."""
    if value is None or value != value:
        return value
    return "<\u00a00.001" if value < 0.001 else f"{value:.2g}"


def with_p_values(df):
    """``df`` with its p- and q-value columns (:func:`is_p_column`) as display text."""
    return df.assign(**{c: df[c].map(p_text) for c in df.columns if is_p_column(c)})
