"""Keras-style losses (``keras.losses``; ``gt.nn.losses`` is the functional module): classes
and per-sample functions, found by name in ``compile(loss="categorical_crossentropy")``.

A loss object maps ``(y_true, y_pred)`` to per-sample values (the mean or sum over the last
axis), weights them by ``sample_weight`` and reduces them: ``"sum_over_batch_size"`` (Keras'
default: the weighted sum divided by the number of values), ``"sum"`` or ``"none"``.

Cross-entropies on probabilities (``from_logits=False``) clip them to ``[1e-7, 1 - 1e-7]`` as
Keras does; when the probabilities come straight from a ``softmax``/``sigmoid`` activation in
the same training step, the loss uses the logits instead (exact and stable, like Keras on
TensorFlow).

>>> import gputensor as gt
>>> loss = gt.nn.objectives.CategoricalCrossentropy()
>>> round(loss(gt.tensor([[0.0, 1.0]]), gt.tensor([[0.5, 0.5]])).item(), 4)
0.6931
>>> gt.nn.objectives.get("mse")(gt.tensor([[1.0, 2.0]]), gt.tensor([[1.0, 4.0]])).item()
2.0
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

from .. import dtypes as dt
from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError, IndexOutOfRangeError, ShapeError
from ..ops.indexing import value_range
from ..tensor import Tensor
from .activations import logits_of
from .losses import binary_cross_entropy_with_logits, cross_entropy

EPSILON = 1e-7
REDUCTIONS = ("sum_over_batch_size", "sum", "none")


def _as_pair(y_true, y_pred):
    if not isinstance(y_pred, Tensor):
        y_pred = ops.asarray(y_pred, dtype=dt.default_float)
    if not isinstance(y_true, Tensor):
        y_true = ops.asarray(y_true, device=y_pred.device)
    return y_true, y_pred


def _float_like(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """``y_true`` as ``y_pred``'s float dtype, reshaped from (N,) to (N, 1) when y_pred is."""
    if y_true.dtype is not y_pred.dtype:
        y_true = y_true.astype(y_pred.dtype)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, axis=-1)
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if y_true.shape != y_pred.shape:
        raise ShapeError(f"loss: y_true.shape={y_true.shape} does not match y_pred.shape={y_pred.shape}")
    return y_true


def _logits(y_pred: Tensor, from_logits: bool, kind: str):
    return y_pred if from_logits else logits_of(y_pred, kind)


# --- per-sample functions -------------------------------------------------------------------


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Per-sample cross-entropy of one-hot (or soft) ``y_true`` and class scores ``y_pred``."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    y_true = _float_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    logits = _logits(y_pred, from_logits, "softmax")
    if logits is not None:
        return cross_entropy(logits, y_true, axis=axis, reduction="none")
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    p = ops.clip(p, EPSILON, 1.0 - EPSILON)
    return -ops.sum(y_true * ops.log(p), axis=axis)


def check_class_ids(y_true: Tensor, n_classes: int) -> None:
    """IndexOutOfRangeError unless every id is in ``[0, n_classes)`` (no device read when the
    ids' bounds are known from the host, else one)."""
    if y_true.size == 0:
        return
    low, high = value_range(y_true)
    if low < 0 or high >= n_classes:
        low, high = value_range(y_true, exact=True)  # bounds need not be attained
    if low < 0 or high >= n_classes:
        bad = low if low < 0 else high
        raise IndexOutOfRangeError(
            f"sparse_categorical_crossentropy: label {bad} is out of range for {n_classes} classes "
            f"(labels must be in [0, {n_classes}))"
        )


def _sparse_ids(y_true: Tensor, y_pred: Tensor) -> Tensor:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if y_true.shape != y_pred.shape[:-1]:
        raise ShapeError(
            f"sparse_categorical_crossentropy: y_true.shape={y_true.shape} must be y_pred.shape without "
            f"its class axis ({y_pred.shape[:-1]})"
        )
    if y_true.dtype is not dt.int64:
        y_true = y_true.astype(dt.int64)
    return y_true


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, *, validate: bool = True
) -> Tensor:
    """Per-sample cross-entropy of integer class ids ``y_true`` and class scores ``y_pred``
    (ids are checked to be in range unless ``validate=False``)."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    ids = _sparse_ids(y_true, y_pred)
    n_classes = y_pred.shape[-1]
    if validate:
        check_class_ids(ids, n_classes)
    logits = _logits(y_pred, from_logits, "softmax")
    if logits is not None:
        log_p = ops.log_softmax(logits, axis=-1)
    else:
        p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
        log_p = ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))
    # One-hot select (elementwise ops and a sum): no gather, no host read.
    hit = ops.expand_dims(ids, axis=-1) == ops.arange(n_classes, device=y_pred.device)
    return -ops.sum(ops.where(hit, log_p, 0.0), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0) -> Tensor:
    """Per-sample binary cross-entropy (the mean over the last axis)."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    y_true = _float_like(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    logits = _logits(y_pred, from_logits, "sigmoid")
    if logits is not None:
        values = binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
        values = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    return ops.mean(values, axis=-1)


