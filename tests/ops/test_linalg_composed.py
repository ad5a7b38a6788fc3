"""The linalg functions composed from other ops (gputensor/ops/linalg_composed.py): cross,
matrix_norm, matrix_power, pinv and matrix_rank against NumPy, their gradients (which come from
their parts) and their errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from tests.helpers import FLOATS, LAYOUTS, assert_close, check_op
from tests.ops.test_decompositions import HALF_TOLERANCE, general, rectangular

L = gt.linalg
RNG = np.random.default_rng(77)


def _named(name, fn):
    fn.__name__ = name
    return fn


# --- cross -----------------------------------------------------------------------------------------

CROSS_CASES = [
    ((3,), (3,), -1),
    ((4, 3), (4, 3), -1),
    ((2, 1, 3), (5, 3), -1),
    ((3, 4), (3, 4), -2),
    ((2, 3, 4), (3, 1), -2),
    ((3, 2), (3, 2), 0),
]


@pytest.mark.parametrize("shapes", CROSS_CASES, ids=str)
def test_cross(shapes, device):
    a_shape, b_shape, axis = shapes
    a, b = RNG.uniform(-1, 1, a_shape), RNG.uniform(-1, 1, b_shape)
    check_op(_named("cross", lambda x, y: L.cross(x, y, axis=axis)),
             lambda x, y: np.cross(x, y, axis=axis), [a, b], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_cross_of_integers_and_mixed_dtypes(device):
    a = RNG.integers(-5, 5, (4, 3))
    b = RNG.integers(-5, 5, (4, 3))
    out = L.cross(gt.asarray(a, device=device), gt.asarray(b, device=device))
    assert out.dtype is gt.int64
    assert_close(out, np.cross(a, b))
    mixed = L.cross(gt.asarray(a, dtype=gt.int32, device=device), gt.asarray(b * 0.5, device=device))
    assert mixed.dtype is gt.float64
    assert_close(mixed, np.cross(a, b * 0.5))


def test_cross_errors(device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(ShapeError, match=r"linalg.cross: x1 must have size 3 along axis -2.*x1=\(2, 3\)"):
        L.cross(x, x, axis=-2)
    with pytest.raises(ShapeError, match=r"linalg.cross: x2 must have size 3 along axis -2"):
        L.cross(gt.ones((3, 3), device=device), gt.ones(3, device=device), axis=-2)
    with pytest.raises(ShapeError, match=r"linalg.cross: shapes \(2, 3\), \(4, 3\) cannot be broadcast"):
        L.cross(x, gt.ones((4, 3), device=device))
    with pytest.raises(DTypeError, match="linalg.cross: needs numeric tensors"):
        L.cross(gt.ones(3, dtype=gt.bool, device=device), gt.ones(3, device=device))
    with pytest.raises(gt.errors.AxisError, match="linalg.cross: axis -3"):
        L.cross(x, x, axis=-3)


# --- matrix_norm ---------------------------------------------------------------------------------

ORDS = ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]


@pytest.mark.parametrize("ord", ORDS, ids=str)
@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (2, 3, 5)], ids=str)
def test_matrix_norm(ord, shape, device):
    a = rectangular(*shape) * RNG.choice([-1.0, 1.0], shape)
    dtypes = (gt.float32, gt.float64) if ord in ("nuc", 2, -2) else FLOATS
    check_op(_named("matrix_norm", lambda x: L.matrix_norm(x, ord=ord)),
             lambda x: np.linalg.norm(x, ord=ord, axis=(-2, -1)), [a], device, dtypes=dtypes)


@pytest.mark.parametrize("ord", ORDS, ids=str)
def test_matrix_norm_keepdims(ord, device):
    a = RNG.uniform(-1, 1, (2, 3, 4))
    out = L.matrix_norm(gt.asarray(a, device=device), keepdims=True, ord=ord)
    assert_close(out, np.linalg.norm(a, ord=ord, axis=(-2, -1), keepdims=True))


def test_matrix_norm_half_precision_singular_values(device):
    a = rectangular(2, 4, 3)
    for dtype in (gt.float16, gt.bfloat16):
        check_op(_named("nuc", lambda x: L.matrix_norm(x, ord="nuc")),
                 lambda x: np.linalg.norm(x, ord="nuc", axis=(-2, -1)), [a], device, dtypes=(dtype,),
                 grad=False, **HALF_TOLERANCE)


def test_matrix_norm_errors(device):
    x = gt.ones((3, 3), device=device)
    for ord in (3, "f", None, True, 0):
        with pytest.raises(ArgumentValueError, match=r"linalg.matrix_norm: ord must be one of 'fro', 'nuc'"):
            L.matrix_norm(x, ord=ord)
    with pytest.raises(DTypeError, match="linalg.matrix_norm: needs a floating-point tensor"):
        L.matrix_norm(gt.ones((3, 3), dtype=gt.int32, device=device))
    with pytest.raises(ShapeError, match="linalg.matrix_norm: needs a stack of matrices"):
        L.matrix_norm(gt.ones(3, device=device))


# --- matrix_power --------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5])
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 1, 3, 3)], ids=str)
def test_matrix_power(n, shape, device):
    a = general(*shape)
    check_op(_named("matrix_power", lambda x: L.matrix_power(x, n)), lambda x: np.linalg.matrix_power(x, n),
             [a], device, grad=n != 0, gradgrad=abs(n) <= 2)


def test_matrix_power_results_are_new_tensors(device):
    x = gt.asarray(general(3, 3), device=device)
    one = L.matrix_power(x, 1)
    assert one is not x
    one[0, 0] = 100.0
    assert x[0, 0].item() != 100.0
    zero = L.matrix_power(x, np.int64(0))
    assert_close(zero, np.eye(3))
    assert zero.dtype is x.dtype and zero.is_contiguous


def test_matrix_power_errors(device):
    x = gt.ones((3, 3), device=device)
    with pytest.raises(ArgumentTypeError, match="linalg.matrix_power: n must be an int, got float 2.0"):
        L.matrix_power(x, 2.0)
    with pytest.raises(ArgumentTypeError, match="linalg.matrix_power: n must be an int, got bool"):
        L.matrix_power(x, True)
    with pytest.raises(ShapeError, match=r"linalg.matrix_power: needs square matrices, got shape \(3, 2\)"):
        L.matrix_power(gt.ones((3, 2), device=device), 2)
    with pytest.raises(DTypeError, match="linalg.matrix_power: needs a floating-point tensor"):
        L.matrix_power(gt.ones((3, 3), dtype=gt.int64, device=device), 2)
    with pytest.raises(gt.errors.LinAlgError, match="linalg.inv: .*singular"):
        L.matrix_power(x, -1)


# --- pinv and matrix_rank --------------------------------------------------------------------------

def _rank_deficient(*shape, rank):
    *batch, m, n = shape
    left = RNG.standard_normal(tuple(batch) + (m, rank))
    return left @ RNG.standard_normal(tuple(batch) + (rank, n))


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 2)], ids=str)
def test_pinv(shape, device):
    check_op(L.pinv, _np_pinv, [rectangular(*shape)], device, layouts=LAYOUTS[:2])


def _np_pinv(a):
    # rtol=None asks NumPy for the standard's default cutoff, max(M, N) * eps (its own is 1e-15)
    return np.linalg.pinv(a, rtol=None)


def test_pinv_of_rank_deficient_and_empty_matrices(device):
    a = _rank_deficient(2, 4, 5, rank=2)
    for dtype in (gt.float32, gt.float64):
        # the default cutoff is the dtype's: NumPy's float32 pinv on the same float32 values
        expected = _np_pinv(a.astype(dtype.np))
        assert_close(L.pinv(gt.asarray(a, dtype=dtype, device=device)), expected, rtol=1e-3, atol=1e-5)
    for zeros in (np.zeros((3, 3)), np.zeros((2, 0, 3)), np.zeros((3, 0))):
        check_op(L.pinv, _np_pinv, [zeros], device, grad=False)


def test_pinv_rtol(device):
    a = (rectangular(4, 3) * np.array([1.0, 1e-3, 1.0])) @ general(3, 3)
    x = gt.asarray(a, device=device)
    s = np.linalg.svd(a, compute_uv=False)
    ratio = s[-1] / s[0]
    assert_close(L.pinv(x, rtol=ratio * 2), np.linalg.pinv(a, rtol=ratio * 2))
    assert_close(L.pinv(x, rtol=ratio / 2), np.linalg.pinv(a, rtol=ratio / 2))
    assert not np.allclose(L.pinv(x, rtol=ratio * 2).numpy(), L.pinv(x, rtol=ratio / 2).numpy())
    batch = gt.asarray(np.stack([a, a]), device=device)
    per_matrix = gt.asarray([ratio * 2, ratio / 2], device=device)
    got = L.pinv(batch, rtol=per_matrix)
    assert_close(got[0], np.linalg.pinv(a, rtol=ratio * 2))
    assert_close(got[1], np.linalg.pinv(a, rtol=ratio / 2))


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (2, 3, 6), (2, 1, 4, 4)], ids=str)
def test_matrix_rank(shape, device):
    for rank in range(min(shape[-2:]) + 1):
        a = _rank_deficient(*shape, rank=rank)
        for dtype in (gt.float32, gt.float64):
            got = L.matrix_rank(gt.asarray(a, dtype=dtype, device=device))
            assert got.dtype is gt.int64 and got.shape == shape[:-2]
            assert (got.numpy() == rank).all(), (rank, dtype, got.tolist())
            assert_close(got, np.linalg.matrix_rank(a.astype(dtype.np)))


def test_matrix_rank_rtol_and_empty_matrices(device):
    a = (rectangular(4, 3) * np.array([1.0, 1e-3, 1.0])) @ general(3, 3)
    x = gt.asarray(a, device=device)
    assert L.matrix_rank(x).item() == 3
    assert L.matrix_rank(x, rtol=1e-2).item() == 2
    assert L.matrix_rank(x, rtol=gt.asarray(1e-2, device=device)).item() == 2
    both = L.matrix_rank(gt.stack([x, x]), rtol=gt.asarray([1e-2, 1e-4], device=device))
    assert both.tolist() == [2, 3]
    empty = L.matrix_rank(gt.zeros((2, 0, 3), device=device))
    assert empty.tolist() == [0, 0] and empty.dtype is gt.int64


def test_pinv_and_matrix_rank_errors(device):
    x = gt.ones((3, 3), device=device)
    for fn in (L.pinv, L.matrix_rank):
        name = fn.__name__
        expected = rf"linalg.{name}: rtol must be None, a float or a tensor"
        with pytest.raises(ArgumentTypeError, match=expected):
            fn(x, rtol="small")
        with pytest.raises(DTypeError, match=rf"linalg.{name}: rtol must be floating-point"):
            fn(x, rtol=gt.asarray(1, device=device))
        with pytest.raises(DTypeError, match=rf"linalg.{name}: needs a floating-point tensor"):
            fn(gt.ones((3, 3), dtype=gt.int64, device=device))
        with pytest.raises(ShapeError, match=rf"linalg.{name}: needs a stack of matrices"):
            fn(gt.ones(3, device=device))
