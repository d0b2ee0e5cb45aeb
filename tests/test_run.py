"""The notebook runner on tiny notebooks: order, skipping, failures, determinism, HTML."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import nbformat
import pandas as pd
import pytest
import yaml
from tiny_notebooks import write_notebook

from analysis import cli, paths
from analysis.runner import run as runner_run
from analysis.runner.as_of import AsOfError, check_as_of
from analysis.runner.run import RunConfigError, run_notebooks


@pytest.fixture
def project(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs, "10_first", "output_dir = None\nx = 1", "print('x is', x)")
    write_notebook(nbs, "20_second", "output_dir = None\ny = 2", "print('y is', y)")
    write_notebook(
        nbs, "30_broken", "output_dir = None", "checked = 1\nraise ValueError('bad input <b>')"
    )
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


def test_failure_names_notebook_and_cell_and_others_complete(project, capfd):
    tmp, params, config = project
    config["notebooks"].insert(0, {"name": "30_broken", "title": "Broken", "summary": "fails"})
    config["notebooks"].append(
        {"name": "40_after", "title": "After", "summary": "x", "needs": ["30_broken"]}
    )
    write_notebook(tmp / "notebooks", "40_after", "output_dir = None", "print(1)")
    params.write_text(yaml.safe_dump(config))
    results = {r.name: r for r in run(tmp, params)}
    assert results["30_broken"].status == "failed"
    # The cell's number and the line that raised, not the cell's first line.
    assert "cell 3 line 2 (\"raise ValueError('bad input <b>')\")" in results["30_broken"].message
    assert "ValueError: bad input <b>" in results["30_broken"].message
    assert results["40_after"].status == "skipped"
    assert results["10_first"].status == results["20_second"].status == "executed"
    assert not (tmp / "reports" / "html" / "30_broken.html").exists()
    assert (tmp / "reports" / "executed" / "30_broken.failed.ipynb").exists()
    index = (tmp / "reports" / "html" / "index.html").read_text()
    assert "30_broken" not in index or "failed" in index
    captured = capfd.readouterr()
    for noise in ("without encryption", "KeyboardInterrupt caught in kernel", "Traceback"):
        assert noise not in captured.out + captured.err


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


DRIVER = """
import sys
from pathlib import Path
from analysis import paths
paths.PARAMS, paths.NOTEBOOKS, paths.REPORTS = (Path(a) for a in sys.argv[1:4])
from analysis.cli import main
sys.exit(main(["run", "--workers", "2"]))
"""


def test_ctrl_c_stops_workers_keeps_finished_and_says_what_is_pending(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    marker = tmp_path / "slow.pid"
    write_notebook(nbs, "10_quick", "output_dir = None", "print('quick')")
    write_notebook(nbs, "20_slow", "output_dir = None",
                   f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
                   "time.sleep(120)")  # fmt: skip
    write_notebook(nbs, "30_after", "output_dir = None", "print('after')")
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": [
        {"name": "10_quick", "title": "Q", "summary": "q"},
        {"name": "20_slow", "title": "S", "summary": "s"},
        {"name": "30_after", "title": "A", "summary": "a", "needs": ["20_slow"]},
    ]}))  # fmt: skip
    reports = tmp_path / "reports"
    # Its own session, so that the signal goes to its whole process group, as a terminal's does.
    # SIGINT restored to its default, as a terminal's shell gives it: a test run started in the
    # background of a non-interactive shell inherits it ignored, and Python then never raises
    # KeyboardInterrupt.
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(params), str(nbs), str(reports)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # The quick notebook's state file is written after its line is printed.
    done = reports / ".state" / "10_quick.json"
    while not (marker.exists() and done.exists()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == [
        "interrupted: stopped 20_slow; not started 30_after; finished notebooks are kept"
    ]
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    assert "without encryption" not in out + err
    assert "[run] 10_quick" in out
    assert (reports / ".state" / "10_quick.json").exists()
    assert not (reports / "html" / "20_slow.html").exists()
    assert not list((reports / "executed").glob(".*.running.ipynb"))
    kernel = int(marker.read_text())
    for _ in range(100):  # the stopped notebook's kernel exits with its worker
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(kernel, signal.SIGKILL)
        pytest.fail("the kernel of the interrupted notebook is still running")


@pytest.fixture
def snapshots(tmp_path, monkeypatch):
    """A processed ice_snapshot_files table: participating lists 2021-01-13 → 2026-05-11."""
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame({
        "snapshot_date": pd.to_datetime(["2021-01-13", "2021-02-28", "2025-05-29", "2026-05-11"]),
        "list": ["participating", "participating", "pending", "participating"],
        "in_time_series": [True, False, True, True],
    }).to_parquet(processed / "ice_snapshot_files.parquet")  # fmt: skip
    monkeypatch.setattr(paths, "PROCESSED", processed)

    def no_kernel(**kwargs):
        raise AssertionError("a kernel would have started")

    monkeypatch.setattr(runner_run, "run_notebooks", no_kernel)
    return processed


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2025-13-01", "error: --as-of 2025-13-01 is not a calendar date (month must be in 1..12)"),
        ("2025-02-30", "error: --as-of 2025-02-30 is not a calendar date "
                       "(day is out of range for month)"),
        ("29/05/2025", "error: --as-of takes a date YYYY-MM-DD, not '29/05/2025'"),
        ("2019-01-01", "error: --as-of 2019-01-01 is before the first ICE snapshot (2021-01-13); "
                       "choose a date on or after 2021-01-13"),
    ],
)  # fmt: skip
def test_bad_as_of_is_one_line_and_no_kernel(snapshots, capsys, as_of, message):
    assert cli.main(["run", "--as-of", as_of]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [message]
    assert captured.out == ""


def test_as_of_after_the_latest_snapshot_says_so_and_runs(snapshots, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(runner_run, "run_notebooks", lambda **kw: calls.append(kw) or [])
    assert cli.main(["run", "--as-of", "2030-01-01"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "run: --as-of 2030-01-01 is after the latest ICE snapshot (2026-05-11): "
        "the run equals the latest snapshot"
    )
    assert calls[0]["as_of"] == "2030-01-01"
    assert check_as_of("2021-01-13") is None  # the first snapshot itself is fine
    assert check_as_of("2026-05-11") is None


def test_as_of_without_processed_tables_says_to_build(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "nothing")
    with pytest.raises(AsOfError, match="analysis build"):
        check_as_of("2025-05-29")


def test_run_notebooks_parses_as_of_before_any_kernel(project):
    tmp, params, _ = project
    with pytest.raises(AsOfError, match="not a calendar date"):
        run(tmp, params, as_of="2025-13-01")
    assert not (tmp / "reports").exists()
