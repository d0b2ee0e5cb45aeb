"""The report layer: what notebooks use to show results.

``outputs`` (figure and table files), ``text`` (number formats, escaping), ``text_expansion``
and ``text_models`` (prose built from numbers), ``tables`` (DataFrames as HTML), ``style``
(palette and plot defaults), ``figures`` (statistical plots) and ``maps`` (county maps). The
names notebooks use most are re-exported here, so ``from analysis import report`` then
``report.outputs(...)`` reads naturally.
"""

from analysis.report.outputs import PNG_METADATA, ReportOutputs, outputs
from analysis.report.tables import interactive_table, table_html
from analysis.report.text import esc, fmt_date, fmt_int, fmt_pct

__all__ = [
    "PNG_METADATA",
    "ReportOutputs",
    "esc",
    "fmt_date",
    "fmt_int",
    "fmt_pct",
    "interactive_table",
    "outputs",
    "table_html",
]
