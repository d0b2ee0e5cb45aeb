"""What keeps a run with nothing to do fast, without making anything wrongly current: the
import-graph edge cache, the site's stamp, and package re-exports imported on first use."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import yaml
from test_fingerprint import write_package
from tiny_notebooks import write_notebook

from analysis.fingerprint import FileReader, ImportGraph, hash_file
from analysis.runner.run import run_notebooks

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"


def test_cached_edges_follow_an_edited_module(tmp_path):
    pkg, cache = write_package(tmp_path), tmp_path / "state" / "import-graph.json"
    graph = ImportGraph(pkg, cache=cache)
    assert graph.closure(["tinypkg.a"]) == ["tinypkg", "tinypkg.a", "tinypkg.b"]
    assert graph.closure_of_source("from tinypkg import c") == [
        "tinypkg", "tinypkg.a", "tinypkg.b", "tinypkg.c",
    ]  # fmt: skip
    graph.save()
    saved = json.loads(cache.read_text())
    assert saved["edges"]["tinypkg.a"][1] == ["tinypkg", "tinypkg.b"]

    # Unchanged: the cached edges are used (poisoned here to show that nothing is re-parsed).
    saved["edges"]["tinypkg.b"][1] = ["tinypkg.sub"]
    cache.write_text(json.dumps(saved))
    assert "tinypkg.sub" in ImportGraph(pkg, cache=cache).closure(["tinypkg.a"])

    # An edited module is parsed again, whatever its timestamp.
    (pkg / "b.py").write_text("import tinypkg.sub.e\n\nbase = 1\n")
    graph = ImportGraph(pkg, cache=cache)
    assert graph.closure(["tinypkg.a"]) == [
        "tinypkg", "tinypkg.a", "tinypkg.b", "tinypkg.sub", "tinypkg.sub.e",
    ]  # fmt: skip
    graph.save()
    (pkg / "b.py").write_text("base = 1\n")
    assert ImportGraph(pkg, cache=cache).closure(["tinypkg.a"]) == [
        "tinypkg", "tinypkg.a", "tinypkg.b",
    ]  # fmt: skip


def test_a_new_module_discards_the_cache(tmp_path):
    """``from tinypkg import f`` names a module only once f.py exists: edges cached for
    another list of modules are not used."""
    pkg, cache = write_package(tmp_path), tmp_path / "import-graph.json"
    (pkg / "b.py").write_text("from tinypkg import f\n")
    graph = ImportGraph(pkg, cache=cache)
    assert graph.closure(["tinypkg.b"]) == ["tinypkg", "tinypkg.b"]
    graph.save()
    (pkg / "f.py").write_text("")
    assert ImportGraph(pkg, cache=cache).closure(["tinypkg.b"]) == [
        "tinypkg", "tinypkg.b", "tinypkg.f",
    ]  # fmt: skip


def test_unparseable_notebook_code_still_reaches_everything_from_the_cache(tmp_path):
    pkg, cache = write_package(tmp_path), tmp_path / "import-graph.json"
    graph = ImportGraph(pkg, cache=cache)
    assert graph.closure_of_source("def (:") == sorted(graph.files)
    graph.save()
    again = ImportGraph(pkg, cache=cache)
    assert again.closure_of_source("def (:") == sorted(again.files)


def test_file_reader_gives_the_same_digest(tmp_path):
    import hashlib

    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "x.csv").write_text("a\n1\n")
    plain, cached, read = hashlib.sha256(), hashlib.sha256(), FileReader()
    for digest, reader in ((plain, None), (cached, read)):
        hash_file(digest, folder, reader)
        hash_file(digest, tmp_path / "missing", reader)
    assert plain.hexdigest() == cached.hexdigest()


def test_site_is_skipped_until_an_input_or_page_changes(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs, "10_first", "output_dir = None", "print('one')")
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": [
        {"name": "10_first", "title": "First", "summary": "one"},
    ]}))  # fmt: skip
    reports = tmp_path / "reports"

    def run():
        lines = []
        run_notebooks(params_path=params, notebooks_dir=nbs, reports_dir=reports,
                      echo=lines.append)  # fmt: skip
        return [line for line in lines if line.startswith("[site]")]

    assert "unchanged" not in run()[0]
    index = reports / "html" / "index.html"
    written = index.read_bytes()
    assert run() == ["[site] unchanged (1 files)"]
    index.unlink()  # a page is missing: rebuilt, identical
    assert "unchanged" not in run()[0] and index.read_bytes() == written
    # The run's key findings are an input of the front page.
    (reports / "tables").mkdir(parents=True, exist_ok=True)
    (reports / "tables" / "key_findings.json").write_text("[]\n")
    assert "unchanged" not in run()[0]
    # A report that failed is named on the front page: its link changed, so the site is rebuilt.
    write_notebook(nbs, "10_first", "output_dir = None", "raise ValueError('no')")
    assert "unchanged" not in run()[0]
    assert "failed in this run" in index.read_text()


def lazy_packages():
    for init in sorted(PACKAGE.rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        sources = [n for n in tree.body if isinstance(n, ast.Assign)
                   and any(getattr(t, "id", "") == "_SOURCES" for t in n.targets)]  # fmt: skip
        if sources:
            yield init, tree, ast.literal_eval(sources[0].value)


def test_lazy_re_exports_match_their_visible_imports():
    """Each name imported on first use is also imported under TYPE_CHECKING from the same
    submodule: that is what the import graph (notebook fingerprints, the architecture test)
    reads, so a notebook using ``stats.x`` still depends on the module defining x."""
    import importlib

    packages = list(lazy_packages())
    assert {p.parent.name for p, _, _ in packages} >= {"stats", "report", "locate"}
    for init, tree, sources in packages:
        visible = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis."):
                visible |= {a.name: node.module.rsplit(".", 1)[1] for a in node.names}
        assert {k: v for k, v in visible.items() if k in sources} == sources, init
        module = importlib.import_module(f"analysis.{init.parent.name}")
        for name in module.__all__:
            assert getattr(module, name) is not None, (init, name)


def test_importing_the_packages_does_not_import_the_heavy_libraries():
    code = (
        "import sys\n"
        "from analysis import report, stats, locate\n"
        "import analysis.covariates.schemas, analysis.study.adoption\n"
        "heavy = ['statsmodels', 'pandera', 'scipy', 'itables', 'matplotlib']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_covariate_schemas_are_built_on_first_use():
    from analysis.covariates import schemas

    assert sorted(schemas._built()) == sorted(schemas.BUILT_ON_USE)
    assert schemas.COUNTY_COLUMNS[0] == "fips"
