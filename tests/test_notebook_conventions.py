"""The notebook convention of the descriptive reports 00-40: one parameters-cell layout, output
files named fig<NN>_/table<NN>_ after their notebook, no date typed into a code cell (dates come
from ``study.scope`` or the processed tables), and at most 200 lines of code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["00_data_provenance", "10_agreements_qa", "20_expansion", "30_geography",
         "40_county_profile"]  # fmt: skip
PARAMETERS_HEAD = [
    "# Folder for figures and tables (the runner sets it); None means reports/.",
    "output_dir = None",
    "# Analyse the ICE snapshots up to this date (YYYY-MM-DD); None means all of them.",
    "as_of = None",
]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SAVED = re.compile(r"save_(table|figure)\([^,]+,\s*\"([^\"]+)\"")


def code_cells(name: str) -> list[dict]:
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_layout(name):
    cell = code_cells(name)[0]
    assert "parameters" in cell["metadata"].get("tags", [])
    lines = source(cell).splitlines()
    assert lines[:4] == PARAMETERS_HEAD
    # Each parameter has its comment on the line above, none at the end of a line.
    for above, line in zip(lines, lines[1:], strict=False):
        if not line.startswith("#"):
            assert above.startswith("#") and "#" not in line, (name, line)


@pytest.mark.parametrize("name", NAMES)
def test_outputs_are_named_after_the_notebook(name):
    number = name[:2]
    saved = [m.groups() for cell in code_cells(name) for m in SAVED.finditer(source(cell))]
    assert saved, name
    for kind, file_name in saved:
        prefix = "table" if kind == "table" else "fig"
        assert file_name.startswith(f"{prefix}{number}_"), (name, file_name)


@pytest.mark.parametrize("name", NAMES)
def test_no_dates_in_code_and_thin(name):
    cells = code_cells(name)
    for cell in cells[1:]:
        assert not DATE.search(source(cell)), (name, DATE.findall(source(cell)))
    assert sum(len(source(c).splitlines()) for c in cells) <= 200


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_notebook_is_thin_and_names_its_outputs(path):
    cells = code_cells(path.stem)
    assert sum(len(source(c).splitlines()) for c in cells) <= 200
    prefix = path.stem.split("_")[0]
    for _kind, name in SAVED.findall("\n".join(source(c) for c in cells)):
        assert name.startswith((f"fig{prefix}_", f"table{prefix}_")), name