def mean_squared_error(y_true, y_pred) -> Tensor:
    """Per-sample mean of ``(y_pred - y_true) ** 2`` over the last axis."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    d = y_pred - _float_like(y_true, y_pred)
    return ops.mean(d * d, axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Per-sample mean of ``|y_pred - y_true|`` over the last axis."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    return ops.mean(ops.abs(y_pred - _float_like(y_true, y_pred)), axis=-1)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Per-sample Huber loss: quadratic within ``delta``, linear beyond."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    d = ops.abs(y_pred - _float_like(y_true, y_pred))
    values = ops.where(d <= delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    return ops.mean(values, axis=-1)


def hinge(y_true, y_pred) -> Tensor:
    """Per-sample ``mean(max(1 - y_true * y_pred, 0))``; 0/1 labels become -1/1 (on the device)."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    y_true = _float_like(y_true, y_pred)
    binary = ops.all((y_true == 0.0) | (y_true == 1.0))
    y_true = ops.where(binary, y_true * 2.0 - 1.0, y_true)
    return ops.mean(ops.relu(1.0 - y_true * y_pred), axis=-1)


def kl_divergence(y_true, y_pred) -> Tensor:
    """Per-sample ``sum(y_true * log(y_true / y_pred))``, both clipped to ``[1e-7, 1]``."""
    y_true, y_pred = _as_pair(y_true, y_pred)
    t = ops.clip(_float_like(y_true, y_pred), EPSILON, 1.0)
    p = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(t * ops.log(t / p), axis=-1)


# --- loss objects --------------------------------------------------------------------------------


class Loss(ABC):
    """Base class: subclasses implement ``call(y_true, y_pred)`` returning per-sample values."""

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None):
        if reduction == "auto":
            reduction = "sum_over_batch_size"
        if reduction not in REDUCTIONS:
            raise ArgumentValueError(
                f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}"
            )
        self.reduction = reduction
        self.name = name or _snake(type(self).__name__)

    @abstractmethod
    def call(self, y_true, y_pred) -> Tensor:
        """Per-sample losses for one batch."""

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, y_pred)
        return reduce_values(values, sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)


def reduce_values(values: Tensor, sample_weight, reduction: str) -> Tensor:
    """Weight per-sample ``values`` by ``sample_weight`` ((N,) or values' shape) and reduce."""
    if sample_weight is not None:
        if not isinstance(sample_weight, Tensor):
            sample_weight = ops.asarray(sample_weight, dtype=values.dtype, device=values.device)
        elif sample_weight.dtype is not values.dtype:
            sample_weight = sample_weight.astype(values.dtype)
        while sample_weight.ndim < values.ndim:
            sample_weight = ops.expand_dims(sample_weight, axis=-1)
        values = values * sample_weight
    if reduction == "none":
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    return total / max(values.size, 1)


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


class CategoricalCrossentropy(Loss):
    """Cross-entropy for one-hot labels; ``from_logits`` when ``y_pred`` holds raw scores."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.from_logits = bool(from_logits)
        self.label_smoothing = _fraction("label_smoothing", label_smoothing)
        self.axis = int(axis)

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing, self.axis)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy for integer class ids (``y_true`` of shape (N,) or (N, 1))."""

    def __init__(self, from_logits: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.from_logits = bool(from_logits)
        self.validate = True

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits, validate=self.validate)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy for 0/1 (or soft) labels, averaged over the last axis."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.from_logits = bool(from_logits)
        self.label_smoothing = _fraction("label_smoothing", label_smoothing)

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class MeanSquaredError(Loss):
    """Mean of squared differences over the last axis."""

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    """Mean of absolute differences over the last axis."""

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    """Huber loss with threshold ``delta``."""

    def __init__(self, delta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.delta = float(delta)

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class Hinge(Loss):
    """Hinge loss for -1/1 (or 0/1) labels."""

    def call(self, y_true, y_pred):
        return hinge(y_true, y_pred)


class KLDivergence(Loss):
    """Kullback-Leibler divergence of ``y_pred`` from ``y_true`` (both distributions)."""

    def call(self, y_true, y_pred):
        return kl_divergence(y_true, y_pred)


def _fraction(name: str, value) -> float:
    if not isinstance(value, numbers.Real) or not 0.0 <= float(value) <= 1.0:
        raise ArgumentValueError(f"{name} must be in [0, 1], got {value!r}")
    return float(value)


_BY_NAME = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
    "hinge": Hinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "kullback_leibler_divergence": KLDivergence,
}
_CLASSES = {cls.__name__: cls for cls in _BY_NAME.values()}


def get(identifier) -> Loss:
    """A loss object from a name, a config dict, a Loss (returned as is) or a function
    ``fn(y_true, y_pred) -> per-sample values`` (wrapped)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ArgumentValueError(
                f"losses.get: unknown loss {identifier!r}; known: {', '.join(sorted(_BY_NAME))}"
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ArgumentTypeError(
        f"losses.get: expected a name, a Loss or a function, got {type(identifier).__name__}"
    )


class LossFunctionWrapper(Loss):
    """A loss object around a per-sample function ``fn(y_true, y_pred)``."""

    def __init__(self, fn, **kwargs):
        super().__init__(name=kwargs.pop("name", getattr(fn, "__name__", "loss")), **kwargs)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)


def serialize(loss: Loss) -> dict:
    """``{"class_name": ..., "config": ...}`` of a built-in loss."""
    if type(loss).__name__ not in _CLASSES:
        raise ArgumentValueError(f"losses.serialize: {loss!r} is not a built-in loss")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict) -> Loss:
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ArgumentValueError(f"losses.deserialize: unknown loss {config!r}")
    return cls.from_config(dict(config.get("config", {})))
