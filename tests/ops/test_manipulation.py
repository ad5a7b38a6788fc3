"""Joining, splitting, repeating and padding: concat, stack, unstack, split, flatten, tile,
repeat, roll, pad (every mode), diff."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, AxisError, DeviceError, ShapeError
from tests.conftest import DEVICES
from tests.helpers import FLOATS, LAYOUTS, check_op, second_device

RNG = np.random.default_rng(11)
A = RNG.uniform(-1, 1, (2, 3))
B = RNG.uniform(-1, 1, (2, 4))
C = RNG.uniform(-1, 1, (2, 1))


def _fn(name, f):
    f.__name__ = name
    return f


def test_concat(device):
    check_op(
        _fn("concat", lambda a, b, c: gt.concat([a, b, c], axis=1)),
        lambda a, b, c: np.concatenate([a, b, c], axis=1),
        [A, B, C],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )
    check_op(
        _fn("concat", lambda a, b: gt.concat((a, b), axis=-2)),
        lambda a, b: np.concatenate([a, b], axis=0),
        [A, A[:1]],
        device,
    )
    check_op(
        _fn("concat", lambda a, b: gt.concat([a, b], axis=None)),
        lambda a, b: np.concatenate([a, b], axis=None),
        [A, B],
        device,
        layouts=LAYOUTS,
    )


def test_concat_promotes_and_handles_empty(device):
    a = gt.asarray([1, 2], dtype=gt.int8, device=device)
    b = gt.asarray([3.5], dtype=gt.float16, device=device)
    out = gt.concat([a, b])
    assert out.dtype is gt.float16
    assert out.tolist() == [1.0, 2.0, 3.5]
    e = gt.zeros((0, 3), device=device)
    assert gt.concat([e, gt.ones((2, 3), device=device), e]).shape == (2, 3)
    # a gradient flows to each piece in its own dtype
    x = gt.ones(2, dtype=gt.float32, device=device).requires_grad_()
    y = gt.ones(1, dtype=gt.float64, device=device).requires_grad_()
    (gt.concat([x, y]) * 3).sum().backward()
    assert x.grad.dtype is gt.float32 and x.grad.tolist() == [3.0, 3.0]
    assert y.grad.dtype is gt.float64


def test_concat_errors(device):
    a = gt.ones((2, 3), device=device)
    with pytest.raises(ShapeError, match=r"concat: shapes \(2, 3\), \(3, 3\) differ outside axis 1"):
        gt.concat([a, gt.ones((3, 3), device=device)], axis=1)
    with pytest.raises(ShapeError, match="concat"):
        gt.concat([a, gt.ones(3, device=device)])
    with pytest.raises(AxisError, match="concat: axis 2"):
        gt.concat([a, a], axis=2)
    with pytest.raises(ShapeError, match="zero-dimensional"):
        gt.concat([gt.asarray(1.0, device=device)])
    with pytest.raises(ArgumentTypeError, match="concat: expected a list or tuple"):
        gt.concat(a)
    with pytest.raises(ShapeError, match="at least one"):
        gt.concat([])
    with pytest.raises(DeviceError, match=r"concat: .*cpu2:0"):
        gt.concat([a, gt.ones((2, 3), device=second_device())])


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack(axis, device):
    check_op(
        _fn("stack", lambda a, b: gt.stack([a, b], axis=axis)),
        lambda a, b: np.stack([a, b], axis=axis),
        [A, A * 2],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_stack_errors(device):
    with pytest.raises(ShapeError, match=r"stack: all tensors need the same shape, got \(2,\), \(3,\)"):
        gt.stack([gt.ones(2, device=device), gt.ones(3, device=device)])
    with pytest.raises(AxisError, match="stack"):
        gt.stack([gt.ones(2, device=device)], axis=2)
    with pytest.raises(ArgumentTypeError, match="stack"):
        gt.stack([])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(axis, device):
    check_op(
        _fn("unstack", lambda a: gt.unstack(a, axis=axis)),
        lambda a: [np.take(a, i, axis=axis) for i in range(a.shape[axis])],
        [A],
        device,
        layouts=LAYOUTS,
    )


@pytest.mark.parametrize("spec", [2, 4, [1, 3], [0, 2, 2, 4], [5], [-1]], ids=str)
def test_split(spec, device):
    x = RNG.uniform(-1, 1, (3, 4))
    check_op(
        _fn("split", lambda a: gt.split(a, spec, axis=1)), lambda a: np.split(a, spec, axis=1), [x], device
    )


def test_split_errors(device):
    with pytest.raises(ShapeError, match="split: axis 1 of size 4 cannot be split into 3 equal sections"):
        gt.split(gt.ones((2, 4), device=device), 3, axis=1)


@pytest.mark.parametrize("start, end", [(0, -1), (1, 2), (0, 0), (-2, -1)])
def test_flatten(start, end, device):
    x = RNG.uniform(-1, 1, (2, 3, 4))

    def ref(a):
        s, e = start % 3, end % 3
        return a.reshape(a.shape[:s] + (-1,) + a.shape[e + 1 :])

    check_op(_fn("flatten", lambda a: gt.flatten(a, start, end)), ref, [x], device, layouts=LAYOUTS)
    assert gt.flatten(gt.asarray(2.0, device=device)).shape == (1,)


@pytest.mark.parametrize("reps", [2, (2,), (2, 1), (1, 3), (2, 1, 2), (0, 2)], ids=str)
def test_tile(reps, device):
    check_op(
        _fn("tile", lambda a: gt.tile(a, reps)),
        lambda a: np.tile(a, reps),
        [A],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )
    ints = gt.asarray([[1, 2]], device=device)
    np.testing.assert_array_equal(gt.tile(ints, reps).numpy(), np.tile([[1, 2]], reps))


def test_tile_errors(device):
    with pytest.raises(ShapeError, match="tile: repetitions must be non-negative"):
        gt.tile(gt.ones(2, device=device), (-1,))


@pytest.mark.parametrize(
    "repeats, axis", [(2, None), (3, 0), (2, 1), ([1, 0, 2], 1), ([2], 0), (0, 1), ([3, 1], 0)], ids=str
)
def test_repeat(repeats, axis, device):
    check_op(
        _fn("repeat", lambda a: gt.repeat(a, repeats, axis=axis)),
        lambda a: np.repeat(a, repeats, axis=axis),
        [A],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_repeat_with_tensor_counts_and_errors(device):
    x = gt.asarray([1, 2, 3], device=device)
    assert gt.repeat(x, gt.asarray([0, 1, 2], device=device)).tolist() == [2, 3, 3]
    assert x.repeat(2).tolist() == [1, 1, 2, 2, 3, 3]
    with pytest.raises(ShapeError, match="repeat: repeats must be non-negative"):
        gt.repeat(x, -1)
    with pytest.raises(ShapeError, match="repeat"):
        gt.repeat(x, [1, 2])
    with pytest.raises(AxisError, match="repeat: axis 1"):
        gt.repeat(x, 2, axis=1)


@pytest.mark.parametrize(
    "shift, axis",
    [(1, None), (-2, None), (1, 0), (2, 1), (5, 1), ((1, -1), (0, 1)), (1, (0, 1)), (0, 1)],
    ids=str,
)
def test_roll(shift, axis, device):
    check_op(
        _fn("roll", lambda a: gt.roll(a, shift, axis=axis)),
        lambda a: np.roll(a, shift, axis=axis),
        [A],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_roll_errors(device):
    with pytest.raises(AxisError, match="roll"):
        gt.roll(gt.ones((2, 2), device=device), 1, axis=2)
    with pytest.raises(ShapeError, match="roll: 2 shifts for 3 axes"):
        gt.roll(gt.ones((2, 2, 2), device=device), (1, 2), axis=(0, 1, 2))


PAD_WIDTHS = [1, (1, 2), ((0, 1), (2, 0)), ((2, 2), (1, 3)), ((4, 5), (3, 7)), 0, (2,), ((1,), (3,))]


@pytest.mark.parametrize("width", PAD_WIDTHS, ids=str)
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "wrap", "symmetric"])
def test_pad_modes(mode, width, device):
    x = RNG.uniform(-1, 1, (3, 4))
    check_op(
        _fn("pad", lambda a: gt.pad(a, width, mode=mode)),
        lambda a: np.pad(a, width, mode=mode),
        [x],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_pad_constant_values_and_dtypes(device):
    x = gt.asarray([[1, 2], [3, 4]], dtype=gt.int16, device=device)
    out = gt.pad(x, ((1, 0), (0, 2)), constant_values=9)
    assert out.dtype is gt.int16
    np.testing.assert_array_equal(out.numpy(), np.pad(x.numpy(), ((1, 0), (0, 2)), constant_values=9))
    f = gt.pad(gt.ones(2, device=device), 1, constant_values=-0.5)
    assert f.tolist() == [-0.5, 1.0, 1.0, -0.5]
    # size-1 axes reflect to themselves, as NumPy
    np.testing.assert_array_equal(
        gt.pad(gt.asarray([[5.0]], device=device), 2, mode="reflect").numpy(),
        np.pad([[5.0]], 2, mode="reflect"),
    )


def test_pad_errors(device):
    x = gt.ones((2, 3), device=device)
    with pytest.raises(
        ArgumentValueError,
        match="pad: unknown mode 'mirror'; expected 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'",
    ):
        gt.pad(x, 1, mode="mirror")
    with pytest.raises(ShapeError, match=r"pad: pad_width must be non-negative"):
        gt.pad(x, -1)
    with pytest.raises(ShapeError, match="pad"):
        gt.pad(x, ((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ShapeError, match="pad: cannot pad an empty axis"):
        gt.pad(gt.ones((0, 2), device=device), 1, mode="edge")


@pytest.mark.parametrize("n, axis", [(1, -1), (2, 1), (1, 0), (0, 1), (3, 1)])
def test_diff(n, axis, device):
    x = RNG.uniform(-1, 1, (3, 4))
    check_op(
        _fn("diff", lambda a: gt.diff(a, n=n, axis=axis)),
        lambda a: np.diff(a, n=n, axis=axis),
        [x],
        device,
        dtypes=FLOATS,
        layouts=LAYOUTS,
    )


def test_diff_scalar_prepend_append(device):
    a = np.arange(12.0).reshape(3, 4) ** 2
    check_op(
        _fn("diff", lambda x: gt.diff(x, axis=0, prepend=-1.0, append=50.0)),
        lambda x: np.diff(x, axis=0, prepend=-1.0, append=50.0),
        [a],
        device,
    )


def test_diff_prepend_append_and_ints(device):
    x = gt.asarray([[1, 4, 9]], device=device)
    np.testing.assert_array_equal(
        gt.diff(x, prepend=gt.asarray([[0]], device=device)).numpy(), np.diff([[1, 4, 9]], prepend=[[0]])
    )
    np.testing.assert_array_equal(
        gt.diff(x, append=gt.asarray([[16]], device=device), n=2).numpy(),
        np.diff([[1, 4, 9]], append=[[16]], n=2),
    )
    assert gt.diff(x).dtype is gt.int64
    with pytest.raises(AxisError, match="diff"):
        gt.diff(x, axis=2)


@pytest.mark.parametrize("device_name", DEVICES)
@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple),
    data=st.data(),
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**16),
)
def test_concat_random(device_name, shape, data, layout, seed):
    device = gt.device(device_name)
    rng = np.random.default_rng(seed)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    arrays = []
    for n in sizes:
        s = list(shape)
        s[axis] = n
        arrays.append(rng.uniform(-1, 1, tuple(s)))
    check_op(
        _fn("concat", lambda *xs: gt.concat(list(xs), axis=axis)),
        lambda *xs: np.concatenate(xs, axis=axis),
        arrays,
        device,
        layouts=(layout,),
        gradgrad=False,
    )
