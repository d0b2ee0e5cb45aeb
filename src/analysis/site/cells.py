"""Tables as the reader sees them on the site: human column labels, no ``NaN`` or ``51.0``,
dates on one line, text left-aligned and numbers right-aligned, wide tables scrolling inside
their own box."""

from __future__ import annotations

import html
import math

import pandas as pd

LABELS = {
    "agency": "Agency",
    "agency_type": "Agency type",
    "agency_category": "Category",
    "county_name": "County",
    "county_fips": "County FIPS",
    "jurisdiction_level": "Jurisdiction level",
    "jurisdiction_name": "Jurisdiction",
    "jurisdiction_population": "Residents of the jurisdiction",
    "match_method": "Placement method",
    "model": "Model",
    "models_active": "Models on the latest list",
    "signed_first": "Signed (first seen)",
    "signed_last": "Signed (latest)",
    "first_seen": "First listed",
    "last_seen": "Last listed",
    "status": "Status",
    "lineage": "Lineage",
    "moa": "MOA",
    "addendum": "Addendum",
    "instrument": "Instrument",
    "policy_type": "Type",
    "applies_to": "Applies to",
    "year": "Year",
    "signed_date": "Signed",
    "effective_date": "In effect",
    "deadline_date": "Deadline",
    "prohibition_date": "Prohibited from",
    "verification": "Verification",
    "table": "Table",
    "rows": "Rows",
    "description": "Description",
    "files": "Files",
    "state": "State",
    "agreements_ever": "Agreements at any snapshot",
    "agreements_latest": "On the latest list",
}
"""Column name → what the page shows (a column without an entry keeps its name, capitalised)."""

MATCH_METHODS = {
    "ice_county_exact": "ICE's county column",
    "ice_county_fuzzy": "ICE's county column (typo corrected)",
    "independent_city": "independent city",
    "agency_name": "county named in the agency name",
    "agency_name_fuzzy": "county named in the agency name (typo corrected)",
    "place_cousub": "town or township in the name",
    "place_census": "Census place in the name",
    "place_geonames": "GeoNames place in the name",
    "manual_override": "reviewed by hand",
    "statewide": "statewide agency",
    "territory": "territory",
    "unmatched": "not placed",
    "not_located": "not placed",
}
LINEAGE = {
    "exit": "left the list",
    "successor": "renamed (successor found)",
    "successor_uncertain": "left; possible successor",
}


def label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " ").capitalize())


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def text(value: object) -> str:
    """One cell as plain text: empty when missing, ``YYYY-MM-DD`` for dates, whole numbers
    without ``.0`` and with thousands separators."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.3g}"
    return str(value)


def kind(series: pd.Series) -> str:
    """``date``, ``num`` or ``text``: how a column is aligned and wrapped."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    return "num" if pd.api.types.is_numeric_dtype(series) else "text"


def html_table(df: pd.DataFrame, *, raw_html: tuple[str, ...] = (), caption: str = "") -> str:
    """A static table in a scrolling box; cells escaped except the ``raw_html`` columns
    (links the caller built from escaped parts)."""
    kinds = {c: kind(df[c]) for c in df.columns}
    head = "".join(f'<th scope="col" class="{kinds[c]}">{html.escape(label(c))}</th>'
                   for c in df.columns)  # fmt: skip
    rows = []
    for record in df.itertuples(index=False):
        cells = []
        for column, value in zip(df.columns, record, strict=True):
            shown = (value or "") if column in raw_html else html.escape(text(value))
            cells.append(f'<td class="{kinds[column]}">{shown}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    body = "\n".join(rows)
    return (f'<div class="scroll"><table class="site">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>\n{body}\n</tbody></table></div>")  # fmt: skip


def for_display(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as its display text with human column labels (for itables, which shows
    what it is given): no NaN, dates as ``YYYY-MM-DD``, integers without ``.0``."""
    shown = pd.DataFrame(
        {label(c): [text(v) for v in df[c].tolist()] for c in df.columns}, dtype=object
    )
    return shown


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 agreement``, ``2,401 agreements``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
