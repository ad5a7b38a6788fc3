"""JAX-style transforms: grad and value_and_grad, argnums, has_aux, and nesting for higher
order derivatives."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, AutogradError


def test_grad_of_scalar_function(device):
    x = gt.asarray([1.0, 2.0], dtype=gt.float64, device=device)
    g = gt.grad(lambda t: (t**3).sum())(x)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    assert x.grad is None and not x.requires_grad  # nothing leaks onto the argument


def test_value_and_grad(device):
    x = gt.asarray(2.0, device=device)
    value, g = gt.value_and_grad(lambda t: t * t + 1)(x)
    assert value.item() == 5.0 and g.item() == 4.0


def test_argnums_and_kwargs(device):
    def f(a, b, scale=1.0):
        return (a * b * scale).sum()

    a = gt.asarray([1.0, 2.0], device=device)
    b = gt.asarray([3.0, 4.0], device=device)
    ga, gb = gt.grad(f, argnums=(0, 1))(a, b, scale=2.0)
    assert ga.tolist() == [6.0, 8.0] and gb.tolist() == [2.0, 4.0]
    assert gt.grad(f, argnums=1)(a, b).tolist() == [1.0, 2.0]


def test_has_aux(device):
    def f(t):
        loss = (t * t).sum()
        return loss, {"norm": loss.item()}

    x = gt.asarray([3.0], device=device)
    g, aux = gt.grad(f, has_aux=True)(x)
    assert g.tolist() == [6.0] and aux == {"norm": 9.0}
    (value, aux), g = gt.value_and_grad(f, has_aux=True)(x)
    assert value.item() == 9.0 and aux["norm"] == 9.0


def test_unconnected_argument_gives_zeros(device):
    x = gt.asarray([1.0, 2.0], device=device)
    y = gt.asarray(5.0, device=device)
    gx, gy = gt.grad(lambda a, b: (a * 2).sum(), argnums=(0, 1))(x, y)
    assert gy.item() == 0.0
    assert gt.grad(lambda a: gt.asarray(1.0, device=device))(x).tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    "fn, d1, d2",
    [
        (lambda t: t**3, lambda v: 3 * v**2, lambda v: 6 * v),
        (
            lambda t: gt.sin(t) * gt.exp(t),
            lambda v: np.exp(v) * (np.sin(v) + np.cos(v)),
            lambda v: 2 * np.exp(v) * np.cos(v),
        ),
        (
            lambda t: gt.tanh(t),
            lambda v: 1 - np.tanh(v) ** 2,
            lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2),
        ),
        (
            lambda t: gt.sigmoid(t) * t,
            lambda v: (s := 1 / (1 + np.exp(-v))) + v * s * (1 - s),
            lambda v: (s := 1 / (1 + np.exp(-v))) * (1 - s) * (2 + v * (1 - 2 * s)),
        ),
        (
            lambda t: gt.logsumexp(gt.stack([t, t * 2])),
            lambda v: (np.exp(v) + 2 * np.exp(2 * v)) / (np.exp(v) + np.exp(2 * v)),
            None,
        ),
    ],
)
def test_grad_of_grad(fn, d1, d2, device):
    v = 0.7
    x = gt.asarray(v, dtype=gt.float64, device=device)
    g1 = gt.grad(fn)(x)
    np.testing.assert_allclose(g1.item(), d1(v), rtol=1e-10)
    g2 = gt.grad(gt.grad(fn))(x)
    if d2 is not None:
        np.testing.assert_allclose(g2.item(), d2(v), rtol=1e-10)
    else:
        h = 1e-5
        numeric = (
            gt.grad(fn)(gt.asarray(v + h, dtype=gt.float64)).item()
            - gt.grad(fn)(gt.asarray(v - h, dtype=gt.float64)).item()
        ) / (2 * h)
        np.testing.assert_allclose(g2.item(), numeric, rtol=1e-6)


def test_third_order(device):
    x = gt.asarray(1.3, dtype=gt.float64, device=device)
    g3 = gt.grad(gt.grad(gt.grad(lambda t: t**4)))(x)
    np.testing.assert_allclose(g3.item(), 24 * 1.3)


def test_grad_inside_a_tape_and_tape_inside_grad(device):
    x = gt.asarray(2.0, dtype=gt.float64, device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        g = gt.grad(lambda t: t**3)(x)
    assert tape.gradient(g, x).item() == 12.0

    def f(t):
        with gt.GradientTape() as inner:
            inner.watch(t)
            y = t**3
        return inner.gradient(y, t)

    assert gt.grad(f)(x).item() == 12.0


def test_grad_works_under_no_grad(device):
    x = gt.asarray(3.0, device=device)
    with gt.no_grad():
        assert gt.grad(lambda t: t * t)(x).item() == 6.0


def test_functional_errors(device):
    x = gt.asarray([1.0, 2.0], device=device)
    with pytest.raises(
        AutogradError, match=r"grad: the function must return a one-element tensor, got \(2,\)"
    ):
        gt.grad(lambda t: t * 2)(x)
    with pytest.raises(AutogradError, match="grad: the function must return a one-element tensor, got float"):
        gt.grad(lambda t: 1.0)(x)
    with pytest.raises(
        AutogradError, match="grad: argument 0 has dtype gputensor.int64; gradients need floating point"
    ):
        gt.grad(lambda t: t.sum())(gt.asarray([1, 2], device=device))
    with pytest.raises(ArgumentTypeError, match="grad: argument 0 must be a Tensor, got list"):
        gt.grad(lambda t: t)([1.0])
    with pytest.raises(ArgumentTypeError, match="grad: argnums 2 out of range for 1 positional arguments"):
        gt.grad(lambda t: t.sum(), argnums=2)(x)
