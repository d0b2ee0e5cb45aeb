"""Benchmark: the whole statistics stage on realistic synthetic data.

    .venv/bin/python benchmarks/bench_stats.py [--repeat R] [--permutations B] [--seed S]

Simulates ~3,140 counties in 50 states over 17 months (analysis.stats.simulate), then times
every component the notebooks run: queen neighbours, the correlation table with B within-state
permutations, the adoption-model grid, the between/within decomposition, the risk-set panel,
hazard models, Kaplan-Meier curves, the specification curve and the forecast. Runs on at most
2 cores (BLAS threads and CPU affinity) and records the timings in
benchmarks/results/bench_stats.json. Target: under 60 s in total.
"""

from __future__ import annotations

import os

# Two cores at most, set before numpy loads its BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from analysis import paths  # noqa: E402
from analysis import stats as S  # noqa: E402
from analysis.stats import simulate  # noqa: E402

OUTCOMES = simulate.OUTCOMES
FOCAL = ["gop_share_2024", "hispanic_share"]
CONTROLS = ["log_density", "bachelors_share", "median_income"]
MODEL_COVARIATES = FOCAL + CONTROLS
STATIC = ["gop_share_2024", "hispanic_share", "log_density"]
TIME_VARYING = [
    "mandate_in_force",
    "neighbor_share_in_state_lag1",
    "neighbor_share_cross_state_lag1",
]


def run_stage(atlas, n_permutations: int, seed: int) -> dict[str, float]:
    """Every component once; returns seconds per component."""
    counties = atlas.counties
    timings: dict[str, float] = {}

    def timed(name, func):
        start = time.perf_counter()
        result = func()
        timings[name] = time.perf_counter() - start
        return result

    neighbors = timed("neighbors_from_geometry", lambda: S.neighbors_from_geometry(atlas.geometry))
    timed(
        "correlation_table",
        lambda: S.correlation_table(counties, "any_agreement", simulate.COVARIATES),
    )
    timed(
        "adoption_models (32 fits)",
        lambda: S.fit_adoption_models(counties, OUTCOMES, MODEL_COVARIATES),
    )
    timed(
        "decomposition",
        lambda: (
            S.between_within_decomposition(
                counties, "any_agreement", simulate.COVARIATES, seed=seed
            ),
            S.fixed_effects_comparison(counties, "any_agreement", MODEL_COVARIATES),
        ),
    )
    built = timed(
        "adoption_panel",
        lambda: S.build_adoption_panel(
            atlas.first_adoption,
            atlas.months,
            neighbors,
            atlas.mandates,
            counties[["fips", *simulate.COVARIATES]],
        ),
    )
    scales = S.standardization_scales(counties, STATIC)
    timed(
        "hazard (month + linear)",
        lambda: [
            S.fit_cloglog_hazard(
                built.panel,
                TIME_VARYING + STATIC,
                time_effects=effects,
                standardize=STATIC,
                scales=scales,
            )
            for effects in ("month", "linear")
        ],
    )

    def curves():
        durations = built.durations.merge(counties[["fips", "gop_share_2024"]], on="fips")
        durations["gop_tercile"] = S.quantile_groups(durations["gop_share_2024"])
        durations["mandate_state"] = durations["state"].isin(atlas.mandates["state"])
        return [S.kaplan_meier(durations, group=g) for g in ("gop_tercile", "mandate_state")]

    timed("kaplan_meier", curves)
    spec = timed(
        "specification_curve",
        lambda: S.specification_curve(counties, OUTCOMES, FOCAL, CONTROLS),
    )
    timed(
        "forecast",
        lambda: S.out_of_sample_forecast(
            counties, "adopted_mid_2025", "any_agreement", MODEL_COVARIATES
        ),
    )
    timings["total"] = sum(timings.values())
    timings["_n_specifications"] = len(spec) // len(FOCAL)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs")
    parser.add_argument("--permutations", type=int, default=10_000, help="within-state draws")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    start = time.perf_counter()
    atlas = simulate.simulate_atlas(3140, 50, 17, seed=args.seed)
    simulate_s = time.perf_counter() - start
    runs = [run_stage(atlas, args.permutations, args.seed) for _ in range(args.repeat)]
    components = [k for k in runs[0] if not k.startswith("_")]
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in components}
    result = {
        "benchmark": "stats",
        "counties": len(atlas.counties),
        "states": int(atlas.counties["state"].nunique()),
        "months": len(atlas.months),
        "permutations": args.permutations,
        "specifications": runs[0]["_n_specifications"],
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "simulate_s": round(simulate_s, 3),
        "median_s": median,
        "runs_total_s": [round(r["total"], 3) for r in runs],
    }
    results = paths.BENCHMARKS / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "bench_stats.json").write_text(json.dumps(result, indent=2) + "\n")
    width = max(map(len, components))
    print(
        f"statistics stage: {result['counties']:,} counties, {result['states']} states, "
        f"{result['months']} months, {args.permutations:,} permutations, "
        f"{result['specifications']} specifications; {result['cores']} cores; "
        f"median of {args.repeat} runs"
    )
    for name in components:
        print(f"  {name:<{width}}  {median[name]:7.3f} s")


if __name__ == "__main__":
    main()
