"""Device memory on OpenCL: the buffer pool, its statistics, uploads and downloads, and
out-of-memory handling (free the pool, retry once, then a clear error)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import OutOfMemoryError

pytest.importorskip("pyopencl", reason="the OpenCL backend needs pyopencl")
from gputensor.devices.opencl import probe  # noqa: E402
from gputensor.devices.opencl.pool import bucket  # noqa: E402

USABLE = [info.name for info in probe.probe() if info.usable]
pytestmark = pytest.mark.skipif(not USABLE, reason="no usable OpenCL device")
MIB = 1 << 20


def _device(limit):
    return gt.device(USABLE[0], memory_limit=limit)


def test_buckets_round_up_by_at_most_a_sixteenth():
    assert bucket(1) == 256 and bucket(257) == 512
    for n in (MIB + 1, 3 * MIB + 5, 1000 * MIB + 7):
        assert n <= bucket(n) <= n * 17 // 16 + 1


def test_freed_buffers_are_reused_and_counted():
    dev = _device(64 * MIB)
    stats = dev.memory_stats()
    x = gt.zeros(1000, device=dev)
    in_use = dev.memory_stats()["bytes_in_use"]
    assert in_use >= stats["bytes_in_use"] + 4000
    del x
    gc.collect()
    after = dev.memory_stats()
    assert after["bytes_pooled"] >= 4000
    reuses = after["pool_reuses"]
    y = gt.ones(1000, device=dev)
    assert dev.memory_stats()["pool_reuses"] == reuses + 1
    assert y.sum().item() == 1000.0
    del y
    gc.collect()
    dev.empty_cache()
    assert dev.memory_stats()["bytes_pooled"] == 0


def test_large_and_small_uploads_round_trip():
    dev = _device(256 * MIB)
    for n in (0, 1, 7, 300_000, 700_000):
        a = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        t = gt.asarray(a, device=dev)
        np.testing.assert_array_equal(t.numpy(), a)
    view = gt.asarray(np.arange(24.0).reshape(2, 3, 4), device=dev)[:, ::2, 1:]
    np.testing.assert_array_equal(view.numpy(), np.arange(24.0).reshape(2, 3, 4)[:, ::2, 1:])


def test_a_full_pool_is_freed_before_failing():
    dev = _device(8 * MIB)
    held = [gt.empty((MIB // 4,), device=dev) for _ in range(6)]  # 6 MiB, then pooled
    del held
    gc.collect()
    assert dev.memory_stats()["bytes_pooled"] >= 6 * MIB
    x = gt.zeros((3 * MIB // 4,), device=dev)  # 3 MiB only fits once the pool is freed
    assert x.sum().item() == 0.0
    assert dev.memory_stats()["bytes_pooled"] < 6 * MIB


def test_out_of_memory_names_the_request_and_the_pool_state():
    dev = _device(4 * MIB)
    keep = gt.ones((MIB // 4,), device=dev)
    with pytest.raises(OutOfMemoryError) as info:
        gt.empty((2 * MIB,), device=dev)  # 8 MiB
    message = str(info.value)
    assert "8.0 MiB" in message and str(8 * MIB) in message
    assert "in use" in message and "pooled" in message and "retried" in message
    assert "limit 4.0 MiB" in message
    assert keep.sum().item() == MIB // 4


def test_a_request_beyond_the_device_memory_is_out_of_memory():
    dev = gt.device(USABLE[0])
    too_much = dev.backend.device.global_mem_size * 2
    with pytest.raises(OutOfMemoryError, match="out of memory allocating"):
        gt.empty((too_much // 4,), device=dev)
    assert isinstance(OutOfMemoryError("x"), MemoryError)
