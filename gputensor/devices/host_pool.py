"""A pool of large host buffers for the CPU backend.

Fresh large allocations cost page faults every time (glibc returns big blocks to the kernel when
they are freed), which is a third of a small MLP's training step in plain NumPy. The pool keeps
every buffer of at least ``min_bytes`` it hands out and gives it out again once nothing views it
any more. "Nothing views it" is read from the buffer's reference count: each array handed out
is a view whose ``base`` is the pooled buffer, so the count drops back to the pool's own
references when the last tensor (or NumPy array obtained from one) dies. No finalizers, no
explicit frees, and a buffer the user still holds through ``Tensor.numpy()`` is never reused.
"""

from __future__ import annotations

import math
import sys

import numpy as np

# getrefcount(buf) for a buffer only the pool holds: the list slot, the loop variable and the
# call's own argument.
_FREE_REFCOUNT = 3


class HostPool:
    """Hands out C-contiguous arrays; large ones come from reusable pooled buffers."""

    def __init__(self, enabled: bool = True, min_bytes: int = 1 << 16, limit_bytes: int = 4 << 30):
        self.enabled = enabled
        self.min_bytes = min_bytes
        self.min_items = min_bytes // 8 if enabled else 1 << 62
        self.limit_bytes = limit_bytes
        self._slots: dict[int, list[np.ndarray]] = {}
        self.held_bytes = 0
        self.hits = 0
        self.misses = 0

    def empty(self, shape, np_dtype) -> np.ndarray:
        """An uninitialized C-contiguous array of ``shape`` and ``np_dtype``."""
        nbytes = math.prod(shape) * np_dtype.itemsize
        if nbytes < self.min_bytes or not self.enabled:
            return np.empty(shape, np_dtype)
        return self._take(nbytes).view(np_dtype).reshape(shape)

    def _take(self, nbytes: int) -> np.ndarray:
        slot = self._slots.get(nbytes)
        if slot is None:
            slot = self._slots[nbytes] = []
        for buf in slot:
            if sys.getrefcount(buf) <= _FREE_REFCOUNT:
                self.hits += 1
                return buf
        self.misses += 1
        if self.held_bytes + nbytes > self.limit_bytes:
            self.clear()
            if self.held_bytes + nbytes > self.limit_bytes:
                return np.empty(nbytes, np.uint8)
        buf = np.empty(nbytes, np.uint8)
        slot.append(buf)
        self.held_bytes += nbytes
        return buf

    def clear(self) -> None:
        """Drop every pooled buffer that no array uses (``empty_cache``)."""
        for nbytes, slot in list(self._slots.items()):
            keep = [buf for buf in slot if sys.getrefcount(buf) > _FREE_REFCOUNT]
            self.held_bytes -= nbytes * (len(slot) - len(keep))
            if keep:
                self._slots[nbytes] = keep
            else:
                del self._slots[nbytes]

    def stats(self) -> dict:
        """Pool statistics in bytes and counts."""
        in_use = 0
        buffers = 0
        for nbytes, slot in self._slots.items():
            buffers += len(slot)
            in_use += nbytes * sum(1 for buf in slot if sys.getrefcount(buf) > _FREE_REFCOUNT)
        return {
            "pool_held_bytes": self.held_bytes,
            "pool_in_use_bytes": in_use,
            "pool_free_bytes": self.held_bytes - in_use,
            "pool_buffers": buffers,
            "pool_hits": self.hits,
            "pool_misses": self.misses,
            "pool_min_bytes": self.min_bytes,
            "pool_enabled": self.enabled,
        }
