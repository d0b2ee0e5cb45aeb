"""Normalising executed notebooks and rendering them to the reviewers' HTML.

Two executions of the same notebook on the same inputs differ only in timing metadata and the
random id papermill gives the injected-parameters cell; both are removed here, so the
normalised notebook and its HTML are byte-identical across runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

TEMPLATE_DIR = Path(__file__).parent / "templates"
TOC_MARKER = "<!-- report-toc -->"


def normalize(nb: nbformat.NotebookNode, title: str) -> nbformat.NotebookNode:
    """Strip timings and papermill bookkeeping; give cells stable ids; set the title."""
    nb.metadata.pop("papermill", None)
    nb.metadata["title"] = title
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{i:03d}"
    return nb


def error_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, 'Name: value') for every error output in the notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append((i, f"{out.get('ename')}: {out.get('evalue')}"))
    return found


def _anchor_toc(body: str) -> str:
    """A <nav> of the rendered h2 headings, using the ids nbconvert gave them."""
    items = []
    for match in re.finditer(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', body, flags=re.S):
        anchor, inner = match.group(1), match.group(2)
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        items.append(f'<li><a href="#{anchor}">{text}</a></li>')
    if not items:
        return ""
    return '<nav class="report-toc"><h2>Contents</h2><ol>' + "".join(items) + "</ol></nav>"


def render_html(nb: nbformat.NotebookNode) -> str:
    """HTML with code hidden, a table of contents and the notebook's title."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    toc = _anchor_toc(body)
    body = body.replace(TOC_MARKER, "", 1)
    # The contents go right after the first cell (the title and purpose), else at the top.
    first = body.find('<div class="jp-Cell ')
    second = body.find('<div class="jp-Cell ', first + 1) if first != -1 else -1
    if second == -1:
        return body.replace("<main>", "<main>" + toc, 1)
    return body[:second] + toc + body[second:]
