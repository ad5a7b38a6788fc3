"""Feature columns: how a raw feature (a column of a CSV, a dict entry of a batch) becomes
model input.

Dense columns give a float tensor ``[batch, dimension]``: ``numeric_column``,
``bucketized_column`` (one-hot bucket), ``indicator_column`` (one-hot category) and
``embedding_column`` (a trained vector per category). Categorical columns give integer ids
``[batch]`` (-1 for "no category"): ``categorical_column_with_vocabulary_list``,
``categorical_column_with_identity`` and ``bucketized_column``. Lookups of text run on the
host (gputensor has no string dtype); everything after the ids runs on the device.

>>> import gputensor as gt
>>> fc = gt.feature_column
>>> color = fc.categorical_column_with_vocabulary_list("color", ["red", "green"])
>>> color.ids({"color": ["green", "blue", "red"]}).tolist()
[1, -1, 0]
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ..tensor import Tensor


def _host(value, key: str) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.numpy()
    return np.asarray(value)


def _feature(features, key: str):
    if not isinstance(features, dict):
        raise ArgumentTypeError(f"feature column {key!r}: features must be a dict of name -> values")
    if key not in features:
        raise ArgumentValueError(f"feature column {key!r}: no feature named {key!r} in {sorted(features)}")
    return features[key]


def _batch_rows(array: np.ndarray, key: str) -> np.ndarray:
    """Values as ``[batch]`` (one value per example)."""
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ShapeError(f"feature column {key!r}: expected one value per example, got shape {array.shape}")
    return array


class FeatureColumn:
    """Base class; ``name`` identifies the column (and its variables)."""

    name = ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class DenseColumn(FeatureColumn, ABC):
    """A column that becomes ``[batch, dimension]`` floats."""

    dimension = 0
    needs_variables = False

    @abstractmethod
    def dense(self, features, device, variables=None) -> Tensor:
        """The column's ``[batch, dimension]`` floats on ``device``."""


class CategoricalColumn(FeatureColumn, ABC):
    """A column that becomes integer ids in ``[0, num_buckets)`` (-1: none)."""

    num_buckets = 0

    @abstractmethod
    def ids(self, features) -> np.ndarray:
        """The column's integer ids, ``[batch]`` or ``[batch, n]``."""


class NumericColumn(DenseColumn):
    """``numeric_column(key, shape=(1,), default_value=None, dtype=gt.float32, normalizer_fn=None)``;
    ``default_value`` stands in for the feature when a batch lacks it."""

    def __init__(self, key: str, shape=(1,), default_value=None, dtype=None, normalizer_fn=None):
        self.key = key
        self.name = key
        self.shape = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
        self.default_value = default_value
        self.dtype = dt.float32 if dtype is None else dt.get_dtype(dtype)
        self.normalizer_fn = normalizer_fn
        self.dimension = int(np.prod(self.shape))

    def values(self, features, device) -> Tensor:
        """The feature as ``[batch, *shape]`` floats (before any normalizer)."""
        if self.default_value is not None and isinstance(features, dict) and self.key not in features:
            return self._default(features, device)
        value = _feature(features, self.key)
        if not isinstance(value, Tensor):
            value = ops.asarray(_host(value, self.key), device=device)
        elif value.device != device:
            value = value.to(device)
        value = value.astype(self.dtype) if value.dtype is not self.dtype else value
        batch = value.shape[0] if value.ndim else 1
        if value.size != batch * self.dimension:
            raise ShapeError(f"numeric_column {self.key!r}: expected {self.shape} values per example, "
                             f"got a feature of shape {value.shape}")
        return ops.reshape(value, (batch,) + self.shape)

    def _default(self, features, device) -> Tensor:
        if not features:
            raise ArgumentValueError(f"numeric_column {self.key!r}: no features to take the batch size from")
        batch = len(next(iter(features.values())))
        return ops.full((batch,) + self.shape, float(self.default_value), dtype=self.dtype, device=device)

    def dense(self, features, device, variables=None) -> Tensor:
        value = self.values(features, device)
        if self.normalizer_fn is not None:
            value = self.normalizer_fn(value)
        return ops.reshape(value, (value.shape[0], self.dimension)).astype(dt.float32)


