"""The Tensor object: properties, conversions (numpy, item, tolist, __array__ with NumPy 2's
copy=), printing, transposes, the Python protocols (len, iter, bool, int, index, hash,
pickle) and the array API hooks."""

from __future__ import annotations

import operator
import pickle

import ml_dtypes
import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ShapeError


def test_properties(device):
    x = gt.zeros((2, 3, 4), dtype=gt.int16, device=device)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple)
    assert x.ndim == 3 and x.size == 24 and x.numel() == 24 and x.dim() == 3
    assert x.dtype is gt.int16 and x.device == device
    assert x.strides == (12, 4, 1) and x.offset == 0 and x.is_contiguous
    v = x[1, ::2, ::-1]
    assert v.shape == (2, 4) and v.strides == (8, -1) and v.offset == 12 + 3
    assert not v.is_contiguous
    assert gt.zeros((3, 1), device=device).T.is_contiguous  # size-1 axes do not matter
    assert gt.asarray(1.0, device=device).shape == () and gt.asarray(1.0, device=device).size == 1
    assert gt.zeros((2, 0), device=device).size == 0


def test_numpy_shares_memory_on_the_cpu():
    x = gt.asarray([[1.0, 2.0], [3.0, 4.0]])
    a = x.numpy()
    a[0, 0] = 9.0
    assert x[0, 0].item() == 9.0
    v = x.T.numpy()
    assert v.shape == (2, 2) and v[0, 1] == 3.0
    assert x.numpy().dtype == np.float32
    assert gt.ones(2, dtype=gt.bfloat16).numpy().dtype == ml_dtypes.bfloat16


def test_array_protocol_with_numpy2_copy_keyword(device):
    x = gt.asarray([[1.0, 2.0], [3.0, 4.0]], device=device)
    a = np.asarray(x)
    assert a.dtype == np.float32 and a.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    c = np.array(x, copy=True)
    c[0, 0] = -1.0
    assert x[0, 0].item() == 1.0
    d = np.asarray(x, dtype=np.float64)
    assert d.dtype == np.float64
    if device.backend.host_memory:
        shared = np.asarray(x, copy=False)
        shared[1, 1] = 7.0
        assert x[1, 1].item() == 7.0
        assert np.asarray(x, dtype=np.float32, copy=False).dtype == np.float32
    else:
        with pytest.raises(ValueError, match="cannot be viewed without a copy"):
            np.asarray(x, copy=False)
    with pytest.raises(ValueError, match="__array__: converting gputensor.float32 to float64 needs a copy"):
        np.asarray(x, dtype=np.float64, copy=False)
    # NumPy functions accept tensors
    assert np.sum(np.asarray(x)) == float(gt.sum(x).item())


def test_item(device):
    assert gt.asarray(2.5, device=device).item() == 2.5
    assert type(gt.asarray(2.5, device=device).item()) is float
    assert type(gt.asarray([[3]], device=device).item()) is int
    assert type(gt.asarray(True, device=device).item()) is bool
    b = gt.asarray([1.5], dtype=gt.bfloat16, device=device).item()
    assert type(b) is float and b == 1.5
    with pytest.raises(
        ShapeError, match=r"item: only one-element tensors convert to a Python scalar, got shape \(2,\)"
    ):
        gt.ones(2, device=device).item()


def test_tolist(device):
    assert gt.asarray([[1, 2], [3, 4]], device=device).tolist() == [[1, 2], [3, 4]]
    out = gt.asarray([0.5, 1.5], dtype=gt.bfloat16, device=device).tolist()
    assert out == [0.5, 1.5] and all(type(v) is float for v in out)
    assert gt.asarray(2, device=device).tolist() == 2
    assert gt.zeros((2, 0), device=device).tolist() == [[], []]
    assert gt.asarray([True, False], device=device).tolist() == [True, False]


def test_repr_and_str_show_device_and_dtype(device):
    r = repr(gt.asarray([1, 2], dtype=gt.int8, device=device))
    assert r == f"tensor([1, 2], device='{device}', dtype=int8)"
    assert f"device='{device}'" in str(gt.ones(2, device=device))
    assert "dtype=bfloat16" in repr(gt.ones(2, dtype=gt.bfloat16, device=device))
    w = gt.ones(2, device=device).requires_grad_()
    assert repr(w).endswith("requires_grad=True)")
    assert repr(w * 2).endswith("grad_fn=<multiply>)")
    assert repr(gt.asarray(3.5, device=device)) == f"tensor(3.5, device='{device}', dtype=float32)"
    big = repr(gt.zeros(1000, device=device))
    assert "..." in big and len(big) < 400


