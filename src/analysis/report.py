"""What a notebook needs to show results: output folders, figure and table saving, and text
formatting that never lets spreadsheet text through as HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths

# PNG metadata without software version or date, so figure files are reproducible.
PNG_METADATA = {"Software": None}


@dataclass(frozen=True)
class ReportOutputs:
    root: Path

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def tables(self) -> Path:
        return self.root / "tables"

    # Both return None, so a call ending a notebook cell prints nothing.
    def save_figure(self, fig, name: str) -> None:
        """Save ``fig`` as ``figures/<name>.png`` (name after what the reader sees)."""
        self.figures.mkdir(parents=True, exist_ok=True)
        fig.savefig(self.figures / f"{name}.png", format="png", metadata=PNG_METADATA)

    def save_table(self, df: pd.DataFrame, name: str, index: bool = False) -> None:
        self.tables.mkdir(parents=True, exist_ok=True)
        df.to_csv(self.tables / f"{name}.csv", index=index, lineterminator="\n")


def outputs(output_dir: str | Path | None) -> ReportOutputs:
    """The run's output folder (``reports/`` unless the runner passes another)."""
    if not output_dir:
        return ReportOutputs(paths.REPORTS)
    folder = Path(output_dir)
    return ReportOutputs(folder if folder.is_absolute() else paths.ROOT / folder)


def esc(value: object) -> str:
    """Text from a spreadsheet, safe to put into Markdown/HTML."""
    return html.escape(str(value), quote=True)


def fmt_int(value: float | int) -> str:
    return f"{int(round(value)):,}"


def fmt_pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def fmt_date(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


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
