"""style.RC fixes titles at the top of their axes (``axes.titley = 1.0``): matplotlib then skips
re-measuring the axes for each title, and the pixels are those of its automatic placement for
the reports' kinds of figures (ticks and labels below the axes)."""

import io

import pytest


def _timeline():
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    fig, ax = plt.subplots(figsize=(6, 3))
    dates = pd.date_range("2021-01-01", periods=40, freq="MS")
    ax.step(dates, np.arange(40) * 30, where="post", label="agreements")
    ax.legend(loc="upper left")
    ax.set_title("A timeline")
    ax.set_ylabel("count")
    return fig


def _histogram_grid():
    import matplotlib.pyplot as plt
    import numpy as np

    values = np.random.default_rng(0).normal(size=(5, 500))
    fig, axes = plt.subplots(2, 3, figsize=(8, 5))
    for ax, column in zip(axes.flat, values, strict=False):
        ax.hist(column * 1000, bins=20)
        ax.set_title("a panel", fontsize=9)
        ax.tick_params(labelsize=8)
    axes.flat[-1].set_axis_off()
    fig.suptitle("A grid", fontweight="bold")
    fig.tight_layout()
    return fig


def _shared_y():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(9, 3), sharey=True)
    for ax in axes:
        ax.plot([0, 1, 2], [0.1, 0.5, 0.3])
        ax.set_title("share")
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle("Shared y")
    fig.subplots_adjust(bottom=0.24, top=0.85)
    return fig


def _ticks_on_top():
    fig = _timeline()
    fig.axes[0].xaxis.tick_top()  # what the fixed position gives up: a title above top ticks
    return fig


def _png(build, titley) -> bytes:
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from analysis.report import style
    from analysis.report.outputs import PNG_METADATA

    with mpl.rc_context({**style.RC, "axes.titley": titley}):
        fig = build()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata=PNG_METADATA)
        plt.close(fig)
    return buffer.getvalue()


def test_rc_fixes_the_title_position():
    from analysis.report import style

    assert style.RC["axes.titley"] == 1.0


@pytest.mark.parametrize("build", [_timeline, _histogram_grid, _shared_y])
def test_fixed_title_position_gives_the_automatic_pixels(build):
    import matplotlib

    matplotlib.use("agg")
    assert _png(build, 1.0) == _png(build, None)


def test_automatic_position_differs_with_ticks_on_top():
    import matplotlib

    matplotlib.use("agg")
    assert _png(_ticks_on_top, 1.0) != _png(_ticks_on_top, None)
