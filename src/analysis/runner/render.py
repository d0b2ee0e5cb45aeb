"""Normalising executed notebooks and rendering them to the reviewers' HTML.

Two executions of the same notebook on the same inputs differ only in timing metadata and the
random id papermill gives the injected-parameters cell; both are removed here, so the
normalised notebook and its HTML are byte-identical across runs.

Every image gets an alternative text: the one the notebook gave it (``ReportOutputs.save_figure``
puts the figure's title and caption in the PNG metadata), else one naming the section it is in.
The contents list numbers the sections only when their headings carry no number of their own.
"""

from __future__ import annotations

import re
from functools import cache
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
    _default_alt_texts(nb)
    return nb


def _heading(cell) -> str | None:
    """The text of a markdown cell's last ``#``/``##`` heading, if it has one."""
    found = re.findall(r"^#{1,2}\s+(.+?)\s*$", cell.source, flags=re.M)
    return found[-1] if cell.cell_type == "markdown" and found else None


def _default_alt_texts(nb: nbformat.NotebookNode) -> None:
    """Give every PNG output without an ``alt`` in its metadata one naming its section."""
    section = nb.metadata.get("title", "this report")
    for cell in nb.cells:
        section = _heading(cell) or section
        for out in cell.get("outputs", []):
            if "image/png" not in out.get("data", {}):
                continue
            meta = out.setdefault("metadata", {}).setdefault("image/png", {})
            if not meta.get("alt"):
                meta["alt"] = f"Figure of the section “{section}”."


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
    items, numbered = [], False
    for match in re.finditer(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', body, flags=re.S):
        anchor, inner = match.group(1), match.group(2)
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        numbered = numbered or bool(re.match(r"\d+[.)]\s", text))
        items.append(f'<li><a href="#{anchor}">{text}</a></li>')
    if not items:
        return ""
    # Headings that number themselves ("1. The expansion") get a plain list: one numbering.
    tag = "ul" if numbered else "ol"
    return f'<nav class="report-toc"><h2>Contents</h2><{tag}>' + "".join(items) + f"</{tag}></nav>"


@cache
def _exporter():
    """One exporter per process: compiling its templates costs more than most renders."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # The notebook is validated once, after all the preprocessors, not after each of them.
        optimistic_validation=True,
    )


def warm_renderer() -> None:
    """Compile the templates now (a process that forks workers does it once for them)."""
    _exporter()


def render_html(nb: nbformat.NotebookNode) -> str:
    """HTML with code hidden, a table of contents and the notebook's title."""
    body, _ = _exporter().from_notebook_node(nb)
    toc = _anchor_toc(body)
    body = body.replace(TOC_MARKER, "", 1)
    # The contents go right after the first cell (the title and purpose), else at the top.
    first = body.find('<div class="jp-Cell ')
    second = body.find('<div class="jp-Cell ', first + 1) if first != -1 else -1
    if second == -1:
        return body.replace("<main>", "<main>" + toc, 1)
    return body[:second] + toc + body[second:]
