"""Content hashes that decide what is stale: files and folders, and the package code a piece of
work actually runs.

What a notebook or a build stage runs is found from the import graph, not from a hand-kept
list: the ``import`` statements of its code (a notebook's code cells, a stage's module) are
parsed with :mod:`ast`, every module of the package they name is added, then the modules those
import, until nothing new appears. Importing ``analysis.x.y`` executes ``analysis/__init__.py``
and ``analysis/x/__init__.py`` too, so every enclosing package is part of the closure. Imports
inside functions count (they run when the function does). A module that nothing reaches can
change without making anything stale.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent  # the analysis package
CODE_SUFFIXES = {".py", ".j2", ".json", ".csv", ".yaml", ".css"}


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
    """Hash of the whole package source and report templates (any change makes it differ)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_code(notebook: Path) -> str:
    """The code cells of a notebook, joined; IPython magics and shell lines are commented out
    so that :mod:`ast` can parse the rest."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = [
            f"# {line}" if line.lstrip().startswith(("%", "!")) else line
            for line in source.splitlines()
        ]
        cells.append("\n".join(lines))
    return "\n\n".join(cells)


class ImportGraph:
    """The modules of one package and which of them each imports (parsed once, on demand)."""

    def __init__(self, package_dir: Path = PACKAGE_DIR):
        self.package_dir = package_dir
        self.package = package_dir.name
        self.files: dict[str, Path] = {}
        for path in sorted(package_dir.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = (self.package, *path.relative_to(package_dir).with_suffix("").parts)
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            self.files[name] = path
        self._edges: dict[str, set[str]] = {}

    def _is_package(self, module: str) -> bool:
        return self.files[module].name == "__init__.py"

    def _with_parents(self, dotted: str) -> set[str]:
        parts = dotted.split(".")
        return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(self.files)

    def imports_in(self, source: str, module: str | None = None) -> set[str]:
        """Package modules named by the imports in ``source`` (``module``: where it lives, for
        relative imports), with their enclosing packages."""
        found: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found |= self._with_parents(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    if module is None:
                        continue  # a relative import outside the package names nothing in it
                    anchor = module.split(".")
                    if not self._is_package(module):
                        anchor = anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found |= self._with_parents(base)
                for alias in node.names:
                    found |= {f"{base}.{alias.name}"} & set(self.files)
        return found

    def imports_of(self, module: str) -> set[str]:
        if module not in self._edges:
            source = self.files[module].read_text(encoding="utf-8")
            self._edges[module] = self.imports_in(source, module) - {module}
        return self._edges[module]

    def closure(self, roots: Iterable[str]) -> list[str]:
        """Every package module reachable from ``roots`` (module names), roots included."""
        seen: set[str] = set()
        stack = [r for r in roots if r in self.files]
        while stack:
            module = stack.pop()
            if module in seen:
                continue
            seen.add(module)
            stack.extend(self.imports_of(module) - seen)
        return sorted(seen)

    def closure_of_source(self, source: str) -> list[str]:
        """The modules code outside the package (a notebook) reaches; all of them when the code
        cannot be parsed (stale rather than wrongly current)."""
        try:
            roots = self.imports_in(source)
        except SyntaxError:
            return sorted(self.files)
        return self.closure(roots)

    def fingerprint(self, modules: Iterable[str], extra: Iterable[Path] = ()) -> str:
        """Hash of the named modules' files (and ``extra`` files or folders)."""
        digest = hashlib.sha256()
        for module in sorted(set(modules)):
            digest.update(module.encode())
            digest.update(self.files[module].read_bytes())
        for path in extra:
            hash_file(digest, path)
        return digest.hexdigest()
