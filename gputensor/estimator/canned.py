"""Canned estimators: linear, DNN and wide-and-deep models over feature columns, with
TensorFlow's names and defaults (ReLU hidden layers, Adagrad at 0.05 for DNNs)."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..errors import ArgumentValueError
from ..feature_column.dense import DenseFeatures, check_columns
from ..nn import functional as F
from ..nn import optimizers as optimizers_module
from ..nn.layers.core import Dense
from .estimator import Estimator
from .heads import ClassificationHead, HingeHead, RegressionHead
from .spec import EstimatorSpec, ModeKeys
from .store import layer, using

DNN_LEARNING_RATE = 0.05
LINEAR_LEARNING_RATE = 0.2


def make_optimizer(spec, default_rate: float):
    """An optimizer from a name (TensorFlow's estimator rates, not Keras'), an instance, or a
    zero-argument callable."""
    if spec is None:
        spec = "Adagrad"
    if callable(spec) and not isinstance(spec, optimizers_module.Optimizer):
        spec = spec()
    if isinstance(spec, str):
        cls = type(optimizers_module.get(spec))
        return cls(learning_rate=default_rate)
    return optimizers_module.get(spec)


def _activation(fn):
    if fn is None:
        return F.relu
    if isinstance(fn, str):
        found = getattr(F, fn, None)
        if found is None:
            raise ArgumentValueError(f"unknown activation {fn!r}")
        return found
    return fn


def dnn_logits(features, columns, hidden_units, units, activation, dropout, mode, scope="dnn"):
    """Feature columns → hidden layers → ``units`` logits, with variables ``<scope>/...``."""
    net = layer(f"{scope}/input_from_feature_columns", DenseFeatures, columns)(features)
    for i, width in enumerate(hidden_units):
        net = activation(layer(f"{scope}/hiddenlayer_{i}", Dense, int(width))(net))
        if dropout and mode == ModeKeys.TRAIN:
            net = F.dropout(net, dropout, training=True)
    return layer(f"{scope}/logits", Dense, units)(net)


def linear_logits(features, columns, units, scope="linear"):
    """A weighted sum of the feature columns (one-hot for categorical ones) plus a bias."""
    net = layer(f"{scope}/linear_model/features", DenseFeatures, columns)(features)
    return layer(f"{scope}/linear_model/logits", Dense, units, kernel_initializer="zeros")(net)


class _Canned(Estimator):
    """An estimator whose model is ``logits_fn`` followed by a head."""

    def __init__(self, head, logits_fn, optimizer, model_dir, config, weight_column, loss_reduction="sum"):
        head.set_reduction(loss_reduction)
        self.head = head
        self._logits_fn = logits_fn
        self._optimizer_spec = optimizer
        self.weight_column = weight_column
        super().__init__(self._model_fn_impl, model_dir=model_dir, config=config)

    def _weights(self, features):
        if self.weight_column is None:
            return None
        key = getattr(self.weight_column, "key", self.weight_column)
        value = features[key]
        return value if hasattr(value, "astype") else ops.asarray(np.asarray(value, dtype=np.float32))

    def _model_fn_impl(self, features, labels, mode):
        logits = self._logits_fn(features, mode)
        predictions = self.head.predictions(logits)
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions)
        loss, _ = self.head.loss(logits, labels, self._weights(features))
        return EstimatorSpec(mode, predictions=predictions, loss=loss, optimizer=self._optimizer_spec)

    def _new_accumulator(self):
        return self.head.accumulator()

    def _eval_batch(self, acc, features, labels) -> None:
        with using(self._store):
            logits = self._logits_fn(features, ModeKeys.EVAL)
        weights = self._weights(features)
        loss, per_example = self.head.loss(logits, labels, weights)
        acc.update(logits, labels, per_example, loss, weights)

    def _eval_results(self, acc) -> dict:
        return acc.result()

    def _predict_batch(self, features) -> dict:
        out = super()._predict_batch(features)
        if "class_ids" in out and hasattr(self.head, "class_names"):
            out["classes"] = self.head.class_names(out["class_ids"])
        return out


def _classifier_head(n_classes, label_vocabulary):
    return ClassificationHead(n_classes, label_vocabulary)


class DNNClassifier(_Canned):
    """A feed-forward network classifier over feature columns.

    >>> import gputensor as gt
    >>> cols = [gt.feature_column.numeric_column("x", shape=2)]
    >>> clf = gt.estimator.DNNClassifier(feature_columns=cols, hidden_units=[8], n_classes=2)
    >>> x = gt.tensor([[0.0, 1.0], [1.0, 0.0]] * 8)
    >>> y = gt.tensor([0, 1] * 8)
    >>> _ = clf.train(lambda: ({"x": x}, y), steps=200)
    >>> clf.evaluate(lambda: ({"x": x}, y))["accuracy"]
    1.0
    """

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", activation_fn=None, dropout=None, config=None,
                 loss_reduction="sum"):
        columns = check_columns(feature_columns, "DNNClassifier")
        units = list(hidden_units)
        head = _classifier_head(n_classes, label_vocabulary)
        act = _activation(activation_fn)

        def logits_fn(features, mode):
            return dnn_logits(features, columns, units, head.logits_dimension, act, dropout, mode)

        super().__init__(head, logits_fn, make_optimizer(optimizer, DNN_LEARNING_RATE), model_dir, config,
                         weight_column, loss_reduction)


class DNNRegressor(_Canned):
    """A feed-forward network regressor (mean squared error) over feature columns."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", activation_fn=None, dropout=None, config=None, loss_reduction="sum"):
        columns = check_columns(feature_columns, "DNNRegressor")
        units = list(hidden_units)
        head = RegressionHead(label_dimension)
        act = _activation(activation_fn)

        def logits_fn(features, mode):
            return dnn_logits(features, columns, units, head.logits_dimension, act, dropout, mode)

        super().__init__(head, logits_fn, make_optimizer(optimizer, DNN_LEARNING_RATE), model_dir, config,
                         weight_column, loss_reduction)


