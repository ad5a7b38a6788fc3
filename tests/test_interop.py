"""DLPack exchange with NumPy and PyTorch: zero-copy both ways, every dtype incl. bfloat16."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor import dlpack_bf16

DTYPES = [gt.bool, gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8, gt.float16, gt.bfloat16,
          gt.float32, gt.float64]


def _sample(dtype):
    return gt.asarray(np.arange(12).reshape(3, 4) % 5, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_torch_reads_gputensor_without_copy(dtype):
    x = _sample(dtype)
    t = torch.from_dlpack(x)
    assert str(t.dtype).removeprefix("torch.") == dtype.name
    assert t.shape == x.shape
    np.testing.assert_array_equal(t.float().numpy(), x.astype(gt.float32).numpy())
    assert t.data_ptr() == x.numpy().__array_interface__["data"][0]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_gputensor_reads_torch_without_copy(dtype):
    t = torch.arange(12).reshape(3, 4).remainder(5).to(getattr(torch, dtype.name))
    x = gt.from_dlpack(t)
    assert x.dtype is dtype and x.shape == (3, 4)
    assert x.numpy().__array_interface__["data"][0] == t.data_ptr()
    np.testing.assert_array_equal(x.astype(gt.float32).numpy(), t.float().numpy())


def test_writes_show_through_both_ways():
    x = gt.zeros((2, 3), dtype=gt.bfloat16)
    t = torch.from_dlpack(x)
    t[1, 2] = 5.0
    assert x.tolist()[1][2] == 5.0
    s = torch.zeros(4, dtype=torch.bfloat16)
    y = gt.from_dlpack(s)
    s[0] = 3.0
    assert y.tolist()[0] == 3.0


def test_strided_views_keep_their_strides():
    x = gt.arange(12.0).reshape(3, 4).T[::2]
    t = torch.from_dlpack(x)
    np.testing.assert_array_equal(t.numpy(), x.numpy())
    tb = torch.arange(6, dtype=torch.bfloat16).reshape(2, 3).T
    xb = gt.from_dlpack(tb)
    assert xb.strides == (1, 3)
    tb[0, 1] = 42
    assert xb.tolist()[0][1] == 42.0


def test_numpy_roundtrip_and_device():
    x = gt.arange(5)
    a = np.from_dlpack(x)
    a[0] = 9
    assert x.tolist()[0] == 9
    assert x.__dlpack_device__() == (1, 0)
    y = gt.from_dlpack(np.arange(4.0))
    assert y.dtype is gt.float64 and y.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_exported_bfloat16_memory_lives_until_the_consumer_releases_it():
    x = gt.ones(1000, dtype=gt.bfloat16)
    before = len(dlpack_bf16._live)
    t = torch.from_dlpack(x)
    del x
    gc.collect()
    assert float(t.sum()) == 1000.0
    assert len(dlpack_bf16._live) == before + 1
    del t
    gc.collect()
    assert len(dlpack_bf16._live) == before
    capsule = gt.ones(3, dtype=gt.bfloat16).__dlpack__()
    assert len(dlpack_bf16._live) == before + 1
    del capsule
    gc.collect()
    assert len(dlpack_bf16._live) == before


def test_from_dlpack_rejects_objects_without_the_protocol():
    with pytest.raises(gt.errors.ArgumentTypeError, match="does not implement __dlpack__"):
        gt.from_dlpack([1, 2, 3])


def test_from_dlpack_copy_gives_independent_memory():
    t = torch.zeros(3, dtype=torch.bfloat16)
    x = gt.from_dlpack(t, copy=True)
    t[0] = 1
    assert x.tolist()[0] == 0.0
