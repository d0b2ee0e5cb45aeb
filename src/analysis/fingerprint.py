"""Content hashes that decide what is stale: files and folders, and the package source."""

from __future__ import annotations

import hashlib
from pathlib import Path


def hash_file(digest, path: Path) -> None:
    digest.update(path.name.encode())
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            hash_file(digest, child)
    elif path.exists():
        digest.update(path.read_bytes())
    else:
        digest.update(b"<missing>")


def code_fingerprint() -> str:
    """Hash of the package source and report templates: any change re-executes everything."""
    digest = hashlib.sha256()
    package = Path(__file__).parent  # the analysis package
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".json", ".csv", ".yaml", ".css"}:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
