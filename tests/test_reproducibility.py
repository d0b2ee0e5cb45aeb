"""Reproducibility: the processed tables and an executed notebook (normalized .ipynb and its
HTML) come out byte-identical from two runs. CI runs these; any difference fails it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from tiny_notebooks import write_notebook

from analysis.build.stages import STAGES
from analysis.runner.run import run_notebooks


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.mirror
def test_processed_tables_are_byte_identical_across_builds(raw_dir, tmp_path):
    """Every build stage (`analysis build`), run twice from data/raw into two folders."""
    runs = []
    for name in ("first", "second"):
        out = tmp_path / name
        out.mkdir()
        for stage in STAGES.values():
            stage(raw_dir, out)
        runs.append(digests(out))
    first, second = runs
    assert first, "the build wrote nothing"
    assert any(f.endswith(".parquet") for f in first) and any(f.endswith(".csv") for f in first)
    differing = sorted(f for f in first.keys() | second.keys() if first.get(f) != second.get(f))
    assert differing == [], f"files differ between two builds: {differing}"


NOTEBOOK_BODY = """\
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import analysis
from analysis.report import esc, fmt_int, outputs, table_html

out = outputs(output_dir)
rng = np.random.default_rng(seed)
counts = pd.DataFrame({
    "state": ["TX", "FL", "OH", "GA"],
    "agreements": rng.integers(10, 300, size=4),
})
display(table_html(counts))
display(Markdown(f"**{esc('Texas & Florida')}** lead with {fmt_int(counts.agreements.max())}."))
print({"b", "a", "c"} == {"a", "b", "c"}, sorted({"b", "a", "c"}))
fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
ax.bar(counts["state"], counts["agreements"], color="0.4")
ax.plot(np.arange(4), rng.normal(100, 20, size=4), marker="o")
ax.set_title("Seeded figure")
out.save_figure(fig, "seeded")
out.save_table(counts, "counts")
plt.show()
assert len(counts) == 4
"""


def tiny_project(
    tmp_path: Path,
    name: str,
    body: str,
    title: str,
    summary: str,
    defaults: dict,
    params_src: str = "output_dir = None",
) -> tuple[Path, Path]:
    """notebooks/<name>.ipynb (purpose, parameters, ``body``, checks) and its params.yaml."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    write_notebook(nbs, name, params_src, body, title=name, first="Results", second="Checks",
                   last_src="print('checked')")  # fmt: skip
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({
        "defaults": defaults,
        "notebooks": [{"name": name, "title": title, "summary": summary}],
    }))  # fmt: skip
    return nbs, params


def test_notebook_executed_twice_is_byte_identical(tmp_path):
    nbs, params = tiny_project(tmp_path, "repro", NOTEBOOK_BODY, "Repro", "seeded",
                               {"seed": 20250529}, "output_dir = None\nseed = 0")  # fmt: skip
    reports = tmp_path / "reports"

    def run_once() -> dict[str, str]:
        results = run_notebooks(params_path=params, notebooks_dir=nbs, reports_dir=reports,
                                force=True, echo=lambda m: None)  # fmt: skip
        assert [(r.name, r.status) for r in results] == [("repro", "executed")], results
        return digests(reports)

    first = run_once()
    assert {"executed/repro.ipynb", "html/repro.html", "figures/seeded.png"} <= set(first)
    html = (reports / "html" / "repro.html").read_text()
    assert "<img" in html and "Texas &amp;amp; Florida" not in html
    second = run_once()
    compared = {k: v for k, v in first.items() if not k.startswith(".")}
    differing = sorted(k for k, v in compared.items() if second.get(k) != v)
    assert differing == [], f"outputs differ between two runs: {differing}"
