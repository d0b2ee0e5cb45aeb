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
