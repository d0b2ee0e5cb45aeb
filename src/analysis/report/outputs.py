"""Where a run's figures and tables go, and how they are saved reproducibly."""

from __future__ import annotations

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
