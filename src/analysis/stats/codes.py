"""Group codes and design ranks for the binary-model engine, without statsmodels (so that
importing :mod:`analysis.stats.adoption_models` stays cheap; :mod:`analysis.stats.irls`
re-exports these names).

- :func:`group_codes`: the codes and sorted text levels of
  :func:`analysis.stats._common.group_codes`, with the text conversion and the sort done on
  the distinct values only (a county x month panel has 40,000 rows but 15 months).
- :func:`matrix_rank`: ``np.linalg.matrix_rank`` without the SVD of a large design whose
  columns are clearly independent.
- :func:`sparse_design`: a large design's CSR form and rank, kept for the last design seen
  (the engine checks a panel design's rank, then the sparse IRLS needs its CSR form and rank).
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
        if x.dtype.kind == "f":
            return sparse_design(x)[1]
        import scipy.sparse as sp

        if _gram_full_rank(sp.csr_matrix(x)):
            return x.shape[1]
    return int(np.linalg.matrix_rank(x))


def _gram_full_rank(rows) -> bool:
    """The Gram shortcut of :func:`matrix_rank` on a design's sparse form ``rows``."""
    eigenvalues = np.linalg.eigvalsh((rows.T @ rows).toarray())
    return bool(eigenvalues[0] > 1e-8 * eigenvalues[-1])


def dense_to_csr(x: np.ndarray):
    """``scipy.sparse.csr_matrix(x)`` of a 2-D array, built directly from its nonzeros (the
    same data, sorted indices and pointers, without the coordinate format in between)."""
    import scipy.sparse as sp

    x = np.asarray(x)
    nonzero = x != 0
    indptr = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(nonzero.sum(axis=1), out=indptr[1:])
    index_dtype = np.int32 if max(indptr[-1], x.shape[1]) < np.iinfo(np.int32).max else np.int64
    indices = np.nonzero(nonzero)[1].astype(index_dtype)
    return sp.csr_matrix((x[nonzero], indices, indptr.astype(index_dtype)), shape=x.shape)


# The last large float design given to sparse_design: (a copy of it, its CSR form, its rank).
_LAST_SPARSE: list = []


def sparse_design(x: np.ndarray):
    """The CSR form (:func:`dense_to_csr`) and :func:`matrix_rank` of a float design with at
    least ``SPARSE_IRLS_ROWS`` rows, computed once for the last such design (found equal
    element by element): the engine checks a panel design's rank before the sparse IRLS builds
    the same design's CSR form and asks for its rank again. The CSR matrix is shared: callers
    must not modify it."""
    x = np.asarray(x)
    if _LAST_SPARSE:
        seen, rows, rank = _LAST_SPARSE
        if seen.shape == x.shape and seen.dtype == x.dtype and np.array_equal(seen, x):
            return rows, rank
    rows = dense_to_csr(x)
    rank = x.shape[1] if x.shape[1] and _gram_full_rank(rows) else int(np.linalg.matrix_rank(x))
    _LAST_SPARSE[:] = [x.copy(), rows, rank]
    return rows, rank
