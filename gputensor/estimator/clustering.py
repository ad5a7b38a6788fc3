"""What the clustering estimators share: points from features, variables without a
``model_fn``, seeded k-means++ seeding."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentTypeError, ArgumentValueError
from ..feature_column.dense import input_layer
from ..ops.random import Generator
from ..tensor import Tensor
from . import checkpoint
from .estimator import Estimator, NotTrainedError
from .spec import ModeKeys
from .store import using


def squared_distances(x: Tensor, centers: Tensor) -> Tensor:
    """``[n, k]`` squared Euclidean distances, from one matrix product."""
    xx = (x * x).sum(axis=1, keepdims=True)
    cc = (centers * centers).sum(axis=1)
    return ops.maximum(xx - 2.0 * ops.matmul(x, centers.mT) + cc, 0.0)


def kmeans_plus_plus(x: np.ndarray, k: int, generator: Generator, trials: int) -> np.ndarray:
    """Greedy k-means++ seeding: each new center is the best of ``trials`` candidates drawn
    with probability proportional to the squared distance to the nearest chosen center."""
    n = len(x)
    if n < k:
        raise ArgumentValueError(f"k-means++: {n} points cannot seed {k} clusters")
    uniforms = generator.random((k * (trials + 1),), dtype=dt.float64, device="cpu").numpy()
    first = min(int(uniforms[0] * n), n - 1)
    centers = [x[first]]
    closest = ((x - x[first]) ** 2).sum(axis=1)
    for i in range(1, k):
        cumulative = np.cumsum(closest)
        draws = uniforms[i * (trials + 1):(i + 1) * (trials + 1)] * cumulative[-1]
        candidates = np.minimum(np.searchsorted(cumulative, draws), n - 1)
        dists = ((x[candidates][:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
        options = np.minimum(closest[None, :], dists)
        best = int(np.argmin(options.sum(axis=1)))
        centers.append(x[candidates[best]])
        closest = options[best]
    return np.stack(centers)


class Clustering(Estimator, ABC):
    """Base of KMeansClustering and GMM: ``input_fn`` gives points (a ``[n, d]`` tensor, or a
    dict of features read through ``feature_columns`` or holding a single entry); labels, if
    any, are ignored. State lives in non-trainable variables, so checkpoints work as for any
    estimator."""

    def __init__(self, num_clusters: int, model_dir, config, feature_columns, seed):
        if not isinstance(num_clusters, int) or num_clusters < 1:
            raise ArgumentValueError(f"num_clusters must be a positive int, got {num_clusters!r}")
        self.num_clusters = num_clusters
        self.feature_columns = list(feature_columns) if feature_columns else None
        super().__init__(self._unused_model_fn, model_dir=model_dir, config=config)
        self.generator = Generator(0 if seed is None else int(seed))

    @staticmethod
    def _unused_model_fn(features, labels, mode):
        raise ArgumentTypeError("clustering estimators have no model_fn")

    def points(self, features) -> Tensor:
        if isinstance(features, dict):
            if self.feature_columns is not None:
                x = input_layer(features, self.feature_columns)
            elif len(features) == 1:
                x = next(iter(features.values()))
            else:
                raise ArgumentValueError(
                    f"{type(self).__name__}: features {sorted(features)} need feature_columns")
        else:
            x = features
        if not isinstance(x, Tensor):
            x = ops.asarray(np.asarray(x, dtype=np.float32))
        if x.ndim == 1:
            x = ops.reshape(x, (-1, 1))
        return x.astype(dt.float32) if x.dtype is not dt.float32 else x

    def _variable(self, name, shape) -> Tensor:
        with using(self._store):
            return self._store.variable(name, shape, "zeros", trainable=False)

    @abstractmethod
    def _create(self, dim: int) -> None:
        """Create the model's variables for points of ``dim`` features."""

    @abstractmethod
    def _initialize(self, x: Tensor) -> None:
        """Give the variables their first values from the points ``x``."""

    def _prepare(self, features, labels, mode) -> None:
        x = self.points(features)
        if not len(self._store):
            self._create(x.shape[1])
        if not self._restored:
            self._restored = True
            found = checkpoint.latest(self.model_dir)
            if found is not None:
                self._restore(*found)
        if mode == ModeKeys.TRAIN and not self.initialized:
            with no_grad():
                self._initialize(x)

    @property
    def initialized(self) -> bool:
        named = self._store.named()
        return "initialized" in named and bool(named["initialized"].item())

    def _mark_initialized(self) -> None:
        self._store.named()["initialized"][...] = 1.0

    def _ready(self, features, labels, mode) -> None:
        self._prepare(features, labels, mode)
        if not self.initialized:
            raise NotTrainedError(f"could not find a trained model in {self.model_dir}; train it first")
