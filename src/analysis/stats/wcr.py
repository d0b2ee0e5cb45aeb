"""The wild cluster restricted bootstrap (WCR-11) of ``wildboottest``, vectorised.

pyfixest's ``Feols.wildboottest`` rebuilds the one-hot model matrix with formulaic and, inside
``wildboottest.WildboottestCL.get_denom``, compiles a fresh numba kernel on every call (the
kernel is a closure defined in the method), which costs seconds per test. :func:`wcr_test`
computes the same statistic with numpy: the same design (the fit's one-hot model matrix,
built once per fit and reused for every term), the same weights (``default_rng(seed)``, one
``choice`` of ``G x B`` draws, reshaped), the same scores, bootstrap numerators and CRV1
denominators, and the same p-value, mean(|t| < |t*|). Only the order of a few floating-point
sums differs (relative differences near 1e-15).

Only the case the project uses is covered: CRV1 clustering by one variable, the null imposed,
bootstrap type "11", Webb or Rademacher weights without full enumeration. Anything else goes
to pyfixest (:func:`wild_bootstrap_p`). :func:`wild_bootstrap_p_arrays` takes the design as
arrays instead of a pyfixest fit (with :mod:`analysis.stats.crv1`, callers skip pyfixest).
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np

_WEBB = np.concatenate([-np.sqrt(np.array([3, 2, 1]) / 2), np.sqrt(np.array([1, 2, 3]) / 2)])

# One prepared design per fitted pyfixest model (a model is immutable once fitted).
_DESIGNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Design:
    """The cluster blocks of the one-hot model matrix (what ``WildboottestCL.__init__``
    computes), kept for every term tested on the same fit."""

    def __init__(self, y: np.ndarray, x: np.ndarray, cluster: np.ndarray, names: list[str]):
        self.names = list(names)
        self.clusters = np.unique(cluster)
        self.n, self.k = x.shape
        self.g = len(self.clusters)
        rows = [np.where(cluster == c) for c in self.clusters]
        self.x_blocks = [x[r] for r in rows]
        self.y_blocks = [y[r] for r in rows]
        self.xx = np.array([xg.T @ xg for xg in self.x_blocks])
        self.xy = np.array([xg.T @ yg for xg, yg in zip(self.x_blocks, self.y_blocks, strict=True)])
        txx = np.zeros((self.k, self.k))
        txy = np.zeros(self.k)
        for xx, xy in zip(self.xx, self.xy, strict=True):
            txx += xx
            txy += xy
        self.txx_inv = np.linalg.inv(txx)
        self.beta_hat = self.txx_inv @ txy
        meat = np.zeros((self.k, self.k))
        for xg, yg in zip(self.x_blocks, self.y_blocks, strict=True):
            score = xg.T @ (yg - xg @ self.beta_hat)
            meat += np.outer(score, score)
        self.vcov = self.txx_inv @ meat @ self.txx_inv
        self.ssc = (self.n - 1) / (self.n - self.k) * self.g / (self.g - 1)


def _design(model, cluster: str) -> _Design:
    cached = _DESIGNS.get(model)
    if cached is None or cached[0] != cluster:
        y, x, names = model._model_matrix_one_hot()
        design = _Design(
            np.asarray(y, dtype=float),
            np.asarray(x, dtype=float),
            model._data[cluster].to_numpy().flatten(),
            [str(n) for n in names],
        )
        _DESIGNS[model] = cached = (cluster, design)
    return cached[1]


def _weights(kind: str, n_clusters: int, reps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed=seed)
    if kind == "webb":
        v = rng.choice(a=_WEBB, replace=True, size=n_clusters * reps)
    else:
        v = rng.choice([-1, 1], size=n_clusters * reps, replace=True)
    return v.reshape(n_clusters, reps)


def wcr_statistics(
    model, param: str, *, cluster: str, reps: int, seed: int, weights: str
) -> tuple[float, np.ndarray]:
    """The CRV1 t of ``param`` and its ``reps`` WCR-11 bootstrap t's (wildboottest's
    ``t_stat`` and ``t_boot``) on the pyfixest ``model``."""
    return _statistics(_design(model, cluster), param, reps=reps, seed=seed, weights=weights)


def _statistics(d: _Design, param: str, *, reps: int, seed: int, weights: str):
    r = np.zeros(d.k)
    r[d.names.index(param)] = 1
    a = 1 / (np.transpose(r) @ d.txx_inv @ r)
    beta_tilde = d.beta_hat - d.txx_inv @ r * a * (r @ d.beta_hat - 0)
    scores = np.transpose(
        np.array([xy - xx @ beta_tilde for xy, xx in zip(d.xy, d.xx, strict=True)])
    )
    v = _weights(weights, d.g, reps, seed)
    r_inv = r @ d.txx_inv
    cg = r_inv @ scores
    numer = cg @ v
    h = np.array([r_inv @ xx @ d.txx_inv for xx in d.xx]) @ scores
    z = cg[:, None] * v - h @ v
    denom = d.ssc * np.sum(z**2, axis=0)
    t_boot = numer / np.sqrt(denom)
    se = np.sqrt(d.ssc * r @ d.vcov @ np.transpose(r))
    t_stat = (np.transpose(r) @ d.beta_hat - 0) / se
    return float(t_stat), t_boot


def wcr_test(model, param: str, *, cluster: str, reps: int, seed: int, weights: str) -> float:
    """Two-sided WCR-11 p-value of ``param = 0`` on the pyfixest ``model`` (as
    ``model.wildboottest(param=param, reps=reps, cluster=cluster, weights_type=weights,
    impose_null=True, seed=seed)["Pr(>|t|)"]``)."""
    t_stat, t_boot = wcr_statistics(model, param, cluster=cluster, reps=reps, seed=seed,
                                    weights=weights)  # fmt: skip
    return float(np.mean(np.abs(t_stat) < abs(t_boot)))


def applies(weights: str, n_clusters: int, reps: int) -> bool:
    """Whether the vectorised WCR-11 computes wildboottest's p-value: Webb weights, or
    Rademacher weights with 2^G >= reps (below, wildboottest enumerates every sign vector)."""
    return weights == "webb" or (weights == "rademacher" and 2**n_clusters >= reps)


def wild_bootstrap_p_arrays(
    y: np.ndarray,
    x: np.ndarray,
    names: list[str],
    clusters: np.ndarray,
    param: str,
    *,
    reps: int,
    seed: int,
    weights: str = "webb",
) -> float:
    """:func:`wcr_test` from plain arrays, without a pyfixest fit: ``y``, the one-hot design
    ``x`` (intercept and fixed-effect dummies as columns: what pyfixest's
    ``_model_matrix_one_hot`` gives, e.g. :attr:`analysis.stats.crv1.CRV1Fit.one_hot`), its
    column ``names`` and the cluster of each row (sorted cluster values get the weights in
    order, as wildboottest). Only where :func:`applies`."""
    clusters = np.asarray(clusters)
    if not applies(weights, int(np.unique(clusters).size), reps):
        raise ValueError(f"{weights} weights with {reps} reps: use wild_bootstrap_p (pyfixest)")
    design = _Design(np.asarray(y, dtype=float), np.asarray(x, dtype=float), clusters, names)
    t_stat, t_boot = _statistics(design, param, reps=reps, seed=seed, weights=weights)
    return float(np.mean(np.abs(t_stat) < abs(t_boot)))


def wild_bootstrap_p(
    model, param: str, *, cluster: str, reps: int, seed: int, weights: str = "webb"
) -> float:
    """:func:`wcr_test` where it applies (WCR-11; Webb weights, or Rademacher with 2^G >= reps),
    else pyfixest's ``wildboottest``."""
    n_clusters = int(model._data[cluster].nunique())
    if applies(weights, n_clusters, reps):
        return wcr_test(model, param, cluster=cluster, reps=reps, seed=seed, weights=weights)
    with warnings.catch_warnings():
        # With 2^G < reps wildboottest enumerates every sign vector instead (and says so).
        warnings.filterwarnings("ignore", message=".*full_enumeration.*")
        result = model.wildboottest(
            param=param, reps=reps, cluster=cluster, weights_type=weights, impose_null=True,
            seed=seed,
        )  # fmt: skip
    return float(result["Pr(>|t|)"])
