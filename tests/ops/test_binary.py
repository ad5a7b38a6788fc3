"""Elementwise functions of two operands: values and gradients against NumPy, broadcasting,
weak Python scalars, the promotion table, integer semantics and the errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gputensor as gt
from gputensor.errors import DeviceError, DTypeError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, assert_close, check_op, second_device

RNG = np.random.default_rng(7)


def _pair(shape_a, shape_b, low=-2.0, high=2.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, shape_a), rng.uniform(low, high, shape_b)


def _away_from(values, bad, margin):
    """Push values at least ``margin`` away from ``bad``."""
    near = np.abs(values - bad) < margin
    return np.where(near, bad + margin * np.sign(values - bad + 1e-300), values)


BROADCAST_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1), (1, 3)), ((2, 1, 3), (4, 1)), ((3,), ())]

SMOOTH = {
    "add": (np.add, (-2, 2), (-2, 2)),
    "subtract": (np.subtract, (-2, 2), (-2, 2)),
    "multiply": (np.multiply, (-2, 2), (-2, 2)),
    "divide": (np.divide, (-2, 2), (0.5, 2)),
    "pow": (np.power, (0.5, 2), (-1.5, 1.5)),
    "atan2": (np.arctan2, (-2, 2), (0.5, 2)),
    "hypot": (np.hypot, (0.5, 2), (-2, -0.5)),
    "logaddexp": (np.logaddexp, (-2, 2), (-2, 2)),
}


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_smooth_binary_with_broadcasting(name, shapes, device):
    ref, ra, rb = SMOOTH[name]
    rng = np.random.default_rng(1)
    a = rng.uniform(*ra, shapes[0])
    b = rng.uniform(*rb, shapes[1])
    check_op(getattr(gt, name), ref, [a, b], device, dtypes=FLOATS, layouts=LAYOUTS)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum(name, device):
    a, b = _pair((3, 4), (4,), seed=3)
    check_op(getattr(gt, name), getattr(np, name), [a, b], device, dtypes=FLOATS, layouts=LAYOUTS)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_gradient_and_nan_propagates(name, device):
    a = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    b = gt.asarray([1.0, 5.0, 0.0], device=device).requires_grad_()
    getattr(gt, name)(a, b).sum().backward()
    if name == "maximum":
        assert a.grad.tolist() == [0.5, 0.0, 1.0]
        assert b.grad.tolist() == [0.5, 1.0, 0.0]
    else:
        assert a.grad.tolist() == [0.5, 1.0, 0.0]
        assert b.grad.tolist() == [0.5, 0.0, 1.0]
    out = getattr(gt, name)(
        gt.asarray([np.nan, 1.0], device=device), gt.asarray([0.0, np.nan], device=device)
    )
    assert np.isnan(out.numpy()).all()


def test_floor_divide_and_remainder_floats(device):
    a = np.array([[5.5, -5.5, 7.25], [-3.2, 3.2, 0.7]])
    b = np.array([2.0, 2.0, -1.5])
    check_op(gt.floor_divide, np.floor_divide, [a, b], device, dtypes=FLOATS, gradgrad=False)
    check_op(gt.remainder, np.remainder, [a, b], device, dtypes=FLOATS, layouts=LAYOUTS)


@pytest.mark.parametrize("dtype", [gt.int8, gt.int16, gt.int32, gt.int64])
def test_integer_division_follows_python(dtype, device):
    a = np.array([7, -7, 7, -7, 0, 6], dtype=dtype.np)
    b = np.array([2, 2, -2, -2, 3, -3], dtype=dtype.np)
    ta, tb = gt.asarray(a, device=device), gt.asarray(b, device=device)
    q = ta // tb
    r = ta % tb
    assert q.dtype is dtype and r.dtype is dtype
    np.testing.assert_array_equal(q.numpy(), [x // y for x, y in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(r.numpy(), [x % y for x, y in zip(a.tolist(), b.tolist())])
    # true division of integers is floating
    d = ta / tb
    assert d.dtype is gt.float32
    assert_close(d, a / b, gt.float32)


def test_integer_division_by_zero_gives_zero(device):
    a = gt.asarray([7, -7, 0], dtype=gt.int32, device=device)
    assert (a // 0).tolist() == [0, 0, 0]
    assert (a % 0).tolist() == [0, 0, 0]


def test_integer_pow(device):
    a = gt.asarray([2, -3, 1, -1, 0], device=device)
    assert (a**3).tolist() == [8, -27, 1, -1, 0]
    assert (a**3).dtype is gt.int64
    assert (2 ** gt.asarray([0, 1, 10], device=device)).tolist() == [1, 2, 1024]
    # negative integer exponents truncate toward zero, as the device kernels compute them
    assert (
        gt.asarray([2, 1, -1, -1], device=device) ** gt.asarray([-1, -3, -3, -2], device=device)
    ).tolist() == [0, 1, -1, 1]


def test_pow_gradient_at_zero_base(device):
    a = gt.asarray([0.0, 2.0], dtype=gt.float64, device=device).requires_grad_()
    b = gt.asarray([2.0, 3.0], dtype=gt.float64, device=device).requires_grad_()
    (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, 12.0]
    np.testing.assert_allclose(b.grad.numpy(), [0.0, 8.0 * np.log(2.0)])


def test_copysign_and_nextafter(device):
    a = np.array([1.5, -2.0, 3.0, -0.5])
    b = np.array([-1.0, -3.0, 2.0, 4.0])
    check_op(gt.copysign, np.copysign, [a, b], device, dtypes=FLOATS)
    for dtype in (gt.float32, gt.float64, gt.float16):
        out = gt.nextafter(
            gt.asarray(a.astype(dtype.np), device=device), gt.asarray(b.astype(dtype.np), device=device)
        )
        np.testing.assert_array_equal(out.numpy(), np.nextafter(a.astype(dtype.np), b.astype(dtype.np)))


# --- comparisons, logical and bitwise --------------------------------------------------------

COMPARE = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]


@pytest.mark.parametrize("name", COMPARE)
def test_comparisons(name, device):
    a = np.array([[1.0, 2.0, np.nan], [0.0, -1.0, 3.0]])
    b = np.array([1.0, 3.0, np.nan])
    for dtype in FLOATS + (gt.int32,):
        ta = gt.asarray(
            np.nan_to_num(a).astype(dtype.np) if dtype.kind == "i" else a.astype(dtype.np), device=device
        )
        tb = gt.asarray(
            np.nan_to_num(b).astype(dtype.np) if dtype.kind == "i" else b.astype(dtype.np), device=device
        )
        out = getattr(gt, name)(ta, tb)
        assert out.dtype is gt.bool
        with np.errstate(invalid="ignore"):
            expected = getattr(np, name)(ta.numpy(), tb.numpy())
        np.testing.assert_array_equal(out.numpy(), expected, err_msg=str(dtype))


def test_comparison_operators_and_mixed_kinds(device):
    x = gt.asarray([1, 2, 3], device=device)
    assert (x == 2).tolist() == [False, True, False]
    assert (x != 2).tolist() == [True, False, True]
    assert (x < 2.5).tolist() == [True, True, False]
    assert (x <= 2).tolist() == [True, True, False]
    assert (x > gt.asarray([0.5, 2.0, 3.5], device=device)).tolist() == [True, False, False]
    assert (x >= 2).tolist() == [False, True, True]
    # int8 against uint8 compares values, not bit patterns
    a = gt.asarray([-1, 100], dtype=gt.int8, device=device)
    b = gt.asarray([255, 100], dtype=gt.uint8, device=device)
    assert (a < b).tolist() == [True, False]
    assert (a == b).tolist() == [False, True]


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name, device):
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    out = getattr(gt, name)(gt.asarray(a, device=device), gt.asarray(b, device=device))
    assert out.dtype is gt.bool
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(a, b))
    # non-bool operands use their truth values
    out = getattr(gt, name)(
        gt.asarray([2.0, 0.0, 0.0, 1.5], device=device), gt.asarray([1, 0, 3, 0], device=device)
    )
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)([2.0, 0.0, 0.0, 1.5], [1, 0, 3, 0]))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
@pytest.mark.parametrize("dtype", [gt.bool, gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8])
def test_bitwise(name, dtype, device):
    if dtype is gt.bool:
        a, b = np.array([True, True, False, False]), np.array([True, False, True, False])
    else:
        a = np.array([0, 5, 12, 100], dtype=dtype.np)
        b = np.array([3, 6, 10, 27], dtype=dtype.np)
    out = getattr(gt, name)(gt.asarray(a, device=device), gt.asarray(b, device=device))
    assert out.dtype is dtype
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(a, b))
    op = {"bitwise_and": "__and__", "bitwise_or": "__or__", "bitwise_xor": "__xor__"}[name]
    np.testing.assert_array_equal(
        getattr(gt.asarray(a, device=device), op)(gt.asarray(b, device=device)).numpy(),
        getattr(np, name)(a, b),
    )


def test_shifts(device):
    a = gt.asarray([1, 8, -16], dtype=gt.int32, device=device)
    assert (a << 2).tolist() == [4, 32, -64]
    assert (a >> 2).tolist() == [0, 2, -4]
    assert gt.bitwise_left_shift(a, gt.asarray([1, 2, 3], dtype=gt.int32, device=device)).tolist() == [
        2,
        32,
        -128,
    ]
    assert (a >> 2).dtype is gt.int32
    with pytest.raises(DTypeError, match="bitwise_left_shift"):
        gt.bitwise_left_shift(gt.asarray([True], device=device), gt.asarray([True], device=device))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift"])
def test_bitwise_rejects_floats(name, device):
    with pytest.raises(DTypeError, match=f"{name}.*float32"):
        getattr(gt, name)(gt.ones(2, device=device), gt.asarray([1, 2], device=device))


# --- dtype promotion with tensors and weak scalars ---------------------------------------------


def test_binary_result_dtypes_follow_promotion_table(device):
    from tests.test_dtypes import expected_promotion

    dtypes = [
        d
        for d in (
            gt.bool,
            gt.int8,
            gt.int16,
            gt.int32,
            gt.int64,
            gt.uint8,
            gt.float16,
            gt.bfloat16,
            gt.float32,
            gt.float64,
        )
        if d in device.backend.dtypes
    ]
    for da in dtypes:
        for db in dtypes:
            a = gt.asarray(np.array([1, 0, 1]).astype(da.np), device=device)
            b = gt.asarray(np.array([1, 1, 0]).astype(db.np), device=device)
            want = expected_promotion(da, db)
            out = gt.multiply(a, b)
            assert out.dtype is want, (da, db)
            np.testing.assert_array_equal(out.numpy().astype(np.float64), [1, 0, 0])
            if want is not gt.bool:
                assert gt.subtract(a, b).dtype is want
                assert gt.maximum(a, b).dtype is want


@pytest.mark.parametrize(
    "dtype, scalar, expected",
    [
        (gt.float16, 2, gt.float16),
        (gt.float16, 2.5, gt.float16),
        (gt.bfloat16, 1.5, gt.bfloat16),
        (gt.float32, 2.5, gt.float32),
        (gt.float64, 1, gt.float64),
        (gt.int8, 3, gt.int8),
        (gt.uint8, 3, gt.uint8),
        (gt.int16, True, gt.int16),
        (gt.int32, 2.5, gt.float32),
        (gt.uint8, 1.5, gt.float32),
        (gt.bool, True, gt.bool),
        (gt.bool, 3, gt.int64),
        (gt.bool, 1.5, gt.float32),
    ],
)
def test_python_scalars_are_weak(dtype, scalar, expected, device):
    x = gt.asarray(np.array([1, 0, 1]).astype(dtype.np), device=device)
    for out in (gt.add(x, scalar), gt.add(scalar, x), x + scalar, scalar + x, x * scalar, scalar * x):
        assert out.dtype is expected, (dtype, scalar, out.dtype)
    source = np.array([1, 0, 1]).astype(dtype.np).astype(expected.np)
    np.testing.assert_array_equal((x + scalar).numpy(), source + np.asarray(scalar).astype(expected.np))


def test_reflected_operators(device):
    x = gt.asarray([1.0, 2.0, 4.0], device=device)
    assert (1 - x).tolist() == [0.0, -1.0, -3.0]
    assert (8 / x).tolist() == [8.0, 4.0, 2.0]
    assert (9 // x).tolist() == [9.0, 4.0, 2.0]
    assert (9 % x).tolist() == [0.0, 1.0, 1.0]
    assert (2**x).tolist() == [2.0, 4.0, 16.0]
    # a NumPy array on the left defers to the tensor
    out = np.array([1.0, 1.0, 1.0], dtype=np.float32) + x
    assert isinstance(out, gt.Tensor)
    assert out.tolist() == [2.0, 3.0, 5.0]


def test_numpy_scalars_are_weak_too(device):
    x = gt.asarray([1, 2], dtype=gt.int8, device=device)
    assert (x + np.int64(1)).dtype is gt.int8
    assert (gt.ones(2, dtype=gt.float16, device=device) * np.float64(2)).dtype is gt.float16


def test_list_operands_become_tensors_on_the_device(device):
    x = gt.asarray([1.0, 2.0], device=device)
    out = x + [1.0, 1.0]
    assert out.device == device
    assert out.tolist() == [2.0, 3.0]
    out = gt.add([1, 2], [3, 4])
    assert out.tolist() == [4, 6]


def test_half_precision_arithmetic(device):
    a = np.array([0.1, 1.7, -3.3, 100.0])
    b = np.array([3.0, 0.3, 2.2, 0.01])
    for dtype in (gt.float16, gt.bfloat16):
        if dtype not in device.backend.dtypes:
            continue
        ta = gt.asarray(a.astype(dtype.np), device=device)
        tb = gt.asarray(b.astype(dtype.np), device=device)
        ref_a, ref_b = a.astype(dtype.np).astype(np.float64), b.astype(dtype.np).astype(np.float64)
        for op in ("add", "multiply", "divide", "subtract"):
            out = getattr(gt, op)(ta, tb)
            assert out.dtype is dtype
            assert_close(out, getattr(np, op)(ref_a, ref_b), dtype, what=f"{op} {dtype}")
    mixed = gt.asarray(a.astype(np.float16), device=device) + gt.asarray(b, dtype=gt.bfloat16, device=device)
    assert mixed.dtype is gt.float32


# --- errors ------------------------------------------------------------------------------------


def test_incompatible_shapes_name_op_and_shapes(device):
    a = gt.ones((2, 3), device=device)
    b = gt.ones((4,), device=device)
    with pytest.raises(ShapeError, match=r"add: shapes \(2, 3\), \(4,\) cannot be broadcast"):
        gt.add(a, b)
    with pytest.raises(ShapeError, match="multiply"):
        a * b
    with pytest.raises(ValueError):  # ShapeError is a ValueError
        gt.less(a, b)


def test_mixed_devices_raise_naming_both(device):
    other = second_device()
    a = gt.ones(3, device=device)
    b = gt.ones(3, device=other)
    with pytest.raises(DeviceError, match=rf"add: .*{device}.*cpu2:0"):
        a + b
    with pytest.raises(DeviceError, match="maximum"):
        gt.maximum(b, a)
    with pytest.raises(DeviceError, match="equal"):
        gt.equal(a, b)


def test_scalar_out_of_integer_range(device):
    x = gt.asarray([1, 2], dtype=gt.int8, device=device)
    with pytest.raises(DTypeError, match=r"add: the Python int 300 does not fit gputensor.int8"):
        x + 300
    with pytest.raises(DTypeError, match="uint8"):
        gt.asarray([1], dtype=gt.uint8, device=device) - (-1)


def test_bool_arithmetic(device):
    t = gt.asarray([True, False], device=device)
    f = gt.asarray([True, True], device=device)
    assert (t + f).dtype is gt.bool and (t + f).tolist() == [True, True]
    assert (t * f).tolist() == [True, False]
    with pytest.raises(DTypeError, match="subtract: not defined for two bool operands"):
        t - f
    with pytest.raises(DTypeError, match="floor_divide"):
        t // f


def test_unsupported_operand_type(device):
    x = gt.ones(2, device=device)
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x + object()


def test_errors_before_recording(device):
    x = gt.ones((2, 3), device=device).requires_grad_()
    with pytest.raises(ShapeError):
        x * gt.ones(4, device=device)
    assert x.grad is None


# --- in-place operators ------------------------------------------------------------------------


def test_inplace_operators_write_into_memory(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device)
    alias = x[:]
    x += 1
    assert x.tolist() == [2.0, 3.0, 4.0]
    assert alias.tolist() == [2.0, 3.0, 4.0]
    x *= gt.asarray([2.0, 2.0, 2.0], device=device)
    x -= 1
    x /= 2
    assert x.tolist() == [1.5, 2.5, 3.5]
    i = gt.asarray([5, 7], device=device)
    i //= 2
    i %= 2
    i <<= 1
    i |= 1
    assert i.tolist() == [1, 3]


def test_inplace_operator_cannot_change_dtype(device):
    i = gt.asarray([1, 2], device=device)
    with pytest.raises(TypeError, match="__itruediv__"):
        i /= 2
    with pytest.raises(ShapeError, match="__iadd__"):
        x = gt.ones(3, device=device)
        x += gt.ones((2, 3), device=device)


# --- hypothesis --------------------------------------------------------------------------------


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=30, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3),
    layout=st.sampled_from(LAYOUTS),
    name=st.sampled_from(["add", "multiply", "subtract", "maximum"]),
    seed=st.integers(0, 2**16),
)
def test_binary_random_broadcasting(device_name, shapes, layout, name, seed):
    device = gt.device(device_name)
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shapes.input_shapes[0])
    b = rng.uniform(-2, 2, shapes.input_shapes[1])
    check_op(getattr(gt, name), getattr(np, name), [a, b], device, layouts=(layout,), gradgrad=False)


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), seed=st.integers(0, 2**16))
def test_broadcast_view_operands(device_name, shape, seed):
    device = gt.device(device_name)
    rng = np.random.default_rng(seed)
    a = np.broadcast_to(rng.uniform(-1, 1, (1,) + shape[1:]), shape)
    b = np.broadcast_to(rng.uniform(0.5, 1.5, shape[-1:]), shape)
    check_op(gt.divide, np.divide, [a, b], device, layouts=LAYOUTS, gradgrad=False)


def test_inplace_update_of_a_broadcast_view_is_refused(device):
    x = gt.zeros(2, device=device)
    b = gt.broadcast_to(x, (3, 2))
    with pytest.raises(ShapeError, match=r"__iadd__: in-place update of a broadcast view \(shape \(3, 2\)"):
        b += gt.arange(6, dtype=gt.float32, device=device).reshape(3, 2)
    assert x.tolist() == [0.0, 0.0]
    c = b.copy()
    c += 1
    assert c.tolist() == [[1.0, 1.0]] * 3


def test_numpy_style_aliases(device):
    a = gt.asarray([1.0, -2.0], device=device)
    b = gt.asarray([2.0, 3.0], device=device)
    assert gt.power is gt.pow and gt.arctan2 is gt.atan2
    assert_close(gt.power(b, a), np.power(b.numpy(), a.numpy()))
    assert_close(gt.arctan2(a, b), np.arctan2(a.numpy(), b.numpy()))
    i = gt.asarray([16, -16], dtype=gt.int16, device=device)
    assert gt.bitwise_right_shift(i, gt.asarray([2, 3], dtype=gt.int16, device=device)).tolist() == [4, -2]


def test_pow_gradient_with_zero_exponent_at_zero_base(device):
    a = gt.asarray([0.0, 2.0], dtype=gt.float64, device=device).requires_grad_()
    (a**0).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0]
    a.grad = None
    b = gt.asarray([0.0, 1.0], dtype=gt.float64, device=device).requires_grad_()
    (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0]
    np.testing.assert_allclose(b.grad.numpy(), [0.0, 2.0 * np.log(2.0)])
