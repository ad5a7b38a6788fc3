"""View ops: reshape (view when the layout allows, copy otherwise), permute_dims, transposes,
expand_dims, squeeze, broadcast_to, flip. Values, shared memory, gradients, errors, and
reshape's stride arithmetic against NumPy on many random layouts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, AxisError, ShapeError
from gputensor.ops.views import view_strides
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, check_op

X = np.random.default_rng(5).uniform(-1, 1, (2, 3, 4))


def _fn(name, f):
    f.__name__ = name
    return f


@pytest.mark.parametrize(
    "shape", [(6, 4), (4, 6), (24,), (2, 12), (3, 2, 4), (-1, 2), (1, 24, 1), (2, -1, 3)], ids=str
)
def test_reshape(shape, device):
    check_op(
        _fn("reshape", lambda x: gt.reshape(x, shape)),
        lambda x: np.reshape(x, shape),
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_reshape_method_spellings(device):
    x = gt.arange(6, device=device)
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    assert x.view(-1, 2).shape == (3, 2)
    assert x.reshape(2, 3).ravel().tolist() == list(range(6))


def test_reshape_of_contiguous_is_a_view(device):
    x = gt.arange(6, dtype=gt.float32, device=device)
    y = x.reshape(2, 3)
    x[0] = 100.0
    assert y[0, 0].item() == 100.0


def test_reshape_of_transposed_copies_and_copy_false_raises(device):
    x = gt.arange(6, device=device).reshape(2, 3).T
    y = x.reshape(6)
    assert y.tolist() == [0, 3, 1, 4, 2, 5]
    with pytest.raises(
        ShapeError, match=r"reshape: a tensor of shape \(3, 2\) with strides \(1, 3\) cannot be viewed"
    ):
        gt.reshape(x, (6,), copy=False)
    # a copy that was asked for does not share memory
    base = gt.arange(4, device=device)
    c = gt.reshape(base, (2, 2), copy=True)
    base[0] = 9
    assert c[0, 0].item() == 0


def test_reshape_errors(device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(
        ShapeError,
        match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4,\)",
    ):
        x.reshape(4)
    with pytest.raises(ShapeError, match="only one dimension can be -1"):
        x.reshape(-1, -1)
    with pytest.raises(ShapeError, match="reshape"):
        x.reshape(-1, 4)
    with pytest.raises(ShapeError, match="negative dimension"):
        x.reshape(-2, -3)
    with pytest.raises(ArgumentTypeError, match="reshape: shape must be"):
        x.reshape("6")
    with pytest.raises(ShapeError, match="reshape"):
        gt.zeros((0, 3), device=device).reshape(-1, 0)


def test_reshape_size_zero(device):
    x = gt.zeros((0, 3), device=device)
    assert x.reshape(3, 0).shape == (3, 0)
    assert x.reshape(-1).shape == (0,)
    with pytest.raises(ShapeError, match="reshape"):  # -1 is ambiguous with a zero dimension, as in NumPy
        x.reshape(0, -1, 3)
    assert np.zeros((0, 3)).reshape(3, 0, 5).shape == gt.zeros((0, 3), device=device).reshape(3, 0, 5).shape


# --- reshape's view arithmetic against NumPy on random layouts -------------------------------------


@st.composite
def _layouts(draw):
    """A NumPy view of a contiguous buffer made by slicing with steps (negative too), permuting
    and inserting/broadcasting axes; returns the buffer's shape and the ops applied."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    ops = []
    ndim = len(shape)
    cur = list(shape)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["slice", "permute", "newaxis", "broadcast"]))
        if kind == "slice":
            key = []
            for n in cur:
                step = draw(st.sampled_from([1, 1, 2, -1, -2]))
                start = draw(st.integers(0, n - 1))
                key.append(slice(start, None, step) if step > 0 else slice(start, None, step))
            ops.append(("slice", tuple(key)))
            cur = [len(range(*k.indices(n))) for k, n in zip(key, cur)]
        elif kind == "permute":
            perm = tuple(draw(st.permutations(range(ndim))))
            ops.append(("permute", perm))
            cur = [cur[p] for p in perm]
        elif kind == "newaxis" and ndim < 5:
            pos = draw(st.integers(0, ndim))
            ops.append(("newaxis", pos))
            cur.insert(pos, 1)
            ndim += 1
        elif kind == "broadcast":
            ones = [i for i, n in enumerate(cur) if n == 1]
            if ones:
                i = draw(st.sampled_from(ones))
                cur[i] = draw(st.integers(2, 3))
                ops.append(("broadcast", tuple(cur)))
    return shape, ops


