"""The device buffer pool: freed buffers wait, keyed by their rounded size, for the next
allocation of that size, so a training loop stops asking the driver for memory after its first
step. Running out of memory frees the pool and retries once before raising."""

from __future__ import annotations

import threading

import pyopencl as cl

from ...errors import OutOfMemoryError
from .array import Block

_READ_WRITE = cl.mem_flags.READ_WRITE

_FINE = 1 << 20


def bucket(nbytes: int) -> int:
    """The pooled size for a request: 256-byte steps up to 1 MiB, then steps of 1/16 of the
    size's power of two (at most 6% unused)."""
    if nbytes <= _FINE:
        return ((nbytes + 255) & ~255) or 256
    step = 1 << (nbytes.bit_length() - 5)
    return (nbytes + step - 1) // step * step


def _human(nbytes: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if nbytes < 1024 or unit == "GiB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{nbytes} B"
        nbytes /= 1024
    return f"{nbytes} B"


class BufferPool:
    """Buffers of one context. ``limit`` caps the bytes in use plus pooled (the device's
    global memory unless a smaller ``memory_limit`` was asked for)."""

    def __init__(self, context, device_name: str, limit: int, max_alloc: int):
        self.context = context
        self.device_name = device_name
        self.limit = int(limit)
        self.max_alloc = int(max_alloc)
        self._free: dict[int, list] = {}
        self.in_use = 0
        self.pooled = 0
        self.peak = 0
        self.allocations = 0
        self.reuses = 0
        # buffers come back from finalizers, which may run on any thread
        self.lock = threading.RLock()

    def block(self, nbytes: int) -> Block:
        """A :class:`Block` of at least ``nbytes`` bytes (``bucket(nbytes)``), from the pool
        when a freed one of that size waits there."""
        size = bucket(nbytes)
        with self.lock:
            stack = self._free.get(size)
            if stack:
                self.pooled -= size
                self.reuses += 1
                self.in_use += size
                if self.in_use > self.peak:
                    self.peak = self.in_use
                return Block(stack.pop(), size, self)
            buffer = self._create(size, nbytes, lambda: cl.Buffer(self.context, _READ_WRITE, size))
        return Block(buffer, size, self)

    def adopt(self, size: int, make):
        """Account for a buffer of ``size`` bytes that ``make()`` creates (uploads)."""
        with self.lock:
            return self._create(size, size, make)

    def release(self, buffer, size: int) -> None:
        """Give a buffer back (called when the last array using it goes away)."""
        with self.lock:
            self.in_use -= size
            self.pooled += size
            self._free.setdefault(size, []).append(buffer)

    def empty(self) -> None:
        """Release every pooled buffer to the driver."""
        with self.lock:
            self._free.clear()
            self.pooled = 0

    def stats(self) -> dict:
        return {
            "bytes_in_use": self.in_use,
            "bytes_pooled": self.pooled,
            "peak_bytes_in_use": self.peak,
            "allocations": self.allocations,
            "pool_reuses": self.reuses,
            "limit_bytes": self.limit,
        }

    def _count(self, size: int) -> None:
        self.in_use += size
        self.peak = max(self.peak, self.in_use)

    def _create(self, size: int, requested: int, make):
        pooled = self.pooled
        if self.in_use + self.pooled + size > self.limit:
            self.empty()
        for attempt in (0, 1):
            if size <= self.max_alloc and self.in_use + size <= self.limit:
                try:
                    buffer = make()
                except (cl.MemoryError, cl.LogicError, cl.RuntimeError) as exc:
                    if attempt:
                        raise self.out_of_memory(requested, pooled, str(exc)) from exc
                    self.empty()
                    continue
                self.allocations += 1
                self._count(size)
                return buffer
            self.empty()
        raise self.out_of_memory(requested, pooled)

    def out_of_memory(self, requested: int, pooled: int, driver: str = "") -> OutOfMemoryError:
        """The error for a request that failed after the pool was freed and it was retried."""
        why = f"; the driver said: {driver}" if driver else ""
        return OutOfMemoryError(
            f"{self.device_name}: out of memory allocating {_human(requested)} ({requested} bytes); "
            f"pool state: {_human(self.in_use)} in use by tensors, {_human(pooled)} pooled (freed, "
            f"then retried once), device limit {_human(self.limit)}, largest single buffer "
            f"{_human(self.max_alloc)}{why}. Free tensors you no longer need or use smaller batches"
        )
