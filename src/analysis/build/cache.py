"""Skip a build stage whose inputs and code have not changed since it last wrote its tables.

The fingerprint covers the raw files (their catalogued hashes and any live ICE downloads), the
committed reference tables (data/*.csv, data/manual/, data/dictionaries/) and the package source.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from analysis import paths
from analysis.fingerprint import code_fingerprint


def inputs_fingerprint(raw_dir: Path) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    committed = sorted(paths.DATA.glob("*.csv")) + sorted(paths.MANUAL.glob("*.csv"))
    committed += sorted((paths.DATA / "dictionaries").glob("*.csv"))
    live = raw_dir / "ice_287g" / "latest" / "LATEST.csv"
    # The catalog pins the raw files' hashes (fetch verified them); MANIFEST.csv is left out
    # because it records retrieval times, which differ between otherwise identical checkouts.
    for path in [*committed, live]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def stamp_path(out_dir: Path, stage: str) -> Path:
    return out_dir / f".build-{stage}.json"


def is_current(out_dir: Path, stage: str, fingerprint: str) -> bool:
    stamp = stamp_path(out_dir, stage)
    if not stamp.exists():
        return False
    record = json.loads(stamp.read_text())
    tables_exist = all((out_dir / f"{t}.parquet").exists() for t in record.get("tables", []))
    return record.get("fingerprint") == fingerprint and tables_exist


def record(out_dir: Path, stage: str, fingerprint: str, tables: dict[str, int]) -> None:
    stamp_path(out_dir, stage).write_text(
        json.dumps({"fingerprint": fingerprint, "tables": sorted(tables)}, indent=1) + "\n"
    )
