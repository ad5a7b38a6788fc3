"""Activations and row normalizers: relu, sigmoid, gelu (exact and tanh), softplus, leaky_relu,
elu, selu, silu, softmax, log_softmax; values, first and second derivatives, dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentValueError, AxisError
from tests.helpers import FLOATS, LAYOUTS, assert_close, check_op

# inputs kept away from the kinks at 0 so that central differences see one side
X = np.array([[-2.5, -1.2, -0.4, 0.3], [0.9, 1.7, -0.7, 2.2], [-0.15, 0.45, 3.0, -3.1]])


def _fn(name, f):
    f.__name__ = name
    return f


def _erf(x):
    return np.vectorize(math.erf)(x)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = {
    "relu": (lambda x: gt.relu(x), lambda x: np.maximum(x, 0)),
    "sigmoid": (lambda x: gt.sigmoid(x), lambda x: 1 / (1 + np.exp(-x))),
    "gelu": (lambda x: gt.gelu(x), lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (
        lambda x: gt.gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
    "softplus": (lambda x: gt.softplus(x), lambda x: np.log1p(np.exp(x))),
    "softplus_beta": (
        lambda x: gt.softplus(x, beta=2.0, threshold=3.0),
        lambda x: np.where(2 * x > 3.0, x, np.log1p(np.exp(2 * x)) / 2),
    ),
    "leaky_relu": (lambda x: gt.nn.functional.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    "elu": (lambda x: gt.nn.functional.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    "selu": (
        lambda x: gt.nn.functional.selu(x),
        lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    ),
    "silu": (lambda x: gt.nn.functional.silu(x), lambda x: x / (1 + np.exp(-x))),
    "tanh": (lambda x: gt.tanh(x), np.tanh),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation(name, device):
    fn, ref = ACTIVATIONS[name]
    check_op(_fn(name, fn), ref, [X], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_relu_keeps_integer_dtypes_and_has_zero_gradient_at_zero(device):
    x = gt.asarray([-2, 0, 3], dtype=gt.int16, device=device)
    out = gt.relu(x)
    assert out.dtype is gt.int16 and out.tolist() == [0, 0, 3]
    assert x.relu().tolist() == [0, 0, 3]
    f = gt.asarray([-1.0, 0.0, 2.0], device=device).requires_grad_()
    gt.relu(f).sum().backward()
    assert f.grad.tolist() == [0.0, 0.0, 1.0]


def test_activations_of_integers_compute_in_default_float(device):
    x = gt.asarray([-1, 0, 2], device=device)
    for fn in (gt.sigmoid, gt.gelu, gt.softplus, gt.nn.functional.silu, gt.nn.functional.elu):
        assert fn(x).dtype is gt.float32
    assert gt.softmax(x).dtype is gt.float32


def test_extreme_inputs_stay_finite(device):
    x = gt.asarray([-1000.0, -50.0, 0.0, 50.0, 1000.0], device=device)
    np.testing.assert_allclose(
        gt.softplus(x).numpy(), [0.0, math.exp(-50), math.log(2), 50.0, 1000.0], rtol=1e-6
    )
    assert np.isfinite(gt.gelu(x).numpy()).all()
    assert np.isfinite(gt.nn.functional.silu(x).numpy()).all()
    s = gt.softmax(x).numpy()
    np.testing.assert_allclose(s, [0, 0, 0, 0, 1], atol=1e-30)
    ls = gt.log_softmax(x).numpy()
    assert ls[-1] == 0.0 and ls[0] == -2000.0


def test_gelu_bad_approximation(device):
    with pytest.raises(ArgumentValueError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        gt.gelu(gt.ones(2, device=device), approximate="erf")


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, axis, device):
    def ref(x):
        s = _softmax(x, axis)
        return s if name == "softmax" else np.log(s)

    check_op(
        _fn(name, lambda x: getattr(gt, name)(x, axis=axis)), ref, [X], device, dtypes=FLOATS, layouts=LAYOUTS
    )


def test_softmax_methods_scalars_and_errors(device):
    x = gt.asarray(X, device=device)
    assert_close(x.softmax(axis=0), _softmax(X, 0), gt.float32)
    assert_close(x.log_softmax(), np.log(_softmax(X, -1)), gt.float32)
    assert gt.softmax(gt.asarray(3.0, device=device)).item() == 1.0
    assert gt.log_softmax(gt.asarray(3.0, device=device)).item() == 0.0
    assert gt.softmax(gt.zeros((2, 0), device=device)).shape == (2, 0)
    with pytest.raises(AxisError, match="softmax: axis 2"):
        gt.softmax(x, axis=2)
    with pytest.raises(AxisError, match="log_softmax: axis -3"):
        gt.log_softmax(x, axis=-3)


def test_fused_softmax_primitive_is_used_and_differentiates():
    # runs once, on its own fused CPU device (a second run would find the first one's cached device)
    from gputensor.devices.numpy_backend import NumpyBackend

    calls = []

    class FusedCPU(NumpyBackend):
        type = "cpufused"

        def softmax(self, x, axis):
            calls.append("softmax")
            e = np.exp(x - x.max(axis=axis, keepdims=True))
            return np.ascontiguousarray(e / e.sum(axis=axis, keepdims=True))

        def log_softmax(self, x, axis):
            calls.append("log_softmax")
            m = x.max(axis=axis, keepdims=True)
            return np.ascontiguousarray(x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True)))

    gt.devices.register_backend("cpufused", FusedCPU)
    fused = gt.device("cpufused:0")
    for name in ("softmax", "log_softmax"):

        def ref(x, name=name):
            s = _softmax(x, 1)
            return s if name == "softmax" else np.log(s)

        check_op(_fn(name, lambda x, name=name: getattr(gt, name)(x, axis=1)), ref, [X], fused)
    assert "softmax" in calls and "log_softmax" in calls
