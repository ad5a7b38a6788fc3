"""Per-device HBM accounting: every live buffer is charged its tiled (padded) size.

A buffer is released when its array is garbage collected (a weak reference's callback), so the
accounting follows the tensors' lifetimes exactly. Exceeding the usable HBM (capacity minus the
runtime's reserve) raises :class:`ResourceExhaustedError` in XLA's words (source: xla-e1000),
followed by the request's tiled layout, its padding share and the largest live buffers.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from dataclasses import dataclass

from ...errors import OutOfMemoryError
from .layout import human_bytes, layout_string, logical_bytes, padded_bytes

PADDING_NOTE_SHARE = 0.25  # the spec's threshold: padding is named above a quarter of a buffer
LARGEST_SHOWN = 5


@dataclass(frozen=True)
class BufferInfo:
    """One HBM buffer: its shape, dtype, bytes with and without padding, and the op that made it."""

    shape: tuple
    dtype: object  # a NumPy dtype
    padded: int
    logical: int
    op: str

    @property
    def layout(self) -> str:
        return layout_string(self.shape, self.dtype)

    @property
    def padding_share(self) -> float:
        return 0.0 if not self.padded else 1.0 - self.logical / self.padded


class ResourceExhaustedError(OutOfMemoryError):
    """HBM of an emulated TPU device is exhausted (XLA's ``RESOURCE_EXHAUSTED``).

    Attributes: ``used`` (bytes live plus the request), ``capacity`` (usable bytes: HBM minus the
    reserve), ``exceeded`` (``used - capacity``), ``request`` (a :class:`BufferInfo`), ``device``
    and ``largest`` (the largest live buffers).
    """

    def __init__(self, message: str, *, used: int, capacity: int, exceeded: int,
                 request: BufferInfo, device: str, largest: list):
        super().__init__(message)
        self.used = used
        self.capacity = capacity
        self.exceeded = exceeded
        self.request = request
        self.device = device
        self.largest = largest


class HbmAccount:
    """Bytes in use on one logical device, with its peak, limit and the live buffers."""

    def __init__(self, capacity: int, reserved: int, label: str):
        self.capacity = int(capacity)
        self.reserved = int(reserved)
        self.limit = self.capacity - self.reserved
        self.label = label
        self.in_use = 0
        self.logical_in_use = 0
        self.peak = 0
        self.num_allocs = 0
        self.largest_alloc = 0
        self._live: dict[int, tuple] = {}
        self._refs: dict[int, weakref.ref] = {}
        self._keys = itertools.count()
        self._lock = threading.RLock()

    def check(self, shape: tuple, np_dtype, op: str) -> tuple[int, int]:
        """(padded, logical) bytes of a new buffer; ResourceExhaustedError when it does not fit."""
        shape = tuple(shape)
        padded = padded_bytes(shape, np_dtype)
        if self.in_use + padded > self.limit:
            raise self._exhausted(BufferInfo(tuple(shape), np_dtype, padded,
                                             logical_bytes(shape, np_dtype), op))
        return padded, logical_bytes(shape, np_dtype)

    def track(self, array, padded: int, logical: int, op: str) -> None:
        """Charge ``array`` until it is garbage collected."""
        with self._lock:
            key = next(self._keys)
            self._live[key] = (padded, logical, array.shape, array.dtype, op)
            self._refs[key] = weakref.ref(array, lambda _ref, key=key: self._release(key))
            self.in_use += padded
            self.logical_in_use += logical
            self.num_allocs += 1
            if padded > self.largest_alloc:
                self.largest_alloc = padded
            if self.in_use > self.peak:
                self.peak = self.in_use

    def _release(self, key: int) -> None:
        with self._lock:
            entry = self._live.pop(key, None)
            self._refs.pop(key, None)
            if entry is not None:
                self.in_use -= entry[0]
                self.logical_in_use -= entry[1]

    def largest(self, count: int = LARGEST_SHOWN) -> list[BufferInfo]:
        """The ``count`` largest live buffers, largest first."""
        with self._lock:
            entries = sorted(self._live.values(), key=lambda e: e[0], reverse=True)[:count]
        return [BufferInfo(tuple(shape), dtype, padded, logical, op)
                for padded, logical, shape, dtype, op in entries]

    def stats(self) -> dict:
        """JAX-style memory statistics, plus the padding share of what is live."""
        with self._lock:
            return {
                "bytes_in_use": self.in_use,
                "peak_bytes_in_use": self.peak,
                "bytes_limit": self.limit,
                "bytes_reserved": self.reserved,
                "bytes_capacity": self.capacity,
                "bytes_padding": self.in_use - self.logical_in_use,
                "logical_bytes_in_use": self.logical_in_use,
                "num_allocs": self.num_allocs,
                "largest_alloc_size": self.largest_alloc,
                "live_buffers": len(self._live),
            }

    def _exhausted(self, request: BufferInfo) -> ResourceExhaustedError:
        used = self.in_use + request.padded
        exceeded = used - self.limit
        largest = self.largest()
        message = "\n".join([
            f"RESOURCE_EXHAUSTED: Error allocating device buffer on {self.label}: Ran out of memory "
            f"in memory space hbm. Used {human_bytes(used)} of {human_bytes(self.limit)} hbm. "
            f"Exceeded hbm capacity by {human_bytes(exceeded)}.",
            "",
            *self._request_lines(request),
            "",
            f"Total hbm usage >= {human_bytes(used + self.reserved)}:",
            f"    reserved        {human_bytes(self.reserved)}",
            f"    live buffers    {human_bytes(self.in_use)} in {len(self._live)} buffer(s), "
            f"{human_bytes(self.in_use - self.logical_in_use)} of it padding",
            f"    this request    {human_bytes(request.padded)}",
            "",
            *_largest_lines(largest),
            "",
            "To fit: free tensors you no longer need (del x), use a smaller batch or shard the "
            "array over replicas (gt.tpu.replicate), or pick a chip with more HBM per device "
            "(gt.device('tpu:0', chip='v4')).",
        ])
        return ResourceExhaustedError(message.rstrip(), used=used, capacity=self.limit,
                                      exceeded=exceeded, request=request, device=self.label,
                                      largest=largest)

    @staticmethod
    def _request_lines(request: BufferInfo) -> list[str]:
        lines = [
            f"Request ({request.op}): {request.layout}",
            f"    Size: {human_bytes(request.padded)}",
            f"    Unpadded size: {human_bytes(request.logical)}",
        ]
        if request.padding_share > PADDING_NOTE_SHARE:
            extra = request.padded - request.logical
            ratio = request.padded / max(request.logical, 1)
            lines += [
                f"    Extra memory due to padding: {human_bytes(extra)} ({ratio:.1f}x expansion): "
                f"padding is {100 * request.padding_share:.1f}% of this buffer.",
                "    The tiled layout pads the last dimension to a multiple of 128 and the "
                "second-to-last to a multiple of 8 (2 or 4 when it is that small); put a large "
                "dimension last (reshape or transpose) to avoid the padding.",
            ]
        return lines


def _largest_lines(largest: list[BufferInfo]) -> list[str]:
    if not largest:
        return ["Largest live buffers: none"]
    lines = ["Largest live buffers:"]
    for i, buf in enumerate(largest, 1):
        lines.append(
            f"  {i}. Size: {human_bytes(buf.padded)}  Shape: {buf.layout}  "
            f"Unpadded size: {human_bytes(buf.logical)}  Padding: {100 * buf.padding_share:.1f}%  "
            f"Operator: {buf.op}"
        )
    return lines
