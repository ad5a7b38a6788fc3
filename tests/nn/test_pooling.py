"""max_pool2d and avg_pool2d against independent NumPy loops and torch.nn.functional."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from tests.helpers import LAYOUTS, check_op

F = gt.nn.functional


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def out_size(n, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    if ceil_mode:
        out = math.ceil((n + 2 * p - span) / s) + 1
        if (out - 1) * s >= n + p:
            out -= 1
        return out
    return (n + 2 * p - span) // s + 1


def pool_ref(
    x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False, mode="max", count_include_pad=True
):
    """NCHW pooling by loops, PyTorch's definition (symmetric int padding)."""
    kernel, dilation, padding = pair(kernel), pair(dilation), pair(padding)
    stride = kernel if stride is None else pair(stride)
    n, c, h, w = x.shape
    oh, ow = (
        out_size(a, k, s, p, d, ceil_mode) for a, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)
    )
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = [i * stride[0] - padding[0] + a * dilation[0] for a in range(kernel[0])]
            cols = [j * stride[1] - padding[1] + b * dilation[1] for b in range(kernel[1])]
            inside = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
            values = np.stack([x[:, :, r, q] for r, q in inside], axis=-1)
            if mode == "max":
                out[:, :, i, j] = values.max(axis=-1)
                continue
            if count_include_pad:
                in_pad = [r for r in rows if -padding[0] <= r < h + padding[0]]
                in_pad_c = [q for q in cols if -padding[1] <= q < w + padding[1]]
                divisor = len(in_pad) * len(in_pad_c)
            else:
                divisor = len(inside)
            out[:, :, i, j] = values.sum(axis=-1) / divisor
    return out


MAX_CONFIGS = [
    (2, None, 0, 1, False),
    (3, 2, 1, 1, False),
    (3, 2, 1, 1, True),
    ((3, 2), (2, 3), (1, 1), 1, True),
    (3, 1, 1, 2, False),
    (2, 3, 1, (2, 1), True),
]


@pytest.mark.parametrize("data_format", ["NCHW", "NHWC"])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", MAX_CONFIGS)
def test_max_pool2d_matches_numpy_and_torch(
    device, data_format, kernel, stride, padding, dilation, ceil_mode
):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    expected = pool_ref(x, kernel, stride, padding, dilation, ceil_mode)
    theirs, their_idx = torch.nn.functional.max_pool2d(
        torch.tensor(x), kernel, stride, padding, dilation, ceil_mode, return_indices=True
    )
    np.testing.assert_array_equal(theirs.numpy(), expected)
    nhwc = data_format == "NHWC"
    gx = gt.asarray(x.transpose(0, 2, 3, 1) if nhwc else x, device=device)
    y, idx = F.max_pool2d(
        gx, kernel, stride, padding, dilation, ceil_mode, return_indices=True, data_format=data_format
    )
    if nhwc:
        y, idx = y.numpy().transpose(0, 3, 1, 2), idx.numpy().transpose(0, 3, 1, 2)
    else:
        y, idx = y.numpy(), idx.numpy()
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(idx, their_idx.numpy())


AVG_CONFIGS = [
    (2, None, 0, False, True),
    (3, 2, 1, False, True),
    (3, 2, 1, True, True),
    (3, 2, 1, True, False),
    ((3, 2), (2, 3), (1, 1), True, False),
    (3, 3, 1, True, True),
]


@pytest.mark.parametrize("data_format", ["NCHW", "NHWC"])
@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,count_include_pad", AVG_CONFIGS)
def test_avg_pool2d_matches_numpy_and_torch(
    device, data_format, kernel, stride, padding, ceil_mode, count_include_pad
):
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 8))
    expected = pool_ref(x, kernel, stride, padding, 1, ceil_mode, "avg", count_include_pad)
    theirs = torch.nn.functional.avg_pool2d(
        torch.tensor(x), kernel, stride, padding, ceil_mode, count_include_pad
    )
    np.testing.assert_allclose(theirs.numpy(), expected, rtol=1e-12)
    nhwc = data_format == "NHWC"
    gx = gt.asarray(x.transpose(0, 2, 3, 1) if nhwc else x, device=device)
    y = F.avg_pool2d(
        gx, kernel, stride, padding, ceil_mode, count_include_pad, data_format=data_format
    ).numpy()
    np.testing.assert_allclose(y.transpose(0, 3, 1, 2) if nhwc else y, expected, rtol=1e-12)


