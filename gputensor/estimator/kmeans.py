"""``KMeansClustering``: Lloyd's algorithm (full batch) or mini-batch k-means."""

from __future__ import annotations

from .. import dtypes as dt
from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentValueError
from ..nn import functional as F
from .clustering import Clustering, kmeans_plus_plus, squared_distances
from .metrics import Mean


class KMeansClustering(Clustering):
    """k-means with TensorFlow's interface.

    Each training step takes one batch: with ``use_mini_batch=False`` it is one Lloyd
    iteration (assign every point to its nearest center, move each center to the mean of its
    points; feed the whole data set as the batch); with ``use_mini_batch=True`` each center
    moves toward its new points by the fraction they make of all points it has seen. The
    centers start from the first batch: k-means++ (greedy, ``kmeans_plus_plus_num_retries``
    extra candidates per center) or random points. ``evaluate`` gives ``score`` (the sum of
    squared distances to the nearest center, i.e. the inertia) and ``loss`` (the same).

    >>> import gputensor as gt
    >>> points = gt.tensor([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> km = gt.estimator.KMeansClustering(2, use_mini_batch=False, seed=1)
    >>> _ = km.train(lambda: points, steps=5)
    >>> sorted(round(float(c[0]), 2) for c in km.cluster_centers())
    [0.05, 5.05]
    """

    RANDOM_INIT = "random"
    KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"
    SQUARED_EUCLIDEAN_DISTANCE = "squared_euclidean"
    COSINE_DISTANCE = "cosine"

    def __init__(self, num_clusters, model_dir=None, initial_clusters=KMEANS_PLUS_PLUS_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE, seed=None, use_mini_batch=True,
                 kmeans_plus_plus_num_retries=2, feature_columns=None, config=None):
        if initial_clusters not in (self.RANDOM_INIT, self.KMEANS_PLUS_PLUS_INIT):
            raise ArgumentValueError(f"KMeansClustering: unknown initial_clusters {initial_clusters!r}")
        if distance_metric not in (self.SQUARED_EUCLIDEAN_DISTANCE, self.COSINE_DISTANCE):
            raise ArgumentValueError(f"KMeansClustering: unknown distance_metric {distance_metric!r}")
        super().__init__(num_clusters, model_dir, config, feature_columns, seed)
        self.initial_clusters = initial_clusters
        self.distance_metric = distance_metric
        self.use_mini_batch = bool(use_mini_batch)
        self.retries = int(kmeans_plus_plus_num_retries)

    def _create(self, dim):
        self._variable("clusters", (self.num_clusters, dim))
        self._variable("cluster_counts", (self.num_clusters,))
        self._variable("initialized", ())

    def _initialize(self, x):
        host = x.numpy().astype("float64")
        if self.distance_metric == self.COSINE_DISTANCE:
            host = host / (((host ** 2).sum(axis=1, keepdims=True)) ** 0.5 + 1e-12)
        if self.initial_clusters == self.KMEANS_PLUS_PLUS_INIT:
            centers = kmeans_plus_plus(host, self.num_clusters, self.generator, self.retries + 1)
        else:
            if len(host) < self.num_clusters:
                raise ArgumentValueError(
                    f"KMeansClustering: {len(host)} points cannot seed {self.num_clusters}")
            order = self.generator.permutation(len(host), device="cpu").numpy()[:self.num_clusters]
            centers = host[order]
        self._store.named()["clusters"][...] = ops.asarray(centers.astype("float32"), device=x.device)
        self._mark_initialized()

    def _prepared_points(self, x):
        if self.distance_metric == self.COSINE_DISTANCE:
            return x / ops.maximum(ops.sqrt((x * x).sum(axis=1, keepdims=True)), 1e-12)
        return x

    def distances(self, x):
        """``[n, k]`` distances of points to the centers (squared Euclidean or cosine)."""
        x = self._prepared_points(x)
        centers = self._store.named()["clusters"]
        if self.distance_metric == self.COSINE_DISTANCE:
            unit = centers / ops.maximum(ops.sqrt((centers * centers).sum(axis=1, keepdims=True)), 1e-12)
            return 1.0 - ops.matmul(x, unit.mT)
        return squared_distances(x, centers)

    def _train_step(self, features, labels):
        with no_grad():
            x = self._prepared_points(self.points(features))
            named = self._store.named()
            centers, counts = named["clusters"], named["cluster_counts"]
            dist = self.distances(x)
            nearest = ops.argmin(dist, axis=1)
            loss = ops.min(dist, axis=1).sum()
            hot = F.one_hot(nearest, self.num_clusters, dtype=dt.float32)
            sums = ops.matmul(hot.mT, x)
            sizes = hot.sum(axis=0)
            if self.use_mini_batch:
                total = counts + sizes
                step = ops.where(total > 0, sizes / ops.maximum(total, 1.0), 0.0)
                target = sums / ops.maximum(sizes, 1.0)[:, None]
                centers[...] = centers + step[:, None] * (target - centers)
                counts[...] = total
            else:
                moved = sums / ops.maximum(sizes, 1.0)[:, None]
                centers[...] = ops.where((sizes > 0)[:, None], moved, centers)
                counts[...] = counts + sizes
        return loss

    def _new_accumulator(self):
        return Mean()

    def _eval_batch(self, acc, features, labels):
        dist = self.distances(self.points(features))
        acc.update_scalar(ops.min(dist, axis=1).sum(), 1.0)

    def _eval_results(self, acc):
        return {"score": acc.total, "loss": acc.total}

    def _predict_batch(self, features):
        dist = self.distances(self.points(features))
        return {"cluster_index": ops.argmin(dist, axis=1).numpy(), "all_distances": dist.numpy()}

    def cluster_centers(self):
        """The centers as a ``[k, d]`` NumPy array."""
        if not len(self._store):
            return self.get_variable_value("clusters")
        return self._store.named()["clusters"].numpy().copy()

    def score(self, input_fn, steps=None) -> float:
        """The sum of squared distances of the points to their nearest centers."""
        return self.evaluate(input_fn, steps)["score"]

    def predict_cluster_index(self, input_fn):
        """Yield each point's nearest center."""
        for p in self.predict(input_fn, predict_keys="cluster_index"):
            yield int(p["cluster_index"])

    def transform(self, input_fn):
        """Yield each point's distances to all centers."""
        for p in self.predict(input_fn, predict_keys="all_distances"):
            yield p["all_distances"]
