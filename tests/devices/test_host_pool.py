"""The CPU backend's pool of large host buffers: reuse only when nothing views a buffer."""

from __future__ import annotations

import numpy as np

import gputensor as gt
from gputensor.devices.host_pool import HostPool

BIG = (256, 256)  # 512 KiB of float64, above the pool's threshold


def test_small_arrays_bypass_the_pool():
    pool = HostPool(min_bytes=1 << 16)
    a = pool.empty((4,), np.dtype(np.float32))
    assert a.shape == (4,) and a.dtype == np.float32 and a.flags.c_contiguous
    assert pool.stats()["pool_buffers"] == 0


def test_large_buffers_are_reused_once_free():
    pool = HostPool(min_bytes=1 << 16)
    a = pool.empty(BIG, np.dtype(np.float64))
    assert a.flags.c_contiguous and a.shape == BIG
    address = a.__array_interface__["data"][0]
    del a
    b = pool.empty(BIG, np.dtype(np.float64))
    assert b.__array_interface__["data"][0] == address
    stats = pool.stats()
    assert stats["pool_hits"] == 1 and stats["pool_misses"] == 1
    # the same byte size under another dtype and shape reuses it too
    del b
    c = pool.empty((512, 512), np.dtype(np.float16))
    assert c.__array_interface__["data"][0] == address and c.dtype == np.float16


def test_buffers_in_use_are_never_handed_out_twice():
    pool = HostPool(min_bytes=1 << 16)
    a = pool.empty(BIG, np.dtype(np.float64))
    view = a[::2].T  # only a view survives
    del a
    b = pool.empty(BIG, np.dtype(np.float64))
    assert not np.shares_memory(b, view)
    assert pool.stats()["pool_in_use_bytes"] == 2 * 8 * 256 * 256
    del view
    assert pool.stats()["pool_free_bytes"] == 8 * 256 * 256


def test_clear_drops_free_buffers_and_limit_is_respected():
    pool = HostPool(min_bytes=1 << 16, limit_bytes=600_000)
    a = pool.empty(BIG, np.dtype(np.float64))  # 524288 bytes, pooled
    b = pool.empty(BIG, np.dtype(np.float64))  # over the limit: plain allocation
    assert pool.stats()["pool_held_bytes"] == 524288
    assert not np.shares_memory(a, b)
    del a, b
    pool.clear()
    assert pool.stats()["pool_held_bytes"] == 0 and pool.stats()["pool_buffers"] == 0


def test_disabled_pool_allocates_fresh():
    pool = HostPool(enabled=False)
    a = pool.empty(BIG, np.dtype(np.float64))
    del a
    pool.empty(BIG, np.dtype(np.float64))
    assert pool.stats()["pool_buffers"] == 0 and pool.stats()["pool_enabled"] is False


def test_tensors_and_numpy_exports_keep_their_buffers():
    cpu = gt.device("cpu")
    x = gt.ones(BIG, dtype=gt.float64, device=cpu) * 3.0
    exported = x.numpy()
    del x
    for _ in range(3):
        y = gt.zeros(BIG, dtype=gt.float64, device=cpu) + 1.0
        assert not np.shares_memory(exported, y.numpy())
    assert np.all(exported == 3.0)
    stats = gt.memory_stats(cpu)
    assert stats["pool_held_bytes"] >= 8 * 256 * 256
    gt.empty_cache(cpu)
    assert gt.memory_stats(cpu)["pool_held_bytes"] <= stats["pool_held_bytes"]
