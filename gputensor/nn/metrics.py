"""Keras-style metrics: streaming statistics whose state lives on the device.

``update_state`` adds a batch (device ops only, nothing is read back); ``result()`` returns a
0-d tensor on the device; ``float(metric.result())`` is the one host read, done where a value
is shown or logged. ``compile(metrics=["accuracy"])`` picks binary, sparse or categorical
accuracy from the loss and the shapes, as Keras does.

>>> import gputensor as gt
>>> m = gt.nn.metrics.get("categorical_accuracy")
>>> m.update_state(gt.tensor([[0.0, 1.0], [1.0, 0.0]]), gt.tensor([[0.2, 0.8], [0.3, 0.7]]))
>>> m.result().item()
0.5
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from .. import dtypes as dt
from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor
from . import objectives


def _pair(y_true, y_pred):
    if not isinstance(y_pred, Tensor):
        y_pred = ops.asarray(y_pred, dtype=dt.default_float)
    if not isinstance(y_true, Tensor):
        y_true = ops.asarray(y_true, device=y_pred.device)
    return y_true, y_pred.detach()


class Metric(ABC):
    """Base class: subclasses create state with :meth:`add_state` in ``_build`` and implement
    ``update_state`` and ``result``."""

    def __init__(self, name: str | None = None):
        self.name = name or objectives._snake(type(self).__name__)
        self._state: dict[str, Tensor] = {}
        self._initial: dict[str, float] = {}

    def add_state(self, name: str, shape=(), init: float = 0.0, device=None) -> Tensor:
        self._state[name] = ops.full(shape, init, dtype=dt.float32, device=device)
        self._initial[name] = init
        return self._state[name]

    def _ensure(self, device) -> None:
        if not self._state:
            self._build(device)
        elif next(iter(self._state.values())).device != device:
            self._state = {k: v.to(device) for k, v in self._state.items()}

    @abstractmethod
    def _build(self, device) -> None:
        """Create the metric's state tensors on ``device``."""

    def reset_state(self) -> None:
        """Forget every batch seen."""
        for name, t in self._state.items():
            t.fill_(self._initial[name])

    @abstractmethod
    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate one batch."""

    @abstractmethod
    def result(self) -> Tensor:
        """The metric over every batch seen."""

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight)``.

    >>> import gputensor as gt
    >>> m = gt.nn.metrics.Mean()
    >>> m.update_state(gt.tensor([1.0, 3.0])); m.update_state(gt.tensor(5.0), sample_weight=2.0)
    >>> m.result().item()
    3.5
    """

    def _build(self, device):
        self.add_state("total", device=device)
        self.add_state("count", device=device)

    def update_state(self, values, sample_weight=None) -> None:
        if not isinstance(values, Tensor):
            values = ops.asarray(values, dtype=dt.float32)
        with no_grad():
            values = values.detach().astype(dt.float32)
            self._ensure(values.device)
            if sample_weight is None:
                self._state["total"] += ops.sum(values)
                self._state["count"] += float(values.size)
                return
            if not isinstance(sample_weight, Tensor):
                sample_weight = ops.asarray(sample_weight, dtype=dt.float32, device=values.device)
            weights = ops.broadcast_to(sample_weight.astype(dt.float32), values.shape)
            self._state["total"] += ops.sum(values * weights)
            self._state["count"] += ops.sum(weights)

    def result(self) -> Tensor:
        if not self._state:
            return ops.asarray(0.0, dtype=dt.float32)
        total = self._state["total"]
        count = self._state["count"]
        return ops.where(count > 0, total / ops.maximum(count, 1e-30), 0.0)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function ``fn(y_true, y_pred)`` over every sample seen."""

    def __init__(self, fn, name: str | None = None, **fn_kwargs):
        super().__init__(name or fn.__name__)
        self.fn = fn
        self.fn_kwargs = fn_kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = _pair(y_true, y_pred)
        with no_grad():
            values = self.fn(y_true, y_pred, **self.fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        return {"name": self.name, **self.fn_kwargs}


# --- per-sample functions ------------------------------------------------------------------------


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the top class of ``y_pred`` is the top class of one-hot ``y_true``."""
    return (ops.argmax(y_pred, axis=-1) == ops.argmax(y_true, axis=-1)).astype(dt.float32)


