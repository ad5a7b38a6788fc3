"""CUDA device memory and transfers: the pool and its statistics, uploads and downloads (small
ones direct, large ones through pinned staging memory), out-of-memory errors, DLPack, and
Philox streams bit-identical to the NumPy backend. Runs only where a GPU works."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import OutOfMemoryError
from tests.devices.cuda_gpu import USABLE, needs_gpu

pytestmark = needs_gpu
MIB = 1 << 20


@pytest.fixture
def cuda():
    return gt.device(USABLE[0])


def test_pool_statistics_and_empty_cache(cuda):
    before = cuda.memory_stats()["bytes_in_use"]
    x = gt.zeros(1_000_000, device=cuda)
    assert cuda.memory_stats()["bytes_in_use"] >= before + 4_000_000
    del x
    gc.collect()
    assert cuda.memory_stats()["bytes_pooled"] >= 4_000_000
    cuda.empty_cache()
    assert cuda.memory_stats()["bytes_pooled"] == 0


@pytest.mark.parametrize("n", [0, 1, 7, 300_000, 5_000_000, 20_000_001])
def test_small_and_pinned_transfers_round_trip(cuda, n):
    a = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    np.testing.assert_array_equal(gt.asarray(a, device=cuda).numpy(), a)


def test_strided_views_and_every_dtype_round_trip(cuda):
    view = gt.asarray(np.arange(24.0).reshape(2, 3, 4), device=cuda)[:, ::2, 1:]
    np.testing.assert_array_equal(view.numpy(), np.arange(24.0).reshape(2, 3, 4)[:, ::2, 1:])
    for dtype in gt.dtypes.ALL_DTYPES:
        a = (np.arange(50) % 7).astype(dtype.np)
        np.testing.assert_array_equal(gt.asarray(a, device=cuda).numpy(), a)


def test_out_of_memory_names_the_request_and_the_pool_state():
    dev = gt.device(USABLE[0], memory_limit=16 * MIB)
    keep = gt.ones((MIB,), device=dev)
    with pytest.raises(OutOfMemoryError) as info:
        gt.empty((8 * MIB,), device=dev)
    message = str(info.value)
    assert "out of memory allocating 32.0 MiB" in message and "pooled" in message and "retried" in message
    assert keep.sum().item() == MIB


def test_dlpack_exports_to_cupy_and_torch_without_copies(cuda):
    import cupy as cp

    x = gt.arange(12.0, device=cuda).reshape(3, 4)[:, 1:]
    y = cp.from_dlpack(x)
    np.testing.assert_array_equal(cp.asnumpy(y), x.numpy())
    assert x.__dlpack_device__() == (2, cuda.index)
    import torch  # a test dependency; the GPU image has it with CUDA

    np.testing.assert_array_equal(torch.from_dlpack(x).cpu().numpy(), x.numpy())
    back = cuda.backend.from_dlpack(cp.arange(5, dtype=cp.float32))
    np.testing.assert_array_equal(cuda.backend.to_host(back), np.arange(5, dtype=np.float32))


KEYS = [(0, 0), (1234, 5678), (0xFFFFFFFF, 0x9E3779B9)]
COUNTERS = [0, 7, 2**32 - 3, 2**64 - 2]


def _both(kind, shape, dtype, key, counter, low=0, high=1):
    dev = gt.device(USABLE[0]).backend
    cpu = gt.device("cpu").backend
    return dev.to_host(dev.random(kind, shape, dtype, key, counter, low, high)), cpu.random(
        kind, shape, dtype, key, counter, low, high
    )


@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.float16, gt.bfloat16])
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("counter", COUNTERS)
def test_uniform_is_bit_identical(dtype, key, counter):
    got, want = _both("uniform", (3, 67), dtype, key, counter)
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize(
    "dtype,low,high",
    [
        (gt.int64, 0, 10),
        (gt.int64, -(2**62), 2**62),
        (gt.int32, -5, 1000),
        (gt.int8, -128, 128),
        (gt.uint8, 0, 256),
        (gt.int16, 3, 4),
    ],
)
@pytest.mark.parametrize("counter", COUNTERS)
def test_integers_are_bit_identical(dtype, low, high, counter):
    got, want = _both("integers", (101,), dtype, (99, 1), counter, low, high)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.float16, gt.bfloat16])
def test_normals_match_to_rounding(dtype):
    got, want = _both("normal", (1001,), dtype, (5, 6), 2**32 - 1)
    rtol = {gt.float64: 1e-13, gt.float32: 2.4e-7, gt.float16: 9.8e-4, gt.bfloat16: 7.9e-3}[dtype]
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=rtol)
