"""``GMM``: a Gaussian mixture fitted by expectation–maximization."""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentValueError
from ..nn import functional as F
from .clustering import Clustering, kmeans_plus_plus, squared_distances
from .metrics import Mean

REG_COVAR = 1e-6
_INIT_LLOYD_STEPS = 20


class GMM(Clustering):
    """A mixture of ``num_clusters`` Gaussians (``covariance_type`` "full" or "diag").

    Each training step is one EM iteration on the batch (feed the whole data set as the batch
    for classic EM): the E-step computes each point's responsibilities, the M-step re-estimates
    the mixture weights, means and covariances named in ``params`` ("w", "m", "c"), adding
    ``1e-6`` to the covariance diagonals. The first batch starts the model from k-means
    (k-means++ seeding, then Lloyd iterations), as scikit-learn does. ``evaluate`` gives the
    ``log_likelihood`` of the data, its per-point ``average_log_likelihood``, and ``loss``
    (minus the average). The point-by-component work runs on the device; the small
    ``d x d`` factorizations run on the host in float64.

    >>> import gputensor as gt
    >>> x = gt.tensor([[0.0], [0.2], [-0.2], [10.0], [10.2], [9.8]])
    >>> gmm = gt.estimator.GMM(2, random_seed=0)
    >>> _ = gmm.train(lambda: x, steps=10)
    >>> sorted(round(float(m[0]), 3) for m in gmm.clusters())
    [0.0, 10.0]
    """

    def __init__(self, num_clusters, model_dir=None, random_seed=0, params="wmc",
                 initial_clusters="kmeans", covariance_type="full", feature_columns=None, config=None):
        if covariance_type not in ("full", "diag"):
            raise ArgumentValueError(
                f"GMM: covariance_type must be 'full' or 'diag', got {covariance_type!r}")
        if initial_clusters not in ("kmeans", "random"):
            raise ArgumentValueError(
                f"GMM: initial_clusters must be 'kmeans' or 'random', got {initial_clusters!r}")
        if not set(params) <= set("wmc") or not params:
            raise ArgumentValueError(f"GMM: params must be letters of 'wmc', got {params!r}")
        super().__init__(num_clusters, model_dir, config, feature_columns, random_seed)
        self.update_params = params
        self.initial_clusters = initial_clusters
        self.covariance_type = covariance_type

    def _create(self, dim):
        k = self.num_clusters
        self._variable("clusters", (k, dim))
        cov_shape = (k, dim, dim) if self.covariance_type == "full" else (k, dim)
        self._variable("covariances", cov_shape)
        self._variable("weights", (k,))
        self._variable("initialized", ())

    # --- initialization -----------------------------------------------------------------------
    def _initialize(self, x):
        host = x.numpy().astype(np.float64)
        k = self.num_clusters
        if self.initial_clusters == "kmeans":
            centers = kmeans_plus_plus(host, k, self.generator, 3)
            centers = _lloyd(x, ops.asarray(centers.astype(np.float32), device=x.device), _INIT_LLOYD_STEPS)
        else:
            if len(host) < k:
                raise ArgumentValueError(f"GMM: {len(host)} points cannot seed {k} clusters")
            order = self.generator.permutation(len(host), device="cpu").numpy()[:k]
            centers = ops.asarray(host[order].astype(np.float32), device=x.device)
        nearest = ops.argmin(squared_distances(x, centers), axis=1)
        resp = F.one_hot(nearest, k, dtype=dt.float32)
        self._m_step(x, resp, "wmc")
        self._mark_initialized()

    # --- the two steps ------------------------------------------------------------------------
    def _precision_factors(self):
        """Per component, ``P`` with ``P P^T`` the inverse covariance, and ``log det P``."""
        cov = self._store.named()["covariances"].numpy().astype(np.float64)
        if self.covariance_type == "diag":
            prec = 1.0 / np.sqrt(cov)
            return prec, np.log(prec).sum(axis=1)
        factors, logdets = [], []
        for c in cov:
            try:
                chol = np.linalg.cholesky(c)
            except np.linalg.LinAlgError:
                raise ArgumentValueError("GMM: a covariance is not positive definite; the data may have "
                                         "fewer distinct points than clusters") from None
            inv = np.linalg.solve(chol, np.eye(len(c))).T
            factors.append(inv)
            logdets.append(np.log(np.diag(inv)).sum())
        return np.stack(factors), np.array(logdets)

    def log_prob(self, x):
        """``[n, k]``: log of weight times density of each point under each component."""
        named = self._store.named()
        means = named["clusters"]
        factors, logdets = self._precision_factors()
        prec = ops.asarray(factors.astype(np.float32), device=x.device)
        d = x.shape[1]
        if self.covariance_type == "diag":
            y = (x[:, None, :] - means[None, :, :]) * prec[None, :, :]
        else:
            y = ops.einsum("nd,kde->nke", x, prec) - ops.einsum("kd,kde->ke", means, prec)[None, :, :]
        maha = (y * y).sum(axis=2)
        const = ops.asarray((logdets - 0.5 * d * math.log(2 * math.pi)).astype(np.float32), device=x.device)
        log_w = ops.log(ops.maximum(named["weights"], 1e-30))
        return -0.5 * maha + const + log_w

    def _m_step(self, x, resp, which: str) -> None:
        named = self._store.named()
        nk = resp.sum(axis=0) + 10 * np.finfo(np.float32).eps
        if "w" in which:
            named["weights"][...] = nk / x.shape[0]
        if "m" in which:
            named["clusters"][...] = ops.matmul(resp.mT, x) / nk[:, None]
        if "c" in which:
            named["covariances"][...] = self._covariances(x, resp, nk, named["clusters"])

    def _covariances(self, x, resp, nk, means):
        diff = x[None, :, :] - means[:, None, :]
        weighted = diff * resp.mT[:, :, None]
        d = x.shape[1]
        if self.covariance_type == "diag":
            return (weighted * diff).sum(axis=1) / nk[:, None] + REG_COVAR
        cov = ops.einsum("knd,kne->kde", weighted, diff) / nk[:, None, None]
        return cov + REG_COVAR * ops.eye(d, device=x.device)

    def _train_step(self, features, labels):
        with no_grad():
            x = self.points(features)
            logp = self.log_prob(x)
            total = ops.logsumexp(logp, axis=1, keepdims=True)
            resp = ops.exp(logp - total)
            self._m_step(x, resp, self.update_params)
        return -total.mean()

    # --- evaluation and prediction ------------------------------------------------------------
    def _new_accumulator(self):
        return Mean()

    def _eval_batch(self, acc, features, labels):
        x = self.points(features)
        acc.update(ops.logsumexp(self.log_prob(x), axis=1))

    def _eval_results(self, acc):
        average = acc.result()
        return {"log_likelihood": acc.total, "average_log_likelihood": average, "loss": -average}

    def _predict_batch(self, features):
        logp = self.log_prob(self.points(features))
        total = ops.logsumexp(logp, axis=1, keepdims=True)
        return {"cluster_index": ops.argmax(logp, axis=1).numpy(),
                "probabilities": ops.exp(logp - total).numpy(),
                "log_likelihood": total[:, 0].numpy()}

    def clusters(self) -> np.ndarray:
        """The component means, ``[k, d]``."""
        return self._value("clusters")

    def covariances(self) -> np.ndarray:
        """The covariances, ``[k, d, d]`` (full) or ``[k, d]`` (diag)."""
        return self._value("covariances")

    def weights(self) -> np.ndarray:
        """The mixture weights, ``[k]``."""
        return self._value("weights")

    def _value(self, name):
        if not len(self._store):
            return self.get_variable_value(name)
        return self._store.named()[name].numpy().copy()


def _lloyd(x, centers, steps: int):
    k = centers.shape[0]
    for _ in range(steps):
        nearest = ops.argmin(squared_distances(x, centers), axis=1)
        hot = F.one_hot(nearest, k, dtype=dt.float32)
        sizes = hot.sum(axis=0)
        moved = ops.matmul(hot.mT, x) / ops.maximum(sizes, 1.0)[:, None]
        centers = ops.where((sizes > 0)[:, None], moved, centers)
    return centers