def _ids(y_true: Tensor, y_pred: Tensor) -> Tensor:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    return y_true if y_true.dtype is dt.int64 else y_true.astype(dt.int64)


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the top class of ``y_pred`` equals the integer id ``y_true``."""
    return (ops.argmax(y_pred, axis=-1) == _ids(y_true, y_pred)).astype(dt.float32)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """Mean over the last axis of ``(y_pred > threshold) == y_true``."""
    y_true = objectives._float_like(y_true, y_pred)
    hit = (y_pred > threshold).astype(y_pred.dtype) == y_true
    return ops.mean(hit.astype(dt.float32), axis=-1)


def _top_k(scores: Tensor, true_score: Tensor, k: int) -> Tensor:
    # In the top k when fewer than k classes score strictly higher than the true class.
    higher = ops.sum((scores > ops.expand_dims(true_score, axis=-1)).astype(dt.int32), axis=-1)
    return (higher < k).astype(dt.float32)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1.0 where the one-hot true class is among the ``k`` highest scores."""
    true_score = ops.sum(ops.where(y_true > 0.5, y_pred, 0.0), axis=-1)
    return _top_k(y_pred, true_score, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1.0 where the integer true class is among the ``k`` highest scores."""
    ids = _ids(y_true, y_pred)
    hit = ops.expand_dims(ids, axis=-1) == ops.arange(y_pred.shape[-1], device=y_pred.device)
    true_score = ops.sum(ops.where(hit, y_pred, 0.0), axis=-1)
    return _top_k(y_pred, true_score, k)


def _wrapper(fn, doc: str, **defaults):
    class Wrapped(MeanMetricWrapper):
        __doc__ = doc

        def __init__(self, name: str | None = None, **kwargs):
            super().__init__(fn, name or fn.__name__, **{**defaults, **kwargs})

    Wrapped.__name__ = Wrapped.__qualname__ = "".join(p.title() for p in fn.__name__.split("_"))
    return Wrapped


CategoricalAccuracy = _wrapper(
    categorical_accuracy, "Share of samples whose top class is right (one-hot labels)."
)
SparseCategoricalAccuracy = _wrapper(
    sparse_categorical_accuracy, "Share of samples whose top class is right (integer labels)."
)
BinaryAccuracy = _wrapper(binary_accuracy, "Share of right 0/1 predictions at ``threshold``.", threshold=0.5)
TopKCategoricalAccuracy = _wrapper(
    top_k_categorical_accuracy, "Share of samples whose true class is in the top ``k``.", k=5
)
SparseTopKCategoricalAccuracy = _wrapper(
    sparse_top_k_categorical_accuracy, "Top-``k`` accuracy for integer labels.", k=5
)
MeanAbsoluteError = _wrapper(objectives.mean_absolute_error, "Mean absolute error.")
MeanSquaredError = _wrapper(objectives.mean_squared_error, "Mean squared error.")


class _Confusion(Metric):
    """True/false positive and negative counts at ``thresholds`` (for 0/1 labels)."""

    def __init__(self, thresholds=0.5, name: str | None = None):
        super().__init__(name)
        self.thresholds = [float(thresholds)] if isinstance(thresholds, (int, float)) else list(thresholds)

    def _build(self, device):
        n = len(self.thresholds)
        for key in ("tp", "fp", "fn", "tn"):
            self.add_state(key, (n,), device=device)
        self._thr = ops.asarray(self.thresholds, dtype=dt.float32, device=device)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true, y_pred = _pair(y_true, y_pred)
        with no_grad():
            self._ensure(y_pred.device)
            pred = ops.reshape(y_pred.astype(dt.float32), (-1, 1)) > self._thr
            label = ops.reshape(y_true.astype(dt.float32), (-1, 1)) > 0.5
            weight = 1.0
            if sample_weight is not None:
                sw = ops.asarray(sample_weight, dtype=dt.float32, device=y_pred.device)
                per_value = y_pred.size // max(sw.size, 1)
                weight = ops.reshape(ops.repeat(ops.reshape(sw, (-1,)), per_value), (-1, 1))
            for key, cell in (
                ("tp", pred & label),
                ("fp", pred & ~label),
                ("fn", ~pred & label),
                ("tn", ~pred & ~label),
            ):
                self._state[key] += ops.sum(cell.astype(dt.float32) * weight, axis=0)

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds}


def _ratio(a: Tensor, b: Tensor) -> Tensor:
    return ops.where(b > 0, a / ops.maximum(b, 1e-30), 0.0)


class Precision(_Confusion):
    """``tp / (tp + fp)`` of ``y_pred > thresholds`` against 0/1 labels (0 before any positive).

    >>> import gputensor as gt
    >>> gt.nn.metrics.Precision()(gt.tensor([1.0, 0.0, 1.0]), gt.tensor([0.9, 0.8, 0.2])).item()
    0.5
    """

    def result(self):
        r = _ratio(self._state["tp"], self._state["tp"] + self._state["fp"])
        return r[0] if len(self.thresholds) == 1 else r


class Recall(_Confusion):
    """``tp / (tp + fn)`` of ``y_pred > thresholds`` against 0/1 labels."""

    def result(self):
        r = _ratio(self._state["tp"], self._state["tp"] + self._state["fn"])
        return r[0] if len(self.thresholds) == 1 else r


class AUC(_Confusion):
    """Area under the ROC curve, by the trapezoidal rule over ``num_thresholds`` thresholds
    evenly spaced in [0, 1] (Keras' method; close to the exact AUC for 200 thresholds)."""

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", name: str | None = None):
        if curve != "ROC":
            raise ArgumentValueError(f"AUC: only curve='ROC' is supported, got {curve!r}")
        if num_thresholds < 2:
            raise ArgumentValueError(f"AUC: num_thresholds must be at least 2, got {num_thresholds}")
        eps = 1e-7
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        super().__init__([-eps, *inner, 1.0 + eps], name=name or "auc")
        self.num_thresholds = num_thresholds

    def result(self):
        s = self._state
        tpr = _ratio(s["tp"], s["tp"] + s["fn"])
        fpr = _ratio(s["fp"], s["fp"] + s["tn"])
        return ops.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) * 0.5)

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds}


