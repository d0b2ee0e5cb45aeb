"""Plumbing shared by the estimators: complete-case samples that report what they dropped,
z-score scales, group codes and the normal, Fisher and Wilson intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# scipy.stats.norm's own ppf and sf, without the cost of importing scipy.stats
from scipy.special import ndtr, ndtri


def z_critical(alpha: float) -> float:
    """Two-sided normal critical value for a ``1 - alpha`` interval."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), not {alpha}")
    return float(ndtri(1 - alpha / 2))


def unique_columns(columns: Iterable[str | None]) -> list[str]:
    """The named columns in order, without repeats or ``None`` placeholders."""
    return list(dict.fromkeys(c for c in columns if c is not None))


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{what} has no column(s) {missing}; it has {list(df.columns)}")


def complete_cases(df: pd.DataFrame, columns: Iterable[str | None]) -> tuple[pd.DataFrame, int]:
    """Rows of ``df`` with a value in every named column, and how many rows were dropped.

    Infinite numbers count as missing (``log(0)`` densities must not enter a model silently).
    """
    used = unique_columns(columns)
    require_columns(df, used)
    values = df[used]
    keep = values.notna().all(axis=1).to_numpy(copy=True)
    numeric = values.select_dtypes("number")
    if numeric.shape[1]:
        keep &= np.isfinite(numeric.to_numpy(dtype=float)).all(axis=1)
    return df.loc[keep], int((~keep).sum())


def binary_outcome(values: pd.Series, name: str) -> np.ndarray:
    """The outcome as floats, after checking it is coded 0/1."""
    y = values.to_numpy(dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome {name!r} must be coded 0/1")
    return y


def group_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a grouping column and its levels as text, sorted (so the first level,
    the reference category of fixed effects, does not depend on row order)."""
    levels, codes = np.unique(values.astype(str).to_numpy(), return_inverse=True)
    return codes.astype(np.intp), [str(level) for level in levels]


def standardization_scales(
    df: pd.DataFrame, covariates: Sequence[str], ddof: int = 1
) -> pd.DataFrame:
    """Mean and standard deviation of each covariate over the rows complete on all of them.

    Pass the result as ``scales=`` to keep one z-score unit across models fitted on different
    samples (for example "1 SD across all counties" in every specification of a curve).
    Returns columns ``covariate, mean, sd, n``.
    """
    sample, _ = complete_cases(df, covariates)
    x = sample[list(covariates)].to_numpy(dtype=float)
    sd = x.std(axis=0, ddof=ddof) if len(x) > ddof else np.full(len(covariates), np.nan)
    return pd.DataFrame(
        {"covariate": list(covariates), "mean": x.mean(axis=0), "sd": sd, "n": len(x)}
    )


def resolve_scales(
    sample: pd.DataFrame,
    covariates: Sequence[str],
    standardize: bool | Iterable[str],
    scales: pd.DataFrame | Mapping[str, tuple[float, float]] | None,
) -> pd.DataFrame:
    """The (mean, sd) used to z-score each standardized covariate.

    ``standardize=True`` standardizes every covariate, an iterable only those named, ``False``
    none. Scales come from ``scales`` where given (a table from :func:`standardization_scales`
    or a mapping name -> (mean, sd)), otherwise from ``sample`` (the rows the caller passes:
    the analysis sample, before any fixed-effect level is dropped).
    """
    return scales_from(
        lambda name: sample[name].to_numpy(dtype=float), covariates, standardize, scales
    )


def scales_from(
    column: Callable[[str], np.ndarray],
    covariates: Sequence[str],
    standardize: bool | Iterable[str],
    scales: pd.DataFrame | Mapping[str, tuple[float, float]] | None,
) -> pd.DataFrame:
    """:func:`resolve_scales` with the sample's columns given by ``column`` (name -> floats)."""
    if standardize is True:
        chosen = list(covariates)
    elif standardize is False:
        chosen = []
    else:
        chosen = list(standardize)
        unknown = sorted(set(chosen) - set(covariates))
        if unknown:
            raise ValueError(f"cannot standardize {unknown}: not among the covariates")
    given: dict[str, tuple[float, float]] = {}
    if isinstance(scales, pd.DataFrame):
        given = dict(zip(scales["covariate"], zip(scales["mean"], scales["sd"], strict=True),
                         strict=True))  # fmt: skip
    elif scales is not None:
        given = {k: (float(v[0]), float(v[1])) for k, v in scales.items()}
    rows = []
    for name in chosen:
        if name in given:
            mean, sd, source = *given[name], "given"
        else:
            x = column(name)
            mean, sd, source = x.mean(), x.std(ddof=1), "analysis sample"
        if not np.isfinite(sd) or sd <= 0:
            raise ValueError(f"covariate {name!r} has no variation to standardize by")
        rows.append({"covariate": name, "mean": mean, "sd": sd, "source": source})
    return pd.DataFrame(rows, columns=["covariate", "mean", "sd", "source"])


def normal_interval(
    estimate: np.ndarray, std_error: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    z = z_critical(alpha)
    return estimate - z * std_error, estimate + z * std_error


def normal_p_value(statistic: np.ndarray) -> np.ndarray:
    return 2 * ndtr(-np.abs(statistic))


def wilson_interval(
    successes: np.ndarray, n: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (sensible at rates near 0 or 1)."""
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_critical(alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = successes / n
        centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half
