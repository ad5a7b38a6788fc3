"""Heads: what the canned estimators put after their logits — the loss, the predictions,
and the evaluation metrics — for classification, regression and the hinge-loss SVM."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..errors import ArgumentValueError, ShapeError
from ..nn import functional as F
from ..ops.indexing import value_range
from ..tensor import Tensor
from .metrics import Curve, Mean, host


def _as_rows(x: Tensor) -> Tensor:
    return ops.reshape(x, (x.shape[0],)) if x.ndim == 2 and x.shape[1] == 1 else x


LOSS_REDUCTIONS = ("sum", "sum_over_batch_size")


class Head(ABC):
    """Base class. ``loss`` reduces the per-example losses by ``loss_reduction``: ``"sum"``
    (``sum(weight * loss)``, TensorFlow 1's default, which the seeds' estimators trained with)
    or ``"sum_over_batch_size"`` (that divided by the batch size, TensorFlow 2's default)."""

    logits_dimension = 1
    loss_reduction = "sum"

    def set_reduction(self, loss_reduction: str) -> None:
        if loss_reduction not in LOSS_REDUCTIONS:
            raise ArgumentValueError(
                f"loss_reduction must be one of {LOSS_REDUCTIONS}, got {loss_reduction!r}")
        self.loss_reduction = loss_reduction

    @abstractmethod
    def per_example_loss(self, logits: Tensor, labels) -> Tensor:
        """The loss of each example, ``[batch]``."""

    @abstractmethod
    def predictions(self, logits: Tensor) -> dict:
        """The prediction dict (``class_ids``, ``probabilities``, ...) of a batch of logits."""

    def loss(self, logits: Tensor, labels, weights=None):
        """``(scalar loss, per-example losses)``."""
        per_example = self.per_example_loss(logits, labels)
        if weights is not None:
            per_example = per_example * ops.reshape(weights.astype(per_example.dtype), per_example.shape)
        total = per_example.sum()
        if self.loss_reduction == "sum_over_batch_size":
            total = total / per_example.shape[0]
        return total, per_example

    def accumulator(self):
        return _Accumulator(self)


class _Accumulator:
    def __init__(self, head):
        self.head = head
        self.loss = Mean()
        self.average_loss = Mean()

    def update(self, logits, labels, per_example, batch_loss, weights):
        self.loss.update_scalar(batch_loss, 1.0)
        if weights is None:
            self.average_loss.update(per_example)
        else:
            w = host(weights).reshape(-1)
            self.average_loss.update(host(per_example) / np.where(w == 0, 1.0, w), w)

    def result(self) -> dict:
        return {"loss": self.loss.result(), "average_loss": self.average_loss.result()}


class ClassificationHead(Head):
    """Softmax cross-entropy for ``n_classes > 2``; sigmoid (one logit) for 2 classes, as in
    TensorFlow. ``label_vocabulary`` maps string labels to class ids."""

    def __init__(self, n_classes: int = 2, label_vocabulary=None):
        if not isinstance(n_classes, int) or n_classes < 2:
            raise ArgumentValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
        self.n_classes = n_classes
        self.binary = n_classes == 2
        self.logits_dimension = 1 if self.binary else n_classes
        self.vocabulary = None if label_vocabulary is None else list(label_vocabulary)
        if self.vocabulary is not None and len(self.vocabulary) != n_classes:
            raise ArgumentValueError(
                f"label_vocabulary has {len(self.vocabulary)} entries for {n_classes} classes")

    def class_ids(self, labels, device) -> Tensor:
        """Labels as int64 class ids ``[batch]``, checked to be in range."""
        if self.vocabulary is not None:
            index = {v: i for i, v in enumerate(self.vocabulary)}
            raw = labels.numpy() if isinstance(labels, Tensor) else np.asarray(labels)
            try:
                ids = np.array([index[v.item() if isinstance(v, np.generic) else v] for v in raw.reshape(-1)])
            except KeyError as exc:
                raise ArgumentValueError(f"label {exc.args[0]!r} is not in label_vocabulary") from None
            return ops.asarray(ids.astype(np.int64), device=device)
        if not isinstance(labels, Tensor):
            labels = ops.asarray(np.asarray(labels), device=device)
        if labels.dtype.kind == "f":
            labels = labels.astype(dt.int64)
        labels = ops.reshape(labels, (-1,)).astype(dt.int64)
        low, high = value_range(labels)  # no device read when the bounds are known
        if low < 0 or high >= self.n_classes:
            low, high = value_range(labels, exact=True)
        if low < 0 or high >= self.n_classes:
            raise ArgumentValueError(f"labels must be class ids in [0, {self.n_classes}), got values in "
                                     f"[{low}, {high}]; give label_vocabulary for string labels")
        return labels

    def per_example_loss(self, logits, labels):
        ids = self.class_ids(labels, logits.device)
        if ids.shape[0] != logits.shape[0]:
            raise ShapeError(f"{ids.shape[0]} labels for a batch of {logits.shape[0]}")
        if self.binary:
            targets = ids.astype(logits.dtype)
            return F.binary_cross_entropy_with_logits(logits[:, 0], targets, reduction="none")
        return F.cross_entropy(logits, ids, reduction="none")

    def predictions(self, logits) -> dict:
        if self.binary:
            p = F.sigmoid(logits)
            ids = ops.astype(p > 0.5, dt.int64)
            out = {"logits": logits, "logistic": p, "probabilities": ops.concat([1.0 - p, p], axis=1),
                   "class_ids": ids}
        else:
            out = {"logits": logits, "probabilities": F.softmax(logits, axis=-1),
                   "class_ids": ops.expand_dims(ops.argmax(logits, axis=-1), axis=-1)}
        return out

    def class_names(self, class_ids: np.ndarray) -> np.ndarray:
        names = self.vocabulary or [str(i) for i in range(self.n_classes)]
        out = np.empty(class_ids.shape, dtype=object)
        for index, cid in np.ndenumerate(class_ids):
            out[index] = names[int(cid)]
        return out

    def accumulator(self):
        return _ClassificationAccumulator(self)


class _ClassificationAccumulator(_Accumulator):
    def __init__(self, head):
        super().__init__(head)
        self.accuracy = Mean()
        self.curve = Curve() if head.binary else None
        self.label_mean = Mean()
        self.prediction_mean = Mean()

    def update(self, logits, labels, per_example, batch_loss, weights):
        super().update(logits, labels, per_example, batch_loss, weights)
        ids = self.head.class_ids(labels, logits.device)
        predicted = self.head.predictions(logits)
        correct = ops.astype(_as_rows(predicted["class_ids"]) == ids, dt.float32)
        self.accuracy.update(correct, weights)
        if self.curve is not None:
            p = _as_rows(predicted["logistic"])
            self.curve.update(p, ids, weights)
            self.label_mean.update(ids, weights)
            self.prediction_mean.update(p, weights)

    def result(self) -> dict:
        out = super().result()
        out["accuracy"] = self.accuracy.result()
        if self.curve is not None:
            label_mean = self.label_mean.result()
            precision, recall = self.curve.precision_recall()
            out.update({"auc": self.curve.auc(), "auc_precision_recall": self.curve.auc_precision_recall(),
                        "precision": precision, "recall": recall, "label/mean": label_mean,
                        "prediction/mean": self.prediction_mean.result(),
                        "accuracy_baseline": max(label_mean, 1.0 - label_mean)})
        return out


class RegressionHead(Head):
    """Mean squared error over ``label_dimension`` outputs."""

    def __init__(self, label_dimension: int = 1):
        if not isinstance(label_dimension, int) or label_dimension < 1:
            raise ArgumentValueError(f"label_dimension must be a positive int, got {label_dimension!r}")
        self.logits_dimension = label_dimension

    def targets(self, labels, logits) -> Tensor:
        if not isinstance(labels, Tensor):
            labels = ops.asarray(np.asarray(labels, dtype=np.float32), device=logits.device)
        labels = labels.astype(logits.dtype)
        if labels.size != logits.size:
            raise ShapeError(f"labels of shape {labels.shape} for predictions of shape {logits.shape}")
        return ops.reshape(labels, logits.shape)

    def per_example_loss(self, logits, labels):
        diff = logits - self.targets(labels, logits)
        return (diff * diff).mean(axis=1)

    def predictions(self, logits) -> dict:
        return {"predictions": logits}

    def accumulator(self):
        return _RegressionAccumulator(self)


class _RegressionAccumulator(_Accumulator):
    def __init__(self, head):
        super().__init__(head)
        self.label_mean = Mean()
        self.prediction_mean = Mean()

    def update(self, logits, labels, per_example, batch_loss, weights):
        super().update(logits, labels, per_example, batch_loss, weights)
        w = None if weights is None else ops.reshape(weights, (-1, 1)) * ops.ones_like(logits)
        self.label_mean.update(self.head.targets(labels, logits), w)
        self.prediction_mean.update(logits, w)

    def result(self) -> dict:
        out = super().result()
        out.update({"label/mean": self.label_mean.result(), "prediction/mean": self.prediction_mean.result()})
        return out


class HingeHead(ClassificationHead):
    """Binary classification with the hinge loss ``max(0, 1 - y f(x))``, ``y`` in {-1, 1}."""

    def __init__(self):
        super().__init__(2)

    def per_example_loss(self, logits, labels):
        ids = self.class_ids(labels, logits.device)
        signs = ids.astype(logits.dtype) * 2.0 - 1.0
        return F.relu(1.0 - signs * logits[:, 0])

    def predictions(self, logits) -> dict:
        ids = ops.astype(logits > 0.0, dt.int64)
        return {"logits": logits, "logistic": F.sigmoid(logits), "class_ids": ids}
