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

    def save_figure(self, fig, name: str) -> Path:
        """Save ``fig`` as ``figures/<name>.png`` (name after what the reader sees)."""
        self.figures.mkdir(parents=True, exist_ok=True)
        path = self.figures / f"{name}.png"
        fig.savefig(path, format="png", metadata=PNG_METADATA)
        return path

    def save_table(self, df: pd.DataFrame, name: str, index: bool = False) -> Path:
        self.tables.mkdir(parents=True, exist_ok=True)
        path = self.tables / f"{name}.csv"
        df.to_csv(path, index=index, lineterminator="\n")
        return path


def outputs(output_dir: str | Path | None) -> ReportOutputs:
    """The run's output folder (``reports/`` unless the runner passes another)."""
    return ReportOutputs(Path(output_dir) if output_dir else paths.REPORTS)


def esc(value: object) -> str:
    """Text from a spreadsheet, safe to put into Markdown/HTML."""
    return html.escape(str(value), quote=True)


def fmt_int(value: float | int) -> str:
    return f"{int(round(value)):,}"


def fmt_pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def fmt_date(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")
