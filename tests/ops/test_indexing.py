"""Indexing with NumPy's rules: basic indices give views, advanced ones gather (with the
adjacent / non-adjacent placement rule), boolean masks, ``__setitem__`` in every form,
take, take_along_axis and slice_scatter; gradients and the errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, AxisError, DeviceError, IndexOutOfRangeError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import (
    FLOATS,
    LAYOUTS,
    assert_close,
    broadcast_along,
    check_op,
    device_array,
    second_device,
)

A = np.arange(60.0).reshape(3, 4, 5) / 7.0


def _fn(name, f):
    f.__name__ = name
    return f


def _np_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    return tuple(k.numpy() if isinstance(k, gt.Tensor) else k for k in key)


BASIC_KEYS = [
    0,
    -1,
    (1, 2),
    (1, 2, 3),
    slice(1, 3),
    slice(None, None, -1),
    (slice(None), slice(3, 0, -2)),
    (Ellipsis, 1),
    (None, 0),
    (slice(None), None, 2),
    (Ellipsis, None),
    (0, Ellipsis, slice(1, None, 2)),
    (slice(-2, None), slice(None, -1), slice(None, None, -3)),
    (),
    Ellipsis,
    (slice(5, 10),),
    (slice(None, None, 2), slice(10, 0, -1)),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=str)
def test_basic_indexing_matches_numpy(key, device):
    check_op(_fn("getitem", lambda x: x[key]), lambda x: x[key], [A], device, dtypes=FLOATS, layouts=LAYOUTS)


@pytest.mark.parametrize(
    "key", [0, (slice(None), 1), (slice(1, None, 2),), (Ellipsis, slice(None, None, -1))], ids=str
)
def test_basic_indexing_gives_views(key, device):
    x = gt.asarray(A.copy(), device=device)
    v = x[key]
    x[...] = 0.0
    assert np.all(v.numpy() == 0.0)
    assert v._root is x._root


ADVANCED_KEYS = [
    ([0, 2],),
    ([[0, 1], [2, 2]],),
    ([-1, 0, -3],),
    (slice(None), [3, 0, 3]),
    (slice(None), [0, 2], [1, 3]),  # adjacent: result axes replace the indexed ones
    ([0, 2], slice(None), [1, 3]),  # not adjacent: result axes go first
    (0, slice(None), [1, 3]),  # an int next to an array index counts as advanced
    (slice(None), 1, [1, 3]),  # adjacent int + array
    ([0, 2], 1, slice(None)),
    (Ellipsis, [1, 0]),
    (None, [0, 1], None, slice(1, 3)),
    ([[0], [2]], [[1, 2]]),  # broadcasting index arrays
    (slice(None, None, -1), [0, -1]),
    (slice(None), [1, 0], slice(None, None, -2)),
    (np.array([], dtype=np.int64),),
    (np.array([], dtype=np.int64), 0),
    ([1, 1, 1],),  # duplicates (gradient accumulates)
    (slice(None), [0, 1], Ellipsis, 0),  # an Ellipsis covering no axis still separates
    (0, Ellipsis, [0, 1]),
    ([0, 2], None, [1, 3]),  # so does None
    (np.array([[2]], dtype=np.uint8), slice(1, 3), np.array([0, 4], dtype=np.int32)),
]


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=str)
def test_advanced_indexing_matches_numpy(key, device):
    check_op(_fn("getitem", lambda x: x[key]), lambda x: x[key], [A], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_index_tensors_and_lists(device):
    x = gt.asarray(A, device=device)
    idx = gt.asarray([2, 0], device=device)
    np.testing.assert_array_equal(x[idx].numpy(), A[[2, 0]])
    np.testing.assert_array_equal(x[:, idx.astype(gt.int8)].numpy(), A[:, [2, 0]])
    np.testing.assert_array_equal(x[gt.asarray(1, device=device)].numpy(), A[1])
    np.testing.assert_array_equal(x[gt.asarray(1, device=device), [0, 1]].numpy(), A[1, [0, 1]])
    np.testing.assert_array_equal(x[np.int64(2), np.array([0, 1])].numpy(), A[2, [0, 1]])


MASKS = [
    (A > 3.0,),
    (A[:, :, 0] > 2.0,),
    (slice(None), A[0] > 2.0),
    (np.array([True, False, True]), slice(None), [0, 4]),
    (1, np.array([True, False, True, True])),
    (Ellipsis, np.array([False, True, False, True, True])),
    (np.zeros((3, 4), dtype=bool),),
    (np.ones(3, dtype=bool), [1, 2, 3]),
    (True,),
    (False,),
]


@pytest.mark.parametrize("key", MASKS, ids=lambda k: str([np.shape(i) for i in k]))
def test_boolean_masks_match_numpy(key, device):
    check_op(_fn("getitem", lambda x: x[key]), lambda x: x[key], [A], device, dtypes=FLOATS, layouts=LAYOUTS)


def test_mask_tensor_and_list(device):
    x = gt.asarray(A, device=device)
    mask = x > 3.0
    assert mask.dtype is gt.bool
    np.testing.assert_array_equal(x[mask].numpy(), A[A > 3.0])
    np.testing.assert_array_equal(x[[True, False, True]].numpy(), A[[True, False, True]])


def test_getitem_gradient_with_duplicates_accumulates(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = gt.asarray(A, device=device).requires_grad_()
    (y[y > 5.0] * 2).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.where(A > 5.0, 2.0, 0.0))


def test_indexing_integer_and_bool_tensors(device):
    x = gt.asarray(np.arange(12).reshape(3, 4), device=device)
    np.testing.assert_array_equal(x[1:, [0, 3]].numpy(), np.arange(12).reshape(3, 4)[1:, [0, 3]])
    b = gt.asarray([[True, False], [False, True]], device=device)
    assert b[0].tolist() == [True, False]
    assert b[b].tolist() == [True, True]


# --- errors ------------------------------------------------------------------------------------


def test_out_of_range_indices(device):
    x = gt.asarray(A, device=device)
    with pytest.raises(
        IndexOutOfRangeError, match="getitem: index 3 is out of bounds for axis 0 with size 3"
    ):
        x[3]
    with pytest.raises(
        IndexOutOfRangeError, match="getitem: index -6 is out of bounds for axis 2 with size 5"
    ):
        x[0, 0, -6]
    with pytest.raises(IndexOutOfRangeError, match="index 4 is out of bounds for axis 1 with size 4"):
        x[:, [0, 4]]
    with pytest.raises(
        IndexOutOfRangeError, match="getitem: too many indices for a tensor of shape \\(3, 4, 5\\)"
    ):
        x[0, 0, 0, 0]
    with pytest.raises(IndexError):  # the built-in exception NumPy users catch
        x[[-4]]
    with pytest.raises(IndexOutOfRangeError, match=r"boolean index of shape \(4,\) does not match"):
        x[np.ones(4, dtype=bool)]
    with pytest.raises(IndexError, match=r"getitem: shapes \(2,\), \(3,\) cannot be broadcast"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexOutOfRangeError, match="setitem: index 5"):
        x[5] = 1.0


def test_wrong_index_types(device):
    x = gt.asarray(A, device=device)
    with pytest.raises(ArgumentTypeError, match="getitem: unsupported index of type float"):
        x[1.0]
    with pytest.raises(
        ArgumentTypeError, match="getitem: index tensors must be integer or bool, got gputensor.float32"
    ):
        x[gt.asarray([1.0], device=device)]
    with pytest.raises(ArgumentTypeError, match="slice bounds must be ints"):
        x[0.5:2]
    with pytest.raises(ArgumentTypeError, match="unsupported index of type str"):
        x["a"]
    with pytest.raises(ShapeError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="only one Ellipsis"):
        x[..., 0, ...]
    with pytest.raises(TypeError):
        x[{0}]


def test_errors_come_before_any_write(device):
    x = gt.zeros(4, device=device)
    with pytest.raises(IndexOutOfRangeError):
        x[[0, 1, 9]] = 5.0
    assert x.tolist() == [0.0] * 4
    with pytest.raises(ShapeError, match=r"setitem: .*\(3,\).*\(2,\)"):
        x[[0, 1]] = gt.ones(3, device=device)
    assert x.tolist() == [0.0] * 4


def test_index_on_other_device_and_value_on_other_device(device):
    other = second_device()
    x = gt.asarray(A, device=device)
    # an index tensor is small control data: it is moved to x's device
    np.testing.assert_array_equal(x[gt.asarray([0, 2], device=other)].numpy(), A[[0, 2]])
    with pytest.raises(DeviceError, match=r"setitem: .*cpu2:0"):
        x[0] = gt.ones((4, 5), device=other)


# --- setitem -----------------------------------------------------------------------------------

SET_CASES = [
    (0, 1.5),
    ((1, 2), np.arange(5.0)),
    (slice(None, None, 2), np.ones((2, 4, 5))),
    ((Ellipsis, 0), -1.0),
    ((slice(None), slice(3, 0, -1)), np.arange(5.0)),  # broadcast over a stepped view
    ([0, 2], np.arange(20.0).reshape(4, 5)),  # advanced, value broadcast
    ((slice(None), [0, 2], [1, 3]), np.array([7.0, 8.0])),  # adjacent placement
    (([0, 2], slice(None), [1, 3]), np.arange(8.0).reshape(2, 4)),  # non-adjacent placement
    ((0, slice(None), [1, 3]), np.arange(8.0).reshape(2, 4)),  # int + array, separated: first
    (A > 3.0, 0.0),  # mask with a scalar
    (A[:, :, 0] > 2.0, np.arange(5.0)),  # partial mask, broadcast rows
    ((slice(None), A[0] > 2.0), 9.0),
    ((1, np.array([True, False, True, True])), np.arange(15.0).reshape(3, 5)),
    ((None, 1), 2.0),
    (Ellipsis, 3.0),
    ((np.array([], dtype=np.int64),), 1.0),
    ((slice(None), [0, 1], Ellipsis, 0), np.arange(6.0).reshape(2, 3)),  # separated by an empty ...
]


@pytest.mark.parametrize(
    "key, value", SET_CASES, ids=lambda v: str(np.shape(v)) if isinstance(v, np.ndarray) else str(v)
)
def test_setitem_matches_numpy(key, value, device):
    for layout in LAYOUTS:
        expected = A.copy()
        expected[key] = value
        x = device_array(A.copy(), device, layout=layout)
        base = x._root
        x[key] = gt.asarray(value, device=device) if isinstance(value, np.ndarray) else value
        assert x._root is base
        np.testing.assert_array_equal(x.numpy(), expected, err_msg=f"{key} ({layout})")


def test_setitem_casts_to_target_dtype(device):
    x = gt.zeros(3, dtype=gt.int16, device=device)
    x[0] = 2.7
    x[1:] = gt.asarray([True, True], device=device)
    assert x.tolist() == [2, 1, 1]
    assert x.dtype is gt.int16
    h = gt.zeros(2, dtype=gt.bfloat16, device=device)
    h[:] = gt.asarray([1.0, 3.0], dtype=gt.float64, device=device)
    assert h.tolist() == [1.0, 3.0]


def test_setitem_through_view_writes_base(device):
    base = gt.zeros((3, 4), device=device)
    view = base.T[::2]
    view[1] = gt.asarray([1.0, 2.0, 3.0], device=device)
    view[[0], [2]] = 7.0
    expected = np.zeros((3, 4))
    expected.T[::2][1] = [1.0, 2.0, 3.0]
    expected.T[::2][[0], [2]] = 7.0
    np.testing.assert_array_equal(base.numpy(), expected)


def test_setitem_duplicates_last_write_wins_on_cpu():
    x = gt.zeros(3, device="cpu")
    x[[0, 0, 1]] = gt.asarray([1.0, 2.0, 3.0])
    assert x.tolist() == [2.0, 3.0, 0.0]


def test_setitem_gradients(device):
    def fn(x, v):
        y = x * 1.0
        y[1:, [0, 2]] = v * 2.0
        return y

    def ref(x, v):
        y = x.copy()
        y[1:, [0, 2]] = v * 2.0
        return y

    x = np.random.default_rng(1).uniform(-1, 1, (3, 4))
    v = np.random.default_rng(2).uniform(-1, 1, (2,))
    check_op(_fn("setitem", fn), ref, [x, v], device, dtypes=FLOATS, layouts=LAYOUTS)

    def masked(x, v):
        y = x * 1.0
        y[x > 0] = v
        return y

    def masked_ref(x, v):
        y = x.copy()
        y[x > 0] = v
        return y

    check_op(_fn("setitem", masked), masked_ref, [x, np.array(0.25)], device)


def test_fill_copy_and_zero(device):
    x = gt.ones((2, 2), device=device)
    x.fill_(3)
    assert x.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    x.zero_()
    assert x.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    x.copy_(gt.asarray([1.0, 2.0], device=device))
    assert x.tolist() == [[1.0, 2.0], [1.0, 2.0]]


# --- take, take_along_axis, slice_scatter -------------------------------------------------------


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_take(axis, device):
    idx = np.array([[0, 2], [-1, 1]])

    def ref(x):
        return np.take(x, idx, axis=axis)

    check_op(
        _fn("take", lambda x: gt.take(x, gt.asarray(idx, device=device), axis=axis)),
        ref,
        [A],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_take_errors(device):
    x = gt.asarray(A, device=device)
    with pytest.raises(IndexOutOfRangeError, match="take: index 3 is out of bounds for axis 0 with size 3"):
        gt.take(x, [3], axis=0)
    with pytest.raises(AxisError, match="take: axis 3"):
        gt.take(x, [0], axis=3)
    with pytest.raises(ArgumentTypeError, match="take: indices must be integers"):
        gt.take(x, gt.asarray([True], device=device), axis=0)
    with pytest.raises(ArgumentTypeError, match="take: index tensors must be integer"):
        gt.take(x, gt.asarray([0.0], device=device), axis=0)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_take_along_axis(axis, device):
    rng = np.random.default_rng(3)
    shape = list(A.shape)
    shape[axis] = 6
    idx = rng.integers(-A.shape[axis], A.shape[axis], size=shape)

    def ref(x):
        return np.take_along_axis(x, np.where(idx < 0, idx + A.shape[axis], idx), axis=axis)

    check_op(
        _fn("take_along_axis", lambda x: gt.take_along_axis(x, gt.asarray(idx, device=device), axis=axis)),
        ref,
        [A],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_take_along_axis_broadcasts_and_errors(device):
    x = gt.asarray(np.arange(12.0).reshape(3, 4), device=device)
    idx = gt.asarray([[3, 0]], device=device)
    np.testing.assert_array_equal(
        gt.take_along_axis(x, idx, axis=1).numpy(),
        np.take_along_axis(np.arange(12.0).reshape(3, 4), np.array([[3, 0]] * 3), axis=1),
    )
    with pytest.raises(ShapeError, match=r"take_along_axis: indices need 2 axes like x, got shape \(2,\)"):
        gt.take_along_axis(x, gt.asarray([0, 1], device=device), axis=1)
    with pytest.raises(IndexOutOfRangeError, match="out of bounds for axis 1 with size 4"):
        gt.take_along_axis(x, gt.asarray([[4]], device=device), axis=1)
    with pytest.raises(AxisError, match="take_along_axis: axis 2"):
        gt.take_along_axis(x, idx, axis=2)


def test_slice_scatter(device):
    def fn(base, src):
        return gt.slice_scatter(base, src, [1, 0], [3, 4], [1, 2])

    def ref(base, src):
        out = base.copy()
        out[1:3, 0:4:2] = src
        return out

    check_op(
        _fn("slice_scatter", fn),
        ref,
        [np.zeros((3, 4)) + 0.5, np.arange(4.0).reshape(2, 2)],
        device,
        layouts=LAYOUTS,
    )


# --- hypothesis: random keys against NumPy ------------------------------------------------------


@st.composite
def _keys(draw, shape):
    key = []
    axis = 0
    used_ellipsis = False
    while axis < len(shape):
        n = shape[axis]
        kind = draw(st.sampled_from(["int", "slice", "slice", "array", "mask", "none", "ellipsis", "stop"]))
        if kind == "stop":
            break
        if kind == "int" and n > 0:
            key.append(draw(st.integers(-n, n - 1)))
            axis += 1
        elif kind == "slice" or (kind == "int" and n == 0):
            start = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            step = draw(st.sampled_from([None, 1, 2, 3, -1, -2]))
            key.append(slice(start, stop, step))
            axis += 1
        elif kind == "array" and n > 0:
            size = draw(st.integers(0, 3))
            key.append(
                np.array(draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size)), dtype=np.int64)
            )
            axis += 1
        elif kind == "mask":
            key.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool))
            axis += 1
        elif kind == "none":
            key.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            key.append(Ellipsis)
            # what follows the Ellipsis indexes the last k axes
            k = draw(st.integers(0, len(shape) - axis))
            axis = len(shape) - k
    return tuple(key)


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=150, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple),
    data=st.data(),
    layout=st.sampled_from(LAYOUTS),
)
def test_getitem_setitem_random_keys(device_name, shape, data, layout):
    device = gt.device(device_name)
    key = data.draw(_keys(shape))
    a = np.arange(float(np.prod(shape))).reshape(shape)
    try:
        expected = a[key]
    except IndexError:
        with pytest.raises(IndexError):
            device_array(a, device, layout=layout)[key]
        return
    x = device_array(a, device, layout=layout)
    got = x[key]
    assert got.shape == expected.shape, key
    np.testing.assert_array_equal(got.numpy(), expected)
    # writes: a value of the selected shape, and a broadcast scalar
    value = -np.arange(float(expected.size)).reshape(expected.shape) - 1
    target = a.copy()
    target[key] = value
    x[key] = gt.asarray(value, device=device)
    if _distinct_positions(a, key):
        np.testing.assert_array_equal(x.numpy(), target)
    x[key] = 0.5
    target[key] = 0.5
    np.testing.assert_array_equal(x.numpy(), target)


def _distinct_positions(a, key):
    """With duplicate positions the winner of a write may differ between NumPy and a device."""
    ids = np.arange(a.size).reshape(a.shape)[key]
    return np.unique(ids).size == ids.size


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
    data=st.data(),
    layout=st.sampled_from(LAYOUTS),
    bcast=st.sets(st.integers(0, 2)),
)
def test_getitem_gradients_random_keys_and_broadcast_views(device_name, shape, data, layout, bcast):
    device = gt.device(device_name)
    key = data.draw(_keys(shape))
    a = broadcast_along(np.random.default_rng(0).uniform(-1, 1, shape), bcast)
    try:
        a[key]
    except IndexError:
        return
    check_op(
        _fn("getitem", lambda x: x[key]), lambda x: x[key], [a], device, layouts=(layout,), gradgrad=False
    )


def test_advanced_index_result_placement_examples(device):
    x = gt.zeros((5, 6, 7, 8), device=device)
    i = gt.zeros((2, 3), dtype=gt.int64, device=device)
    assert x[:, i, i].shape == (5, 2, 3, 8)  # adjacent: in place
    assert x[i, :, i].shape == (2, 3, 6, 8)  # separated by a slice: first
    assert x[:, i, :, i].shape == (2, 3, 5, 7)
    assert x[..., i].shape == (5, 6, 7, 2, 3)
    assert x[1, :, i].shape == (2, 3, 6, 8)  # the int counts as advanced
    assert x[:, 1, i].shape == (5, 2, 3, 8)
    assert_close(x[:, 1, i], np.zeros((5, 2, 3, 8)))
