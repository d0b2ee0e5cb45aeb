"""Kernels forked from the run's zygote: warm, isolated, the same outputs, and a fallback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import nbformat
import papermill
import pytest
import yaml
from jupyter_client.connect import write_connection_file
from nbformat.v4 import new_code_cell, new_notebook
from tiny_notebooks import KERNELSPEC, write_notebook

from analysis.runner import kernels
from analysis.runner.execute import kernel_environment
from analysis.runner.run import run_notebooks
from analysis.runner.zygote import interpreter_command, preload, refusal

WARM = "colorsys"  # a module a fresh kernel does not import


@pytest.fixture
def zygote():
    z = kernels.Zygote(kernels.kernel_argv("python3"), [WARM], kernel_environment())
    deadline = time.monotonic() + 60
    while not os.path.exists(z.address):
        assert z.warming() and time.monotonic() < deadline
        time.sleep(0.05)
    assert not z.warming()  # serving
    yield z
    z.close()
    assert z.process.poll() is not None and not os.path.exists(z.folder)


def execute(tmp_path, code: str, address: str | None) -> list[str]:
    source, target = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    cells = [new_code_cell(code)]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), source)
    kernels.use_zygote(address)
    try:
        os.environ.update(kernel_environment())
        out = papermill.execute_notebook(
            str(source), str(target), kernel_name="python3", progress_bar=False,
            kernel_manager_class=kernels.ForkingKernelManager, cwd=str(tmp_path),
        )  # fmt: skip
    finally:
        kernels.use_zygote(None)
    return "".join(o.get("text", "") for o in out.cells[0].outputs).split()


PROBE = f"import os, sys\nprint({WARM!r} in sys.modules, os.getppid(), os.getcwd())"


def test_forked_kernel_has_the_modules_warm_and_an_empty_namespace(tmp_path, zygote):
    warm, parent, cwd = execute(tmp_path, PROBE, zygote.address)
    assert warm == "True" and int(parent) == zygote.process.pid and cwd == str(tmp_path)
    assert execute(tmp_path, "print('colorsys' in dir())", zygote.address) == ["False"]


def test_what_the_zygote_loaded_is_frozen_for_the_kernels_garbage_collector(tmp_path, zygote):
    probe = "import gc\nprint(gc.get_freeze_count() > 1000)"
    assert execute(tmp_path, probe, zygote.address) == ["True"]
    assert execute(tmp_path, probe, None) == ["False"]  # a kernel started the usual way


def test_modules_named_after_the_start_are_loaded_before_it_serves(tmp_path):
    z = kernels.Zygote(kernels.kernel_argv("python3"), [], kernel_environment(), more=True)
    try:
        time.sleep(1)
        assert z.warming() and not os.path.exists(z.address)  # waits for the rest of the list
        z.also_load([WARM])
        deadline = time.monotonic() + 60
        while not os.path.exists(z.address):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert execute(tmp_path, PROBE, z.address)[0] == "True"
    finally:
        z.close()
    unnamed = kernels.Zygote(kernels.kernel_argv("python3"), [], kernel_environment(), more=True)
    unnamed.close()  # the runner stopped before naming them: the zygote ends
    assert unnamed.process.poll() is not None and not os.path.exists(unnamed.folder)


def test_without_a_zygote_the_kernel_starts_as_usual(tmp_path):
    warm, parent, _ = execute(tmp_path, PROBE, None)
    assert warm == "False" and int(parent) == os.getpid()


def test_a_kernel_asked_for_another_environment_is_not_forked(tmp_path):
    z = kernels.Zygote(kernels.kernel_argv("python3"), [WARM], {**kernel_environment(), "X": "1"})
    try:
        while not os.path.exists(z.address):
            time.sleep(0.05)
        warm, parent, _ = execute(tmp_path, PROBE, z.address)
        assert warm == "False" and int(parent) == os.getpid()  # started by jupyter_client
    finally:
        z.close()


def test_refusal_names_what_differs():
    argv = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]
    start = interpreter_command(argv)
    assert start == [sys.executable, "-Xfrozen_modules=off"]
    env = {"PYTHONHASHSEED": "0", "JPY_PARENT_PID": "7"}
    assert refusal({"argv": argv, "env": env}, {"PYTHONHASHSEED": "0"}, start) == ""
    other = {"argv": argv, "env": {"PYTHONHASHSEED": "1"}}
    assert "PYTHONHASHSEED" in refusal(other, {"PYTHONHASHSEED": "0"}, start)
    assert "not this interpreter" in refusal({"argv": ["R", "--slave"], "env": {}}, {}, start)
    assert interpreter_command(["python", "-m", "other_kernel", "-f", "x"]) is None


def test_forked_kernel_exits_when_the_process_that_asked_for_it_is_gone(tmp_path, zygote):
    asker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)"])
    connection = tmp_path / "kernel.json"
    write_connection_file(str(connection), key=b"k")
    argv = [*interpreter_command(kernels.kernel_argv("python3")), "-m", "ipykernel_launcher",
            "-f", str(connection)]  # fmt: skip
    env = {**kernel_environment(), "JPY_PARENT_PID": str(asker.pid)}
    kernel = kernels.fork_kernel(zygote.address, argv, env, str(tmp_path))
    assert kernel is not None and kernel.poll() is None
    asker.wait()
    assert kernel.wait(timeout=30) is not None


def test_run_with_warm_kernels_writes_the_same_bytes(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    body = ("import matplotlib.pyplot as plt\nimport pandas as pd\n"
            "fig, ax = plt.subplots()\nax.plot([1, 3, 2])\nplt.show()\n"
            "pd.DataFrame({'a': [1, 2]})")  # fmt: skip
    entries = []
    for name in ("10_a", "20_b", "30_c"):
        write_notebook(nbs, name, "output_dir = None", body)
        entries.append({"name": name, "title": name, "summary": name})
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"notebooks": entries}))

    reports = tmp_path / "reports"  # one folder: the output folder's name is in the outputs

    def outputs(warm: bool) -> dict[str, str]:
        results = run_notebooks(
            params_path=params, notebooks_dir=nbs, reports_dir=reports, workers=1,
            echo=lambda m: None, warm_kernels=warm, force=True,
        )  # fmt: skip
        assert [r.status for r in results] == ["executed"] * 3
        files = sorted(p for p in reports.rglob("*") if p.is_file() and ".state" not in p.parts)
        return {str(p.relative_to(reports)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in files}  # fmt: skip

    assert outputs(warm=True) == outputs(warm=False)


def test_preload_calls_warm_ups_and_leaves_failures_to_the_notebook(tmp_path, monkeypatch):
    (tmp_path / "warmable.py").write_text(
        "memo = []\ndef fill():\n    memo.append(1)\ndef broken():\n    raise OSError('no file')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    preload(["warmable", "warmable:fill", "warmable:broken", "not_a_module_here:fill"])
    assert sys.modules["warmable"].memo == [1]
    assert "not_a_module_here" not in sys.modules
