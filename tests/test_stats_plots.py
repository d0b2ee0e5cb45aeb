"""Plot helpers draw from the tidy tables and are deterministic."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import stats as S  # noqa: E402
from analysis.report import figures as plots  # noqa: E402
from analysis.report import style  # noqa: E402
from analysis.stats import simulate  # noqa: E402


@pytest.fixture(scope="module")
def atlas():
    style.apply()
    return simulate.simulate_atlas(800, 15, seed=61)


def _svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def test_every_plot_draws_and_repeats_byte_for_byte(atlas):
    counties = atlas.counties
    table = S.correlation_table(counties, "any_agreement", simulate.COVARIATES)
    built = S.build_adoption_panel(atlas.first_adoption, atlas.months, atlas.neighbors)
    durations = built.durations.merge(counties[["fips", "gop_share_2024"]], on="fips")
    durations["tercile"] = S.quantile_groups(durations.gop_share_2024)
    curve = S.specification_curve(
        counties, ["any_agreement"], ["gop_share_2024"], estimators=("logit", "lpm")
    )
    forecast = S.out_of_sample_forecast(
        counties, "adopted_mid_2025", "any_agreement", ["gop_share_2024"]
    )
    effects = S.fit_adoption_models(
        counties, ["any_agreement", "tfm"], ["gop_share_2024", "log_density"], se_types=("cluster",)
    ).marginal_effects

    hazard = S.fit_cloglog_hazard(built.panel, ["neighbor_share_in_state_lag1"], time_effects=None)
    hazard = hazard.coefficients.query("term_type == 'covariate'").assign(
        label="GOP", model="cloglog"
    )
    binned = pd.concat(
        [
            S.binned_adoption_rates(counties, "any_agreement", n)
            for n in ("gop_share_2024", "log_density")
        ]
    )
    decomposition = S.between_within_decomposition(
        counties, "any_agreement", ["gop_share_2024", "log_density"], n_boot=0
    ).set_index("covariate")

    def draw():
        return [
            plots.forest_plot(
                table, label="covariate", estimate="r", low="r_ci_low", high="r_ci_high"
            ),
            plots.forest_plot(effects, group="outcome", group_order=["tfm", "any_agreement"]),
            plots.binned_rate_plot(
                S.binned_adoption_rates(counties, "any_agreement", "gop_share_2024")
            ),
            plots.km_plot(S.kaplan_meier(durations, group="tercile"), months=atlas.months),
            plots.spec_curve_plot(curve, "gop_share_2024"),
            plots.calibration_plot(forecast.calibration),
            plots.effects_forest(
                effects.assign(label=effects.term),
                group="outcome",
                scale=100,
                xlabel="pp per SD",
                title="effects",
                legend_title="outcome",
            ),
            plots.hazard_ratio_plot(hazard, title="hazard"),
            plots.binned_rate_panels(binned, ["gop_share_2024", "log_density"], {}, title="b"),
            plots.between_within_plot(decomposition, {"gop_share_2024": "GOP", "log_density": "d"}),
            plots.calibration_panels({"a": forecast.calibration}, title="calibration"),
        ]

    first = [_svg(fig) for fig in draw()]
    second = [_svg(fig) for fig in draw()]
    assert first == second
    assert all(len(svg) > 1_000 for svg in first)


def test_effects_forest_scales_and_titles(atlas):
    effects = S.fit_adoption_models(
        atlas.counties, ["any_agreement"], ["gop_share_2024"], se_types=("cluster",)
    ).marginal_effects.assign(label="GOP", model=lambda d: d.estimator + d.fixed_effects)
    fig = plots.effects_forest(effects, group="model", scale=100, xlabel="pp", title="t")
    ax = fig.axes[0]
    assert ax.get_title() == "t" and ax.get_legend().get_title().get_text() == ""
    points = [x for bars in ax.containers for x in bars.lines[0].get_xdata()]
    assert sorted(points) == pytest.approx(sorted(100 * effects.estimate))
    plt.close(fig)
    titled = plots.effects_forest(effects, group="model", xlabel="p", title="t", legend_title="m")
    assert titled.axes[0].get_legend().get_title().get_text() == "m"
    plt.close(titled)