class LinearClassifier(_Canned):
    """A linear classifier (logistic regression; softmax for more than two classes).

    >>> import gputensor as gt
    >>> cols = [gt.feature_column.numeric_column("x")]
    >>> clf = gt.estimator.LinearClassifier(feature_columns=cols)
    >>> data = lambda: ({"x": gt.tensor([-2.0, -1.0, 1.0, 2.0])}, gt.tensor([0, 0, 1, 1]))
    >>> _ = clf.train(data, steps=50)
    >>> [int(p["class_ids"][0]) for p in clf.predict(lambda: {"x": gt.tensor([-3.0, 3.0])})]
    [0, 1]
    """

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Adagrad", config=None, loss_reduction="sum"):
        columns = check_columns(feature_columns, "LinearClassifier")
        head = _classifier_head(n_classes, label_vocabulary)

        def logits_fn(features, mode):
            return linear_logits(features, columns, head.logits_dimension)

        super().__init__(head, logits_fn, make_optimizer(optimizer, LINEAR_LEARNING_RATE), model_dir, config,
                         weight_column, loss_reduction)


class LinearRegressor(_Canned):
    """Linear regression over feature columns."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Adagrad", config=None, loss_reduction="sum"):
        columns = check_columns(feature_columns, "LinearRegressor")
        head = RegressionHead(label_dimension)

        def logits_fn(features, mode):
            return linear_logits(features, columns, head.logits_dimension)

        super().__init__(head, logits_fn, make_optimizer(optimizer, LINEAR_LEARNING_RATE), model_dir, config,
                         weight_column, loss_reduction)


class DNNLinearCombinedClassifier(_Canned):
    """Wide and deep: the sum of a linear model's and a DNN's logits, each trained by its own
    optimizer (variables ``linear/...`` and ``dnn/...``)."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Adagrad",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn=None, dnn_dropout=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, config=None, loss_reduction="sum"):
        if not linear_feature_columns and not dnn_feature_columns:
            raise ArgumentValueError("DNNLinearCombinedClassifier: give linear and/or dnn feature columns")
        if dnn_feature_columns and not dnn_hidden_units:
            raise ArgumentValueError("DNNLinearCombinedClassifier: dnn_feature_columns need dnn_hidden_units")
        linear = None
        if linear_feature_columns:
            linear = check_columns(linear_feature_columns, "linear_feature_columns")
        dnn = check_columns(dnn_feature_columns, "dnn_feature_columns") if dnn_feature_columns else None
        head = _classifier_head(n_classes, label_vocabulary)
        act = _activation(dnn_activation_fn)
        units = list(dnn_hidden_units or [])

        def logits_fn(features, mode):
            total = None
            if linear is not None:
                total = linear_logits(features, linear, head.logits_dimension)
            if dnn is not None:
                deep = dnn_logits(features, dnn, units, head.logits_dimension, act, dnn_dropout, mode)
                total = deep if total is None else total + deep
            return total

        optimizers = {}
        if linear is not None:
            optimizers["linear/"] = make_optimizer(linear_optimizer, LINEAR_LEARNING_RATE)
        if dnn is not None:
            optimizers["dnn/"] = make_optimizer(dnn_optimizer, DNN_LEARNING_RATE)
        super().__init__(head, logits_fn, optimizers, model_dir, config, weight_column, loss_reduction)


class SVM(_Canned):
    """A linear support vector machine for two classes: hinge loss plus L1/L2 penalties on
    the weights, trained by gradient descent (``example_id_column`` is accepted for
    TensorFlow's signature; no example ids are needed here).

    >>> import gputensor as gt
    >>> svm = gt.estimator.SVM("id", [gt.feature_column.numeric_column("x")], l2_regularization=0.01)
    >>> data = lambda: ({"x": gt.tensor([-2.0, -1.0, 1.0, 2.0])}, gt.tensor([0, 0, 1, 1]))
    >>> _ = svm.train(data, steps=100)
    >>> svm.evaluate(data)["accuracy"]
    1.0
    """

    def __init__(self, example_id_column, feature_columns, weight_column_name=None, model_dir=None,
                 l1_regularization=0.0, l2_regularization=0.0, optimizer=None, config=None,
                 loss_reduction="sum_over_batch_size"):
        columns = check_columns(feature_columns, "SVM")
        self.example_id_column = example_id_column
        self.l1 = float(l1_regularization)
        self.l2 = float(l2_regularization)
        super().__init__(HingeHead(), self._svm_logits(columns),
                         make_optimizer(optimizer or "SGD", 0.1), model_dir, config, weight_column_name,
                         loss_reduction)

    @staticmethod
    def _svm_logits(columns):
        def logits_fn(features, mode):
            return linear_logits(features, columns, 1)

        return logits_fn

    def _model_fn_impl(self, features, labels, mode):
        spec = super()._model_fn_impl(features, labels, mode)
        if mode == ModeKeys.PREDICT or not (self.l1 or self.l2):
            return spec
        kernel = self._store.trainable()["linear/linear_model/logits/kernel"]
        penalty = 0.5 * self.l2 * (kernel * kernel).sum() + self.l1 * ops.abs(kernel).sum()
        return EstimatorSpec(mode, predictions=spec.predictions, loss=spec.loss + penalty,
                             optimizer=spec.optimizer)
