"""Keras losses against NumPy formulas (probabilities and logits, reductions, sample weights),
their gradients, and the logits shortcut after softmax/sigmoid."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import activations, objectives
from gputensor.testing import gradcheck

RNG = np.random.default_rng(1)
EPS = 1e-7


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


LOGITS = RNG.standard_normal((6, 4))
PROBS = _softmax(LOGITS)
IDS = np.array([0, 3, 1, 2, 2, 0])
ONE_HOT = np.eye(4)[IDS]
REG_TRUE = RNG.standard_normal((6, 3))
REG_PRED = RNG.standard_normal((6, 3)) * 2
BIN_TRUE = (RNG.random((6, 2)) > 0.5).astype(float)
BIN_LOGITS = RNG.standard_normal((6, 2)) * 3


def _bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


CASES = {
    "categorical_crossentropy": (ONE_HOT, PROBS, -(ONE_HOT * np.log(np.clip(PROBS, EPS, 1 - EPS))).sum(-1)),
    "sparse_categorical_crossentropy": (IDS, PROBS, -np.log(PROBS[np.arange(6), IDS])),
    "binary_crossentropy": (
        BIN_TRUE,
        1 / (1 + np.exp(-BIN_LOGITS)),
        _bce(BIN_TRUE, 1 / (1 + np.exp(-BIN_LOGITS))),
    ),
    "mse": (REG_TRUE, REG_PRED, ((REG_PRED - REG_TRUE) ** 2).mean(-1)),
    "mae": (REG_TRUE, REG_PRED, np.abs(REG_PRED - REG_TRUE).mean(-1)),
    "huber": (
        REG_TRUE,
        REG_PRED,
        np.where(
            np.abs(REG_PRED - REG_TRUE) <= 1,
            0.5 * (REG_PRED - REG_TRUE) ** 2,
            np.abs(REG_PRED - REG_TRUE) - 0.5,
        ).mean(-1),
    ),
    "hinge": (BIN_TRUE, REG_PRED[:, :2], np.maximum(1 - (2 * BIN_TRUE - 1) * REG_PRED[:, :2], 0).mean(-1)),
    "kl_divergence": (PROBS[::-1], PROBS, (PROBS[::-1] * np.log(PROBS[::-1] / PROBS)).sum(-1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_matches_numpy(name, device):
    y_true, y_pred, per_sample = CASES[name]
    loss = objectives.get(name)
    t = gt.asarray(y_true if y_true.dtype.kind == "i" else y_true.astype(np.float32), device=device)
    p = gt.asarray(y_pred.astype(np.float32), device=device)
    np.testing.assert_allclose(loss(t, p).item(), per_sample.mean(), rtol=1e-5, atol=1e-6)
    loss.reduction = "sum"
    np.testing.assert_allclose(loss(t, p).item(), per_sample.sum(), rtol=1e-5, atol=1e-6)
    loss.reduction = "none"
    np.testing.assert_allclose(loss(t, p).numpy(), per_sample, rtol=1e-5, atol=1e-6)


def test_sample_weight_sum_over_batch_size():
    weights = np.array([1.0, 0.0, 2.0, 1.0, 0.5, 0.0])
    loss = objectives.MeanSquaredError()
    value = loss(gt.asarray(REG_TRUE), gt.asarray(REG_PRED), sample_weight=weights).item()
    assert value == pytest.approx((((REG_PRED - REG_TRUE) ** 2).mean(-1) * weights).sum() / 6)


def test_from_logits_equals_probabilities():
    expected = -(ONE_HOT * np.log(PROBS)).sum(-1).mean()
    got = objectives.CategoricalCrossentropy(from_logits=True)(gt.asarray(ONE_HOT), gt.asarray(LOGITS))
    assert got.item() == pytest.approx(expected, rel=1e-10)
    got = objectives.SparseCategoricalCrossentropy(from_logits=True)(gt.asarray(IDS), gt.asarray(LOGITS))
    assert got.item() == pytest.approx(expected, rel=1e-10)
    got = objectives.BinaryCrossentropy(from_logits=True)(gt.asarray(BIN_TRUE), gt.asarray(BIN_LOGITS))
    probs = 1 / (1 + np.exp(-BIN_LOGITS))
    bce = -(BIN_TRUE * np.log(probs) + (1 - BIN_TRUE) * np.log(1 - probs)).mean()
    assert got.item() == pytest.approx(bce, rel=1e-9)


def test_logits_shortcut_is_stable_for_saturated_softmax():
    logits = gt.asarray(np.array([[100.0, 0.0, -100.0]]))
    target = gt.asarray(np.array([[0.0, 0.0, 1.0]]))
    with activations.logits_capture():
        probs = activations.softmax(logits)
        exact = objectives.CategoricalCrossentropy()(target, probs).item()
    clipped = objectives.CategoricalCrossentropy()(target, activations.softmax(logits)).item()
    assert exact == pytest.approx(200.0) and clipped == pytest.approx(-np.log(EPS), rel=1e-6)


def test_label_smoothing():
    loss = objectives.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    smooth = ONE_HOT * 0.9 + 0.1 / 4
    expected = -(smooth * np.log(PROBS)).sum(-1).mean()
    assert loss(gt.asarray(ONE_HOT), gt.asarray(LOGITS)).item() == pytest.approx(expected)


@pytest.mark.parametrize(
    "name", ["categorical_crossentropy", "binary_crossentropy", "mse", "huber", "kl_divergence", "hinge"]
)
def test_loss_gradients(name):
    y_true, y_pred, _ = CASES[name]
    assert gradcheck(lambda p: objectives.get(name)(gt.asarray(y_true), p), [gt.asarray(y_pred)])


def test_sparse_labels_out_of_range_and_shape_errors():
    with pytest.raises(IndexError, match="label 4 is out of range for 4 classes"):
        objectives.SparseCategoricalCrossentropy()(
            gt.asarray(np.array([4, 0, 0, 0, 0, 0])), gt.asarray(PROBS)
        )
    with pytest.raises(ValueError, match="does not match"):
        objectives.MeanSquaredError()(gt.asarray(REG_TRUE[:, :2]), gt.asarray(REG_PRED))
    with pytest.raises(ValueError, match="unknown loss"):
        objectives.get("cross_entropy")


def test_serialize_round_trip_and_function_wrapper():
    loss = objectives.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)
    again = objectives.deserialize(objectives.serialize(loss))
    assert again.get_config() == loss.get_config()
    wrapped = objectives.get(lambda t, p: ((t - p) ** 2).sum(-1))
    assert wrapped(gt.asarray(REG_TRUE), gt.asarray(REG_PRED)).item() == pytest.approx(
        ((REG_PRED - REG_TRUE) ** 2).sum(-1).mean()
    )
