"""The CPU backend, the executable specification of the primitives: every primitive's result is
a new C-contiguous array (the front end relies on it) with the right values and dtype, for
strided, reversed and broadcast inputs alike."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices import backend as backend_module
from gputensor.devices.numpy_backend import NumpyBackend

B = gt.device("cpu").backend
BF16 = gt.bfloat16.np
F32 = gt.float32


def _layouts(a):
    """The same values as a C array, a transposed view, a reversed view and (when possible) a
    broadcast view."""
    out = {"c": np.ascontiguousarray(a)}
    if a.ndim >= 2:
        out["t"] = np.ascontiguousarray(a.T).T
    out["rev"] = np.ascontiguousarray(a[::-1])[::-1]
    if a.ndim >= 1 and a.shape[0] > 1 and np.all(a == a[:1]):
        out["bcast"] = np.broadcast_to(a[:1], a.shape)
    return out


def _check(result, expected, dtype=None):
    assert result.flags.c_contiguous, "primitive returned a strided array"
    if dtype is not None:
        assert result.dtype == dtype
    np.testing.assert_allclose(
        np.asarray(result, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=1e-6,
        atol=1e-6,
        equal_nan=True,
    )


A = np.arange(12.0).reshape(3, 4) - 5.5
SAME_ROWS = np.tile(np.arange(4.0), (3, 1))


def test_every_primitive_is_implemented():
    for name in backend_module.PRIMITIVES:
        assert callable(getattr(B, name)), name
    assert not getattr(NumpyBackend, "__abstractmethods__", set())
    assert set(B.dtypes) == set(gt.dtypes.ALL_DTYPES)
    assert B.host_memory and B.type == "cpu"
    (info,) = NumpyBackend.probe()
    assert info.usable and info.name == "cpu"


@pytest.mark.parametrize("op", backend_module.UNARY_OPS)
def test_unary_ops(op):
    ref_name = {
        "asin": "arcsin",
        "acos": "arccos",
        "atan": "arctan",
        "asinh": "arcsinh",
        "acosh": "arccosh",
        "atanh": "arctanh",
        "round": "rint",
        "bitwise_invert": "invert",
    }.get(op, op)
    if op in ("bitwise_invert",):
        x = np.arange(12).reshape(3, 4) - 5
        dtype = gt.int32
        x = x.astype(np.int32)
    elif op == "logical_not":
        x = np.arange(12).reshape(3, 4) % 3 == 0
        dtype = gt.bool
    else:
        x = np.abs(A) / 6.0 + (1.0 if op == "acosh" else 0.0)
        if op in ("asin", "acos", "atanh"):
            x = x * 0.9
        dtype = gt.float64
    with np.errstate(all="ignore"):
        if op == "rsqrt":
            expected = 1 / np.sqrt(x)
        elif op == "sigmoid":
            expected = 1 / (1 + np.exp(-x))
        elif op == "erf":
            import math

            expected = np.vectorize(math.erf)(x)
        else:
            expected = getattr(np, ref_name)(x)
    for arr in _layouts(x).values():
        out = B.unary(op, arr, dtype)
        _check(out, expected)


@pytest.mark.parametrize("op", backend_module.BINARY_OPS)
def test_binary_ops_with_broadcasting(op):
    integral = op.startswith("bitwise")
    logical = op.startswith("logical")
    if integral:
        a = (np.arange(12).reshape(3, 4) % 5).astype(np.int32)
        b = np.array([1, 2, 3, 1], dtype=np.int32)
        dtype = gt.int32
    elif logical:
        a = np.arange(12).reshape(3, 4) % 2 == 0
        b = np.array([True, False, True, False])
        dtype = gt.bool
    else:
        a = np.abs(A) / 3 + 0.5
        b = np.array([0.5, 1.5, 2.0, 1.0])
        dtype = gt.float64
    ref = {
        "atan2": np.arctan2,
        "pow": np.power,
        "bitwise_left_shift": np.left_shift,
        "bitwise_right_shift": np.right_shift,
    }.get(op) or getattr(np, op)
    expected = ref(a, b)
    for arr in _layouts(a).values():
        out = B.binary(op, arr, b, dtype, (3, 4))
        _check(out, expected)
        scalar = {gt.int32: 2, gt.bool: True, gt.float64: 2.0}[dtype]
        _check(B.binary(op, arr, scalar, dtype, (3, 4)), ref(a, scalar))


def test_binary_out_argument_may_be_a_view():
    out = np.zeros((4, 3))
    B.binary("add", A, 1.0, gt.float64, (3, 4), out=out.T)
    np.testing.assert_array_equal(out.T, A + 1.0)


def test_integer_pow_with_negative_exponents():
    a = np.array([2, 1, -1, -1, 0, 3], dtype=np.int64)
    b = np.array([-1, -5, -3, -2, 2, 2], dtype=np.int64)
    np.testing.assert_array_equal(B.binary("pow", a, b, gt.int64, (6,)), [0, 1, -1, 1, 0, 9])


def test_where_cast_and_full():
    cond = np.array([[True], [False], [True]])
    for arr in _layouts(A).values():
        _check(B.where(cond, arr, 0.0, gt.float64, (3, 4)), np.where(cond, A, 0.0))
        _check(B.cast(arr, gt.int16), A.astype(np.int16), np.int16)
        _check(B.cast(arr, gt.bfloat16), A.astype(BF16), BF16)
    assert B.full((2, 2), 3, gt.int8).tolist() == [[3, 3], [3, 3]]
    _check(B.arange(1.0, 0.5, 4, gt.float32), [1.0, 1.5, 2.0, 2.5], np.float32)
    _check(B.arange(5, -2, 3, gt.int64), [5, 3, 1], np.int64)


@pytest.mark.parametrize("op", backend_module.REDUCE_OPS)
def test_reduce(op):
    ref = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}[op]
    x = A / 4
    for arr in _layouts(x).values():
        for axes in [(0,), (1,), (0, 1)]:
            for keepdims in (False, True):
                _check(B.reduce(op, arr, axes, keepdims, gt.float64), ref(x, axis=axes, keepdims=keepdims))


def test_half_precision_reductions_scans_and_matmul_accumulate_in_float32():
    for dtype in (gt.float16, gt.bfloat16):
        x = np.ones(4096, dtype=dtype.np)
        s = B.reduce("sum", x, (0,), False, dtype)
        assert s.dtype == dtype.np and float(s) == 4096.0
        assert float(B.scan("sum", x, 0, dtype)[-1]) == 4096.0
        m = B.matmul(x.reshape(1, -1), x.reshape(-1, 1), dtype)
        assert float(m[0, 0]) == 4096.0


@pytest.mark.parametrize("op", backend_module.ARG_REDUCE_OPS)
def test_arg_reduce(op):
    ref = getattr(np, op)
    x = np.array([[1.0, np.nan, 3.0], [4.0, 4.0, -1.0]])
    for arr in _layouts(x).values():
        for axis in (0, 1):
            out = B.arg_reduce(op, arr, axis, False)
            _check(out, ref(x, axis=axis), np.int64)


@pytest.mark.parametrize("op", backend_module.SCAN_OPS)
def test_scan(op):
    ref = np.cumsum if op == "sum" else np.cumprod
    for arr in _layouts(A / 5).values():
        for axis in (0, 1):
            _check(B.scan(op, arr, axis, gt.float64), ref(A / 5, axis=axis))
    ints = np.array([[1, 2], [3, 4]], dtype=np.int8)
    _check(B.scan(op, ints.astype(np.int64), 1, gt.int64), ref(ints, axis=1), np.int64)


@pytest.mark.parametrize("dtype", [gt.float16, gt.bfloat16, gt.float32, gt.float64, gt.int32, gt.bool])
def test_matmul_takes_strided_operands(dtype):
    a = (np.arange(6).reshape(2, 3) % 2).astype(dtype.np)
    b = (np.arange(12).reshape(3, 4) % 3).astype(dtype.np)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    if dtype is gt.bool:
        expected = expected != 0
    for xa, xb in zip(_layouts(a).values(), _layouts(b).values()):
        out = B.matmul(xa, xb, dtype)
        _check(out, expected, dtype.np)
    # batches laid out in transposed order
    batch_a = np.ascontiguousarray(np.broadcast_to(a, (2, 2, 3)).transpose(2, 1, 0)).transpose(2, 1, 0)
    batch_b = np.ascontiguousarray(np.broadcast_to(b, (2, 3, 4)).transpose(2, 1, 0)).transpose(2, 1, 0)
    _check(B.matmul(batch_a, batch_b, dtype), np.broadcast_to(expected, (2, 2, 4)), dtype.np)


def test_gather_scatter_add_scatter():
    idx = np.array([2, 0, 2], dtype=np.int64)
    for arr in _layouts(A).values():
        _check(B.gather(arr, idx, 0), A[idx])
        _check(B.gather(arr, idx, 1), A[:, idx])
    values = np.ones((3, 4))
    added = B.scatter_add((3, 4), idx, values, 0, gt.float64)
    _check(added, [[1] * 4, [0] * 4, [2] * 4])
    half = B.scatter_add(
        (2,), np.array([0, 0, 1]), np.array([1.0, 1.0, 1.0], dtype=np.float16), 0, gt.float16
    )
    assert half.dtype == np.float16 and half.tolist() == [2.0, 1.0]
    dst = np.zeros((4, 3))
    view = dst.T
    B.scatter(view, np.array([1, 3]), np.array([5.0, 6.0]), 1)
    np.testing.assert_array_equal(dst[[1, 3]], [[5.0] * 3, [6.0] * 3])


def test_random_kinds():
    for kind, dtype in [("uniform", gt.float32), ("normal", gt.float64), ("integers", gt.int16)]:
        out = B.random(kind, (3, 5), dtype, (1, 2), 0, -4, 4)
        assert out.shape == (3, 5) and out.dtype == dtype.np and out.flags.c_contiguous
    ints = B.random("integers", (1000,), gt.int16, (1, 2), 0, -4, 4)
    assert ints.min() == -4 and ints.max() == 3


def test_sort_searchsorted_nonzero():
    x = np.array([[3.0, np.nan, 1.0, 1.0], [0.0, -1.0, np.nan, 2.0]])
    for arr in _layouts(x).values():
        values, idx = B.sort(arr, 1, False)
        _check(idx, np.argsort(x, axis=1, kind="stable"), np.int64)
        _check(values, np.sort(x, axis=1))
        dvalues, didx = B.sort(arr, 1, True)
        _check(didx, [[1, 0, 2, 3], [2, 3, 0, 1]], np.int64)
    for dtype in (gt.bfloat16, gt.float16):
        v, i = B.sort(x.astype(dtype.np), 1, False)
        _check(i, np.argsort(x, axis=1, kind="stable"), np.int64)
    _check(B.searchsorted(np.array([1.0, 2.0, 3.0]), np.array([[2.0, 0.0]]), "left"), [[1, 0]], np.int64)
    _check(B.searchsorted(np.array([1.0, 2.0, 3.0]), np.array([2.0]), "right"), [2], np.int64)
    nz = B.nonzero(np.array([[0, 1], [2, 0]]).T)
    assert nz.shape == (2, 2) and nz.flags.c_contiguous
    np.testing.assert_array_equal(nz, np.stack(np.nonzero(np.array([[0, 1], [2, 0]]).T)))


def test_memory_primitives():
    root = B.from_host(np.arange(12.0))
    assert root.flags.c_contiguous
    v = B.view(root, (3, 2), (1, 3), 2)
    np.testing.assert_array_equal(v, [[2.0, 5.0], [3.0, 6.0], [4.0, 7.0]])
    c = B.contiguous(v)
    assert c.flags.c_contiguous and not np.shares_memory(c, root)
    B.copy_into(v, 0.0)
    assert root[2] == 0.0 and root[5] == 0.0 and root[1] == 1.0
    B.copy_into(B.view(root, (2, 2), (2, 1), 0), np.array([7.0, 8.0]))
    assert root[:4].tolist() == [7.0, 8.0, 7.0, 8.0]
    assert B.to_host(root) is root
    assert B.empty((2, 3), gt.int8).dtype == np.int8
    empty_view = B.view(root, (0, 3), (3, 1), 100)  # no elements: any offset is fine
    assert empty_view.shape == (0, 3)
