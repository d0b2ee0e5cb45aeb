"""The notebook runner on tiny notebooks: order, skipping, failures, determinism, HTML."""

from __future__ import annotations

import hashlib

import nbformat
import pytest
import yaml
from tiny_notebooks import write_notebook

from analysis.runner.run import RunConfigError, run_notebooks


@pytest.fixture
def project(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs, "10_first", "output_dir = None\nx = 1", "print('x is', x)")
    write_notebook(nbs, "20_second", "output_dir = None\ny = 2", "print('y is', y)")
    write_notebook(nbs, "30_broken", "output_dir = None", "raise ValueError('bad input <b>')")
    config = {
        "defaults": {"x": 1},
        "notebooks": [
            {"name": "10_first", "title": "First report", "summary": "one"},
            {
                "name": "20_second",
                "title": "Second report",
                "summary": "two",
                "needs": ["10_first"],
            },
        ],
    }
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump(config))
    return tmp_path, params, config


def run(tmp, params, **kw):
    return run_notebooks(
        params_path=params, notebooks_dir=tmp / "notebooks", reports_dir=tmp / "reports",
        echo=lambda m: None, **kw,
    )  # fmt: skip


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_skip_rerun_and_determinism(project):
    tmp, params, config = project
    first = run(tmp, params)
    assert [(r.name, r.status) for r in first] == [
        ("10_first", "executed"),
        ("20_second", "executed"),
    ]
    reports = tmp / "reports"
    executed = nbformat.read(reports / "executed" / "10_first.ipynb", as_version=4)
    assert "papermill" not in executed.metadata
    assert all("execution" not in c.metadata for c in executed.cells)
    assert executed.metadata["title"] == "First report"
    html = (reports / "html" / "10_first.html").read_text()
    assert "<title>First report</title>" in html
    assert 'class="report-toc"' in html and "#First-part" in html
    assert "print(" not in html  # code is hidden
    assert "x is 1" in html
    index = (reports / "html" / "index.html").read_text()
    assert 'href="10_first.html"' in index and 'href="20_second.html"' in index
    hashes = {p.name: digest(p) for p in (reports / "executed").glob("*.ipynb")}
    hashes |= {p.name: digest(p) for p in (reports / "html").glob("*.html")}

    # Nothing changed: nothing re-executed.
    assert {r.status for r in run(tmp, params)} == {"unchanged"}

    # One notebook's parameter changed: only it is re-executed.
    config["notebooks"][1]["parameters"] = {"y": 3}
    params.write_text(yaml.safe_dump(config))
    assert [r.status for r in run(tmp, params)] == ["unchanged", "executed"]

    # An upstream change re-executes its dependants too.
    config["defaults"]["x"] = 5
    params.write_text(yaml.safe_dump(config))
    assert [r.status for r in run(tmp, params)] == ["executed", "executed"]

    # Forced re-execution with the original parameters reproduces the files byte for byte.
    config["defaults"]["x"] = 1
    config["notebooks"][1].pop("parameters")
    params.write_text(yaml.safe_dump(config))
    run(tmp, params, force=True)
    again = {p.name: digest(p) for p in (reports / "executed").glob("*.ipynb")}
    again |= {p.name: digest(p) for p in (reports / "html").glob("*.html")}
    assert again == hashes


def test_failure_names_notebook_and_cell_and_others_complete(project):
    tmp, params, config = project
    config["notebooks"].insert(0, {"name": "30_broken", "title": "Broken", "summary": "fails"})
    config["notebooks"].append(
        {"name": "40_after", "title": "After", "summary": "x", "needs": ["30_broken"]}
    )
    write_notebook(tmp / "notebooks", "40_after", "output_dir = None", "print(1)")
    params.write_text(yaml.safe_dump(config))
    results = {r.name: r for r in run(tmp, params)}
    assert results["30_broken"].status == "failed"
    assert "cell 3 line 1 (\"raise ValueError('bad input <b>')\")" in results["30_broken"].message
    assert "ValueError: bad input <b>" in results["30_broken"].message
    assert results["40_after"].status == "skipped"
    assert results["10_first"].status == results["20_second"].status == "executed"
    assert not (tmp / "reports" / "html" / "30_broken.html").exists()
    assert (tmp / "reports" / "executed" / "30_broken.failed.ipynb").exists()
    index = (tmp / "reports" / "html" / "index.html").read_text()
    assert "30_broken" not in index or "failed" in index


def test_as_of_runs_into_its_own_folder(project):
    tmp, params, config = project
    write_notebook(tmp / "notebooks", "10_first", "output_dir = None\nas_of = None\nx = 1",
                   "print('as of', as_of)")  # fmt: skip
    run(tmp, params, only=["10_first"])
    run(tmp, params, only=["10_first"], as_of="2025-05-29")
    html = (tmp / "reports" / "as-of-2025-05-29" / "html" / "10_first.html").read_text()
    assert "as of 2025-05-29" in html
    assert "as of None" in (tmp / "reports" / "html" / "10_first.html").read_text()


def test_undeclared_parameter_is_a_config_error(project):
    tmp, params, config = project
    config["notebooks"][0]["parameters"] = {"nonexistent": 1}
    params.write_text(yaml.safe_dump(config))
    with pytest.raises(RunConfigError, match="nonexistent"):
        run(tmp, params)
