"""Every location the project reads or writes, resolved from the project root.

Nothing else in the project builds a path from a literal like ``'../data'``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
RAW = DATA / "raw"
# ANALYSIS_PROCESSED_DIR lets a benchmark or test read and write processed tables elsewhere.
PROCESSED = Path(os.environ.get("ANALYSIS_PROCESSED_DIR") or DATA / "processed")
MANUAL = DATA / "manual"
CATALOG = DATA / "catalog.csv"
RAW_MANIFEST = RAW / "MANIFEST.csv"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
BENCHMARKS = ROOT / "benchmarks"
PARAMS = ROOT / "params.yaml"

MIRROR_ENV = "ANALYSIS_MIRROR"


def mirror() -> Path | None:
    """The offline mirror named by ``ANALYSIS_MIRROR``, or None when it is unset.

    A relative value is taken from the current directory first, then from the project root,
    so ``ANALYSIS_MIRROR=../shared/data/mirror`` works from either place.
    """
    value = os.environ.get(MIRROR_ENV, "").strip()
    if not value:
        return None
    candidate = Path(value).expanduser()
    if candidate.is_absolute():
        return candidate
    for base in (Path.cwd(), ROOT):
        if (base / candidate).is_dir():
            return (base / candidate).resolve()
    return (ROOT / candidate).resolve()
