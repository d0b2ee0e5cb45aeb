"""Human labels for the code names of columns shown in a report's tables.

The CSV files keep the code names (they are the data dictionaries' names); only what a reader
sees on the page is relabelled. A name without an entry is shown with its underscores as
spaces and its first letter capitalised, so no table shows a raw ``snake_case`` header.
"""

from __future__ import annotations

LABELS = {
    "agency": "Agency",
    "agency_key": "Agency key",
    "agency_type": "Agency type",
    "agency_category": "Agency category",
    "agreement_key": "Agreement",
    "agreements": "Agreements",
    "agencies": "Agencies",
    "all snapshots": "All snapshots",
    "bytes": "Bytes",
    "class": "Class",
    "counties": "Counties",
    "county": "County",
    "county_fips": "County FIPS",
    "county_name_full": "County",
    "covariate": "Covariate",
    "cross_state_check": "Cross-state check",
    "effective_date": "Effective",
    "excluded_reason": "Why excluded",
    "file": "File",
    "files": "Files",
    "fips": "County FIPS",
    "first_seen": "First listed",
    "first_signed": "First signed",
    "folder": "Source folder",
    "gone_at": "Gone at",
    "in_time_series": "In time series",
    "kind": "Kind",
    "last_seen": "Last listed",
    "licence": "Licence",
    "license": "Licence",
    "lineage": "Lineage",
    "list": "ICE list",
    "manifest_rows": "Rows (manifest)",
    "mandate_state": "Mandate state",
    "match_method": "Placement method",
    "megabytes": "MB",
    "method": "Method",
    "model": "Model",
    "models": "Models",
    "notes": "Notes",
    "obtained_by": "Obtained by",
    "origin": "Origin",
    "original_name": "Original file name",
    "path": "File",
    "policy_id": "Law",
    "prohibition_date": "Prohibition",
    "rate": "Rate",
    "reason": "Reason",
    "rows": "Rows",
    "rows_in": "Rows in",
    "sha256": "SHA-256",
    "signed": "Signed",
    "signed_date": "Signed",
    "smd": "Standardized mean difference",
    "snapshot_date": "Snapshot",
    "state": "State",
    "state_usps": "State",
    "status": "Status",
    "variable": "Variable",
    "verification": "Verification",
    "verified": "Verified",
    "when": "When",
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
