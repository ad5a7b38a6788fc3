"""PyTorch-style autograd: ``backward()`` and ``.grad`` accumulation, retain_graph and
create_graph, grad modes, detach / requires_grad_ / retain_grad, the clear errors, and deep
graphs."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import AutogradError


def test_backward_accumulates_into_grad(device):
    w = gt.asarray([1.0, -2.0], device=device).requires_grad_()
    (w * w).sum().backward()
    assert w.grad.tolist() == [2.0, -4.0]
    (w * 3).sum().backward()
    assert w.grad.tolist() == [5.0, -1.0]
    w.grad = None
    w.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_broadcast_gradients_reduce_to_input_shape(device):
    w = gt.ones((3, 1), device=device).requires_grad_()
    b = gt.ones(4, device=device).requires_grad_()
    (w * b + b).sum().backward()
    assert w.grad.shape == (3, 1) and w.grad.tolist() == [[4.0], [4.0], [4.0]]
    assert b.grad.shape == (4,) and b.grad.tolist() == [6.0] * 4


def test_shared_subexpression_and_multiple_paths(device):
    x = gt.asarray(3.0, dtype=gt.float64, device=device).requires_grad_()
    h = x * x
    y = h * x + h + gt.exp(h) * 0.0 + h.sin()
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 27.0 + 6.0 + np.cos(9.0) * 6.0)


def test_gradient_argument_for_non_scalar(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    y = x * x
    y.backward(gt.asarray([1.0, 0.0, -1.0], device=device))
    assert x.grad.tolist() == [2.0, 0.0, -6.0]
    x.grad = None
    (x * 2).backward(gradient=[1.0, 1.0, 1.0])
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(
        AutogradError, match=r"backward: gradient has shape \(2,\) but the output has shape \(3,\)"
    ):
        (x * 2).backward(gt.ones(2, device=device))


def test_backward_of_non_scalar_without_gradient_is_a_clear_error(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    with pytest.raises(
        AutogradError,
        match=r"backward: the tensor has shape \(2,\); backward\(\) without a gradient "
        r"argument needs a one-element tensor",
    ):
        (x * 2).backward()
    # a one-element tensor of any rank is fine
    (x.sum() * gt.ones((1, 1), device=device)).backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_gradient_of_integer_tensor_is_a_clear_error(device):
    i = gt.asarray([1, 2], device=device)
    with pytest.raises(
        AutogradError,
        match="requires_grad_: only floating-point tensors can require gradients, got gputensor.int64",
    ):
        i.requires_grad_()
    with pytest.raises(AutogradError, match="requires_grad_: only floating-point"):
        i.requires_grad = True
    with pytest.raises(AutogradError, match="only floating-point"):
        gt.tensor([1, 2], requires_grad=True, device=device)
    x = gt.asarray([1.5, 2.5], device=device).requires_grad_()
    k = (x * 2).astype(gt.int32)
    with pytest.raises(AutogradError, match="backward"):
        k.sum().backward()
    with pytest.raises(
        AutogradError,
        match="backward: cannot take gradients with respect to an input of dtype gputensor.int64",
    ):
        (x * 2).sum().backward(inputs=[i])


def test_retain_graph(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    y = (gt.exp(x) * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    with pytest.raises(
        AutogradError, match="trying to run backward through the graph a second time .* retain_graph=True"
    ):
        y.backward()


def test_create_graph_gives_differentiable_gradients(device):
    x = gt.asarray([0.5, -1.0], dtype=gt.float64, device=device).requires_grad_()
    y = (x**3).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.numpy())


def test_backward_inputs_restricts_accumulation(device):
    a = gt.asarray(2.0, device=device).requires_grad_()
    b = gt.asarray(3.0, device=device).requires_grad_()
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 3.0 and b.grad is None
    (a * b).backward(inputs=b)
    assert b.grad.item() == 2.0


def test_backward_without_history_errors(device):
    x = gt.ones(2, device=device)
    with pytest.raises(AutogradError, match="backward: the tensor does not require gradients"):
        x.sum().backward()
    w = gt.ones(2, device=device).requires_grad_()
    with gt.no_grad():
        y = (w * 2).sum()
    with pytest.raises(AutogradError, match="does not require gradients"):
        y.backward()


def test_grad_modes(device):
    w = gt.ones(2, device=device).requires_grad_()
    assert gt.is_grad_enabled()
    with gt.no_grad():
        assert not gt.is_grad_enabled()
        assert not (w * 2).requires_grad
        with gt.enable_grad():
            assert (w * 2).requires_grad
        with gt.set_grad_enabled(True):
            assert gt.is_grad_enabled()
    with gt.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert gt.is_grad_enabled()

    @gt.no_grad()
    def infer(t):
        return t * 2

    @gt.enable_grad()
    def train(t):
        return t * 2

    assert not infer(w).requires_grad
    with gt.no_grad():
        assert train(w).requires_grad
    assert not gt.set_grad_enabled(False)(lambda t: t * 2)(w).requires_grad
    # modes restore on exceptions too
    with pytest.raises(ValueError):
        with gt.no_grad():
            raise ValueError
    assert gt.is_grad_enabled()


def test_detach(device):
    w = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    y = w * 3
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.tolist() == [3.0, 6.0]
    with gt.no_grad():
        y[0] = 10.0
    assert d[0].item() == 10.0  # shares memory
    (w * d).sum().backward()
    assert w.grad.tolist() == [10.0, 6.0]


def test_requires_grad_and_leaf_flags(device):
    x = gt.ones(2, device=device)
    assert not x.requires_grad and x.is_leaf and x.grad_fn is None
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name == "multiply"
    assert y.requires_grad_() is y
    with pytest.raises(AutogradError, match="requires_grad_: cannot turn off gradients of a non-leaf tensor"):
        y.requires_grad_(False)
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad


def test_retain_grad(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    h = x * 3
    h.retain_grad()
    k = x * 5
    (h * h + k).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert k.grad is None
    assert x.grad.tolist() == [23.0, 41.0]
    with pytest.raises(AutogradError, match="retain_grad: the tensor does not require gradients"):
        gt.ones(1, device=device).retain_grad()


def test_gradient_dtype_matches_leaf_dtype(device):
    for dtype in (gt.float16, gt.bfloat16, gt.float32, gt.float64):
        x = gt.asarray([1.0, 2.0], dtype=dtype, device=device).requires_grad_()
        (x.astype(gt.float64) * gt.asarray([1.0, 1.0], dtype=gt.float64, device=device) + x).sum().backward()
        assert x.grad.dtype is dtype and x.grad.tolist() == [2.0, 2.0]


def test_deep_graph_has_no_recursion_limit(device):
    x = gt.asarray(1.0, dtype=gt.float64, device=device).requires_grad_()
    h = x
    for _ in range(20000):
        h = h * 1.0001 + 0.0
    h.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**20000, rtol=1e-9)
    with gt.GradientTape() as tape:
        tape.watch(x)
        h = x
        for _ in range(20000):
            h = gt.sin(h) * 0.5 + h * 0.5
    assert np.isfinite(tape.gradient(h, x).item())


def test_saved_tensors_are_released_after_backward(device):
    import weakref

    x = gt.ones(3, device=device).requires_grad_()
    h = gt.exp(x)
    ref = weakref.ref(h)
    y = (h * x).sum()
    del h
    assert ref() is not None  # kept alive by the multiply node, which saved it for x's gradient
    y.backward()
    assert ref() is None


def test_order_is_deterministic(device):
    results = []
    for _ in range(2):
        x = gt.asarray([0.1, 0.2, 0.3], dtype=gt.float32, device=device).requires_grad_()
        terms = [gt.sin(x * k) for k in range(1, 30)]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        total.sum().backward()
        results.append(x.grad.numpy().tobytes())
    assert results[0] == results[1]
