"""Sorting and searching: sort / argsort (stability, NaN placement, descending), topk,
nonzero, searchsorted and the unique_* family; gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentValueError, AxisError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, check_op, device_array


def _fn(name, f):
    f.__name__ = name
    return f


X = np.random.default_rng(2).permutation(24).reshape(2, 3, 4) / 5.0 - 2.0


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_sort_values_and_gradient(axis, descending, device):
    def ref(x):
        s = np.sort(x, axis=axis)
        return np.flip(s, axis=axis) if descending else s

    check_op(
        _fn("sort", lambda x: gt.sort(x, axis=axis, descending=descending)),
        ref,
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


@pytest.mark.parametrize("dtype", [gt.int8, gt.int64, gt.uint8, gt.bool, gt.float16, gt.bfloat16, gt.float32])
def test_argsort_is_stable(dtype, device):
    values = (
        np.array([3, 1, 2, 1, 3, 0, 2, 1, 0, 3]) if dtype is not gt.bool else np.array([1, 0, 1, 0, 0, 1])
    )
    x = gt.asarray(values.astype(dtype.np), device=device)
    idx = gt.argsort(x)
    assert idx.dtype is gt.int64
    np.testing.assert_array_equal(idx.numpy(), np.argsort(values, kind="stable"))
    # descending keeps the original order among equal values, as torch.sort(stable=True)
    down = gt.argsort(x, descending=True)
    expected = sorted(range(len(values)), key=lambda i: -values[i])
    np.testing.assert_array_equal(down.numpy(), expected)
    np.testing.assert_array_equal(gt.sort(x, descending=True).numpy(), values[expected].astype(dtype.np))


def test_nan_placement(device):
    values = np.array([2.0, np.nan, -1.0, np.inf, np.nan, -np.inf, 0.0])
    for dtype in FLOATS:
        x = gt.asarray(values.astype(dtype.np), device=device)
        up = gt.sort(x).numpy().astype(np.float64)
        np.testing.assert_array_equal(up, np.sort(values))  # NaNs last
        np.testing.assert_array_equal(gt.argsort(x).numpy(), np.argsort(values, kind="stable"))
        down = gt.sort(x, descending=True).numpy().astype(np.float64)
        np.testing.assert_array_equal(down, [np.nan, np.nan, np.inf, 2.0, 0.0, -1.0, -np.inf])  # NaNs first
        np.testing.assert_array_equal(gt.argsort(x, descending=True).numpy(), [1, 4, 3, 0, 6, 2, 5])


def test_sort_method_and_size_zero(device):
    x = gt.asarray([[3, 1, 2]], device=device)
    assert x.sort().tolist() == [[1, 2, 3]]
    assert x.argsort(descending=True).tolist() == [[0, 2, 1]]
    assert gt.sort(gt.zeros((0, 3), device=device), axis=0).shape == (0, 3)
    assert gt.argsort(gt.zeros((2, 0), device=device)).shape == (2, 0)


def test_sort_errors(device):
    with pytest.raises(ShapeError, match="sort: needs at least one axis"):
        gt.sort(gt.asarray(1.0, device=device))
    with pytest.raises(ShapeError, match="argsort"):
        gt.argsort(gt.asarray(1.0, device=device))
    with pytest.raises(AxisError, match="sort: axis 1"):
        gt.sort(gt.ones(3, device=device), axis=1)
    with pytest.raises(AxisError, match="argsort: axis -2"):
        gt.argsort(gt.ones(3, device=device), axis=-2)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k, axis", [(2, -1), (1, 0), (3, 1), (0, -1), (4, 2)])
def test_topk(k, axis, largest, device):
    def ref(x):
        s = np.sort(x, axis=axis)
        if largest:
            s = np.flip(s, axis=axis)
        return np.take(s, np.arange(k), axis=axis)

    check_op(
        _fn("topk", lambda x: gt.topk(x, k, axis=axis, largest=largest)[0]),
        ref,
        [X],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )
    values, indices = gt.topk(gt.asarray(X, device=device), k, axis=axis, largest=largest)
    assert indices.dtype is gt.int64
    np.testing.assert_array_equal(np.take_along_axis(X, indices.numpy(), axis=axis), values.numpy())


def test_topk_ties_and_nan(device):
    x = gt.asarray([1.0, 3.0, 3.0, np.nan, 2.0, 3.0], device=device)
    v, i = gt.topk(x, 3)
    assert np.isnan(v.numpy()[0]) and i.tolist() == [3, 1, 2]
    v, i = gt.topk(x, 2, largest=False)
    assert v.tolist() == [1.0, 2.0] and i.tolist() == [0, 4]
    ints = gt.asarray([5, 1, 5, 3], dtype=gt.int16, device=device)
    v, i = ints.topk(2)
    assert v.dtype is gt.int16 and v.tolist() == [5, 5] and i.tolist() == [0, 2]


def test_topk_errors(device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(ShapeError, match="topk: k=4 is out of range for axis 1 of size 3"):
        gt.topk(x, 4)
    with pytest.raises(ShapeError, match="topk: k=-1"):
        gt.topk(x, -1)
    with pytest.raises(AxisError, match="topk: axis 2"):
        gt.topk(x, 1, axis=2)


def test_nonzero(device):
    a = np.array([[0, 1.5, 0], [np.nan, 0, -2], [0, 0, 0]])
    coords = gt.nonzero(gt.asarray(a, device=device))
    expected = np.nonzero(a)
    assert len(coords) == 2
    for c, e in zip(coords, expected):
        assert c.dtype is gt.int64
        np.testing.assert_array_equal(c.numpy(), e)
    (flat,) = gt.nonzero(gt.asarray([False, True, True], device=device))
    assert flat.tolist() == [1, 2]
    empty = gt.nonzero(gt.zeros((2, 2), device=device))
    assert [e.shape for e in empty] == [(0,), (0,)]
    for layout in LAYOUTS:
        t = device_array(a, device, layout=layout)
        for c, e in zip(gt.nonzero(t), expected):
            np.testing.assert_array_equal(c.numpy(), e)
    with pytest.raises(ShapeError, match="nonzero: not defined for 0-d tensors"):
        gt.nonzero(gt.asarray(1.0, device=device))


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side, device):
    sorted_1d = np.array([0.0, 1.0, 1.0, 2.5, 4.0])
    values = np.array([[-1.0, 1.0, 1.5], [2.5, 4.0, 9.0]])
    out = gt.searchsorted(gt.asarray(sorted_1d, device=device), gt.asarray(values, device=device), side=side)
    assert out.dtype is gt.int64 and out.shape == values.shape
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(sorted_1d, values, side=side))
    unsorted = np.array([4.0, 0.0, 2.5, 1.0])
    sorter = np.argsort(unsorted)
    out = gt.searchsorted(
        gt.asarray(unsorted, device=device),
        gt.asarray([1.0, 3.0], device=device),
        side=side,
        sorter=gt.asarray(sorter, device=device),
    )
    np.testing.assert_array_equal(
        out.numpy(), np.searchsorted(unsorted, [1.0, 3.0], side=side, sorter=sorter)
    )
    ints = gt.searchsorted(
        gt.asarray([1, 3, 5], device=device), gt.asarray([2.5, 5.0], device=device), side=side
    )
    np.testing.assert_array_equal(ints.numpy(), np.searchsorted([1, 3, 5], [2.5, 5.0], side=side))


def test_searchsorted_places_nan_last_in_every_float_dtype(device):
    for dtype in FLOATS:
        sorted_1d = gt.asarray([1.0, 2.0, 3.0, np.nan], dtype=dtype, device=device)
        values = gt.asarray([2.5, np.nan, 0.0], dtype=dtype, device=device)
        for side in ("left", "right"):
            expected = np.searchsorted([1.0, 2.0, 3.0, np.nan], [2.5, np.nan, 0.0], side=side)
            np.testing.assert_array_equal(gt.searchsorted(sorted_1d, values, side=side).numpy(), expected)


def test_searchsorted_errors(device):
    with pytest.raises(ArgumentValueError, match="searchsorted: side must be 'left' or 'right'"):
        gt.searchsorted(gt.ones(2, device=device), gt.ones(1, device=device), side="middle")
    with pytest.raises(ShapeError, match=r"searchsorted: x1 must be 1-D, got shape \(2, 2\)"):
        gt.searchsorted(gt.ones((2, 2), device=device), gt.ones(1, device=device))


UNIQUE_INPUTS = [
    np.array([3, 1, 2, 1, 3, 3, 0]),
    np.array([[2.5, -1.0], [2.5, 0.0], [-1.0, 7.0]]),
    np.array([True, False, True]),
    np.array([], dtype=np.float32),
    np.array([5], dtype=np.uint8),
    np.array([[1, 1], [1, 1]], dtype=np.int8),
]


@pytest.mark.parametrize("values", UNIQUE_INPUTS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_unique_family(values, device):
    x = gt.asarray(values, device=device)
    uniq, first, inverse, counts = np.unique(
        values, return_index=True, return_inverse=True, return_counts=True
    )
    u = gt.unique_all(x)
    np.testing.assert_array_equal(u.values.numpy(), uniq)
    assert u.values.dtype is x.dtype
    np.testing.assert_array_equal(u.indices.numpy(), first)
    assert u.inverse_indices.shape == values.shape
    np.testing.assert_array_equal(u.inverse_indices.numpy(), inverse.reshape(values.shape))
    np.testing.assert_array_equal(u.counts.numpy(), counts)
    for t in (u.indices, u.inverse_indices, u.counts):
        assert t.dtype is gt.int64
    c = gt.unique_counts(x)
    np.testing.assert_array_equal(c.values.numpy(), uniq)
    np.testing.assert_array_equal(c.counts.numpy(), counts)
    i = gt.unique_inverse(x)
    np.testing.assert_array_equal(i.inverse_indices.numpy(), inverse.reshape(values.shape))
    np.testing.assert_array_equal(gt.unique_values(x).numpy(), uniq)
    np.testing.assert_array_equal(uniq[i.inverse_indices.numpy()], values)


def test_unique_nans_are_distinct(device):
    x = gt.asarray([np.nan, 1.0, np.nan, 1.0], device=device)
    u = gt.unique_all(x)
    values = u.values.numpy()
    assert values[0] == 1.0 and np.isnan(values[1:]).all() and len(values) == 3
    assert u.counts.tolist() == [2, 1, 1]
    assert sorted(u.indices.tolist()[1:]) == [0, 2]


def test_unique_of_views(device):
    base = np.array([[3, 1, 3], [2, 1, 2]])
    for layout in LAYOUTS:
        t = device_array(base, device, layout=layout)
        np.testing.assert_array_equal(gt.unique_values(t).numpy(), [1, 2, 3])
        np.testing.assert_array_equal(
            gt.unique_inverse(t).inverse_indices.numpy(),
            np.unique(base, return_inverse=True)[1].reshape(base.shape),
        )


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(-3, 3), min_size=0, max_size=12),
    descending=st.booleans(),
    dtype=st.sampled_from([gt.int64, gt.int8, gt.float32, gt.bfloat16]),
)
def test_argsort_stability_random(device_name, values, descending, dtype):
    a = np.array(values).astype(dtype.np)
    x = gt.asarray(a, device=device_name)
    order = sorted(range(len(values)), key=lambda i: -values[i] if descending else values[i])
    np.testing.assert_array_equal(
        gt.argsort(x, descending=descending).numpy(), np.array(order, dtype=np.int64)
    )
    u = gt.unique_counts(x)
    ref_u, ref_c = np.unique(a, return_counts=True)
    np.testing.assert_array_equal(u.values.numpy(), ref_u)
    np.testing.assert_array_equal(u.counts.numpy(), ref_c)