class BucketizedColumn(DenseColumn, CategoricalColumn):
    """``bucketized_column(source_column, boundaries)``: bucket ``i`` holds values in
    ``[boundaries[i-1], boundaries[i])``; one-hot as a dense column."""

    def __init__(self, source_column: NumericColumn, boundaries):
        if not isinstance(source_column, NumericColumn):
            raise ArgumentTypeError("bucketized_column: source_column must be a numeric_column")
        bounds = [float(b) for b in boundaries]
        if not bounds or bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ArgumentValueError(f"bucketized_column: boundaries must be increasing, got {boundaries!r}")
        self.source_column = source_column
        self.boundaries = tuple(bounds)
        self.name = f"{source_column.name}_bucketized"
        per_value = len(bounds) + 1
        self.num_buckets = per_value * source_column.dimension
        self.dimension = self.num_buckets

    def bucket_ids(self, features, device) -> Tensor:
        """Per value, its bucket in ``[0, len(boundaries)]``: ``[batch, dimension_of_source]``."""
        value = self.source_column.values(features, device)
        flat = ops.reshape(value, (value.shape[0], self.source_column.dimension))
        edges = ops.asarray(np.asarray(self.boundaries, dtype=np.float32), device=device)
        return ops.sum(ops.astype(flat[..., None] >= edges, dt.int64), axis=-1)

    def ids(self, features) -> np.ndarray:
        device = _device_of(features)
        buckets = self.bucket_ids(features, device).numpy()
        if buckets.shape[1] != 1:
            raise ShapeError(
                f"bucketized_column {self.name!r}: categorical use needs a 1-value source column")
        return buckets[:, 0].astype(np.int64)

    def dense(self, features, device, variables=None) -> Tensor:
        buckets = self.bucket_ids(features, device)
        per_value = len(self.boundaries) + 1
        hot = ops.astype(buckets[..., None] == ops.arange(per_value, device=device), dt.float32)
        return ops.reshape(hot, (hot.shape[0], self.dimension))


class VocabularyListColumn(CategoricalColumn):
    """``categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None,
    default_value=-1, num_oov_buckets=0)``."""

    def __init__(self, key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
        vocab = list(vocabulary_list)
        if not vocab or len(set(vocab)) != len(vocab):
            raise ArgumentValueError(
                f"categorical_column_with_vocabulary_list {key!r}: the vocabulary must be "
                                     "non-empty without repeats")
        if num_oov_buckets and default_value != -1:
            raise ArgumentValueError("categorical_column_with_vocabulary_list: give default_value or "
                                     "num_oov_buckets, not both")
        self.key = key
        self.name = key
        self.vocabulary_list = tuple(vocab)
        self.dtype = dtype
        self.default_value = int(default_value)
        self.num_oov_buckets = int(num_oov_buckets)
        self.num_buckets = len(vocab) + self.num_oov_buckets
        self._index = {self._norm(v): i for i, v in enumerate(vocab)}

    @staticmethod
    def _norm(value):
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, (np.generic,)):
            return value.item()
        return value

    def ids(self, features) -> np.ndarray:
        values = _batch_rows(_host(_feature(features, self.key), self.key), self.key)
        out = np.empty(len(values), dtype=np.int64)
        size = len(self.vocabulary_list)
        for i, v in enumerate(values.tolist()):
            v = self._norm(v)
            found = self._index.get(v)
            if found is None:
                found = self.default_value
                if self.num_oov_buckets:
                    found = size + zlib.crc32(str(v).encode()) % self.num_oov_buckets
            out[i] = found
        return out


class IdentityColumn(CategoricalColumn):
    """``categorical_column_with_identity(key, num_buckets, default_value=None)``: integer
    features used as ids; out-of-range values become ``default_value`` (an error if None)."""

    def __init__(self, key, num_buckets: int, default_value=None):
        self.key = key
        self.name = key
        self.num_buckets = int(num_buckets)
        self.default_value = default_value

    def ids(self, features) -> np.ndarray:
        values = _batch_rows(_host(_feature(features, self.key), self.key), self.key)
        if values.dtype.kind not in "iu":
            raise ArgumentTypeError(f"categorical_column_with_identity {self.key!r}: needs integers, "
                                    f"got {values.dtype}")
        ids = values.astype(np.int64)
        bad = (ids < 0) | (ids >= self.num_buckets)
        if bad.any():
            if self.default_value is None:
                raise ArgumentValueError(f"categorical_column_with_identity {self.key!r}: value "
                                         f"{ids[bad][0]} is outside [0, {self.num_buckets})")
            ids[bad] = int(self.default_value)
        return ids


def _device_of(features):
    from ..devices.registry import current_device

    for v in features.values():
        if isinstance(v, Tensor):
            return v.device
    return current_device()