def _apply(x, ops, xp):
    for kind, arg in ops:
        if kind == "slice":
            x = x[arg]
        elif kind == "permute":
            x = xp.transpose(x, arg) if xp is np else gt.permute_dims(x, arg)
        elif kind == "newaxis":
            x = xp.expand_dims(x, arg) if xp is np else gt.expand_dims(x, axis=arg)
        else:
            x = np.broadcast_to(x, arg) if xp is np else gt.broadcast_to(x, arg)
    return x


def _factorizations(n, draw):
    dims = []
    rest = n
    while rest > 1 and len(dims) < 4:
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = draw(st.sampled_from(divisors))
        dims.append(d)
        rest //= d
    dims.append(rest)
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    return tuple(dims)


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=200, deadline=None)
@given(layout=_layouts(), data=st.data())
def test_view_strides_against_numpy(device_name, layout, data):
    shape, ops = layout
    base = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    a = _apply(base, ops, np)
    new_shape = _factorizations(a.size, data.draw)
    item = a.itemsize
    strides = view_strides(a.shape, tuple(s // item for s in a.strides), new_shape)
    try:
        np_view = a.reshape(new_shape, copy=False)
    except ValueError:
        np_view = None
    if np_view is not None:
        assert strides is not None, f"NumPy views {a.shape}{a.strides} as {new_shape}, gputensor copies"
    if strides is not None:
        # read the new view straight out of the buffer with the computed strides
        offset = (a.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item
        grid = np.indices(new_shape, dtype=np.int64)
        flat_index = offset + sum(grid[i] * s for i, s in enumerate(strides))
        np.testing.assert_array_equal(base.reshape(-1)[flat_index], a.reshape(new_shape))
    # the same layout through gputensor: values match NumPy's reshape, views share memory
    t = _apply(gt.asarray(base, device=device_name), ops, gt)
    np.testing.assert_array_equal(t.numpy(), a)
    r = t.reshape(new_shape)
    np.testing.assert_array_equal(r.numpy(), a.reshape(new_shape))
    assert (r._root is t._root) == (strides is not None or new_shape == a.shape)


def test_view_strides_examples():
    assert view_strides((2, 3), (3, 1), (3, 2)) == (2, 1)
    assert view_strides((2, 3), (1, 2), (6,)) is None
    assert view_strides((4, 3), (6, 2), (2, 2, 3)) == (12, 6, 2)
    assert view_strides((3, 4), (-4, 1), (3, 2, 2)) == (-4, 2, 1)
    assert view_strides((2, 1, 3), (3, 99, 1), (6,)) == (1,)


# --- permutations and axes ---------------------------------------------------------------------


@pytest.mark.parametrize("axes", [(0, 1, 2), (2, 0, 1), (1, 0, 2), (2, 1, 0), (-1, 0, 1)], ids=str)
def test_permute_dims(axes, device):
    check_op(
        _fn("permute_dims", lambda x: gt.permute_dims(x, axes)),
        lambda x: np.transpose(x, axes),
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_transpose_spellings(device):
    x = gt.asarray(X, device=device)
    np.testing.assert_array_equal(x.mT.numpy(), np.swapaxes(X, -1, -2))
    np.testing.assert_array_equal(gt.matrix_transpose(x).numpy(), np.swapaxes(X, -1, -2))
    np.testing.assert_array_equal(x.transpose().numpy(), X.transpose())
    np.testing.assert_array_equal(x.transpose(1, 0, 2).numpy(), X.transpose(1, 0, 2))
    np.testing.assert_array_equal(x.permute(2, 0, 1).numpy(), X.transpose(2, 0, 1))
    np.testing.assert_array_equal(gt.swapaxes(x, 0, 2).numpy(), np.swapaxes(X, 0, 2))
    np.testing.assert_array_equal(x[0].T.numpy(), X[0].T)
    with pytest.raises(ShapeError, match="matrix_transpose: needs at least 2 axes"):
        gt.matrix_transpose(gt.ones(3, device=device))


@pytest.mark.parametrize("src, dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ((0, 2), (1, 0))], ids=str)
def test_moveaxis(src, dst, device):
    check_op(
        _fn("moveaxis", lambda x: gt.moveaxis(x, src, dst)), lambda x: np.moveaxis(x, src, dst), [X], device
    )


def test_permute_errors(device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(ShapeError, match=r"permute_dims: axes \(0, 0\) are not a permutation"):
        gt.permute_dims(x, (0, 0))
    with pytest.raises(AxisError, match="permute_dims: axis 2"):
        gt.permute_dims(x, (0, 2))
    with pytest.raises(ShapeError, match="permute_dims"):
        gt.permute_dims(x, (0,))
    with pytest.raises(AxisError, match="swapaxes"):
        gt.swapaxes(x, 0, 3)
    with pytest.raises(ShapeError, match="moveaxis"):
        gt.moveaxis(x, (0, 1), (0,))
    with pytest.raises(AxisError, match=r"moveaxis: repeated axis in source \(0, 0\)"):
        gt.moveaxis(x, (0, 0), (0, 1))


@pytest.mark.parametrize("axis", [0, 1, 3, -1, -4, (0, 2), (0, -1)], ids=str)
def test_expand_dims(axis, device):
    check_op(
        _fn("expand_dims", lambda x: gt.expand_dims(x, axis=axis)),
        lambda x: np.expand_dims(x, axis),
        [X],
        device,
        layouts=LAYOUTS,
    )


def test_expand_dims_errors(device):
    with pytest.raises(AxisError, match="expand_dims"):
        gt.expand_dims(gt.ones((2, 3), device=device), axis=4)


@pytest.mark.parametrize("axis", [None, 0, 2, (0, 2), -1], ids=str)
def test_squeeze(axis, device):
    x = np.random.default_rng(0).uniform(size=(1, 3, 1, 1))
    check_op(
        _fn("squeeze", lambda t: gt.squeeze(t, axis=axis)),
        lambda a: np.squeeze(a, axis=axis),
        [x],
        device,
        layouts=LAYOUTS,
    )


def test_squeeze_errors(device):
    with pytest.raises(ShapeError, match=r"squeeze: axis 1 has size 3, not 1 \(shape \(1, 3\)\)"):
        gt.squeeze(gt.ones((1, 3), device=device), axis=1)


@pytest.mark.parametrize("shape", [(2, 3, 4), (5, 2, 3, 4), (2, 1, 3, 4)], ids=str)
def test_broadcast_to(shape, device):
    x = np.random.default_rng(0).uniform(size=(3, 1))
    if shape == (2, 1, 3, 4):
        x = np.random.default_rng(0).uniform(size=(1, 1, 1, 4))
    check_op(
        _fn("broadcast_to", lambda t: gt.broadcast_to(t, shape)),
        lambda a: np.broadcast_to(a, shape),
        [x],
        device,
        layouts=LAYOUTS,
    )


def test_broadcast_to_is_a_zero_stride_view_and_errors(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device)
    y = gt.broadcast_to(x, (4, 3))
    assert y.strides == (0, 1)
    assert x.expand(2, 3).shape == (2, 3)
    with pytest.raises(ShapeError, match=r"broadcast_to: .*\(3,\).*\(4,\)"):
        gt.broadcast_to(x, (4,))
    with pytest.raises(ShapeError, match="broadcast_to"):
        gt.broadcast_to(gt.ones((2, 3), device=device), (3,))


def test_broadcast_arrays(device):
    a = gt.ones((3, 1), device=device)
    b = gt.arange(4, device=device)
    out = gt.broadcast_arrays(a, b)
    assert [o.shape for o in out] == [(3, 4), (3, 4)]
    assert out[1].tolist() == [[0, 1, 2, 3]] * 3
    with pytest.raises(ShapeError, match=r"broadcast_arrays: shapes \(3, 1\), \(2, 2\)"):
        gt.broadcast_arrays(a, gt.ones((2, 2), device=device))


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1], ids=str)
def test_flip(axis, device):
    check_op(
        _fn("flip", lambda x: gt.flip(x, axis=axis)),
        lambda x: np.flip(x, axis=axis),
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_flip_empty_and_errors(device):
    assert gt.flip(gt.zeros((0, 2), device=device), axis=0).shape == (0, 2)
    with pytest.raises(AxisError, match="flip: axis 2"):
        gt.flip(gt.ones((2, 2), device=device), axis=2)


def test_views_share_memory_with_base(device):
    base = gt.zeros((3, 4), device=device)
    views = [
        base.T,
        base[::2, 1::2],
        gt.flip(base, axis=0),
        base.reshape(12),
        gt.expand_dims(base, axis=0),
        base[1],
    ]
    base[...] = gt.arange(12, dtype=gt.float32, device=device).reshape(3, 4)
    ref = np.arange(12, dtype=np.float32).reshape(3, 4)
    expected = [ref.T, ref[::2, 1::2], ref[::-1], ref.reshape(12), ref[None], ref[1]]
    for v, e in zip(views, expected):
        np.testing.assert_array_equal(v.numpy(), e)


def test_chained_views_then_contiguous_copy(device):
    x = gt.arange(24, dtype=gt.float64, device=device).reshape(2, 3, 4)
    v = gt.flip(x.permute(2, 0, 1)[1::2, :, ::-2], axis=1)
    ref = np.flip(np.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1)[1::2, :, ::-2], axis=1)
    np.testing.assert_array_equal(v.numpy(), ref)
    c = gt.copy(v)
    assert c.is_contiguous
    np.testing.assert_array_equal(c.numpy(), ref)
    np.testing.assert_array_equal(gt.reshape(v, (-1,)).numpy(), ref.reshape(-1))
