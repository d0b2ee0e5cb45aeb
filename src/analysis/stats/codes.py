"""Group codes and design ranks for the binary-model engine, without statsmodels (so that
importing :mod:`analysis.stats.adoption_models` stays cheap; :mod:`analysis.stats.irls`
re-exports these names).

- :func:`group_codes`: the codes and sorted text levels of
  :func:`analysis.stats._common.group_codes`, with the text conversion and the sort done on
  the distinct values only (a county x month panel has 40,000 rows but 15 months).
- :func:`matrix_rank`: ``np.linalg.matrix_rank`` without the SVD of a large design whose
  columns are clearly independent.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd

from analysis.stats import _common

#: From this many rows (county x month panels) the binary GLMs use the sparse IRLS of
#: :mod:`analysis.stats.irls`; smaller (cross-sectional) fits keep statsmodels' dense IRLS,
#: which is as fast there.
SPARSE_IRLS_ROWS = 10_000


def group_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """As :func:`analysis.stats._common.group_codes` (``np.unique`` of the values as text):
    integer codes and the sorted text levels. Object columns (whose distinct values may share
    a text, ``1`` and ``"1"``) and columns with missing values go to that function."""
    if values.dtype == object or values.isna().any():
        return _common.group_codes(values)
    codes, uniques = pd.factorize(values, sort=False)
    text = pd.Series(uniques, dtype=values.dtype).astype(str).to_numpy()
    levels, inverse = np.unique(text, return_inverse=True)
    return inverse[codes].astype(np.intp), [str(level) for level in levels]


# Ranks of the designs seen in this process (a specification curve checks the same design for
# every outcome and weight, and statsmodels' GLM asks for it again): a pure function of the
# matrix, found by its column sums and then compared element by element. Only matrices up to
# _RANKS_BYTES are kept (large panels take the Gram shortcut below).
_RANKS: OrderedDict = OrderedDict()
_RANKS_MAX = 16
_RANKS_BYTES = 4_000_000


def matrix_rank(x: np.ndarray) -> int:
    """``np.linalg.matrix_rank(x)``, computed once per distinct matrix in a process, and
    without its SVD when the Gram matrix shows the columns far from collinear: eigenvalues of
    ``x'x`` carry absolute errors near ``n eps`` times the largest, so a smallest one above
    1e-8 of the largest means singular values whose ratio exceeds 1e-4, far above the SVD's
    threshold (``max(n, k) eps``)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.nbytes > _RANKS_BYTES or x.dtype.kind != "f":
        return _rank(x)
    key = (x.shape, x.dtype.str, x.sum(axis=0).tobytes())
    for seen, rank in _RANKS.get(key, ()):
        if np.array_equal(seen, x):
            return rank
    rank = _rank(x)
    _RANKS.setdefault(key, []).append((x.copy(), rank))
    _RANKS.move_to_end(key)
    while len(_RANKS) > _RANKS_MAX:
        _RANKS.popitem(last=False)
    return rank


def _rank(x: np.ndarray) -> int:
    if x.ndim == 2 and x.shape[0] >= SPARSE_IRLS_ROWS and x.shape[1]:
        import scipy.sparse as sp

        rows = sp.csr_matrix(x)
        eigenvalues = np.linalg.eigvalsh((rows.T @ rows).toarray())
        if eigenvalues[0] > 1e-8 * eigenvalues[-1]:
            return x.shape[1]
    return int(np.linalg.matrix_rank(x))
