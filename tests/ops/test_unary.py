"""Elementwise functions of one tensor: forward against NumPy, gradients, dtype rules,
non-contiguous inputs and special values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import DTypeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, assert_close, check_op, device_array


def _erf(x):
    return np.vectorize(math.erf)(x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (NumPy reference, (low, high) of the test inputs, twice differentiable)
SMOOTH = {
    "exp": (np.exp, (-3, 3)),
    "expm1": (np.expm1, (-3, 3)),
    "log": (np.log, (0.2, 4)),
    "log1p": (np.log1p, (-0.7, 4)),
    "log2": (np.log2, (0.2, 4)),
    "log10": (np.log10, (0.2, 4)),
    "sqrt": (np.sqrt, (0.2, 4)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.2, 4)),
    "reciprocal": (np.reciprocal, (0.3, 3)),
    "square": (np.square, (-3, 3)),
    "sin": (np.sin, (-3, 3)),
    "cos": (np.cos, (-3, 3)),
    "tan": (np.tan, (-1.2, 1.2)),
    "asin": (np.arcsin, (-0.9, 0.9)),
    "acos": (np.arccos, (-0.9, 0.9)),
    "atan": (np.arctan, (-3, 3)),
    "sinh": (np.sinh, (-3, 3)),
    "cosh": (np.cosh, (-3, 3)),
    "tanh": (np.tanh, (-3, 3)),
    "asinh": (np.arcsinh, (-3, 3)),
    "acosh": (np.arccosh, (1.2, 4)),
    "atanh": (np.arctanh, (-0.9, 0.9)),
    "erf": (_erf, (-2.5, 2.5)),
    "sigmoid": (_sigmoid, (-4, 4)),
    "negative": (np.negative, (-3, 3)),
    "positive": (np.positive, (-3, 3)),
    "abs": (np.abs, (0.2, 3)),
    "conj": (np.conj, (-3, 3)),
    "real": (np.real, (-3, 3)),
}


def _inputs(low, high, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=shape)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_smooth_unary_matches_numpy_with_gradients(name, device):
    ref, (low, high) = SMOOTH[name]
    x = _inputs(low, high)
    if name == "abs":
        x = x * np.where(np.arange(6).reshape(2, 3) % 2 == 0, 1, -1)
    check_op(getattr(gt, name), ref, [x], device, dtypes=FLOATS, layouts=LAYOUTS)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign"])
def test_piecewise_constant_unary(name, device):
    ref = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": np.round, "sign": np.sign}[name]
    # away from the jumps, so that central differences see a zero slope
    x = np.array([[-2.7, -1.2, -0.3], [0.4, 1.6, 2.2]])
    check_op(getattr(gt, name), ref, [x], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_round_is_half_to_even(device):
    x = gt.asarray([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], device=device)
    assert gt.round(x).tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0]


def test_imag_is_zero(device):
    x = gt.asarray([1.5, -2.0], device=device)
    assert gt.imag(x).tolist() == [0.0, 0.0]
    assert gt.imag(x).dtype is gt.float32


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "signbit"])
def test_predicates(name, device):
    values = np.array([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan])
    ref = getattr(np, name)
    for dtype in FLOATS:
        if dtype not in device.backend.dtypes:
            continue
        out = getattr(gt, name)(gt.asarray(values.astype(dtype.np), device=device))
        assert out.dtype is gt.bool
        np.testing.assert_array_equal(out.numpy(), ref(values), err_msg=f"{name} in {dtype}")
    ints = np.array([-3, 0, 5], dtype=np.int32)
    out = getattr(gt, name)(gt.asarray(ints, device=device))
    assert out.dtype is gt.bool
    np.testing.assert_array_equal(out.numpy(), ref(ints))


def test_special_values(device):
    x = gt.asarray([0.0, -1.0, np.inf, -np.inf, np.nan], dtype=gt.float64, device=device)
    with np.errstate(all="ignore"):
        for name, ref in [
            ("log", np.log),
            ("sqrt", np.sqrt),
            ("exp", np.exp),
            ("tanh", np.tanh),
            ("reciprocal", np.reciprocal),
            ("sigmoid", _sigmoid),
            ("erf", _erf),
        ]:
            assert_close(getattr(gt, name)(x), ref(x.numpy()), what=name)


def test_sigmoid_is_stable_at_extremes(device):
    x = gt.asarray([-1000.0, -50.0, 50.0, 1000.0], device=device)
    y = gt.sigmoid(x).numpy()
    assert np.all(np.isfinite(y))
    assert y[0] == 0.0 and y[-1] == 1.0
    assert y[1] > 0


def test_erf_accuracy_float64(device):
    x = np.linspace(-6, 6, 241)
    out = gt.erf(gt.asarray(x, device=device))
    np.testing.assert_allclose(out.numpy(), _erf(x), rtol=1e-14, atol=1e-15)


# --- dtype rules -----------------------------------------------------------------------------

FLOAT_RULE = [
    "exp",
    "expm1",
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "rsqrt",
    "reciprocal",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "erf",
    "sigmoid",
]


@pytest.mark.parametrize("name", FLOAT_RULE)
@pytest.mark.parametrize("dtype", [gt.int8, gt.int32, gt.int64, gt.uint8, gt.bool])
def test_float_functions_of_integers_give_default_float(name, dtype, device):
    values = np.array([1, 0, 1, 1]) if dtype is gt.bool else np.array([1, 2, 3, 1])
    x = gt.asarray(values.astype(dtype.np), device=device)
    out = getattr(gt, name)(x)
    assert out.dtype is gt.float32
    ref = SMOOTH[name][0]
    with np.errstate(all="ignore"):
        expected = ref(values.astype(np.float64))
    assert_close(out, expected, gt.float32, what=name)


@pytest.mark.parametrize("name", ["negative", "abs", "square", "sign", "positive"])
@pytest.mark.parametrize("dtype", [gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8])
def test_numeric_functions_keep_integer_dtype(name, dtype, device):
    values = (
        np.array([0, 1, 5, 7], dtype=dtype.np)
        if dtype is gt.uint8
        else np.array([-5, 0, 3, 7], dtype=dtype.np)
    )
    x = gt.asarray(values, device=device)
    out = getattr(gt, name)(x)
    assert out.dtype is dtype
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(out.numpy(), getattr(np, name)(values))


@pytest.mark.parametrize("name", ["negative", "abs", "square", "sign", "positive"])
def test_numeric_functions_reject_bool(name, device):
    with pytest.raises(DTypeError, match=name):
        getattr(gt, name)(gt.asarray([True, False], device=device))


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
@pytest.mark.parametrize("dtype", [gt.int8, gt.int64, gt.uint8])
def test_rounding_is_identity_on_integers(name, dtype, device):
    values = np.array([0, 3, 100], dtype=dtype.np)
    out = getattr(gt, name)(gt.asarray(values, device=device))
    assert out.dtype is dtype
    np.testing.assert_array_equal(out.numpy(), values)


@pytest.mark.parametrize("dtype", [gt.bool, gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8])
def test_bitwise_invert(dtype, device):
    values = np.array([True, False]) if dtype is gt.bool else np.array([0, 1, 5, 100], dtype=dtype.np)
    out = gt.bitwise_invert(gt.asarray(values, device=device))
    assert out.dtype is dtype
    np.testing.assert_array_equal(out.numpy(), np.invert(values))
    np.testing.assert_array_equal((~gt.asarray(values, device=device)).numpy(), np.invert(values))


def test_bitwise_invert_rejects_float(device):
    with pytest.raises(DTypeError, match="bitwise_invert.*float32"):
        gt.bitwise_invert(gt.ones(2, device=device))


@pytest.mark.parametrize("dtype", [gt.bool, gt.int32, gt.float32, gt.bfloat16])
def test_logical_not(dtype, device):
    values = np.array([0, 1, 2, 0])
    x = gt.asarray(values.astype(dtype.np), device=device)
    out = gt.logical_not(x)
    assert out.dtype is gt.bool
    np.testing.assert_array_equal(out.numpy(), np.logical_not(values))


def test_operators(device):
    x = gt.asarray([-1.5, 2.0], device=device)
    assert (-x).tolist() == [1.5, -2.0]
    assert (+x).tolist() == [-1.5, 2.0]
    assert abs(x).tolist() == [1.5, 2.0]


def test_python_list_input(device):
    with gt.device(device):
        out = gt.exp([0.0, 1.0])
    assert out.device == device
    assert_close(out, np.exp([0.0, 1.0]), gt.float32)


def test_abs_gradient_at_zero_is_zero(device):
    x = gt.asarray([0.0, -2.0, 3.0], device=device).requires_grad_()
    gt.abs(x).sum().backward()
    assert x.grad.tolist() == [0.0, -1.0, 1.0]


def test_rounding_gradient_is_zero(device):
    x = gt.asarray([0.3, 1.7], device=device).requires_grad_()
    for name in ("floor", "ceil", "trunc", "round", "sign"):
        x.grad = None
        getattr(gt, name)(x).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0], name


def test_size_zero_and_scalar(device):
    for shape in [(0,), (2, 0, 3), ()]:
        x = np.ones(shape) * 0.5
        check_op(gt.exp, np.exp, [x], device, dtypes=(gt.float32,))
        check_op(gt.sin, np.sin, [x], device, dtypes=(gt.float32,))


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
    layout=st.sampled_from(LAYOUTS),
    name=st.sampled_from(["exp", "tanh", "sin", "square", "sigmoid"]),
    seed=st.integers(0, 2**16),
)
def test_unary_random_shapes_and_layouts(device_name, shape, layout, name, seed):
    device = gt.device(device_name)
    x = np.random.default_rng(seed).uniform(-2, 2, size=shape)
    ref = SMOOTH[name][0]
    check_op(getattr(gt, name), ref, [x], device, layouts=(layout,), gradgrad=False)


def test_unary_of_broadcast_view(device):
    x = np.broadcast_to(np.array([[0.5], [-1.0]]), (2, 4))
    check_op(gt.tanh, np.tanh, [x], device, layouts=LAYOUTS)
    t = device_array(x, device)
    assert t.strides[1] == 0


def test_numpy_style_aliases(device):
    x = gt.asarray([0.25, -0.5], dtype=gt.float64, device=device)
    for alias, name in [
        ("arcsin", "asin"),
        ("arccos", "acos"),
        ("arctan", "atan"),
        ("arcsinh", "asinh"),
        ("arctanh", "atanh"),
    ]:
        assert getattr(gt, alias) is getattr(gt, name)
        assert_close(getattr(gt, alias)(x), getattr(np, alias)(x.numpy()))
    assert gt.arccosh is gt.acosh
    assert_close(gt.arccosh(x + 2), np.arccosh(x.numpy() + 2))
