"""Which ICE snapshots the history reads, and reading them: in this process, in worker
processes, or shared with the build's second process.

Nothing here imports pandas, so that the build's second process (forked before the ICE stage
imports anything heavy) starts reading its share of the spreadsheets at once, while this process
imports what the history tables need. The files are read in source order and the results keep
it, so the tables are the same bytes however the reading was shared; an error is the one the
earliest failing file raises, as in a serial read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from analysis.fetch import require
from analysis.ice.index import snapshot_files
from analysis.ice.snapshot import LoadedFile, load_file

HELPER_SHARE = 0.6
"""The part of the spreadsheet bytes the build's second process reads (the first files in source
order): it starts reading while this process imports pandas for the history tables."""


@dataclass(frozen=True)
class Source:
    file: str  # relative to raw_dir
    snapshot_date: date
    source: str  # archive | live
    origin: str
    list_catalog: str
    manifest_rows: int | None


class Helper(Protocol):
    """The build's second process (:class:`analysis.build.stages.Apart`): runs one errand."""

    def run(self, target: str, *args):  # -> an object whose result() gives the return value
        ...


Job = tuple[str, date, str]  # (path, snapshot date, file as the rows cite it)


def snapshot_sources(raw_dir: Path, index: Path | None = None) -> list[Source]:
    """Every snapshot to read: the archived index (default ``data/ice_snapshots.csv``) plus the
    live downloads recorded under ``raw_dir``, oldest first."""
    return [
        Source(s.file, s.snapshot_date, s.source, s.origin, s.list_catalog, s.manifest_rows)
        for s in snapshot_files(raw_dir, index)
    ]


def jobs_of(sources: list[Source], raw_dir: Path) -> list[Job]:
    """What reading ``sources`` takes (each file must have been fetched)."""
    return [(str(require(s.file, raw_dir)), s.snapshot_date, s.file) for s in sources]


def _load(job: Job) -> LoadedFile:
    path, snapshot_date, file = job
    return load_file(Path(path), snapshot_date, file)


def load_jobs(jobs: list[Job]) -> list[LoadedFile]:
    """Read ``jobs`` here, in order (the errand the build's second process runs)."""
    return [_load(job) for job in jobs]


def load_all(sources: list[Source], raw_dir: Path, workers: int | None = None) -> list[LoadedFile]:
    """Read every source; in ``workers`` processes when > 1. Results keep the sources' order,
    so the build is the same whatever the number of workers."""
    jobs = jobs_of(sources, raw_dir)
    workers = min(os.cpu_count() or 1, 2) if workers is None else workers
    if workers <= 1 or len(jobs) < 4:
        return load_jobs(jobs)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_load, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def helper_share(jobs: list[Job], share: float = HELPER_SHARE) -> int:
    """How many of the first ``jobs`` make up ``share`` of their bytes on disk."""
    sizes = [os.path.getsize(path) for path, _, _ in jobs]
    total, running = sum(sizes), 0
    for count, size in enumerate(sizes):
        if running + size / 2 > share * total:
            return count
        running += size
    return len(jobs)


def load_shared(jobs: list[Job], helper: Helper, before_own=None) -> list[LoadedFile]:
    """Read ``jobs`` in two processes: the first ones (:func:`helper_share`) by ``helper``, the
    rest here after calling ``before_own`` (work to do while the helper reads). The error of the
    earliest failing file is raised, as in a serial read."""
    count = helper_share(jobs)
    theirs = helper.run(f"{__name__}:load_jobs", jobs[:count])
    if before_own is not None:
        before_own()
    try:
        mine, error = load_jobs(jobs[count:]), None
    except Exception as exc:  # noqa: BLE001 - raised below, unless an earlier file failed
        mine, error = [], exc
    loaded = theirs.result()
    if error is not None:
        raise error
    return loaded + mine
