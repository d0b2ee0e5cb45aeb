"""report.outputs saves a figure without savefig's discarded first pass: the same bytes."""

import io

import pytest


def _dates_symlog_annotation():
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    fig, ax = plt.subplots(figsize=(6, 3))
    dates = pd.date_range("2024-01-01", periods=30, freq="MS")
    ax.step(dates, np.arange(30) ** 2, where="post", label="a")
    ax.set_yscale("symlog", linthresh=10)
    ax.annotate("note", (dates[10], 100), xytext=(0.05, 0.9), textcoords="axes fraction",
                arrowprops={"arrowstyle": "->"})  # fmt: skip
    ax.legend(loc="best")
    ax.set_title("symlog, dates, annotation")
    return fig


def _aspect_tight_layout():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    axes[0].set_aspect("equal")
    axes[0].plot([0, 1, 3], [0, 2, 1])
    axes[0].set_axis_off()
    axes[1].barh(["x", "y"], [3, 4])
    fig.legend(["line"], loc="lower center")
    fig.suptitle("aspect and a figure legend")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def _constrained():
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(4, 3), layout="constrained")
    fig.add_subplot().plot([1, 2], [2, 1])
    fig.axes[0].set_ylabel("a label the layout makes room for")
    return fig


@pytest.mark.parametrize("build", [_dates_symlog_annotation, _aspect_tight_layout, _constrained])
def test_saved_png_equals_savefig(tmp_path, build):
    import matplotlib
    import matplotlib.pyplot as plt

    from analysis.report.outputs import PNG_METADATA, PNG_PIL_KWARGS, ReportOutputs

    matplotlib.use("agg")
    with matplotlib.rc_context({"savefig.bbox": "tight", "savefig.dpi": 110}):
        expected = io.BytesIO()
        fig = build()
        fig.savefig(expected, format="png", metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
        plt.close(fig)
        fig = build()  # a new figure: nothing laid out by an earlier save
        ReportOutputs(tmp_path).save_figure(fig, "f")
        assert "draw" not in vars(fig)
        again = io.BytesIO()
        fig.savefig(again, format="png", metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
        plt.close(fig)
    assert (tmp_path / "figures" / "f.png").read_bytes() == expected.getvalue()
    assert again.getvalue() == expected.getvalue()


def test_style_warm_leaves_settings_and_figures_alone():
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from analysis.report import style
    from analysis.report.outputs import PNG_METADATA, PNG_PIL_KWARGS

    def png() -> bytes:
        with mpl.rc_context(style.RC):
            fig = _dates_symlog_annotation()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
            plt.close(fig)
        return buffer.getvalue()

    mpl.use("agg")
    cold = png()
    before, figures = dict(mpl.rcParams), set(plt.get_fignums())
    style.warm()
    assert dict(mpl.rcParams) == before
    assert set(plt.get_fignums()) == figures
    assert png() == cold
