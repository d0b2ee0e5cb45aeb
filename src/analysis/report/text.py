"""Numbers and spreadsheet text as the reader sees them: house formats, and escaping that never
lets spreadsheet text through as HTML."""

from __future__ import annotations

import html

import pandas as pd


def esc(value: object) -> str:
    """Text from a spreadsheet, safe to put into Markdown/HTML."""
    return html.escape(str(value), quote=True)


def fmt_int(value: float | int) -> str:
    return f"{int(round(value)):,}"


def fmt_pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def fmt_date(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")
