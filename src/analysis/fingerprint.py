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
from collections.abc import Callable, Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent  # the analysis package
CODE_SUFFIXES = {".py", ".j2", ".json", ".csv", ".yaml", ".css"}


def hash_file(digest, path: Path, read: Callable[[Path], bytes] | None = None) -> None:
    """Add a file, or every file of a folder, with its name to ``digest``; ``read`` (default
    :meth:`Path.read_bytes`) lets a caller read each file once, e.g. :class:`FileReader`."""
    digest.update(path.name.encode())
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            hash_file(digest, child, read)
    elif path.exists():
        digest.update((read or Path.read_bytes)(path))
    else:
        digest.update(b"<missing>")


class FileReader:
    """Reads each file once (the bytes are kept): one run hashes the same input for several
    notebooks and for the site."""

    def __init__(self):
        self._bytes: dict[Path, bytes] = {}

    def __call__(self, path: Path) -> bytes:
        if path not in self._bytes:
            self._bytes[path] = path.read_bytes()
        return self._bytes[path]


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


# Statement fields that hold statements: an import is always a statement, so the walk never
# needs to enter an expression (most of a module's nodes).
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(tree: ast.Module) -> Iterable[ast.AST]:
    """Every statement of ``tree``, nested ones included (function, class, ``if``, ``try``,
    ``with``, loop and ``match`` bodies)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        for field in _BLOCKS:
            stack.extend(getattr(node, field, None) or ())


class ImportGraph:
    """The modules of one package and which of them each imports (parsed once, on demand).

    ``cache``: a JSON file that keeps each module's edges keyed by the hash of its source (and
    of the package's list of modules), so that a run parses only the modules that changed.
    Call :meth:`save` to write it back."""

    def __init__(self, package_dir: Path = PACKAGE_DIR, cache: Path | None = None):
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
        self._bytes: dict[str, bytes] = {}
        self.cache = cache
        # Edges depend on which modules exist (``from p import x``: is x a module?), so a cache
        # made for another list of modules is not used.
        self._modules_key = hashlib.sha256("\n".join(self.files).encode()).hexdigest()
        self._cached: dict[str, list] = {}
        self._dirty = False
        self._sources_used: set[str] = set()
        if cache is not None and cache.is_file():
            try:
                saved = json.loads(cache.read_text(encoding="utf-8"))
            except ValueError:
                saved = {}
            if saved.get("modules") == self._modules_key:
                self._cached = saved.get("edges", {})

    def source_bytes(self, module: str) -> bytes:
        """A module's file, read once."""
        if module not in self._bytes:
            self._bytes[module] = self.files[module].read_bytes()
        return self._bytes[module]

    def save(self) -> None:
        """Write the edge cache (when there is one and something new was parsed)."""
        if self.cache is None or not self._dirty:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        # A notebook's code is kept only while it is current (edits would pile up otherwise).
        edges = {k: v for k, v in self._cached.items()
                 if not k.startswith("<source>:") or k in self._sources_used}  # fmt: skip
        data = {"modules": self._modules_key, "edges": edges}
        tmp = self.cache.with_name(self.cache.name + ".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(self.cache)
        self._dirty = False

    def _is_package(self, module: str) -> bool:
        return self.files[module].name == "__init__.py"

    def _with_parents(self, dotted: str) -> set[str]:
        parts = dotted.split(".")
        return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & self.files.keys()

    def imports_in(self, source: str, module: str | None = None) -> set[str]:
        """Package modules named by the imports in ``source`` (``module``: where it lives, for
        relative imports), with their enclosing packages."""
        found: set[str] = set()
        for node in _statements(ast.parse(source)):
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
                    found |= {f"{base}.{alias.name}"} & self.files.keys()
        return found

    def imports_of(self, module: str) -> set[str]:
        if module not in self._edges:
            source = self.source_bytes(module)
            key = hashlib.sha256(source).hexdigest()
            hit = self._cached.get(module)
            if hit is not None and hit[0] == key:
                self._edges[module] = set(hit[1])
            else:
                edges = self.imports_in(source.decode("utf-8"), module) - {module}
                self._edges[module] = edges
                self._cached[module] = [key, sorted(edges)]
                self._dirty = True
        return self._edges[module]

    def roots_of_source(self, source: str) -> set[str] | None:
        """The package modules code outside the package names (None: it cannot be parsed);
        kept in the cache by the code's hash, like a module's edges."""
        key = "<source>:" + hashlib.sha256(source.encode()).hexdigest()
        self._sources_used.add(key)
        if key in self._cached:
            roots = self._cached[key]
            return None if roots is None else set(roots)
        try:
            found: set[str] | None = self.imports_in(source)
        except SyntaxError:
            found = None
        self._cached[key] = None if found is None else sorted(found)
        self._dirty = True
        return found

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
        roots = self.roots_of_source(source)
        return sorted(self.files) if roots is None else self.closure(roots)

    def fingerprint(self, modules: Iterable[str], extra: Iterable[Path] = ()) -> str:
        """Hash of the named modules' files (and ``extra`` files or folders)."""
        digest = hashlib.sha256()
        for module in sorted(set(modules)):
            digest.update(module.encode())
            digest.update(self.source_bytes(module))
        for path in extra:
            hash_file(digest, path)
        return digest.hexdigest()
