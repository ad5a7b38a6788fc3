"""Regularizers and constraints (gputensor/nn/regularizers.py, constraints.py) and how layers
and training use them: penalties against NumPy formulas, ``layer.losses`` / ``model.losses``,
the loss ``fit`` minimizes and reports, constraints after each step, configs and saving."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError
from gputensor.nn import constraints, regularizers

RNG = np.random.default_rng(5)
W = RNG.standard_normal((4, 3))


@pytest.mark.parametrize("reg, formula", [
    (regularizers.L1(0.3), lambda w: 0.3 * np.abs(w).sum()),
    (regularizers.L2(0.2), lambda w: 0.2 * (w * w).sum()),
    (regularizers.L1L2(0.1, 0.05), lambda w: 0.1 * np.abs(w).sum() + 0.05 * (w * w).sum()),
    (regularizers.l2(), lambda w: 0.01 * (w * w).sum()),
    (regularizers.get("l1"), lambda w: 0.01 * np.abs(w).sum()),
], ids=["l1", "l2", "l1l2", "l2_default", "by_name"])
def test_penalties(reg, formula, device):
    got = reg(gt.asarray(W, device=device))
    assert got.shape == () and got.item() == pytest.approx(formula(W), rel=1e-6)


def test_orthogonal_regularizer():
    q, _ = np.linalg.qr(RNG.standard_normal((5, 5)))
    reg = regularizers.OrthogonalRegularizer(0.5, mode="columns")
    assert reg(gt.asarray(q)).item() == pytest.approx(0.0, abs=1e-9)
    rows = W / np.linalg.norm(W, axis=1, keepdims=True)
    products = np.abs(rows @ rows.T)
    want = 0.5 * (products.sum() - np.trace(products)) / (4 * 3)
    assert regularizers.OrthogonalRegularizer(0.5)(gt.asarray(W)).item() == pytest.approx(want, rel=1e-9)


def test_regularizer_get_and_serialize():
    for reg in (regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0.2),
                regularizers.OrthogonalRegularizer(0.1, "columns")):
        again = regularizers.get(regularizers.serialize(reg))
        assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert regularizers.get(None) is None
    with pytest.raises(ArgumentValueError, match="unknown regularizer 'l3'"):
        regularizers.get("l3")
    with pytest.raises(ArgumentValueError, match="l2 must be a non-negative number"):
        regularizers.L2(-1.0)
    with pytest.raises(ArgumentTypeError, match="only gt.nn.regularizers classes"):
        regularizers.serialize(lambda w: w.sum())


@pytest.mark.parametrize("constraint, formula", [
    (constraints.NonNeg(), lambda w: np.maximum(w, 0)),
    (constraints.MaxNorm(1.0), lambda w: w * np.minimum(np.linalg.norm(w, axis=0), 1.0)
     / (np.linalg.norm(w, axis=0) + 1e-7)),
    (constraints.UnitNorm(axis=1), lambda w: w / (np.linalg.norm(w, axis=1, keepdims=True) + 1e-7)),
    (constraints.MinMaxNorm(1.5, 2.0, rate=0.5), lambda w: w * (
        0.5 * np.clip(np.linalg.norm(w, axis=0), 1.5, 2.0) + 0.5 * np.linalg.norm(w, axis=0))
     / (np.linalg.norm(w, axis=0) + 1e-7)),
], ids=["non_neg", "max_norm", "unit_norm", "min_max_norm"])
def test_constraints(constraint, formula, device):
    got = constraint(gt.asarray(W, device=device)).numpy()
    np.testing.assert_allclose(got, formula(W), rtol=1e-6, atol=1e-9)
    again = constraints.get(constraints.serialize(constraint))
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()


def test_layer_losses():
    layer = gt.nn.Dense(3, kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.5),
                        activity_regularizer=regularizers.L2(0.1))
    x = gt.asarray(RNG.standard_normal((2, 4)), dtype=gt.float32)
    y = layer(x)
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    want = [0.01 * (kernel**2).sum(), 0.5 * np.abs(bias).sum(), 0.1 * (y.numpy() ** 2).sum()]
    got = [t.item() for t in layer.losses]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # a fresh call replaces the activity penalty rather than adding another
    layer(x)
    assert len(layer.losses) == 3
    # a model gathers its layers' penalties, and add_loss inside call joins them
    class WithAux(gt.nn.Layer):
        def call(self, x):
            self.add_loss(gt.sum(x) * 0.0 + 7.0)
            return x

    model = gt.nn.Sequential([layer, WithAux()])
    model(x)
    assert len(model.losses) == 4 and model.losses[-1].item() == 7.0


def test_fit_minimizes_and_reports_the_penalized_loss():
    x = RNG.standard_normal((32, 4)).astype(np.float32)
    y = RNG.standard_normal((32, 1)).astype(np.float32)
    gt.manual_seed(0)
    plain = gt.nn.Sequential([gt.nn.Dense(1, input_shape=(4,))])
    gt.manual_seed(0)
    penalized = gt.nn.Sequential([gt.nn.Dense(1, input_shape=(4,), kernel_regularizer=regularizers.L2(0.5))])
    kernel = plain.layers[0].kernel.numpy().copy()
    np.testing.assert_array_equal(kernel, penalized.layers[0].kernel.numpy())
    for m in (plain, penalized):
        m.compile(loss="mse", optimizer=gt.nn.optimizers.SGD(0.1))
    data_loss = plain.evaluate(x, y, verbose=0)
    assert penalized.evaluate(x, y, verbose=0) == pytest.approx(data_loss + 0.5 * (kernel**2).sum(), rel=1e-5)
    plain.train_on_batch(x, y)
    penalized.train_on_batch(x, y)
    # SGD: the penalty's gradient 2 * 0.5 * kernel adds -0.1 * kernel to the plain step
    np.testing.assert_allclose(penalized.layers[0].kernel.numpy() - plain.layers[0].kernel.numpy(),
                               -0.1 * kernel, rtol=1e-4, atol=1e-6)


def test_constraints_hold_after_every_step():
    x = RNG.standard_normal((64, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [3.0], [-4.0]])).astype(np.float32)
    model = gt.nn.Sequential([
        gt.nn.Dense(8, input_shape=(4,), kernel_constraint="non_neg",
                    bias_constraint=constraints.MaxNorm(0.1)),
        gt.nn.Dense(1, kernel_constraint=constraints.UnitNorm()),
    ])
    model.compile(loss="mse", optimizer=gt.nn.optimizers.Adam(0.05))
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    first, second = model.layers
    assert first.kernel.numpy().min() >= 0.0
    assert np.linalg.norm(first.bias.numpy()) <= 0.1 + 1e-6
    np.testing.assert_allclose(np.linalg.norm(second.kernel.numpy(), axis=0), 1.0, rtol=1e-5)


def test_options_are_saved_with_the_model(tmp_path):
    model = gt.nn.Sequential([
        gt.nn.Dense(3, input_shape=(2,), kernel_regularizer=regularizers.L1L2(0.1, 0.2),
                    kernel_constraint=constraints.MaxNorm(2.0, axis=(0,)), activity_regularizer="l2"),
        gt.nn.Dense(1, bias_constraint="non_neg"),
    ])
    model.compile(loss="mse", optimizer="sgd")
    path = tmp_path / "m.keras"
    model.save(path)
    again = gt.nn.load_model(path)
    assert again.layers[0].get_config() == model.layers[0].get_config()
    assert again.layers[1].get_config()["bias_constraint"] == {"class_name": "NonNeg", "config": {}}
    x = gt.ones((1, 2))
    np.testing.assert_allclose([t.item() for t in (again(x), *again.losses)],
                               [t.item() for t in (model(x), *model.losses)], rtol=1e-6)


def test_option_errors():
    with pytest.raises(ArgumentTypeError, match="unexpected keyword arguments \\['kernel_regulariser'\\]"):
        gt.nn.Dense(2, kernel_regulariser="l2")
    with pytest.raises(ArgumentValueError, match="unknown constraint 'positive'"):
        gt.nn.Dense(2, kernel_constraint="positive")
    # layers without such a weight do not take its options
    with pytest.raises(ArgumentTypeError, match="unexpected keyword arguments"):
        gt.nn.Dropout(0.5, kernel_regularizer="l2")
    assert gt.nn.Embedding(5, 2, embeddings_regularizer="l1").get_config()["embeddings_regularizer"] == {
        "class_name": "L1", "config": {"l1": 0.01}}
    config = gt.nn.LSTM(2, recurrent_constraint="unit_norm").get_config()
    assert config["recurrent_constraint"]["class_name"] == "UnitNorm"
