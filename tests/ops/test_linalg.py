"""Matrix products: matmul (vectors, batches, broadcasting, transposed operands), tensordot,
vecdot, outer, vector_norm and einsum's common contractions; gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import AxisError, DeviceError, DTypeError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, assert_close, broadcast_along, check_op, second_device

RNG = np.random.default_rng(21)


def _r(*shape):
    return RNG.uniform(-1, 1, shape)


def _fn(name, f):
    f.__name__ = name
    return f


MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 2)),
    ((4, 3), (1, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 2, 3), (3,)),
    ((2, 0), (0, 3)),
    ((0, 3), (3, 2)),
    ((1, 1), (1, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes, device):
    a, b = _r(*shapes[0]), _r(*shapes[1])
    check_op(gt.matmul, np.matmul, [a, b], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_matmul_operator_and_methods(device):
    a, b = _r(2, 3), _r(3, 2)
    ta, tb = gt.asarray(a, device=device), gt.asarray(b, device=device)
    assert_close(ta @ tb, a @ b)
    assert_close(ta.matmul(tb), a @ b)
    assert_close(ta.dot(tb), a @ b)
    assert_close(tb.T @ ta.T, b.T @ a.T)
    assert_close(gt.linalg.matmul(ta, tb), a @ b)


def test_matmul_transposed_operands_are_not_copied(device):
    a = gt.asarray(_r(4, 3), device=device)
    b = gt.asarray(_r(4, 5), device=device)
    calls = []
    backend = device.backend
    original = backend.contiguous

    def spy(x):
        calls.append(x.shape)
        return original(x)

    backend.contiguous = spy
    try:
        out = a.T @ b
    finally:
        del backend.contiguous
    assert calls == []
    assert_close(out, a.numpy().T @ b.numpy())


@pytest.mark.parametrize(
    "da, db",
    [
        (gt.int32, gt.int32),
        (gt.int8, gt.uint8),
        (gt.int64, gt.float32),
        (gt.bool, gt.int16),
        (gt.float16, gt.bfloat16),
        (gt.float32, gt.float64),
    ],
)
def test_matmul_dtypes(da, db, device):
    a = np.array([[1, 2], [3, 0]])
    b = np.array([[1, 0, 1], [1, 1, 0]])
    ta = gt.asarray(a.astype(da.np), device=device)
    tb = gt.asarray(b.astype(db.np), device=device)
    out = ta @ tb
    assert out.dtype is gt.result_type(da, db)
    np.testing.assert_array_equal(out.numpy().astype(np.float64), a.astype(da.np).astype(np.float64) @ b)


def test_matmul_half_precision_accumulates_in_float32(device):
    a = np.full((1, 4096), 1.0)
    b = np.full((4096, 1), 1.0)
    for dtype in (gt.float16, gt.bfloat16):
        out = gt.asarray(a, dtype=dtype, device=device) @ gt.asarray(b, dtype=dtype, device=device)
        assert out.dtype is dtype
        assert out.item() == 4096.0


def test_matmul_errors(device):
    a = gt.ones((2, 3), device=device)
    with pytest.raises(
        ShapeError, match=r"matmul: inner dimensions differ: a.shape=\(2, 3\), b.shape=\(4, 5\)"
    ):
        a @ gt.ones((4, 5), device=device)
    with pytest.raises(
        ShapeError, match=r"matmul: inner dimensions differ: a.shape=\(2, 3\), b.shape=\(2,\)"
    ):
        a @ gt.ones(2, device=device)
    with pytest.raises(ShapeError, match="matmul: shapes"):
        gt.ones((2, 2, 3), device=device) @ gt.ones((3, 3, 1), device=device)
    with pytest.raises(ShapeError, match="matmul: operands must have at least one axis"):
        gt.matmul(gt.asarray(2.0, device=device), a)
    with pytest.raises(DTypeError, match="matmul: not defined for two bool tensors"):
        gt.matmul(
            gt.ones((2, 2), dtype=gt.bool, device=device), gt.ones((2, 2), dtype=gt.bool, device=device)
        )
    with pytest.raises(DeviceError, match=r"matmul: tensors are on different devices \(.*cpu2:0\)"):
        a @ gt.ones((3, 1), device=second_device())


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=30, deadline=None)
@given(
    batch_a=st.lists(st.integers(1, 3), max_size=2),
    batch_b=st.lists(st.integers(1, 3), max_size=2),
    m=st.integers(0, 3),
    k=st.integers(0, 3),
    n=st.integers(0, 3),
    vec=st.sampled_from(["", "a", "b"]),
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**16),
    bcast=st.sets(st.integers(0, 3)),
)
def test_matmul_random(device_name, batch_a, batch_b, m, k, n, vec, layout, seed, bcast):
    device = gt.device(device_name)
    rng = np.random.default_rng(seed)
    # make the batch shapes broadcastable by putting ones where they disagree
    la, lb = len(batch_a), len(batch_b)
    for i in range(1, min(la, lb) + 1):
        if batch_a[-i] != batch_b[-i]:
            batch_b[-i] = 1
    shape_a = (k,) if vec == "a" else tuple(batch_a) + (m, k)
    shape_b = (k,) if vec == "b" else tuple(batch_b) + (k, n)
    a = broadcast_along(rng.uniform(-1, 1, shape_a), bcast)
    b = broadcast_along(rng.uniform(-1, 1, shape_b), {len(shape_b) - 1 - i for i in bcast})
    check_op(gt.matmul, np.matmul, [a, b], device, layouts=(layout,), gradgrad=False)


@pytest.mark.parametrize(
    "shapes, axes",
    [
        (((2, 3, 4), (3, 4, 5)), 2),
        (((2, 3), (3, 4)), 1),
        (((2, 3), (4, 5)), 0),
        (((2, 3, 4), (4, 3, 2)), ((1, 2), (1, 0))),
        (((3, 4), (4, 3)), ([0], [1])),
        (((2, 3), (2, 3)), ((0, 1), (0, 1))),
    ],
    ids=str,
)
def test_tensordot(shapes, axes, device):
    check_op(
        _fn("tensordot", lambda a, b: gt.tensordot(a, b, axes=axes)),
        lambda a, b: np.tensordot(a, b, axes=axes),
        [_r(*shapes[0]), _r(*shapes[1])],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_tensordot_errors(device):
    a = gt.ones((2, 3), device=device)
    with pytest.raises(
        ShapeError, match=r"tensordot: axis 1 of x1 \(size 3\) and axis 0 of x2 \(size 4\) differ"
    ):
        gt.tensordot(a, gt.ones((4, 2), device=device), axes=1)
    with pytest.raises(ShapeError, match="tensordot: axes=3 is out of range"):
        gt.tensordot(a, a, axes=3)
    with pytest.raises(AxisError, match="tensordot"):
        gt.tensordot(a, a, axes=((2,), (0,)))


@pytest.mark.parametrize(
    "shapes, axis",
    [(((3,), (3,)), -1), (((2, 3), (3,)), -1), (((4, 2), (4, 1)), 0), (((2, 1, 3), (4, 3)), -1)],
    ids=str,
)
def test_vecdot(shapes, axis, device):
    def ref(a, b):
        return np.sum(a * b, axis=axis)

    check_op(
        _fn("vecdot", lambda a, b: gt.vecdot(a, b, axis=axis)),
        ref,
        [_r(*shapes[0]), _r(*shapes[1])],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )
    with pytest.raises(ShapeError, match="vecdot: axis -1 sizes differ"):
        gt.vecdot(gt.ones(3, device=device), gt.ones(4, device=device))


def test_outer(device):
    check_op(gt.outer, np.outer, [_r(3), _r(4)], device, dtypes=FLOATS, layouts=LAYOUTS)
    with pytest.raises(ShapeError, match="outer: needs 1-D tensors"):
        gt.outer(gt.ones((2, 2), device=device), gt.ones(2, device=device))


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, float("inf"), float("-inf"), 0])
@pytest.mark.parametrize("axis", [None, 1, (0, 1)], ids=str)
def test_vector_norm(ord, axis, device):
    x = _r(3, 4)
    x[0, 0] = 0.0 if ord == 0 else x[0, 0]

    def fn(t):
        return gt.linalg.vector_norm(t, axis=axis, ord=ord)

    def ref(a):
        if axis == (0, 1) or axis is None:
            return np.linalg.norm(a.reshape(-1), ord=ord)
        return np.linalg.norm(a, ord=ord, axis=axis)

    check_op(
        _fn("vector_norm", fn),
        ref,
        [x],
        device,
        dtypes=FLOATS,
        grad=ord != 0,
        gradgrad=ord not in (float("inf"), float("-inf")),
    )
    assert gt.linalg.vector_norm(gt.asarray(x, device=device), axis=1, keepdims=True).shape == (3, 1)
    assert gt.linalg.vector_norm(gt.asarray([3, 4], device=device)).item() == 5.0


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("...ij,...jk", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,...jk->...ik", [(3, 2), (2, 2, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ijk,kl->ijl", [(2, 3, 4), (4, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,ij,j->", [(2,), (2, 3), (3,)]),
    ("bi,bj->bij", [(2, 3), (2, 4)]),
    ("ijk->kij", [(2, 3, 4)]),
    ("ab,cd->abcd", [(2, 2), (3, 1)]),
    ("i->", [(4,)]),
]


@pytest.mark.parametrize("spec, shapes", EINSUM, ids=[e[0] for e in EINSUM])
def test_einsum(spec, shapes, device):
    arrays = [_r(*s) for s in shapes]
    check_op(
        _fn("einsum", lambda *xs: gt.einsum(spec, *xs)),
        lambda *xs: np.einsum(spec, *xs),
        arrays,
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_einsum_errors(device):
    a = gt.ones((2, 3), device=device)
    with pytest.raises(ShapeError, match="einsum: 2 operands in 'ij,jk' but 1 tensors given"):
        gt.einsum("ij,jk", a)
    with pytest.raises(
        ShapeError, match="einsum: subscripts 'ijk' need 3 axes but the tensor has shape \\(2, 3\\)"
    ):
        gt.einsum("ijk->i", a)
    with pytest.raises(ShapeError, match="einsum: index 'j' has sizes 3 and 4"):
        gt.einsum("ij,jk->ik", a, gt.ones((4, 2), device=device))
    with pytest.raises(ShapeError, match="einsum: output index 'z'"):
        gt.einsum("ij->z", a)
    with pytest.raises(ShapeError, match="einsum: bad subscripts"):
        gt.einsum("i1->i", gt.ones((2, 3), device=device))
    with pytest.raises(DeviceError, match="einsum"):
        gt.einsum("ij,jk", a, gt.ones((3, 2), device=second_device()))


def test_half_precision_matmul_result_is_contiguous(device):
    # the CPU backend once returned a strided array for float16 products of batches laid out
    # in transposed order (NumPy's matmul follows the operands' layout over batch axes)
    a = gt.reshape(gt.asarray(_r(3, 2), dtype=gt.float16, device=device).T, (2, 3, 1, 1))
    b = gt.reshape(gt.ones((3, 2), dtype=gt.float16, device=device).T, (2, 3, 1, 1))
    out = gt.reshape(a @ b, (-1,))
    assert_close(out, a.numpy().astype(np.float64).reshape(-1), gt.float16)


@pytest.mark.parametrize("ord", [2, 3, 1.5])
def test_vector_norm_gradient_of_a_zero_vector_is_zero(ord, device):
    x = gt.zeros((2, 3), dtype=gt.float64, device=device)
    x[1] = gt.asarray([3.0, 0.0, -4.0], dtype=gt.float64, device=device)
    x.requires_grad_()
    gt.linalg.vector_norm(x, axis=1, ord=ord).sum().backward()
    g = x.grad.numpy()
    assert np.all(g[0] == 0.0)
    norm = np.linalg.norm([3.0, 0.0, -4.0], ord=ord)
    np.testing.assert_allclose(
        g[1], np.sign([3.0, 0.0, -4.0]) * np.abs([3.0, 0.0, -4.0]) ** (ord - 1) / norm ** (ord - 1)
    )
