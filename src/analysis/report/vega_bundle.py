"""The Vega, Vega-Lite and vega-embed JavaScript of the interactive maps, kept as a file of the
environment.

``vl_convert.javascript_bundle()`` builds the bundle anew in each process (about 3 s), yet it
depends only on the installed vl-convert-python. ``make env`` therefore writes it once, to
``<sys.prefix>/share/analysis/vega-embed-<version>.js`` (``python -m analysis.report.vega_bundle``),
and :func:`javascript_bundle` reads that file. When the file is missing (an environment made
without ``make env``, or another vl-convert version) the bundle is computed as before and the file
written, if the environment is writable. The text is the same either way, byte for byte.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "vl-convert-python"


def bundle_path(prefix: str | Path | None = None) -> Path:
    """Where the environment keeps the bundle of the installed vl-convert-python."""
    version = metadata.version(DISTRIBUTION)
    return Path(prefix or sys.prefix) / "share" / "analysis" / f"vega-embed-{version}.js"


def write_bundle(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then renamed);
    False, and nothing written, when the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)
            handle.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def javascript_bundle(path: Path | None = None) -> str:
    """``vl_convert.javascript_bundle()``: read from the environment's file when it is there,
    else computed (and the file written when possible)."""
    path = bundle_path() if path is None else path
    with contextlib.suppress(OSError):
        return path.read_bytes().decode("utf-8")
    import vl_convert

    text = vl_convert.javascript_bundle()
    write_bundle(path, text)
    return text


def main() -> None:
    """Write the bundle of the installed vl-convert-python (``make env``); drop the files of
    other versions."""
    import vl_convert

    path = bundle_path()
    if not write_bundle(path, vl_convert.javascript_bundle()):
        raise SystemExit(f"cannot write {path}")
    for old in path.parent.glob("vega-embed-*.js"):
        if old != path:
            old.unlink()


if __name__ == "__main__":
    main()
