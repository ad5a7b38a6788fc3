"""Creating tensors: asarray / tensor / from_numpy (dtype inference, sharing and copies),
filled tensors, ranges, eye, meshgrid, tril / triu, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, DeviceError, DTypeError, ShapeError
from tests.helpers import FLOATS, LAYOUTS, check_op


@pytest.mark.parametrize(
    "data, dtype",
    [
        ([1, 2], gt.int64),
        ([1.0, 2], gt.float32),
        ([[True], [False]], gt.bool),
        (3, gt.int64),
        (2.5, gt.float32),
        (True, gt.bool),
        ([], gt.float32),
        ([[1, 2.5], [3, 4]], gt.float32),
        ([True, 2], gt.int64),
        ((1, 2, 3), gt.int64),
        ([np.float64(1.5)], gt.float64),  # NumPy scalars are typed, as in NumPy and PyTorch
        ([np.int8(1), 2], gt.int8),
        ([np.int8(1), np.uint8(2)], gt.int16),
    ],
)
def test_asarray_infers_dtypes_from_python_data(data, dtype, device):
    t = gt.asarray(data, device=device)
    assert t.dtype is dtype
    assert t.device == device
    np.testing.assert_array_equal(t.numpy(), np.asarray(data).astype(dtype.np))


@pytest.mark.parametrize(
    "np_dtype",
    [
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.float16,
        np.float32,
        np.float64,
        "bfloat16",
    ],
)
def test_asarray_keeps_numpy_dtypes(np_dtype, device):
    from gputensor.dtypes import get_dtype

    a = np.array([[0, 1], [1, 0]]).astype(np_dtype)
    t = gt.asarray(a, device=device)
    assert t.dtype is get_dtype(a.dtype)
    assert t.dtype.np == a.dtype
    np.testing.assert_array_equal(t.numpy(), a)


def test_lists_of_tensors_keep_their_dtype(device):
    a = gt.asarray([1.1, 2.2], dtype=gt.float64, device=device)
    stacked = gt.asarray([a, a], device=device)
    assert stacked.dtype is gt.float64 and stacked.shape == (2, 2)
    np.testing.assert_array_equal(stacked.numpy(), [[1.1, 2.2], [1.1, 2.2]])
    assert gt.asarray([a[0], 2.5], device=device).dtype is gt.float64
    small = gt.asarray(3, dtype=gt.int8, device=device)
    assert gt.asarray([small, 4], device=device).dtype is gt.int8
    assert gt.asarray([small, 4.5], device=device).dtype is gt.float32
    half = gt.asarray(1.5, dtype=gt.float16, device=device)
    assert gt.tensor([small, half], device=device).dtype is gt.float16


def test_asarray_with_dtype_converts(device):
    t = gt.asarray([1, 2, 3], dtype=gt.float16, device=device)
    assert t.dtype is gt.float16 and t.tolist() == [1.0, 2.0, 3.0]
    t = gt.asarray(np.array([1.7, -1.2]), dtype="int32", device=device)
    assert t.tolist() == [1, -1]
    assert gt.asarray([0.5], dtype=gt.bfloat16, device=device).tolist() == [0.5]


def test_asarray_shares_numpy_memory_on_cpu_unless_copy():
    a = np.arange(4.0)
    shared = gt.asarray(a)
    copied = gt.asarray(a, copy=True)
    a[0] = 9.0
    assert shared.tolist() == [9.0, 1.0, 2.0, 3.0]
    assert copied.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(
        ValueError, match="asarray: converting gputensor.float64 to gputensor.float32 needs a copy"
    ):
        gt.asarray(a, dtype=gt.float32, copy=False)
    # non-contiguous and non-native arrays are converted correctly
    v = np.arange(12.0).reshape(3, 4)[::-1, ::2]
    np.testing.assert_array_equal(gt.asarray(v).numpy(), v)
    big_endian = np.arange(3, dtype=">i4")
    assert gt.asarray(big_endian).tolist() == [0, 1, 2]


def test_asarray_of_tensor(device):
    x = gt.asarray([1.0, 2.0], device=device)
    assert gt.asarray(x) is x
    y = gt.asarray(x, copy=True)
    x[0] = 5.0
    assert y.tolist() == [1.0, 2.0]
    assert gt.asarray(x, dtype=gt.float64).dtype is gt.float64
    with pytest.raises(ValueError, match="needs a copy"):
        gt.asarray(x, dtype=gt.float64, copy=False)


def test_asarray_from_other_libraries():
    assert gt.asarray(torch.arange(3)).tolist() == [0, 1, 2]
    assert gt.asarray(torch.tensor([1.5], dtype=torch.float64)).dtype is gt.float64
    assert gt.from_dlpack(np.arange(3.0)).tolist() == [0.0, 1.0, 2.0]
    assert gt.from_dlpack(torch.arange(3, dtype=torch.int16)).dtype is gt.int16
    t = torch.zeros(3)
    shared = gt.from_dlpack(t)
    t[1] = 4.0
    assert shared.tolist() == [0.0, 4.0, 0.0]
    back = torch.from_dlpack(gt.arange(3.0, dtype=gt.float32))
    assert back.tolist() == [0.0, 1.0, 2.0]
    assert np.from_dlpack(gt.arange(3)).tolist() == [0, 1, 2]


def test_asarray_errors(device):
    with pytest.raises(DTypeError, match="asarray: a value does not fit int8"):
        gt.asarray([300], dtype=gt.int8, device=device)
    with pytest.raises(DTypeError, match="int64"):
        gt.asarray([1, 2**70], device=device)
    with pytest.raises(ArgumentTypeError, match="cannot convert list to a tensor"):
        gt.asarray([[1, 2], [3]], device=device)
    with pytest.raises(DTypeError, match="asarray: unsupported dtype <U"):
        gt.asarray(np.array(["a"]), device=device)
    with pytest.raises(ArgumentTypeError, match="cannot convert an object of type dict"):
        gt.asarray([{}], device=device)
    with pytest.raises(DTypeError, match="unsupported dtype"):
        gt.asarray([1], dtype="complex64", device=device)
    with pytest.raises(DeviceError, match="cannot parse"):
        gt.asarray([1], device="gpu 0")
    with pytest.raises(DeviceError, match="unknown device type 'nosuch'"):
        gt.asarray([1], device="nosuch:0")


def test_tensor_copies_and_requires_grad(device):
    a = np.ones(2)
    t = gt.tensor(a, device=device, requires_grad=True)
    a[0] = 5
    assert t.tolist() == [1.0, 1.0]
    assert t.requires_grad and t.is_leaf
    u = gt.tensor(t)
    assert not u.requires_grad
    assert gt.Tensor([1, 2]).tolist() == [1, 2]
    with pytest.raises(ArgumentTypeError, match="Tensor: needs data"):
        gt.Tensor()


def test_from_numpy_shares_memory_both_ways():
    a = np.zeros((3, 4), np.float32)
    t = gt.from_numpy(a)
    a[0, 0] = 1.0
    t[1, 1] = 2.0
    assert t[0, 0].item() == 1.0
    assert a[1, 1] == 2.0
    v = gt.from_numpy(a[::2, 1::2])
    a[2, 1] = 7.0
    assert v.tolist() == [[0.0, 0.0], [7.0, 0.0]]
    with pytest.raises(ArgumentTypeError, match="from_numpy: expected a numpy.ndarray"):
        gt.from_numpy([1, 2])


@pytest.mark.parametrize("fn, value", [(gt.zeros, 0), (gt.ones, 1)])
def test_zeros_ones(fn, value, device):
    t = fn((2, 3), device=device)
    assert t.shape == (2, 3) and t.dtype is gt.float32 and t.device == device
    assert np.all(t.numpy() == value)
    assert fn(4, dtype=gt.int8, device=device).tolist() == [value] * 4
    assert fn((), device=device).shape == ()
    assert fn((0, 2), device=device).shape == (0, 2)


def test_full_empty_and_likes(device):
    assert gt.full((2,), 7, device=device).dtype is gt.int64
    assert gt.full((2,), 2.5, device=device).dtype is gt.float32
    assert gt.full((2,), True, device=device).dtype is gt.bool
    assert gt.full((2,), 2.5, dtype=gt.float16, device=device).tolist() == [2.5, 2.5]
    assert gt.full(2, gt.asarray(3.0, device=device), device=device).tolist() == [3.0, 3.0]
    assert gt.empty((2, 3), device=device).shape == (2, 3)
    x = gt.ones((2, 2), dtype=gt.int8, device=device)
    for fn in (gt.zeros_like, gt.ones_like, gt.empty_like):
        y = fn(x)
        assert y.shape == (2, 2) and y.dtype is gt.int8 and y.device == device
    assert gt.full_like(x, 5).tolist() == [[5, 5], [5, 5]]
    assert gt.full_like(x, 5, dtype=gt.float64).dtype is gt.float64
    assert gt.zeros_like([1.0, 2.0]).dtype is gt.float32


def test_creation_errors(device):
    with pytest.raises(ShapeError, match=r"full: negative dimension in shape \(-1, 2\)"):
        gt.zeros((-1, 2), device=device)
    with pytest.raises(ArgumentTypeError, match="empty: shape must be"):
        gt.empty((2.5,), device=device)
    with pytest.raises(ArgumentTypeError, match="shape must be"):
        gt.ones("3", device=device)
    with pytest.raises(
        DTypeError, match="full: fill value 2.5 is not an integer but dtype is gputensor.int8"
    ):
        gt.full((2,), 2.5, dtype=gt.int8, device=device)
    with pytest.raises(DTypeError, match="full: the Python int 300 does not fit gputensor.uint8"):
        gt.full((2,), 300, dtype=gt.uint8, device=device)
    with pytest.raises(DTypeError, match="unsupported dtype"):
        gt.zeros(2, dtype="uint32", device=device)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((5,), {}),
        ((2, 7), {}),
        ((5, 0, -2), {}),
        ((0, 1, 0.1), {}),
        ((2.5,), {}),
        ((-3, 3, 1.5), {}),
        ((10,), {"dtype": gt.float16}),
        ((0, 5), {"dtype": gt.uint8}),
        ((3, 3), {}),
        ((5, 1), {}),
        ((1, 2, 0.3), {"dtype": gt.float64}),
        ((0, -1, -0.25), {}),
    ],
)
def test_arange(args, kwargs, device):
    t = gt.arange(*args, device=device, **kwargs)
    np_kwargs = {"dtype": kwargs["dtype"].np} if kwargs else {}
    ref = np.arange(*args, **np_kwargs)
    assert t.shape == ref.shape
    expected_dtype = kwargs.get("dtype", gt.int64 if all(isinstance(a, int) for a in args) else gt.float32)
    assert t.dtype is expected_dtype
    np.testing.assert_allclose(t.numpy().astype(np.float64), ref.astype(np.float64), rtol=1e-6, atol=1e-6)


def test_arange_errors(device):
    with pytest.raises(ShapeError, match="arange: step must not be zero"):
        gt.arange(0, 5, 0, device=device)
    with pytest.raises(ArgumentTypeError, match="arange: start, stop and step must be numbers"):
        gt.arange("5", device=device)


@pytest.mark.parametrize("num, endpoint", [(5, True), (4, False), (1, True), (0, True), (7, False)])
def test_linspace(num, endpoint, device):
    for dtype in FLOATS:
        t = gt.linspace(-1.5, 2.0, num, endpoint=endpoint, dtype=dtype, device=device)
        assert t.dtype is dtype and t.device == device
        ref = np.linspace(-1.5, 2.0, num, endpoint=endpoint).astype(dtype.np)
        np.testing.assert_array_equal(t.numpy(), ref)
    with pytest.raises(DTypeError, match="linspace: needs a floating dtype"):
        gt.linspace(0, 1, 3, dtype=gt.int32)
    with pytest.raises(ShapeError, match="linspace: num must be non-negative"):
        gt.linspace(0, 1, -1)


@pytest.mark.parametrize("args, k", [((3,), 0), ((2, 4), 1), ((4, 2), -1), ((3, 3), 5), ((0,), 0)])
def test_eye(args, k, device):
    t = gt.eye(*args, k=k, device=device)
    assert t.dtype is gt.float32 and t.device == device
    np.testing.assert_array_equal(t.numpy(), np.eye(*args, k=k))
    assert gt.eye(2, dtype=gt.int8, device=device).dtype is gt.int8


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing, device):
    xs = [np.arange(2.0), np.arange(3.0) + 10, np.arange(4.0) * 2]
    for n in (1, 2, 3):
        grids = gt.meshgrid(*[gt.asarray(a, device=device) for a in xs[:n]], indexing=indexing)
        ref = np.meshgrid(*xs[:n], indexing=indexing)
        assert len(grids) == n
        for g, r in zip(grids, ref):
            np.testing.assert_array_equal(g.numpy(), r)
    assert gt.meshgrid() == []
    with pytest.raises(ShapeError, match="meshgrid: inputs must be 1-D"):
        gt.meshgrid(gt.ones((2, 2), device=device))
    with pytest.raises(ArgumentValueError, match="meshgrid: indexing must be"):
        gt.meshgrid(gt.ones(2, device=device), indexing="ji")


@pytest.mark.parametrize("k", [0, 1, -1, 3, -4])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu(name, k, device):
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 4))

    def fn(t):
        return getattr(gt, name)(t, k=k)

    fn.__name__ = name
    check_op(fn, lambda a: getattr(np, name)(a, k=k), [x], device, dtypes=FLOATS, layouts=LAYOUTS)
    ints = gt.asarray(np.arange(9).reshape(3, 3), device=device)
    out = getattr(gt, name)(ints, k=k)
    assert out.dtype is gt.int64
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(np.arange(9).reshape(3, 3), k=k))
    with pytest.raises(ShapeError, match=f"{name}: needs at least 2 axes"):
        getattr(gt, name)(gt.ones(3, device=device))


def test_default_device_context(device):
    with gt.device(device):
        for t in (
            gt.zeros(2),
            gt.ones(2),
            gt.arange(3),
            gt.asarray([1]),
            gt.full((1,), 2),
            gt.eye(2),
            gt.linspace(0, 1, 3),
            gt.empty(2),
        ):
            assert t.device == device
    assert gt.zeros(1, device=device.name).device == device
