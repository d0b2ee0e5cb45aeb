"""The ICE stage of ``analysis build``: read every snapshot, then build and write the history
tables (:mod:`analysis.ice.history`).

With a ``helper`` (the build's second process), the first part of the spreadsheets is read
there while this process imports the table code and reads the rest: the same tables, the same
bytes, the same error for a bad file as :func:`analysis.ice.history.build_history`.
"""

from __future__ import annotations

from pathlib import Path

from analysis.ice import load


def build_ice(raw_dir: Path, out_dir: Path, *, helper: load.Helper | None = None) -> dict[str, int]:
    """Build, validate and write every ICE table to ``out_dir``; return {table: row count}."""
    if helper is None:
        from analysis.ice import history

        return history.build_history(raw_dir, out_dir)
    sources = load.snapshot_sources(raw_dir)
    jobs = load.jobs_of(sources, raw_dir)

    def imports() -> None:
        from analysis.ice import history  # noqa: F401 - pandas, while the helper reads

    loaded = load.load_shared(jobs, helper, before_own=imports)
    from analysis.ice import history

    tables = history.build_tables(raw_dir, sources=sources, loaded=loaded)
    return history.write_tables(tables, out_dir)
