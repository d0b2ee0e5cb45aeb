"""The columns of one table as NumPy arrays, converted once, for the binary-model engine
(:mod:`analysis.stats.adoption_models`): a grid or a specification curve fits dozens of models
on one table, and each fit used to redo the pandas work (complete cases, the states left out,
the group codes, the float columns) on its own copy of the sample.

Every array is what the per-fit pandas code computes, element by element, so the fits give
the same numbers bit for bit (tests/test_stats_frame_arrays.py):

- :meth:`FrameArrays.complete`: the rows of :func:`analysis.stats._common.complete_cases`;
- :meth:`FrameArrays.codes`: for a subset of rows, :func:`analysis.stats.codes.group_codes`
  of that subset (its sorted text levels are the levels of the whole column's non-missing
  rows that occur in it, in the same order);
- :meth:`FrameArrays.floats`: ``to_numpy(dtype=float)`` of a column.

Valid for one table that is not modified while it is used (made per call, never kept).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype, is_timedelta64_dtype

from analysis.stats.codes import group_codes


def _is_number(dtype) -> bool:
    """Whether ``DataFrame.select_dtypes("number")`` keeps a column of this dtype."""
    return (is_numeric_dtype(dtype) and not is_bool_dtype(dtype)) or is_timedelta64_dtype(dtype)


class FrameArrays:
    """Arrays of ``df``'s columns, each computed on first use."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._floats: dict[str, np.ndarray] = {}
        self._valid: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._complete: dict[tuple[str, ...], np.ndarray] = {}
        self._excluded: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}

    def floats(self, name: str) -> np.ndarray:
        if name not in self._floats:
            column = self.df[name]
            try:
                values = column.to_numpy(dtype=float)
            except (TypeError, ValueError):
                values = column.to_numpy(dtype=float, na_value=np.nan)
            self._floats[name] = values
        return self._floats[name]

    def valid(self, name: str) -> np.ndarray:
        """Rows with a value (finite, for a numeric column)."""
        if name not in self._valid:
            column = self.df[name]
            keep = column.notna().to_numpy(copy=True)
            if _is_number(column.dtype):
                keep &= np.isfinite(self.floats(name))
            self._valid[name] = keep
        return self._valid[name]

    def complete(self, used: Sequence[str]) -> np.ndarray:
        """Boolean mask of the rows complete on every column of ``used``."""
        key = tuple(used)
        if key not in self._complete:
            keep = np.ones(len(self.df), dtype=bool)
            for name in key:
                keep &= self.valid(name)
            self._complete[key] = keep
        return self._complete[key]

    def excluded(self, group: str, levels: Sequence[str]) -> np.ndarray:
        """Rows whose ``group`` is among ``levels`` (``ModelSpec.sample`` leaves them out)."""
        key = (group, tuple(levels))
        if key not in self._excluded:
            self._excluded[key] = self.df[group].isin(list(levels)).to_numpy(copy=True)
        return self._excluded[key]

    def codes(self, name: str, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """``group_codes(df[name].iloc[rows])`` for row positions ``rows`` that all have a
        value: integer codes and the sorted text levels present."""
        if name not in self._codes:
            valid = self.df[name].notna().to_numpy()
            codes = np.full(len(self.df), -1, dtype=np.intp)
            where = np.flatnonzero(valid)
            found, levels = group_codes(self.df[name].iloc[where])
            codes[where] = found
            self._codes[name] = (codes, levels)
        codes, levels = self._codes[name]
        subset = codes[rows]
        if subset.size and subset.min() < 0:
            raise ValueError(f"column {name!r} has missing values in the rows asked for")
        present = np.flatnonzero(np.bincount(subset, minlength=len(levels)))
        local = np.full(len(levels), -1, dtype=np.intp)
        local[present] = np.arange(len(present))
        return local[subset], [levels[i] for i in present]


def drop_nonvarying_rows(
    arrays: FrameArrays, rows: np.ndarray, y: np.ndarray, fixed_effects: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The row positions ``rows`` (outcome ``y`` on them) without the fixed-effect levels
    whose outcome is all 0 or all 1, and those levels (``column=level``): the arrays of
    ``adoption_models._drop_nonvarying_levels``, which repeats until stable."""
    dropped: list[str] = []
    while True:
        bad = np.zeros(len(rows), dtype=bool)
        for col in fixed_effects:
            codes, col_levels = arrays.codes(col, rows)
            counts = np.bincount(codes, minlength=len(col_levels))
            sums = np.bincount(codes, weights=y, minlength=len(col_levels))
            nonvarying = (sums == 0) | (sums == counts)
            dropped += [
                f"{col}={level}" for level, n in zip(col_levels, nonvarying, strict=True) if n
            ]
            bad |= nonvarying[codes]
        if not bad.any():
            return rows, dropped
        rows, y = rows[~bad], y[~bad]


def design_matrix(
    arrays: FrameArrays,
    rows: np.ndarray,
    covariates: Sequence[str],
    fixed_effects: Sequence[str],
    scale_of: dict[str, tuple[float, float]],
) -> tuple[np.ndarray, list[str]]:
    """The values and column names of ``adoption_models.build_design`` on row positions
    ``rows`` (levels from the rows themselves)."""
    names, blocks = ["Intercept", *covariates], [np.ones((len(rows), 1))]
    for name in covariates:
        x = arrays.floats(name)[rows]
        if name in scale_of:
            mean, sd = scale_of[name]
            x = (x - mean) / sd
        blocks.append(x[:, None])
    for col in fixed_effects:
        codes, col_levels = arrays.codes(col, rows)
        names += [f"{col}[T.{level}]" for level in col_levels[1:]]
        blocks.append((codes[:, None] == np.arange(1, len(col_levels))).astype(float))
    x = np.hstack(blocks) if len(blocks) > 1 else blocks[0]
    return x, names
