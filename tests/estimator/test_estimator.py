"""Estimator(model_fn): variables by name, train/evaluate/predict semantics, and docs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import gputensor as gt
import gputensor.estimator
from gputensor.estimator import EstimatorSpec, ModeKeys


def _model_fn(features, labels, mode, params):
    w = gt.estimator.variable("w", (2, 1), "zeros")
    b = gt.estimator.variable("b", (1,), "zeros")
    y = (gt.matmul(features["x"], w) + b)[:, 0]
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions={"y": y})
    loss = ((y - labels) ** 2).mean()
    return EstimatorSpec(mode, predictions={"y": y}, loss=loss, optimizer=gt.nn.optimizers.SGD(params["lr"]),
                         eval_metric_ops={"abs_error": gt.abs(y - labels), "batch_mean": y.mean()})


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    y = (x @ np.array([2.0, -1.0]) + 0.5).astype(np.float32)
    return x, y


def test_model_fn_trains_evaluates_predicts(tmp_path):
    x, y = _data()
    est = gt.estimator.Estimator(_model_fn, model_dir=str(tmp_path), params={"lr": 0.1})
    est.train(lambda: gt.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(16), steps=200)
    assert est.global_step == 200
    np.testing.assert_allclose(est.get_variable_value("w")[:, 0], [2.0, -1.0], atol=1e-3)
    result = est.evaluate(lambda: gt.data.Dataset.from_tensor_slices(({"x": x}, y)).batch(10))
    assert result["loss"] < 1e-5 and result["abs_error"] < 1e-2 and result["global_step"] == 200
    assert result["batch_mean"] == pytest.approx(float(y.mean()), abs=1e-2)
    preds = list(est.predict(lambda: gt.data.Dataset.from_tensor_slices({"x": x}).batch(7)))
    assert len(preds) == len(x)
    np.testing.assert_allclose([p["y"] for p in preds], y, atol=1e-2)
    batches = list(est.predict(lambda: {"x": x}, yield_single_examples=False, predict_keys="y"))
    assert len(batches) == 1 and batches[0]["y"].shape == (len(x),)
    assert sorted(est.get_variable_names()) == ["b", "w"]


def test_steps_and_max_steps(tmp_path):
    x, y = _data()
    est = gt.estimator.Estimator(_model_fn, model_dir=str(tmp_path), params={"lr": 0.01})
    finite = lambda: gt.data.Dataset.from_tensor_slices(({"x": x}, y)).batch(16)  # noqa: E731
    est.train(finite)
    assert est.global_step == 4, "without steps, training runs until the data ends"
    est.train(finite, steps=2)
    assert est.global_step == 6
    est.train(lambda: ({"x": x}, y), max_steps=10)
    assert est.global_step == 10
    est.train(lambda: ({"x": x}, y), max_steps=5)
    assert est.global_step == 10
    calls = []
    est.train(lambda: ({"x": x}, y), steps=3, hooks=[lambda step, loss: calls.append(step)])
    assert calls == [11, 12, 13]
    with pytest.raises(ValueError, match="not both"):
        est.train(finite, steps=1, max_steps=1)


def test_layers_by_name_persist_and_seed(tmp_path):
    def model_fn(features, labels, mode):
        out = gt.estimator.layer("dense", gt.nn.Dense, 1)(features)
        loss = ((out[:, 0] - labels) ** 2).mean()
        return EstimatorSpec(mode, predictions={"out": out}, loss=loss, optimizer="sgd")

    config = gt.estimator.RunConfig(tf_random_seed=7)
    a = gt.estimator.Estimator(model_fn, model_dir=str(tmp_path / "a"), config=config)
    b = gt.estimator.Estimator(model_fn, model_dir=str(tmp_path / "b"), config=config)
    data = lambda: (gt.ones((4, 3)), gt.zeros(4))  # noqa: E731
    a.train(data, steps=3)
    b.train(data, steps=3)
    assert a.get_variable_names() == ["dense/bias", "dense/kernel"]
    np.testing.assert_array_equal(a.get_variable_value("dense/kernel"), b.get_variable_value("dense/kernel"))


def test_bad_model_fn_results():
    est = gt.estimator.Estimator(lambda features, labels, mode: 42)
    with pytest.raises(TypeError, match="EstimatorSpec"):
        est.train(lambda: (gt.ones((2, 1)), gt.ones(2)), steps=1)
    with pytest.raises(ValueError, match="TRAIN needs"):
        EstimatorSpec(ModeKeys.TRAIN, loss=gt.tensor(1.0))
    with pytest.raises(ValueError, match="inside a model_fn"):
        gt.estimator.variable("v", (1,))


MODULES = sorted(m.name for m in pkgutil.iter_modules(gputensor.estimator.__path__, "gputensor.estimator."))


@pytest.mark.parametrize("name", MODULES + ["gputensor.estimator"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
