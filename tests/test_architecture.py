"""The package's floor plan: each module imports only from its own layer or below, and no
two modules import each other, directly or through others (imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"

# Bottom to top, in the order the data flows. A module belongs to the first layer whose prefix
# matches its dotted name; "analysis.<name>" modules not listed sit at the bottom.
LAYERS = [
    ("base", ("analysis.paths", "analysis.errors", "analysis.io", "analysis.tables",
              "analysis.fingerprint", "analysis.fetch", "analysis.lazy", "analysis")),
    ("geo", ("analysis.geo",)),
    ("ice", ("analysis.ice",)),
    ("locate", ("analysis.locate",)),
    ("covariates", ("analysis.covariates",)),
    ("build", ("analysis.build",)),
    ("stats", ("analysis.stats",)),
    ("study", ("analysis.study",)),
    ("report", ("analysis.report",)),
    ("site", ("analysis.site",)),
    ("runner", ("analysis.runner",)),
    ("explore", ("analysis.explore",)),
    ("cli", ("analysis.cli", "analysis.__main__")),
]  # fmt: skip
MAX_MODULE_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(reversed(LAYERS)):
        if any(module == p or module.startswith(p + ".") for p in prefixes if p != "analysis"):
            return len(LAYERS) - 1 - rank
    return 0


def imports(path: Path) -> set[str]:
    """Every ``analysis.*`` module the file imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "analysis"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "analysis":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if (PACKAGE.parent / sub.replace(".", "/")).exists()
                          or (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                          else node.module)  # fmt: skip
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    return {
        name: {m for m in imports(p) if m in modules and m != name} for name, p in modules.items()
    }


def test_layers_are_known():
    assert layer_of("analysis.paths") == 0
    assert layer_of("analysis.ice.read") < layer_of("analysis.locate.matcher")
    assert layer_of("analysis.runner.run") > layer_of("analysis.report.outputs")
    assert layer_of("analysis.cli.build") == len(LAYERS) - 1


def test_no_module_imports_from_a_layer_above():
    upward = [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {dep} ({LAYERS[layer_of(dep)][0]})"
        for name, deps in graph().items()
        for dep in sorted(deps)
        if layer_of(dep) > layer_of(name) and dep != "analysis"
    ]
    assert upward == []


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circle():
    # A package's __init__ importing its own submodules is how re-exports work, not a circle.
    edges = {
        name: {d for d in deps if not name.startswith(d + ".") and d != "analysis"}
        for name, deps in graph().items()
    }
    assert _cycle(edges) is None


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_modules_are_small(path: Path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES
