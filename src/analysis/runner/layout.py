"""What the runner works on: a notebook of the run list (:class:`NotebookSpec`, an entry of
``params.yaml``) and where a run writes (:class:`Layout`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.report.outputs import ReportOutputs


@dataclass
class NotebookSpec:
    name: str
    title: str
    summary: str
    needs: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    # Roughly how long it runs (seconds, 2 cores): which notebook to start first before a run
    # has recorded its time. A scheduling hint, never a result.
    typical_seconds: float = 0.0
    directory: Path = paths.NOTEBOOKS

    @property
    def source(self) -> Path:
        return self.directory / f"{self.name}.ipynb"


@dataclass(frozen=True)
class Layout(ReportOutputs):
    """Where one run writes: the default reports, or an ``as-of`` run's own folder. Figures
    and tables go where the notebooks' ``report.outputs`` puts them."""

    @property
    def executed(self) -> Path:
        return self.root / "executed"

    @property
    def html(self) -> Path:
        return self.root / "html"

    @property
    def state(self) -> Path:
        return self.root / ".state"

    @classmethod
    def for_run(cls, as_of: str | None, reports_dir: Path | None = None) -> Layout:
        base = reports_dir or paths.REPORTS
        return cls(base if as_of is None else base / f"as-of-{as_of}")