def test_avg_pool2d_divisor_override_matches_torch(device):
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 5))
    theirs = torch.nn.functional.avg_pool2d(torch.tensor(x), 3, 2, 1, divisor_override=4)
    mine = F.avg_pool2d(gt.asarray(x, device=device), 3, 2, 1, divisor_override=4)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)


def test_same_padding_pools_like_keras(device):
    x = np.arange(25.0).reshape(1, 5, 5, 1)
    y = F.max_pool2d(gt.asarray(x, device=device), 2, padding="same", data_format="NHWC")
    assert y.shape == (1, 3, 3, 1)
    assert y[0, :, :, 0].tolist() == [[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]
    # Keras' "same" average pooling ignores the padded cells.
    y = F.avg_pool2d(
        gt.asarray(x, device=device), 2, padding="same", count_include_pad=False, data_format="NHWC"
    )
    assert y[0, :, :, 0].tolist() == [[3.0, 5.0, 6.5], [13.0, 15.0, 16.5], [20.5, 22.5, 24.0]]


@pytest.mark.parametrize(
    "kernel,stride,padding,dilation,ceil_mode", [(2, 1, 1, 1, False), (3, 2, 1, 2, True)]
)
def test_max_pool2d_gradients(device, kernel, stride, padding, dilation, ceil_mode):
    x = np.random.default_rng(3).permutation(50).reshape(1, 2, 5, 5) / 7.0  # distinct values: no ties

    def np_fn(a):
        return pool_ref(a, kernel, stride, padding, dilation, ceil_mode)

    def gt_fn(a):
        return F.max_pool2d(a, kernel, stride, padding, dilation, ceil_mode)

    check_op(gt_fn, np_fn, [x], device)


def test_max_pool2d_gradient_matches_torch(device):
    x = np.random.default_rng(4).standard_normal((2, 2, 6, 7))
    g = np.random.default_rng(5).standard_normal((2, 2, 4, 4))
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(tx, 3, 2, 1, ceil_mode=True).backward(torch.tensor(g))
    gx = gt.asarray(x, device=device).requires_grad_()
    F.max_pool2d(gx, 3, 2, 1, ceil_mode=True).backward(gt.asarray(g, device=device))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_max_pool2d_splits_the_gradient_of_ties_evenly(device):
    # PyTorch sends a tied window's whole gradient to one element; gputensor splits it.
    x = gt.ones((1, 1, 2, 2), device=device, dtype=gt.float64).requires_grad_()
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[0.25, 0.25], [0.25, 0.25]]]]


@pytest.mark.parametrize(
    "kernel,stride,padding,ceil_mode,count_include_pad,data_format",
    [(2, 1, 1, False, True, "NCHW"), (3, 2, 1, True, False, "NHWC")],
)
def test_avg_pool2d_gradients_and_second_order(
    device, kernel, stride, padding, ceil_mode, count_include_pad, data_format
):
    x = np.random.default_rng(6).standard_normal((1, 2, 5, 4))
    nhwc = data_format == "NHWC"

    def np_fn(a):
        y = pool_ref(
            a.transpose(0, 3, 1, 2) if nhwc else a,
            kernel,
            stride,
            padding,
            1,
            ceil_mode,
            "avg",
            count_include_pad,
        )
        return y.transpose(0, 2, 3, 1) if nhwc else y

    def gt_fn(a):
        return F.avg_pool2d(a, kernel, stride, padding, ceil_mode, count_include_pad, data_format=data_format)

    check_op(gt_fn, np_fn, [x.transpose(0, 2, 3, 1) if nhwc else x], device)


def test_pooling_integer_and_unbatched_inputs(device):
    x = np.arange(32).reshape(2, 4, 4)
    y = F.max_pool2d(gt.asarray(x, device=device), 2, padding=1)
    assert y.dtype is gt.int64
    np.testing.assert_array_equal(y.numpy(), pool_ref(x[None].astype(float), 2, padding=1)[0])
    y = F.avg_pool2d(gt.asarray(x.astype(np.float32), device=device), 2)
    np.testing.assert_allclose(y.numpy(), pool_ref(x[None].astype(float), 2, mode="avg")[0])


