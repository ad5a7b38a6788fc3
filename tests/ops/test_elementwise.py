"""astype, copy, where and clip: values, gradients, dtypes, broadcasting and errors."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import DeviceError, DTypeError, ShapeError
from tests.helpers import FLOATS, LAYOUTS, assert_close, check_op, second_device

RNG = np.random.default_rng(4)


def _fn(name, f):
    f.__name__ = name
    return f


@pytest.mark.parametrize("target", FLOATS, ids=str)
def test_astype_between_floats_is_differentiable(target, device):
    x = RNG.uniform(-2, 2, (2, 3))
    tol = {gt.float16: 2e-3, gt.bfloat16: 1.6e-2}.get(target)
    check_op(
        _fn("astype", lambda t: gt.astype(t, target)),
        lambda a: a.astype(target.np).astype(np.float64),
        [x],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
        out_dtype=target,
        grad=target is gt.float64,
        rtol=tol,
        atol=tol,
    )
    # a float32 -> float64 -> float32 round trip carries the gradient back in float32
    t = gt.asarray(x, dtype=gt.float32, device=device).requires_grad_()
    (gt.astype(t, target).astype(gt.float32) * 2).sum().backward()
    assert t.grad.dtype is gt.float32 and np.all(t.grad.numpy() == 2.0)


def test_astype_copy_semantics(device):
    x = gt.asarray([1.0, 2.0], device=device)
    same = gt.astype(x, gt.float32, copy=False)
    assert same is x
    c = gt.astype(x, gt.float32)
    x[0] = 5.0
    assert c.tolist() == [1.0, 2.0]
    assert x.astype("int8").dtype is gt.int8
    assert gt.astype(x, gt.float16, device=device).device == device


def test_astype_to_integer_is_not_recorded(device):
    x = gt.asarray([1.5, 2.5], device=device).requires_grad_()
    y = x.astype(gt.int32)
    assert not y.requires_grad


def test_astype_errors(device):
    with pytest.raises(DTypeError, match="unsupported dtype"):
        gt.astype(gt.ones(2, device=device), "complex64")


def test_copy(device):
    x = RNG.uniform(-1, 1, (3, 4))
    check_op(gt.copy, lambda a: a.copy(), [x], device, dtypes=FLOATS, layouts=LAYOUTS)
    t = gt.asarray(x, device=device).T
    c = t.copy()
    assert c.is_contiguous and c._root is not t._root
    assert t.clone().shape == (4, 3)


WHERE_SHAPES = [((2, 3), (2, 3), (2, 3)), ((3,), (2, 3), (2, 1)), ((2, 1), (3,), ()), ((1, 3), (2, 1), (3,))]


@pytest.mark.parametrize("shapes", WHERE_SHAPES, ids=str)
def test_where(shapes, device):
    sc, sa, sb = shapes
    cond = RNG.uniform(size=sc) > 0.5
    a, b = RNG.uniform(-1, 1, sa), RNG.uniform(-1, 1, sb)
    check_op(
        _fn("where", lambda c, x, y: gt.where(c, x, y)),
        np.where,
        [cond, a, b],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_where_with_scalars_and_dtypes(device):
    c = gt.asarray([True, False, True], device=device)
    x = gt.asarray([1, 2, 3], dtype=gt.int8, device=device)
    out = gt.where(c, x, 0)
    assert out.dtype is gt.int8 and out.tolist() == [1, 0, 3]
    out = gt.where(c, 1.5, x)
    assert out.dtype is gt.float32 and out.tolist() == [1.5, 2.0, 1.5]
    out = gt.where(c, x, gt.asarray([0.5, 0.5, 0.5], dtype=gt.float16, device=device))
    assert out.dtype is gt.float16
    out = gt.where(c, x, gt.asarray([9, 9, 9], dtype=gt.uint8, device=device))
    assert out.dtype is gt.int16
    # a non-bool condition uses its truth value
    assert gt.where(gt.asarray([0, 2, 0], device=device), 1, 0).tolist() == [0, 1, 0]


def test_where_gradient_with_scalar_branch(device):
    def fn(x):
        return gt.where(x > 0, x * x, 0.5)

    x = np.array([[-1.0, 2.0, 0.5], [1.5, -0.3, -2.0]])
    check_op(_fn("where", fn), lambda a: np.where(a > 0, a * a, 0.5), [x], device)


def test_where_errors(device):
    with pytest.raises(ShapeError, match=r"where: shapes \(2,\), \(3,\), \(3,\) cannot be broadcast"):
        gt.where(
            gt.asarray([True, False], device=device), gt.ones(3, device=device), gt.ones(3, device=device)
        )
    with pytest.raises(DeviceError, match=r"where: .*cpu2:0"):
        gt.where(
            gt.asarray([True], device=device), gt.ones(1, device=device), gt.ones(1, device=second_device())
        )


FMA_SHAPES = [((2, 3), (2, 3), (2, 3)), ((37,), (37,), (37,)), ((2, 3), (3,), (1, 3)), ((4, 1), (1, 5), ())]


@pytest.mark.parametrize("shapes", FMA_SHAPES, ids=str)
def test_fma(shapes, device):
    # one shape: the fused kernel where the device has one (strided layouts and broadcast
    # operands take the composed path)
    inputs = [RNG.uniform(-2, 2, s) for s in shapes]
    check_op(
        _fn("fma", lambda x, y, z: gt.fma(x, y, z)),
        lambda x, y, z: x * y + z,
        inputs,
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_fma_with_scalars_and_mixed_dtypes(device):
    x = gt.asarray([1.0, 2.0], device=device)
    assert gt.fma(x, 3.0, 0.5).tolist() == [3.5, 6.5]
    assert gt.fma(2, x, x).tolist() == [3.0, 6.0]
    if gt.float64 in device.backend.dtypes:
        y = gt.fma(x, gt.asarray([2.0, 2.0], dtype=gt.float64, device=device), x)
        assert y.dtype is gt.float64 and y.tolist() == [3.0, 6.0]
    i = gt.asarray([1, 2], dtype=gt.int32, device=device)
    out = gt.fma(i, i, i)
    assert out.dtype is gt.int32 and out.tolist() == [2, 6]


# Which devices compute gt.fma with one rounding (a fused kernel) and which multiply, then add.
FMA_ROUNDS_ONCE = {"opencl": True, "cuda": True, "cpu": False, "tpu": False}


def test_fma_rounds_once_where_the_device_fuses(device):
    # (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: the float32 product drops 2^-46, the fused sum keeps it
    x = gt.asarray([1 + 2.0**-23] * 3, dtype=gt.float32, device=device)
    c = gt.asarray([-(1 + 2.0**-22)] * 3, dtype=gt.float32, device=device)
    expected = 2.0**-46 if FMA_ROUNDS_ONCE[device.type] else 0.0
    assert gt.fma(x, x, c).tolist() == [expected] * 3
    # broadcasting always composes: two roundings
    assert gt.fma(x, x, c[:1]).tolist() == [0.0] * 3


def test_fma_gradients_reach_only_what_requires_them(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    y = gt.asarray([4.0, 5.0, 6.0], device=device)
    z = gt.asarray([0.5, 0.5, 0.5], device=device).requires_grad_()
    gt.fma(x, y, z).sum().backward()
    assert x.grad.tolist() == [4.0, 5.0, 6.0]
    assert y.grad is None
    assert z.grad.tolist() == [1.0, 1.0, 1.0]


def test_fma_errors(device):
    with pytest.raises(ShapeError, match=r"fma: shapes \(2,\), \(3,\), \(3,\) cannot be broadcast"):
        gt.fma(gt.ones(2, device=device), gt.ones(3, device=device), gt.ones(3, device=device))
    with pytest.raises(DeviceError, match=r"fma: .*cpu2:0"):
        gt.fma(gt.ones(1, device=device), gt.ones(1, device=device), gt.ones(1, device=second_device()))


@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.2), (-0.2, None), (0.3, -0.3)], ids=str)
def test_clip_scalar_bounds(bounds, device):
    lo, hi = bounds
    x = np.array([[-1.0, -0.4, 0.1], [0.45, 0.7, -0.1]])

    def ref(a):
        out = a
        if lo is not None:
            out = np.where(out < lo, lo, out)
        if hi is not None:
            out = np.where(out > hi, hi, out)
        return out

    check_op(_fn("clip", lambda t: gt.clip(t, lo, hi)), ref, [x], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_clip_tensor_bounds_and_gradient(device):
    x = np.array([[-1.0, -0.4, 0.1], [0.45, 0.7, -0.1]])
    lo = np.array([-0.5, 0.0, 0.2])
    hi = np.array([[0.3], [0.6]])
    check_op(
        _fn("clip", lambda t, a, b: gt.clip(t, a, b)),
        lambda t, a, b: np.minimum(np.maximum(t, a), b),
        [x, lo, hi],
        device,
        layouts=LAYOUTS,
    )


def test_clip_integers_and_methods(device):
    x = gt.asarray([-100, -5, 0, 5, 100], dtype=gt.int8, device=device)
    out = gt.clip(x, -10, 1000)
    assert out.dtype is gt.int8 and out.tolist() == [
        -10,
        -5,
        0,
        5,
        100,
    ]  # 1000 does not fit int8: no upper bound
    assert x.clamp(0, 5).tolist() == [0, 0, 0, 5, 5]
    assert x.clip(min=0).tolist() == [0, 0, 0, 5, 100]
    with pytest.raises(DTypeError, match="clip: not defined for bool tensors"):
        gt.clip(gt.asarray([True], device=device), 0, 1)


def test_clip_nan_passes_through(device):
    x = gt.asarray([np.nan, 2.0], device=device)
    out = gt.clip(x, 0.0, 1.0).numpy()
    assert np.isnan(out[0]) and out[1] == 1.0
    assert_close(gt.clip(gt.asarray([0.5], device=device), 0.0, 1.0), [0.5])
