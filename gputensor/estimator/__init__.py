"""Estimators (``gt.estimator``), as in ``tf.estimator``: train / evaluate / predict with
``input_fn``s, checkpoints and TensorBoard logs in ``model_dir``, and resume from them.

``Estimator(model_fn)`` runs your model; the canned ones cover the usual cases over feature
columns: ``LinearClassifier``, ``LinearRegressor``, ``DNNClassifier``, ``DNNRegressor``,
``DNNLinearCombinedClassifier``, the hinge-loss ``SVM``, and the clustering models
``KMeansClustering`` and ``GMM``.

>>> import gputensor as gt
>>> cols = [gt.feature_column.numeric_column("x")]
>>> reg = gt.estimator.LinearRegressor(feature_columns=cols, optimizer=gt.nn.optimizers.SGD(0.1))
>>> data = lambda: ({"x": gt.tensor([0.0, 1.0, 2.0])}, gt.tensor([1.0, 3.0, 5.0]))
>>> _ = reg.train(data, steps=300)
>>> round(reg.evaluate(data)["average_loss"], 4)
0.0
"""

from .canned import (
    SVM,
    DNNClassifier,
    DNNLinearCombinedClassifier,
    DNNRegressor,
    LinearClassifier,
    LinearRegressor,
)
from .estimator import Estimator, NotTrainedError
from .gmm import GMM
from .kmeans import KMeansClustering
from .spec import EstimatorSpec, ModeKeys, RunConfig
from .store import layer, variable

__all__ = [
    "GMM",
    "SVM",
    "DNNClassifier",
    "DNNLinearCombinedClassifier",
    "DNNRegressor",
    "Estimator",
    "EstimatorSpec",
    "KMeansClustering",
    "LinearClassifier",
    "LinearRegressor",
    "ModeKeys",
    "NotTrainedError",
    "RunConfig",
    "layer",
    "variable",
]
