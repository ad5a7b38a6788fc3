"""Reductions and scans: values against NumPy over every axis combination, gradients (exact
with zeros for products), dtype rules, empty axes, non-contiguous inputs and the errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, AxisError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, assert_close, broadcast_along, check_op

X = np.random.default_rng(3).uniform(-2, 2, (2, 3, 4))
AXES = [None, 0, 1, 2, -1, (0, 2), (1, 2), (0, 1, 2), (), (-3, -1)]


def _logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else tuple(range(x.ndim)))


REDUCTIONS = {
    "sum": np.sum,
    "prod": np.prod,
    "mean": np.mean,
    "max": np.max,
    "min": np.min,
    "logsumexp": _logsumexp,
}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_over_axes(name, axis, keepdims, device):
    ref = REDUCTIONS[name]

    def fn(x):
        return getattr(gt, name)(x, axis=axis, keepdims=keepdims)

    fn.__name__ = name
    check_op(
        fn,
        lambda x: ref(x, axis=axis, keepdims=keepdims),
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS if axis in (None, (0, 2)) else ("contiguous",),
        gradgrad=axis in (None, 1),
    )


@pytest.mark.parametrize("correction", [0, 1, 0.5])
@pytest.mark.parametrize("axis", [None, 0, (1, 2), -1], ids=str)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std(name, axis, correction, device):
    def fn(x):
        return getattr(gt, name)(x, axis=axis, correction=correction)

    fn.__name__ = name
    check_op(
        fn,
        lambda x: getattr(np, name)(x, axis=axis, ddof=correction),
        [X],
        device,
        dtypes=FLOATS,
        gradgrad=axis is None,
    )


def test_var_with_too_few_elements_is_nan(device):
    x = gt.ones((1, 3), device=device)
    assert np.isnan(gt.var(x, axis=0, correction=1).numpy()).all()
    assert gt.var(x, axis=1).tolist() == [0.0]


def test_method_forms(device):
    x = gt.asarray(X, device=device)
    assert_close(x.sum(axis=1), X.sum(axis=1))
    assert_close(x.mean(1, keepdims=True), X.mean(1, keepdims=True))
    assert_close(x.max(), X.max())
    assert_close(x.std(axis=0), X.std(axis=0))
    assert_close(x.var(axis=0, correction=1), X.var(axis=0, ddof=1))
    assert x.argmax(axis=2).tolist() == X.argmax(axis=2).tolist()
    assert_close(x.logsumexp(axis=-1), _logsumexp(X, axis=-1))


def test_prod_gradient_exact_with_zeros(device):
    x = np.array([[0.0, 2.0, 3.0, -1.5], [0.0, 0.0, 1.5, 2.0], [1.0, -2.0, 0.5, 3.0]])
    for axis in (None, 0, 1, (0, 1)):

        def fn(t, axis=axis):
            return gt.prod(t, axis=axis)

        check_op(fn, lambda a, axis=axis: np.prod(a, axis=axis), [x], device, gradgrad=axis == 1)
    t = gt.asarray([0.0, 2.0, 3.0], dtype=gt.float64, device=device).requires_grad_()
    gt.prod(t).backward()
    assert t.grad.tolist() == [6.0, 0.0, 0.0]


def test_max_min_ties_share_the_gradient(device):
    x = gt.asarray([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], device=device).requires_grad_()
    gt.max(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    x.grad = None
    gt.min(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1, 0, 0], [0, 0, 0]])


def test_nan_propagates_through_max_min_sum(device):
    x = gt.asarray([[1.0, np.nan], [2.0, 3.0]], device=device)
    assert np.isnan(gt.max(x, axis=1).numpy()[0]) and gt.max(x, axis=1).numpy()[1] == 3.0
    assert np.isnan(gt.min(x).item())
    assert np.isnan(gt.sum(x).item())


@pytest.mark.parametrize("dtype", [gt.bool, gt.int8, gt.int32, gt.int64, gt.uint8])
def test_integer_sum_and_prod_accumulate_in_int64(dtype, device):
    values = np.array([[1, 0, 1], [1, 1, 1]]) if dtype is gt.bool else np.array([[100, 27, 3], [120, 2, 1]])
    x = gt.asarray(values.astype(dtype.np), device=device)
    s = gt.sum(x, axis=1)
    p = gt.prod(x, axis=0)
    assert s.dtype is gt.int64 and p.dtype is gt.int64
    np.testing.assert_array_equal(s.numpy(), values.sum(axis=1))
    np.testing.assert_array_equal(p.numpy(), values.prod(axis=0))
    assert gt.sum(x, dtype=gt.float64).dtype is gt.float64
    m = gt.mean(x)
    assert m.dtype is gt.float32
    assert_close(m, values.mean(), gt.float32)


@pytest.mark.parametrize("dtype", [gt.int8, gt.int32, gt.uint8, gt.float16, gt.bfloat16])
def test_max_min_keep_dtype(dtype, device):
    values = np.array([[3, 1, 2], [0, 5, 4]])
    x = gt.asarray(values.astype(dtype.np), device=device)
    assert gt.max(x, axis=0).dtype is dtype
    np.testing.assert_array_equal(gt.max(x, axis=0).numpy().astype(np.int64), values.max(axis=0))
    np.testing.assert_array_equal(gt.min(x, axis=1).numpy().astype(np.int64), values.min(axis=1))


def test_half_precision_sum_accumulates_in_float32(device):
    for dtype in (gt.float16, gt.bfloat16):
        # 4096 ones: a float16 running sum would stop at 2048, bfloat16 at 256
        x = gt.ones(4096, dtype=dtype, device=device)
        s = gt.sum(x)
        assert s.dtype is dtype
        assert s.item() == 4096.0
        assert gt.cumulative_sum(x)[-1].item() == 4096.0
        assert_close(gt.mean(x), 1.0, dtype)


def test_empty_reductions(device):
    x = gt.zeros((0, 3), device=device)
    assert gt.sum(x, axis=0).tolist() == [0.0, 0.0, 0.0]
    assert gt.prod(x, axis=0).tolist() == [1.0, 1.0, 1.0]
    assert gt.sum(x, axis=1).shape == (0,)
    assert gt.sum(x).item() == 0.0
    assert np.isnan(gt.mean(x).item())
    assert gt.max(x, axis=1).shape == (0,)
    assert gt.any(x).item() is False
    assert gt.all(x).item() is True
    assert gt.count_nonzero(x).item() == 0
    with pytest.raises(ShapeError, match=r"max: cannot reduce over an empty axis \(shape \(0, 3\)"):
        gt.max(x, axis=0)
    with pytest.raises(ShapeError, match="min"):
        gt.min(x)
    with pytest.raises(ShapeError, match="argmax"):
        gt.argmax(x)
    with pytest.raises(ShapeError, match="argmin"):
        gt.argmin(x, axis=0)


def test_scalar_reductions(device):
    x = gt.asarray(2.5, device=device)
    assert gt.sum(x).item() == 2.5
    assert gt.max(x, axis=()).item() == 2.5
    assert gt.argmax(x).item() == 0
    assert gt.mean(x).shape == ()


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions(name, device):
    x = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, np.nan, 0.0, np.nan], [5.0, 5.0, -2.0, -2.0]])
    ref = getattr(np, name)
    for layout in LAYOUTS:
        from tests.helpers import device_array

        t = device_array(x, device, layout=layout)
        for axis in (None, 0, 1, -1):
            out = getattr(gt, name)(t, axis=axis)
            assert out.dtype is gt.int64
            np.testing.assert_array_equal(
                out.numpy(), ref(x, axis=axis), err_msg=f"{name} axis={axis} {layout}"
            )
            kept = getattr(gt, name)(t, axis=axis, keepdims=True)
            np.testing.assert_array_equal(kept.numpy(), ref(x, axis=axis, keepdims=True))
    ints = gt.asarray([[3, 9, 9], [1, 0, 1]], dtype=gt.uint8, device=device)
    np.testing.assert_array_equal(getattr(gt, name)(ints, axis=1).numpy(), ref(ints.numpy(), axis=1))
    bools = gt.asarray([False, True, True], device=device)
    assert getattr(gt, name)(bools).item() == ref(np.array([False, True, True]))


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all(name, device):
    x = np.array([[0, 1, 0], [0, 0, 0], [2, 3, -1]])
    ref = getattr(np, name)
    for dtype in (gt.bool, gt.int32, gt.float32, gt.bfloat16):
        t = gt.asarray(x.astype(dtype.np), device=device)
        for axis in (None, 0, 1, (0, 1)):
            out = getattr(gt, name)(t, axis=axis)
            assert out.dtype is gt.bool
            np.testing.assert_array_equal(out.numpy(), ref(x, axis=axis))
        np.testing.assert_array_equal(
            getattr(gt, name)(t, axis=1, keepdims=True).numpy(), ref(x, axis=1, keepdims=True)
        )
    nan = gt.asarray([np.nan, 0.0], device=device)
    assert gt.any(nan).item() is True


def test_count_nonzero(device):
    x = np.array([[0, 1.5, 0], [np.nan, 0, -2]])
    t = gt.asarray(x, device=device)
    assert gt.count_nonzero(t).item() == 3
    assert gt.count_nonzero(t, axis=0).tolist() == [1, 1, 1]
    assert gt.count_nonzero(t, axis=1, keepdims=True).tolist() == [[1], [2]]
    assert gt.count_nonzero(t).dtype is gt.int64


def test_logsumexp_is_stable(device):
    x = gt.asarray([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]], device=device)
    out = gt.logsumexp(x, axis=1).numpy()
    np.testing.assert_allclose(out[:2], [1000 + np.log(2), -1000 + np.log(2)], rtol=1e-6)
    assert out[2] == -np.inf
    y = gt.asarray([1.0, np.inf], device=device)
    assert gt.logsumexp(y).item() == np.inf


def test_logsumexp_of_integers(device):
    out = gt.logsumexp(gt.asarray([0, 1, 2], device=device))
    assert out.dtype is gt.float32
    assert_close(out, _logsumexp(np.array([0.0, 1.0, 2.0])), gt.float32)


# --- scans ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
def test_cumulative(name, axis, device):
    ref = np.cumsum if name == "cumulative_sum" else np.cumprod

    def fn(x):
        return getattr(gt, name)(x, axis=axis)

    fn.__name__ = name
    check_op(
        fn,
        lambda x: ref(x, axis=axis),
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS if axis == 1 else ("contiguous",),
    )


def test_cumulative_include_initial(device):
    x = gt.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    assert gt.cumulative_sum(x, axis=1, include_initial=True).tolist() == [[0, 1, 3, 6], [0, 4, 9, 15]]
    assert gt.cumulative_prod(x, axis=0, include_initial=True).tolist() == [[1, 1, 1], [1, 2, 3], [4, 10, 18]]

    def fn(t):
        return gt.cumulative_sum(t, axis=0, include_initial=True)

    check_op(fn, lambda a: np.concatenate([np.zeros((1, 4)), np.cumsum(a, axis=0)]), [X[0]], device)


def test_cumprod_gradient_exact_with_zeros(device):
    x = np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [0.0, 1.5, -2.0, 0.5, 1.0], [1.0, 2.0, 3.0, 4.0, 0.0]])

    def fn(t):
        return gt.cumprod(t, axis=1)

    check_op(fn, lambda a: np.cumprod(a, axis=1), [x], device)


def test_numpy_style_cumsum_cumprod_flatten(device):
    x = gt.asarray([[1, 2], [3, 4]], device=device)
    assert gt.cumsum(x).tolist() == [1, 3, 6, 10]
    assert gt.cumprod(x).tolist() == [1, 2, 6, 24]
    assert x.cumsum(axis=0).tolist() == [[1, 2], [4, 6]]
    assert gt.cumsum(x).dtype is gt.int64
    assert gt.cumsum(gt.asarray([True, True], device=device)).tolist() == [1, 2]
    with pytest.raises(ShapeError, match="cumulative_sum: axis must be given"):
        gt.cumulative_sum(x)


def test_scan_errors(device):
    with pytest.raises(ShapeError, match="cumulative_prod"):
        gt.cumulative_prod(gt.asarray(1.0, device=device))
    with pytest.raises(AxisError, match="cumulative_sum: axis 2"):
        gt.cumulative_sum(gt.ones((2, 2), device=device), axis=2)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "sum",
        "prod",
        "mean",
        "max",
        "min",
        "var",
        "std",
        "any",
        "all",
        "count_nonzero",
        "logsumexp",
        "argmax",
        "argmin",
    ],
)
def test_bad_axis(name, device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(AxisError, match=rf"{name}: axis 2 is out of range for a tensor with 2 axes"):
        getattr(gt, name)(x, axis=2)
    with pytest.raises(AxisError, match=name):
        getattr(gt, name)(x, axis=-3)
    with pytest.raises(IndexError):  # AxisError is an IndexError and a ValueError
        getattr(gt, name)(x, axis=5)
    with pytest.raises(ArgumentTypeError, match=f"{name}: axis must be an int"):
        getattr(gt, name)(x, axis=1.0)


def test_repeated_axis(device):
    with pytest.raises(AxisError, match=r"sum: repeated axis in \(1, -1\)"):
        gt.sum(gt.ones((2, 3), device=device), axis=(1, -1))


# --- hypothesis --------------------------------------------------------------------------------


@st.composite
def _shape_and_axes(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    axes = draw(st.one_of(st.none(), st.sets(st.integers(0, len(shape) - 1)).map(lambda s: tuple(sorted(s)))))
    return shape, axes


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=40, deadline=None)
@given(
    sa=_shape_and_axes(),
    keepdims=st.booleans(),
    layout=st.sampled_from(LAYOUTS),
    name=st.sampled_from(["sum", "mean", "prod", "logsumexp"]),
    seed=st.integers(0, 2**16),
    bcast=st.sets(st.integers(0, 3)),
)
def test_reductions_random(device_name, sa, keepdims, layout, name, seed, bcast):
    shape, axes = sa
    device = gt.device(device_name)
    x = broadcast_along(np.random.default_rng(seed).uniform(0.5, 1.5, shape), bcast)
    if name in ("mean", "logsumexp") and x.size == 0:
        return

    def fn(t):
        return getattr(gt, name)(t, axis=axes, keepdims=keepdims)

    ref = REDUCTIONS[name]
    check_op(
        fn, lambda a: ref(a, axis=axes, keepdims=keepdims), [x], device, layouts=(layout,), gradgrad=False
    )


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=30, deadline=None)
@given(sa=_shape_and_axes(), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 2**16))
def test_max_random_without_ties(device_name, sa, layout, seed):
    shape, axes = sa
    device = gt.device(device_name)
    axes_list = range(len(shape)) if axes is None else axes
    if any(shape[a] == 0 for a in axes_list):
        return
    x = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) / 3.0

    def fn(t):
        return gt.max(t, axis=axes)

    check_op(fn, lambda a: np.max(a, axis=axes), [x], device, layouts=(layout,), gradgrad=False)


def test_all_axis_combinations_of_sum_4d(device):
    x = np.random.default_rng(0).normal(size=(2, 1, 3, 2))
    t = gt.asarray(x, device=device)
    for r in range(5):
        for axes in itertools.combinations(range(4), r):
            assert_close(gt.sum(t, axis=axes), x.sum(axis=axes), what=str(axes))


def test_logsumexp_over_an_empty_axis_is_minus_infinity(device):
    x = gt.zeros((2, 0), device=device)
    out = gt.logsumexp(x, axis=1)
    assert out.shape == (2,) and out.tolist() == [-np.inf, -np.inf]
    assert gt.logsumexp(x, axis=0).shape == (0,)


def test_std_gradient_of_constant_input_is_zero(device):
    x = gt.asarray([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]], dtype=gt.float64, device=device).requires_grad_()
    gt.std(x, axis=1).sum().backward()
    g = x.grad.numpy()
    assert np.all(g[0] == 0.0)
    np.testing.assert_allclose(g[1], (np.array([1.0, 2.0, 3.0]) - 2.0) / (3 * np.std([1.0, 2.0, 3.0])))
    assert gt.std(x, axis=1).tolist()[0] == 0.0
