"""Invalidation by import: a notebook is stale only when a module it reaches changed."""

from __future__ import annotations

import os

import yaml
from tiny_notebooks import write_notebook

from analysis.fingerprint import ImportGraph, notebook_code
from analysis.runner.run import run_notebooks


def write_package(root):
    """tinypkg: ``a`` imports ``b`` (relatively, inside a function); ``sub.d``; ``c`` unused."""
    pkg = root / "tinypkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Tiny."""\n')
    (pkg / "a.py").write_text("def value():\n    from .b import base\n\n    return base + 1\n")
    (pkg / "b.py").write_text("base = 1\n")
    (pkg / "c.py").write_text("import tinypkg.a\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "d.py").write_text("from tinypkg.sub import e\n\nname = 'd'\n")
    (pkg / "sub" / "e.py").write_text("")
    return pkg


def test_closure_follows_absolute_relative_and_parent_imports(tmp_path):
    graph = ImportGraph(write_package(tmp_path))
    assert graph.closure(["tinypkg.a"]) == ["tinypkg", "tinypkg.a", "tinypkg.b"]
    assert graph.closure_of_source("import tinypkg.sub.d\nimport os") == [
        "tinypkg", "tinypkg.sub", "tinypkg.sub.d", "tinypkg.sub.e",
    ]  # fmt: skip
    assert graph.closure_of_source("from tinypkg import c") == [
        "tinypkg", "tinypkg.a", "tinypkg.b", "tinypkg.c",
    ]  # fmt: skip
    assert graph.closure_of_source("import numpy") == []
    # Unparseable code is stale rather than wrongly current: it reaches everything.
    assert graph.closure_of_source("def (:") == sorted(graph.files)


def test_notebook_code_comments_out_magics(tmp_path):
    write_notebook(tmp_path, "n", "output_dir = None", "%matplotlib inline\n!ls\nimport tinypkg.a")
    code = notebook_code(tmp_path / "n.ipynb")
    assert "# %matplotlib inline" in code and "# !ls" in code
    graph = ImportGraph(write_package(tmp_path))
    assert "tinypkg.a" in graph.closure_of_source(code)


def test_only_notebooks_reaching_an_edited_module_rerun(tmp_path, monkeypatch):
    pkg = write_package(tmp_path)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    )
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs, "10_uses_a", "output_dir = None", "from tinypkg import a\nprint(a.value())")
    write_notebook(
        nbs, "20_uses_d", "output_dir = None", "import tinypkg.sub.d as d\nprint(d.name)"
    )
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": [
        {"name": "10_uses_a", "title": "A", "summary": "a"},
        {"name": "20_uses_d", "title": "D", "summary": "d"},
    ]}))  # fmt: skip

    def statuses():
        results = run_notebooks(
            params_path=params, notebooks_dir=nbs, reports_dir=tmp_path / "reports",
            package_dir=pkg, echo=lambda m: None,
        )  # fmt: skip
        return {r.name: r.status for r in results}

    assert statuses() == {"10_uses_a": "executed", "20_uses_d": "executed"}
    (pkg / "c.py").write_text("import tinypkg.a  # no notebook imports this module\n")
    assert statuses() == {"10_uses_a": "unchanged", "20_uses_d": "unchanged"}
    (pkg / "b.py").write_text("base = 2  # reached by 10 through a's function-level import\n")
    assert statuses() == {"10_uses_a": "executed", "20_uses_d": "unchanged"}
    (pkg / "sub" / "e.py").write_text("# reached by 20 through sub.d\n")
    assert statuses() == {"10_uses_a": "unchanged", "20_uses_d": "executed"}
    (pkg / "__init__.py").write_text('"""Tiny, edited: every importer runs it."""\n')
    assert statuses() == {"10_uses_a": "executed", "20_uses_d": "executed"}
    html = (tmp_path / "reports" / "html" / "10_uses_a.html").read_text()
    assert "3" in html  # a.value() with the edited b
