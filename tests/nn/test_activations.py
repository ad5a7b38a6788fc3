"""Activations by name against NumPy formulas, and their gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import activations
from gputensor.testing import gradcheck

X = np.array([[-2.5, -0.7, 0.0, 0.3, 1.9]])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


_ERF = np.vectorize(math.erf)

REFERENCES = {
    "linear": lambda x: x,
    "step": lambda x: (x > 0).astype(float),
    "ramp": lambda x: np.maximum(x, 0),
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "gaussian": lambda x: np.exp(-x * x),
    "softmax": _softmax,
    "gelu": lambda x: x * 0.5 * (1 + _ERF(x / np.sqrt(2))),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "swish": lambda x: x * _sigmoid(x),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_numpy(name, device):
    fn = activations.get(name)
    y = fn(gt.asarray(X.astype(np.float32), device=device))
    np.testing.assert_allclose(np.asarray(y.numpy(), np.float64), REFERENCES[name](X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "name",
    ["sigmoid", "tanh", "gaussian", "softmax", "gelu", "elu", "selu", "softplus", "swish", "leaky_relu"],
)
def test_activation_gradients(name):
    x = gt.asarray(np.array([[-1.3, -0.4, 0.2, 0.7, 1.6]]))
    assert gradcheck(activations.get(name), [x])


def test_step_has_zero_gradient_and_lookup_errors():
    x = gt.tensor([-1.0, 2.0]).requires_grad_()
    y = activations.step(x)
    assert not y.requires_grad
    with pytest.raises(ValueError, match="unknown activation 'sigmoidd'"):
        activations.get("sigmoidd")
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get("ramp")) == "relu"


def test_logits_capture_records_softmax_input():
    logits = gt.tensor([[1.0, 2.0]])
    with activations.logits_capture():
        probs = activations.softmax(logits)
        assert activations.logits_of(probs, "softmax") is logits
        assert activations.logits_of(probs, "sigmoid") is None
    assert activations.logits_of(probs, "softmax") is None
