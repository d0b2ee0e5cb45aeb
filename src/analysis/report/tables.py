"""DataFrames shown in a report: escaped cell text, dates as dates, long tables cut with a note."""

from __future__ import annotations

import pandas as pd


def table_html(df: pd.DataFrame, *, max_rows: int | None = None, index: bool = False):
    """A DataFrame as an HTML table for display: cell text escaped, no index, long cells kept.

    Returns an ``IPython.display.HTML`` object; spreadsheet text cannot inject markup.
    """
    from IPython.display import HTML

    shown = (df if max_rows is None else df.head(max_rows)).copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    with pd.option_context("display.max_colwidth", None):
        markup = shown.to_html(index=index, escape=True, border=0, classes="dataframe",
                               na_rep="", float_format=lambda v: f"{v:,.3g}")  # fmt: skip
    note = "" if max_rows is None or len(df) <= max_rows else (
        f"<p><em>First {max_rows} of {len(df):,} rows; the full table is saved as CSV.</em></p>"
    )  # fmt: skip
    return HTML(markup + note)


def raw_files_by_folder(files: pd.DataFrame) -> pd.DataFrame:
    """The raw-file table (``study.provenance.raw_files``) per source folder: licences, files,
    megabytes (rounded per licence, then summed) and whether every file is verified."""
    per_licence = files.groupby(["folder", "license"], as_index=False).agg(
        files=("path", "size"),
        megabytes=("bytes", lambda b: round(b.sum() / 1e6, 2)),
        verified=("verified", "all"),
    )
    return per_licence.groupby("folder", as_index=False).agg(
        licence=("license", "; ".join),
        files=("files", "sum"),
        megabytes=("megabytes", "sum"),
        verified=("verified", "all"),
    )


def raw_files_listing(files: pd.DataFrame, *, skip_prefix: str = "ice_287g/") -> pd.DataFrame:
    """The raw files as listed in the report: short hash, size in MB, verification, origin;
    files under ``skip_prefix`` (the ICE snapshots, listed by the calendar) left out."""
    listing = files.assign(
        sha256=files["sha256"].str[:12] + "…", MB=(files["bytes"] / 1e6).round(2)
    )
    listing = listing[["path", "MB", "sha256", "verified", "obtained_by"]]
    return listing[~listing["path"].str.startswith(skip_prefix)]