def test_transposes(device):
    m = gt.asarray(np.arange(6.0).reshape(2, 3), device=device)
    np.testing.assert_array_equal(m.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    v = gt.arange(3, device=device)
    assert v.T.tolist() == [0, 1, 2]
    assert gt.asarray(1.0, device=device).T.shape == ()
    b = gt.asarray(np.arange(24.0).reshape(2, 3, 4), device=device)
    np.testing.assert_array_equal(b.mT.numpy(), np.swapaxes(np.arange(24.0).reshape(2, 3, 4), -1, -2))
    with pytest.raises(
        ShapeError, match=r"T: defined for tensors with at most 2 axes, got shape \(2, 3, 4\); use x.mT"
    ):
        _ = b.T
    with pytest.raises(ShapeError, match="matrix_transpose"):
        _ = v.mT


def test_len_iter_bool(device):
    x = gt.asarray([[1, 2], [3, 4], [5, 6]], device=device)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [3, 4]
    assert [r.tolist() for r in gt.zeros((0, 2), device=device)] == []
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(gt.asarray(1, device=device))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(gt.asarray(1, device=device)).__next__()
    assert bool(gt.asarray(1, device=device)) and not bool(gt.asarray([0.0], device=device))
    with pytest.raises(ShapeError, match="bool: the truth value of a tensor with 2 elements is ambiguous"):
        bool(gt.ones(2, device=device))
    with pytest.raises(ValueError):
        if gt.ones(2, device=device):
            pass


def test_scalar_conversions(device):
    assert float(gt.asarray([2.5], device=device)) == 2.5
    assert int(gt.asarray(3.9, device=device)) == 3
    assert operator.index(gt.asarray(3, device=device)) == 3
    assert [10, 20, 30][gt.asarray(2, device=device)] == 30
    with pytest.raises(ArgumentTypeError, match="__index__: only 0-d integer tensors"):
        operator.index(gt.asarray(3.0, device=device))
    with pytest.raises(ArgumentTypeError, match="__index__"):
        operator.index(gt.asarray([3], device=device))


def test_hash_equality_and_containers(device):
    x = gt.ones(2, device=device)
    y = gt.ones(2, device=device)
    assert len({x, y}) == 2
    assert (x == y).tolist() == [True, True]  # == is elementwise
    assert (x == None) is False  # noqa: E711  (Python's default for unrelated objects)
    assert (x != "a") is True


def test_pickle_roundtrip(device):
    x = gt.asarray([[1.5, 2.0]], dtype=gt.bfloat16, device=device)
    y = pickle.loads(pickle.dumps(x))
    assert y.dtype is gt.bfloat16 and y.device == device and y.tolist() == [[1.5, 2.0]]
    v = gt.asarray(np.arange(6).reshape(2, 3), device=device).T
    assert pickle.loads(pickle.dumps(v)).tolist() == v.tolist()


def test_array_api_hooks(device):
    x = gt.ones(2, device=device)
    assert x.__array_namespace__() is gt
    assert x.__array_namespace__(api_version="2024.12") is gt
    with pytest.raises(ValueError, match="unsupported array API version '1999.01'"):
        x.__array_namespace__(api_version="1999.01")
    assert gt.__array_api_version__ == "2024.12"
    info = gt.__array_namespace_info__()
    assert info.default_dtypes()["real floating"] is gt.float32
    assert info.default_dtypes()["integral"] is gt.int64
    assert set(info.dtypes(kind="real floating")) >= {"float32", "float16"}
    assert gt.device("cpu") in info.devices()


def test_constants():
    assert gt.pi == np.pi and gt.e == np.e
    assert gt.inf == np.inf and np.isnan(gt.nan)
    assert gt.newaxis is None


def test_tensor_constructor_and_grad_attribute(device):
    t = gt.Tensor([[1, 2]], dtype=gt.float64, device=device)
    assert t.dtype is gt.float64 and t.device == device
    assert t.grad is None
    t.grad = gt.ones((1, 2), device=device)
    assert t.grad.tolist() == [[1.0, 1.0]]
