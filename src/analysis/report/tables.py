"""DataFrames shown in a report: escaped cell text, human headers, one format per kind of value.

``table_html`` writes the table itself (not pandas' ``to_html``), so each cell carries its kind:
whole numbers as integers with thousands separators (never "51.0"), other numbers to three
significant digits, dates as YYYY-MM-DD on one line, booleans as yes/no, a missing value as "–";
text left-aligned, numbers right-aligned (``report-num`` / ``report-text`` / ``report-date``
classes styled by the report template). The table sits in a box that scrolls sideways, so a
wide table never widens the page.
"""

from __future__ import annotations

import math
import re
from html import escape

import pandas as pd

from analysis.report.labels import relabel

MISSING = "–"
ISO_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
NUM, TEXT, DATE = "report-num", "report-text", "report-date"


def _number(value: float, *, separators: bool = True) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}" if separators else str(int(value))
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}" if separators else f"{value:.{digits}f}"


def format_cell(value) -> str:
    """One displayed value as text (see the module docstring)."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) or pd.api.types.is_number(value):
        return _number(float(value))
    return str(value)


def column_kind(series: pd.Series) -> str:
    """``report-date``, ``report-num`` or ``report-text``: how a column is aligned."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return DATE
    if pd.api.types.is_bool_dtype(series):
        return TEXT
    if pd.api.types.is_numeric_dtype(series):
        return NUM
    present = series.dropna()
    if len(present) and all(_is_date(v) for v in present):
        return DATE
    return TEXT


def _is_date(value) -> bool:
    """A timestamp, a calendar period (a month) or its ISO text (``2025-02``, ``2025-02-28``)."""
    if isinstance(value, pd.Timestamp | pd.Period):
        return True
    return isinstance(value, str) and bool(ISO_DATE.match(value))


def display_frame(df: pd.DataFrame, *, index: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """The table as display text (labels as headers) and each column's kind."""
    frame = df.reset_index() if index else df
    frame = frame.copy()
    frame.columns = [
        " ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else c for c in frame.columns
    ]
    kinds = [column_kind(frame.iloc[:, i]) for i in range(frame.shape[1])]
    shown = pd.DataFrame(
        {i: [format_cell(v) for v in frame.iloc[:, i]] for i in range(frame.shape[1])},
        index=range(len(frame)),
    )
    year_like = [i for i, c in enumerate(frame.columns) if "year" in str(c).lower()]
    for i in year_like:
        shown[i] = [
            MISSING if pd.isna(v) else _number(float(v), separators=False)
            if pd.api.types.is_number(v) else str(v)
            for v in frame.iloc[:, i]
        ]  # fmt: skip
    shown.columns = relabel(frame.columns)
    return shown, kinds


def table_markup(df: pd.DataFrame, *, index: bool = False) -> str:
    """The ``<table>`` of :func:`table_html` inside its scrolling box."""
    shown, kinds = display_frame(df, index=index)
    pairs = list(zip(shown.columns, kinds, strict=True))
    head = "".join(f'<th class="{k}" scope="col">{escape(c)}</th>' for c, k in pairs)
    rows = []
    for row in shown.itertuples(index=False, name=None):
        cells = zip(row, kinds, strict=True)
        rows.append(
            "<tr>" + "".join(f'<td class="{k}">{escape(v)}</td>' for v, k in cells) + "</tr>"
        )
    return (
        '<div class="report-table-box"><table class="dataframe report-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def table_html(df: pd.DataFrame, *, max_rows: int | None = None, index: bool = False):
    """A DataFrame as an HTML table for display (see the module docstring); the first
    ``max_rows`` rows with a note saying how many there are.

    Returns an ``IPython.display.HTML`` object; spreadsheet text cannot inject markup.
    """
    from IPython.display import HTML

    shown = df if max_rows is None else df.head(max_rows)
    note = "" if max_rows is None or len(df) <= max_rows else (
        f"<p><em>First {max_rows} of {len(df):,} rows; the full table is saved as CSV.</em></p>"
    )  # fmt: skip
    return HTML(table_markup(shown, index=index) + note)


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


_ITABLES_LOADED = False
LAYOUT = {
    "topStart": "pageLength",
    "topEnd": "search",
    "bottomStart": "info",
    "bottomEnd": "paging",
}
"""DataTables' controls, kept even on a table that fits one page (itables would drop them)."""


def interactive_table(df: pd.DataFrame, *, table_id: str, caption: str | None = None,
                      page_length: int = 10, index: bool = False):  # fmt: skip
    """A searchable, sortable table (DataTables through ``itables``, offline): the cells
    formatted as in :func:`table_html`, numbers sorted as numbers, ``table_id`` fixed (so two
    runs write the same page). The first call in a notebook also shows the DataTables bundle
    itself (``connected=False``): the page loads nothing from the network.
    """
    global _ITABLES_LOADED
    import itables
    from IPython.display import HTML

    if not _ITABLES_LOADED:
        itables.init_notebook_mode(all_interactive=False, connected=False)
        _ITABLES_LOADED = True
    shown, kinds = display_frame(df, index=index)
    align = {NUM: "dt-right", TEXT: "dt-left", DATE: "dt-left"}
    markup = itables.to_html_datatable(
        shown,
        table_id=table_id,
        connected=False,
        showIndex=False,
        caption=caption,
        pageLength=page_length,
        lengthMenu=sorted({10, 25, 50, 100, page_length}),
        classes="display compact",
        layout=LAYOUT,
        columnDefs=[
            {
                "targets": [i for i, k in enumerate(kinds) if k == kind],
                "className": f"{align[kind]} {kind}",
            }
            | ({"type": "num-fmt"} if kind == NUM else {})
            for kind in (NUM, TEXT, DATE)
            if kind in kinds
        ],  # fmt: skip
    )
    return HTML(f'<div class="report-table-box report-interactive">{markup}</div>')
