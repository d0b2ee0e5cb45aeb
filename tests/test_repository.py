"""Repository contracts: environment files agree, notebooks carry no outputs, no data committed."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib

import yaml

from analysis import paths
from analysis.fetch import load_catalog

LOCK = paths.ROOT / "requirements-lock.txt"


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


def requirement_name(req: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", req).group(0)).lower()


def test_environment_yml_wraps_the_lock():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python=")]
    assert pythons == ["python=3.11"]
    assert sys.version_info[:2] == (3, 11)
    pip_block = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements-lock.txt" in pip_block and "-e ." in pip_block
    conda_only = [d for d in deps if isinstance(d, str) and d not in ("pip",) + tuple(pythons)]
    assert conda_only == [], "conda packages the lock does not pin"


def test_every_direct_dependency_is_pinned():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"].startswith(">=3.11")
    direct = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = lock_pins()
    unpinned = [r for r in direct if requirement_name(r) not in pins]
    assert unpinned == []
    assert all(not line.startswith("-e") for line in LOCK.read_text().splitlines())


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=paths.ROOT, capture_output=True, check=True,
    )  # fmt: skip
    return [f for f in out.stdout.decode().split("\0") if f]


def test_committed_notebooks_have_no_outputs():
    for name in tracked_files():
        if name.endswith(".ipynb") and (paths.ROOT / name).exists():
            nb = json.loads((paths.ROOT / name).read_text())
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
                f"{name} carries outputs; strip them (executed copies belong in reports/)"
            )


def test_no_catalogued_data_file_is_committed():
    known = {e.sha256 for e in load_catalog()}
    for name in tracked_files():
        path = paths.ROOT / name
        if path.is_file() and path.stat().st_size > 0:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert digest not in known, f"{name} is a copy of a catalogued raw file"


def test_git_ignores_pipeline_outputs():
    probe = ["data/raw/x.csv", "data/processed/x.parquet", "reports/html/x.html", ".venv/x"]
    out = subprocess.run(
        ["git", "check-ignore", *probe], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert sorted(out.stdout.split()) == sorted(probe)
