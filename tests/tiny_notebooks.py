"""Writing tiny notebooks for the runner, reproducibility and escaping tests."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_notebook(
    folder: Path,
    name: str,
    params_src: str,
    body_src: str,
    *,
    title: str = "Tiny",
    first: str = "First part",
    second: str = "Second part",
    last_src: str = "print('done')",
) -> None:
    """``<name>.ipynb``: title and purpose, a ``parameters`` cell, the body, a second section."""
    cells = [
        new_markdown_cell(f"# {title}\n\nA tiny notebook.\n\n## {first}"),
        new_code_cell(params_src, metadata={"tags": ["parameters"]}),
        new_code_cell(body_src),
        new_markdown_cell(f"## {second}"),
        new_code_cell(last_src),
    ]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}),
                   folder / f"{name}.ipynb")  # fmt: skip