def _check_categorical(column, where):
    if not isinstance(column, CategoricalColumn):
        raise ArgumentTypeError(f"{where}: needs a categorical column, got {column!r}")


class IndicatorColumn(DenseColumn):
    """``indicator_column(categorical_column)``: the category one-hot (all zeros for -1)."""

    def __init__(self, categorical_column):
        _check_categorical(categorical_column, "indicator_column")
        self.categorical_column = categorical_column
        self.name = f"{categorical_column.name}_indicator"
        self.dimension = categorical_column.num_buckets

    def dense(self, features, device, variables=None) -> Tensor:
        ids = ops.asarray(self.categorical_column.ids(features), device=device)
        return ops.astype(ids[:, None] == ops.arange(self.dimension, device=device), dt.float32)


class EmbeddingColumn(DenseColumn):
    """``embedding_column(categorical_column, dimension, combiner="mean", initializer=None,
    trainable=True)``: a trained ``dimension``-vector per category (zeros for -1). The table
    starts truncated-normal with standard deviation ``1/sqrt(dimension)``. Features hold one
    category per example, so the combiners (kept for TensorFlow's signature) agree."""

    needs_variables = True

    def __init__(self, categorical_column, dimension: int, combiner="mean", initializer=None,
                 trainable=True):
        _check_categorical(categorical_column, "embedding_column")
        if combiner not in ("mean", "sum", "sqrtn"):
            raise ArgumentValueError(
                f"embedding_column: combiner must be mean, sum or sqrtn, got {combiner!r}")
        self.categorical_column = categorical_column
        self.dimension = int(dimension)
        self.combiner = combiner
        self.initializer = initializer
        self.trainable = bool(trainable)
        self.name = f"{categorical_column.name}_embedding"
        self.variable_name = f"{self.name}/embedding_weights"
        self.table_shape = (categorical_column.num_buckets, self.dimension)

    def make_initializer(self):
        from ..nn import initializers

        if self.initializer is not None:
            return initializers.get(self.initializer)
        return initializers.TruncatedNormal(stddev=1.0 / np.sqrt(self.dimension))

    def dense(self, features, device, variables=None) -> Tensor:
        if variables is None or self.variable_name not in variables:
            raise ArgumentValueError(
                f"embedding_column {self.name!r}: its table {self.variable_name!r} was not "
                                     "created; use DenseFeatures or an estimator")
        table = variables[self.variable_name]
        ids = self.categorical_column.ids(features)
        present = ops.asarray((ids >= 0).astype(np.float32)[:, None], device=device)
        rows = ops.take(table, ops.asarray(np.maximum(ids, 0), device=device), axis=0)
        return rows * present


def numeric_column(key, shape=(1,), default_value=None, dtype=None, normalizer_fn=None) -> NumericColumn:
    """A real-valued feature (``shape`` values per example).

    >>> import gputensor as gt
    >>> col = gt.feature_column.numeric_column("x", normalizer_fn=lambda v: v * 2)
    >>> col.dense({"x": gt.tensor([1.0, 3.0])}, gt.device("cpu")).tolist()
    [[2.0], [6.0]]
    """
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def bucketized_column(source_column, boundaries) -> BucketizedColumn:
    """A numeric feature split into ranges by ``boundaries``.

    >>> import gputensor as gt
    >>> age = gt.feature_column.bucketized_column(gt.feature_column.numeric_column("age"), [18, 65])
    >>> age.dense({"age": gt.tensor([10.0, 30.0, 70.0])}, gt.device("cpu")).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    return BucketizedColumn(source_column, boundaries)


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1,
                                            num_oov_buckets=0) -> VocabularyListColumn:
    """A feature whose values come from a fixed list (strings or integers)."""
    return VocabularyListColumn(key, vocabulary_list, dtype, default_value, num_oov_buckets)


def categorical_column_with_identity(key, num_buckets, default_value=None) -> IdentityColumn:
    """Integer features that already are ids in ``[0, num_buckets)``."""
    return IdentityColumn(key, num_buckets, default_value)


def indicator_column(categorical_column) -> IndicatorColumn:
    """A categorical column as a one-hot dense column.

    >>> import gputensor as gt
    >>> fc = gt.feature_column
    >>> col = fc.indicator_column(fc.categorical_column_with_vocabulary_list("c", ["a", "b"]))
    >>> col.dense({"c": ["b", "z"]}, gt.device("cpu")).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    return IndicatorColumn(categorical_column)


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None,
                     trainable=True) -> EmbeddingColumn:
    """A categorical column as trained ``dimension``-vectors."""
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer, trainable)