_BY_NAME = {
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "binary_accuracy": BinaryAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
}


def get(identifier, loss=None, y_true=None, y_pred=None) -> Metric:
    """A metric from a name, a Metric (returned as is) or a per-sample function. ``"accuracy"``
    (or ``"acc"``) needs the loss and one batch's ``y_true``/``y_pred`` to choose its kind."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            cls = _accuracy_kind(loss, y_true, y_pred)
            return cls(name=identifier)
        cls = _BY_NAME.get(key)
        if cls is None:
            known = ", ".join(sorted(["accuracy", *_BY_NAME]))
            raise ArgumentValueError(f"metrics.get: unknown metric {identifier!r}; known: {known}")
        return cls(name=identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ArgumentTypeError(
        f"metrics.get: expected a name, a Metric or a function, got {type(identifier).__name__}"
    )


def _accuracy_kind(loss, y_true, y_pred):
    if isinstance(loss, objectives.BinaryCrossentropy) or (y_pred is not None and y_pred.shape[-1] == 1):
        return BinaryAccuracy
    if isinstance(loss, objectives.SparseCategoricalCrossentropy):
        return SparseCategoricalAccuracy
    if y_true is not None and y_pred is not None:
        if y_true.ndim < y_pred.ndim or (y_true.shape[-1] == 1 and y_pred.shape[-1] > 1):
            return SparseCategoricalAccuracy
    return CategoricalAccuracy
