"""In-place writes and autograd: recorded in-place ops differentiate correctly, writes that
would corrupt a saved tensor raise a clear error at backward, and writes autograd cannot
follow are refused up front."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import AutogradError
from tests.helpers import check_op


def test_inplace_on_recorded_tensor_is_differentiable(device):
    x = gt.asarray([1.0, 2.0, 3.0], dtype=gt.float64, device=device).requires_grad_()
    y = x * 2
    y += x * x
    y *= 3
    y -= 1
    y /= 2
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (2 + 2 * x.numpy()))


def test_setitem_records_both_sides(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    v = gt.asarray(10.0, device=device).requires_grad_()
    y = x * 1.0
    y[1] = v * 2
    (y * gt.asarray([1.0, 5.0, 7.0], device=device)).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 7.0]
    assert v.grad.item() == 10.0


def test_setitem_into_plain_tensor_joins_the_graph(device):
    w = gt.asarray([2.0, 3.0], device=device).requires_grad_()
    buf = gt.zeros(4, device=device)
    buf[1:3] = w * w
    assert buf.requires_grad
    buf.sum().backward()
    assert w.grad.tolist() == [4.0, 6.0]


def test_setitem_gradient_check(device):
    def fn(x, v):
        y = gt.sin(x)  # sin saves its input, so writing into its output is fine
        y[:, [0, 2]] = v
        y *= x
        return y * y

    def ref(x, v):
        y = np.sin(x)
        y[:, [0, 2]] = v
        y = y * x
        return y * y

    x = np.random.default_rng(0).uniform(-1, 1, (2, 3))
    v = np.random.default_rng(1).uniform(-1, 1, (2, 1))
    check_op(fn, ref, [x, v], device)


def test_inplace_operator_whose_op_saves_the_target(device):
    # y *= x needs the old y for x's gradient, and y **= 2 needs it for its own
    x = gt.asarray([1.0, 2.0], dtype=gt.float64, device=device).requires_grad_()
    y = x * 3
    y *= x
    y **= 2
    y += y
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 4 * 9 * x.numpy() ** 3)


def test_modified_after_saved_is_a_clear_error(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    h = x * 1.0
    y = h * h  # saves h
    h += 1  # overwrites what multiply saved
    with pytest.raises(
        AutogradError,
        match=r"multiply: a tensor of shape \(2,\) and dtype gputensor.float32 that this op "
        r"saved for its gradient was modified in place after it was saved",
    ):
        y.sum().backward()


def test_modified_output_after_saved_is_a_clear_error(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    e = gt.exp(x)  # exp saves its own output
    with pytest.raises(AutogradError, match="exp: a tensor .* was modified in place"):
        e[0] = 0.0
        e.sum().backward()


def test_write_through_a_view_of_a_saved_tensor_is_detected(device):
    w = gt.asarray([[1.0, 2.0], [3.0, 4.0]], device=device).requires_grad_()
    x = gt.asarray([[0.5, 0.5], [0.5, 0.5]], device=device)
    y = (w * x).sum()  # saves x for w's gradient
    with gt.no_grad():
        x.T[0] = 9.0  # a view shares the version counter with its base
    with pytest.raises(AutogradError, match="multiply: .*modified in place"):
        y.backward()


def test_optimizer_style_update_under_no_grad(device):
    w = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with gt.no_grad():
            w -= w.grad * 0.25
        w.grad = None
    np.testing.assert_allclose(w.numpy(), np.array([1.0, 2.0]) * 0.5**3)
    assert w.is_leaf and w.requires_grad


def test_update_of_saved_leaf_before_backward_errors(device):
    w = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    loss = (w * w).sum()
    with gt.no_grad():
        w -= 0.1
    with pytest.raises(AutogradError, match="modified in place"):
        loss.backward()


def test_refused_inplace_writes(device):
    w = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    with pytest.raises(
        AutogradError,
        match=r"__iadd__: in-place write into a leaf tensor that requires grad \(shape \(2,\)\)",
    ):
        w += 1
    with pytest.raises(AutogradError, match="setitem: in-place write into a leaf tensor that requires grad"):
        w[0] = 5.0
    with pytest.raises(AutogradError, match="fill_: in-place write into a leaf"):
        w.fill_(0.0)
    assert w.tolist() == [1.0, 2.0]
    h = w * 2
    with pytest.raises(AutogradError, match="setitem: in-place write into a view while recording gradients"):
        h[0:1][0] = 3.0
    with pytest.raises(AutogradError, match="__imul__: in-place write into a view"):
        v = h[::2]
        v *= 2


def test_inplace_without_autograd_is_free(device):
    x = gt.ones((2, 2), device=device)
    v = x[0]
    v += 5
    x[1] *= 3
    assert x.tolist() == [[6.0, 6.0], [3.0, 3.0]]
    i = gt.asarray([1, 2], device=device)
    i += 1
    assert i.tolist() == [2, 3]


def test_fill_and_zero_of_a_recorded_tensor_cut_the_gradient(device):
    x = gt.asarray([1.0, 2.0], device=device).requires_grad_()
    y = x * 2
    y.fill_(3.0)
    (y * x).sum().backward()
    assert y.tolist() == [3.0, 3.0]
    assert x.grad.tolist() == [3.0, 3.0]  # only through the second factor
    x.grad = None
    z = x * 2
    z.zero_()
    (z + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    v = gt.asarray(4.0, device=device).requires_grad_()
    w = x * 1
    w.fill_(v)
    w.sum().backward()
    assert v.grad.item() == 2.0