def test_pooling_errors(device):
    x = gt.zeros((1, 2, 5, 5), device=device)
    with pytest.raises(ShapeError, match="max_pool2d: padding 2 must be at most half the kernel size"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ShapeError, match="avg_pool2d: padding .* must be at most half the kernel size"):
        F.avg_pool2d(x, 2, padding=(0, 2))
    with pytest.raises(ShapeError, match="max_pool2d: the kernel .* larger than the padded input"):
        F.max_pool2d(x, 6)
    with pytest.raises(ShapeError, match="max_pool2d: kernel_size must be positive ints"):
        F.max_pool2d(x, 0)
    with pytest.raises(ShapeError, match="avg_pool2d: stride must be positive ints"):
        F.avg_pool2d(x, 2, stride=(0, 1))
    with pytest.raises(ShapeError, match=r"max_pool2d: x must have shape \(N, C, H, W\) or \(C, H, W\)"):
        F.max_pool2d(gt.zeros((5, 5), device=device), 2)
    with pytest.raises(ArgumentValueError, match="avg_pool2d: data_format must be 'NCHW' or 'NHWC'"):
        F.avg_pool2d(x, 2, data_format="NWHC")
    with pytest.raises(ArgumentTypeError, match="max_pool2d: ceil_mode must be a bool"):
        F.max_pool2d(x, 2, ceil_mode="yes")
    with pytest.raises(ArgumentTypeError, match="avg_pool2d: count_include_pad must be a bool"):
        F.avg_pool2d(x, 2, count_include_pad=None)
    with pytest.raises(ShapeError, match="avg_pool2d: divisor_override must be positive"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(
        DTypeError, match="max_pool2d: x must be a floating-point or integer tensor, got bool"
    ):
        F.max_pool2d(gt.zeros((1, 2, 5, 5), dtype=gt.bool, device=device), 2)
    with pytest.raises(DTypeError, match="avg_pool2d: x must be a floating-point tensor, got int64"):
        F.avg_pool2d(gt.zeros((1, 2, 5, 5), dtype=gt.int64, device=device), 2)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_on_non_contiguous_views(device, mode):
    x = np.random.default_rng(7).permutation(40).reshape(1, 2, 4, 5) / 3.0

    def gt_fn(a):
        if mode == "max":
            return F.max_pool2d(a, 2, 1, 1)
        return F.avg_pool2d(a, 2, 1, 1, count_include_pad=False)

    check_op(
        gt_fn,
        lambda a: pool_ref(a, 2, 1, 1, mode=mode, count_include_pad=False),
        [x],
        device,
        layouts=LAYOUTS,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    pad=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_pooling_random_geometry_matches_torch(
    device, size, kernel, stride, pad, dilation, ceil_mode, count_include_pad, seed
):
    pad = tuple(min(p, k // 2) for p, k in zip(pad, kernel))
    fits = all(s + 2 * p >= d * (k - 1) + 1 for s, p, k, d in zip(size, pad, kernel, dilation))
    x = np.random.default_rng(seed).standard_normal((1, 2) + size)
    gx = gt.asarray(x, device=device)
    if not fits:
        with pytest.raises(ShapeError, match="max_pool2d: the kernel"):
            F.max_pool2d(gx, kernel, stride, pad, dilation, ceil_mode)
        return
    tx = torch.tensor(x)
    theirs = torch.nn.functional.max_pool2d(tx, kernel, stride, pad, dilation, ceil_mode)
    np.testing.assert_array_equal(
        F.max_pool2d(gx, kernel, stride, pad, dilation, ceil_mode).numpy(), theirs.numpy()
    )
    if all(s + 2 * p >= k for s, p, k in zip(size, pad, kernel)):
        theirs = torch.nn.functional.avg_pool2d(tx, kernel, stride, pad, ceil_mode, count_include_pad)
        mine = F.avg_pool2d(gx, kernel, stride, pad, ceil_mode, count_include_pad)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)
