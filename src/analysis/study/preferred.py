"""The preferred specification of the headline findings, named once in ``params.yaml``.

Reports 60 and 90, the front page and the README quote the county adoption model that this
specification names; every other model is a robustness check of it. It is read from the
``preferred_specification`` block of ``params.yaml`` so that changing it there changes every
headline at once (the runner re-executes the reports that list ``params.yaml`` as an input).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths
from analysis.errors import UserError
from analysis.study import variables

ESTIMATORS = ("lpm",)  # the wild cluster bootstrap is defined for linear models


@dataclass(frozen=True)
class PreferredSpecification:
    """The headline model: ``outcome`` (a key of ``variables.OUTCOMES``) on ``covariates``
    (z-scored over all counties), estimated by ``estimator``, pooled and with state fixed
    effects, errors clustered by ``cluster``, few-cluster p-values from a wild cluster
    bootstrap with ``bootstrap_reps`` draws (its weights chosen by the number of clusters:
    :func:`analysis.stats.few_cluster.bootstrap_weights`)."""

    outcome: str
    estimator: str
    covariates: tuple[str, ...]
    cluster: str
    bootstrap_reps: int

    def describe(self) -> str:
        return (
            f"{self.estimator.upper()} of '{variables.OUTCOMES[self.outcome]}' on "
            f"{len(self.covariates)} county covariates (z-scores over all counties), errors "
            f"clustered by {self.cluster}, wild cluster restricted bootstrap "
            f"({self.bootstrap_reps:,} draws)"
        )


def preferred_specification(params_file: Path | None = None) -> PreferredSpecification:
    """The ``preferred_specification`` block of ``params.yaml``, checked."""
    params_file = Path(params_file or paths.PARAMS)
    block = (yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}).get(
        "preferred_specification"
    )
    if not isinstance(block, dict):
        raise UserError(f"{params_file}: no 'preferred_specification' block")
    covariates = block.get("covariates", "model")
    names = list(variables.MODEL_COVARIATES) if covariates == "model" else list(covariates)
    spec = PreferredSpecification(
        outcome=block.get("outcome", variables.PRIMARY_OUTCOME),
        estimator=block.get("estimator", "lpm"),
        covariates=tuple(names),
        cluster=block.get("cluster", "state"),
        bootstrap_reps=int(block.get("bootstrap_reps", 999)),
    )
    problems = []
    if spec.outcome not in variables.OUTCOMES:
        problems.append(f"outcome {spec.outcome!r} is not one of {sorted(variables.OUTCOMES)}")
    if spec.estimator not in ESTIMATORS:
        problems.append(f"estimator {spec.estimator!r}: expected one of {ESTIMATORS}")
    unknown = sorted(set(names) - set(variables.COVARIATE_LABELS))
    if unknown:
        problems.append(f"unknown covariates {unknown}")
    if problems:
        raise UserError(f"{params_file}: preferred_specification: " + "; ".join(problems))
    return spec
