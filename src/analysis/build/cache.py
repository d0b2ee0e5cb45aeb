"""Skip a build stage only when its inputs, its code and its outputs are what it last built.

A stage's fingerprint covers the raw files (their catalogued hashes, which fetch verified, and any
live ICE downloads), the committed reference tables (data/*.csv, data/manual/,
data/dictionaries/), the package modules the stage's module reaches through the import graph
(:class:`analysis.fingerprint.ImportGraph`), and the outputs of the stages before it (a later
stage may read them). Each stage's stamp, ``.build-<stage>.json`` in the output folder, records
that fingerprint and the sha256 of every file the stage wrote. Nothing is trusted: an output
that is missing, altered or unreadable since the stamp was written makes the stage stale, with
the file named. Tables are written to a temporary name and renamed (``analysis.io``), and the
stamp is written last, the same way, so an interrupted build leaves no half-written table and
no stamp that vouches for one.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from analysis import paths
from analysis.fingerprint import ImportGraph

TABLE_SUFFIXES = (".parquet", ".csv")


IMPORTS_CACHE = ".build-imports.json"
"""The import graph's edge cache in the output folder (each module's imports keyed by its
source's hash), so a build parses only the modules that changed since the last one."""


class Fingerprints:
    """The stages' fingerprints of one build: the import graph is built (and its edge cache
    read) once, and the committed tables and live downloads are hashed once, for every stage."""

    def __init__(self, raw_dir: Path, out_dir: Path | None = None):
        self.graph = ImportGraph(cache=out_dir / IMPORTS_CACHE if out_dir is not None else None)
        committed = sorted(paths.DATA.glob("*.csv")) + sorted(paths.MANUAL.glob("*.csv"))
        committed += sorted((paths.DATA / "dictionaries").glob("*.csv"))
        live = raw_dir / "ice_287g" / "latest" / "LATEST.csv"
        # The catalog pins the raw files' hashes (fetch verified them); MANIFEST.csv is left out
        # because it records retrieval times, which differ between otherwise identical checkouts.
        self._data = [
            (path.name.encode(), path.read_bytes() if path.exists() else b"<missing>")
            for path in [*committed, live]
        ]

    def inputs(self, modules: list[str] | None = None) -> str:
        """Hash of the committed tables, live downloads and the code of ``modules`` (with what
        they import; the whole package when None)."""
        graph = self.graph
        reached = graph.closure(modules) if modules is not None else sorted(graph.files)
        digest = hashlib.sha256(graph.fingerprint(reached).encode())
        for name, data in self._data:
            digest.update(name)
            digest.update(data)
        return digest.hexdigest()

    def save(self) -> None:
        """Write the import graph's edge cache back (when something new was parsed)."""
        if self.graph.cache is not None and self.graph.cache.parent.is_dir():
            self.graph.save()


def inputs_fingerprint(raw_dir: Path, modules: list[str] | None = None) -> str:
    """Hash of the committed tables, live downloads and the code of ``modules`` (with what they
    import; the whole package when None)."""
    return Fingerprints(raw_dir).inputs(modules)


def chained(fingerprint: str, upstream_outputs: dict[str, str]) -> str:
    """``fingerprint`` extended with the output hashes of earlier stages."""
    digest = hashlib.sha256(fingerprint.encode())
    digest.update(json.dumps(upstream_outputs, sort_keys=True).encode())
    return digest.hexdigest()


def stamp_path(out_dir: Path, stage: str) -> Path:
    return out_dir / f".build-{stage}.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def output_files(tables) -> list[str]:
    return [f"{table}{suffix}" for table in sorted(tables) for suffix in TABLE_SUFFIXES]


def read_stamp(out_dir: Path, stage: str) -> dict:
    stamp = stamp_path(out_dir, stage)
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}


def recorded_outputs(out_dir: Path, stage: str) -> dict[str, str]:
    """{file name: sha256} the stage's stamp vouches for (empty when there is no stamp)."""
    return dict(read_stamp(out_dir, stage).get("outputs", {}))


def stale_outputs(out_dir: Path, stage: str) -> list[str]:
    """Why the files the stamp records cannot be trusted: one phrase per bad file."""
    problems = []
    for name, expected in sorted(recorded_outputs(out_dir, stage).items()):
        path = out_dir / name
        if not path.exists():
            problems.append(f"{name} is missing")
            continue
        try:
            actual = sha256_of(path)
        except OSError as exc:
            problems.append(f"{name} is unreadable ({exc.strerror or exc})")
            continue
        if actual != expected:
            problems.append(f"{name} was altered since it was built")
    return problems


def is_current(out_dir: Path, stage: str, fingerprint: str) -> bool:
    record_ = read_stamp(out_dir, stage)
    return (
        bool(record_.get("outputs"))
        and record_.get("fingerprint") == fingerprint
        and not stale_outputs(out_dir, stage)
    )


def record(out_dir: Path, stage: str, fingerprint: str, tables: dict[str, int]) -> dict[str, str]:
    """Write the stage's stamp (atomically, last): its fingerprint and its outputs' hashes."""
    outputs = {name: sha256_of(out_dir / name) for name in output_files(tables)}
    stamp = stamp_path(out_dir, stage)
    part = stamp.with_name(f".{stamp.name}.part")
    part.write_text(
        json.dumps({"fingerprint": fingerprint, "tables": sorted(tables), "outputs": outputs},
                   indent=1) + "\n"
    )  # fmt: skip
    os.replace(part, stamp)
    return outputs
