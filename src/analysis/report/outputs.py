"""Where a run's figures and tables go, and how they are saved reproducibly.

A saved figure is also shown, once, with its alternative text (its titles, axis labels and
caption: :func:`figure_alt`) in the image's metadata; the report renderer writes it as the
image's ``alt`` attribute.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths

if TYPE_CHECKING:  # only an annotation: a run with nothing to do does not import pandas
    import pandas as pd

# PNG metadata without software version or date, so figure files are reproducible.
PNG_METADATA = {"Software": None}
# zlib level 3 instead of Pillow's 6: the same pixels, about 5 % more bytes, and the encoding
# takes about 45 % less CPU (measured on the 120 figures of a run).
PNG_PIL_KWARGS = {"compress_level": 3}


def _texts(items) -> list[str]:
    seen: list[str] = []
    for item in items:
        text = " ".join(item.get_text().split()) if item is not None else ""
        if text and text not in seen:
            seen.append(text)
    return seen


def figure_alt(fig) -> str:
    """A figure's alternative text: its title (the suptitle, else the panel titles), what its
    axes show, and its caption (any other text placed on the figure)."""
    suptitle = getattr(fig, "_suptitle", None)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    titles = _texts([suptitle]) or _texts(ax.title for ax in panels)
    parts = []
    if titles:
        head = titles[0] if len(titles) == 1 else f"{len(titles)} panels: " + "; ".join(titles)
        parts.append(head.rstrip(".") + ".")
    xs, ys = _texts(ax.xaxis.label for ax in panels), _texts(ax.yaxis.label for ax in panels)
    if xs or ys:
        axes = [f"horizontal axis: {', '.join(xs)}"] * bool(xs) + [
            f"vertical axis: {', '.join(ys)}"
        ] * bool(ys)
        parts.append("; ".join(axes).capitalize() + ".")
    caption = _texts(t for t in fig.texts if t is not suptitle)
    parts += [c if c.endswith(".") else c + "." for c in caption]
    return " ".join(parts) or "Figure without a title."


@contextmanager
def _no_discarded_draw(fig):
    """While saving ``fig`` with ``savefig.bbox = "tight"``: skip matplotlib's first pass, a
    draw with every drawing call disabled made before the tight box is measured. Measuring the
    box lays out what it measures (ticks, titles, legends, aspect) itself, so the saved pixels
    are the same, a test checks, for a fraction of the time. Not for a figure with a layout
    engine to run (constrained layout runs in that pass)."""
    from matplotlib import rcParams
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    if rcParams["savefig.bbox"] != "tight" or not (
        engine is None or isinstance(engine, PlaceHolderLayoutEngine)
    ):
        yield
        return
    draw = type(fig).draw

    def draw_unless_discarded(renderer):
        # The first pass's renderer has its drawing methods replaced on the instance.
        if "draw_path" not in vars(renderer):
            return draw(fig, renderer)
        return None

    fig.draw = draw_unless_discarded
    try:
        yield
    finally:
        del fig.draw


@dataclass(frozen=True)
class ReportOutputs:
    root: Path

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def tables(self) -> Path:
        return self.root / "tables"

    # Both return None, so a call ending a notebook cell prints nothing.
    def save_figure(self, fig, name: str, alt: str | None = None) -> None:
        """Save ``fig`` as ``figures/<name>.png`` (name after what the reader sees); in a
        notebook, also show it with ``alt`` (default :func:`figure_alt`) as its alternative
        text and close it, so a following ``plt.show()`` does not show it a second time.

        The report shows the saved file's bytes: the figure is drawn once, not again for the
        notebook's display."""
        self.figures.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with _no_discarded_draw(fig):
            fig.savefig(buffer, format="png", metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
        (self.figures / f"{name}.png").write_bytes(buffer.getvalue())
        show_with_alt(fig, alt or figure_alt(fig), png=buffer.getvalue())

    def save_table(self, df: pd.DataFrame, name: str, index: bool = False) -> None:
        self.tables.mkdir(parents=True, exist_ok=True)
        df.to_csv(self.tables / f"{name}.csv", index=index, lineterminator="\n")


def show_with_alt(fig, alt: str, png: bytes | None = None) -> None:
    """Display ``fig`` (or its already drawn ``png``) in the running notebook with ``alt`` in
    its PNG metadata, then close it; outside IPython, do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    if get_ipython() is None:
        return
    import matplotlib.pyplot as plt
    from IPython.display import display

    if png is None:
        display(fig, metadata={"image/png": {"alt": alt}})
    else:
        from IPython.display import Image

        display(Image(data=png, format="png"), metadata={"image/png": {"alt": alt}})
    plt.close(fig)


def outputs(output_dir: str | Path | None) -> ReportOutputs:
    """The run's output folder (``reports/`` unless the runner passes another)."""
    if not output_dir:
        return ReportOutputs(paths.REPORTS)
    folder = Path(output_dir)
    return ReportOutputs(folder if folder.is_absolute() else paths.ROOT / folder)
