"""The report layer: what notebooks use to show results.

``outputs`` (figure and table files), ``text`` (number formats, escaping), ``text_expansion``
and ``text_models`` (prose built from numbers), ``tables`` (DataFrames as HTML), ``style``
(palette and plot defaults), ``figures`` (statistical plots) and ``maps`` (county maps). The
names notebooks use most are re-exported here, so ``from analysis import report`` then
``report.outputs(...)`` reads naturally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import lazy_exports

# ``outputs`` is imported now: it is also a submodule's name, and importing the submodule later
# would bind the module over the function. The rest are imported on first use (PEP 562), so
# that `from analysis import report` costs little until a name is used; the imports below are
# what type checkers and the import graph (analysis.fingerprint, tests/test_architecture.py)
# read.
from analysis.report.outputs import PNG_METADATA, ReportOutputs, outputs

if TYPE_CHECKING:
    from analysis.report.tables import interactive_table, table_html
    from analysis.report.text import esc, fmt_date, fmt_int, fmt_pct

_SOURCES = {
    "esc": "text",
    "fmt_date": "text",
    "fmt_int": "text",
    "fmt_pct": "text",
    "interactive_table": "tables",
    "table_html": "tables",
}
"""Each name imported on first use and the submodule that defines it."""

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

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
