"""How one binary-outcome model is estimated, as one typed object.

A :class:`ModelSpec` names the estimator, the standard errors (and their cluster column), the
fixed effects, the weights, the standardization of covariates, the interval level and the
sample (levels of the state column left out). Every estimator in :mod:`analysis.stats` takes
one, so a choice is declared here once instead of being forwarded keyword by keyword through
the wrappers (grids, specification curve, forecast, decomposition, hazard).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

ESTIMATORS = ("logit", "lpm", "probit", "cloglog")
SE_TYPES = ("nonrobust", "robust", "cluster")


@dataclass(frozen=True)
class ModelSpec:
    """One model's estimation choices (the outcome and covariates are not part of it).

    ``estimator``: ``"logit"``, ``"lpm"`` (OLS), ``"probit"`` or ``"cloglog"``. ``se``:
    ``"cluster"`` (CR1, by ``cluster``), ``"robust"`` or ``"nonrobust"``. ``fixed_effects``:
    columns whose levels get dummies. ``weights``: a column (None: each row counts once).
    ``standardize``: True (z-score every covariate), False, or the names to z-score, with
    ``scales`` giving (mean, sd) where they must not come from the estimation sample.
    ``group`` is the state column: :attr:`state_fe` means it is among the fixed effects, and
    ``excluded`` lists its levels left out of the sample (:meth:`sample`).
    """

    estimator: str = "logit"
    se: str = "cluster"
    cluster: str | None = "state"
    fixed_effects: tuple[str, ...] = ()
    weights: str | None = None
    standardize: bool | tuple[str, ...] = True
    scales: pd.DataFrame | Mapping[str, tuple[float, float]] | None = None
    alpha: float = 0.05
    group: str = "state"
    excluded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, not {self.estimator!r}")
        if self.se not in SE_TYPES:
            raise ValueError(f"se must be one of {SE_TYPES}, not {self.se!r}")
        if self.se == "cluster" and self.cluster is None:
            raise ValueError('se="cluster" needs a cluster column')
        # Lists passed by callers become tuples, so a spec never changes after it is made.
        object.__setattr__(self, "fixed_effects", tuple(self.fixed_effects))
        object.__setattr__(self, "excluded", tuple(self.excluded))
        if not isinstance(self.standardize, bool):
            object.__setattr__(self, "standardize", tuple(self.standardize))

    @classmethod
    def of(
        cls, spec: ModelSpec | None = None, *, state_fe: bool | None = None, **changes: Any
    ) -> ModelSpec:
        """``spec`` (default: the defaults above) with ``changes`` to its fields applied;
        ``state_fe`` adds or removes the ``group`` fixed effect."""
        made = dataclasses.replace(spec or cls(), **changes)
        return made if state_fe is None else made.with_state_fe(state_fe)

    def with_state_fe(self, on: bool) -> ModelSpec:
        """The same spec with the ``group`` (state) fixed effect on or off."""
        others = tuple(f for f in self.fixed_effects if f != self.group)
        return dataclasses.replace(self, fixed_effects=others + ((self.group,) if on else ()))

    @property
    def state_fe(self) -> bool:
        return self.group in self.fixed_effects

    def sample(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` without the rows whose ``group`` is among ``excluded``."""
        if not self.excluded:
            return df
        return df[~df[self.group].isin(list(self.excluded))]
