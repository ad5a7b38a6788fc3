"""Copies between host and device through pinned (page-locked) staging memory, device-to-
device copies and fills, and DLPack export.

Transfers of at least ``PINNED_MIN`` bytes go through one pinned staging buffer per device
(grown on demand up to ``STAGING_MAX``, larger transfers in pieces): the DMA engine reads or
writes it at full speed, and an event per piece keeps the buffer from being refilled before
its copy has finished. Small transfers copy from or to the NumPy array directly."""

from __future__ import annotations

import cupy as cp
import numpy as np

from ...errors import DeviceError

PINNED_MIN = 1 << 20
STAGING_MAX = 64 << 20
_H2D = cp.cuda.runtime.memcpyHostToDevice
_D2H = cp.cuda.runtime.memcpyDeviceToHost
_D2D = cp.cuda.runtime.memcpyDeviceToDevice
KDL_CUDA = 2


class Staging:
    """A growable pinned host buffer and the event of its last use."""

    def __init__(self, rt):
        self.rt = rt
        self.memory = None
        self.size = 0
        self.event = None

    def buffer(self, nbytes: int) -> np.ndarray:
        """A byte view of at least ``nbytes`` pinned bytes, free to overwrite."""
        if self.event is not None:
            self.event.synchronize()
        if nbytes > self.size:
            size = max(nbytes, 2 * self.size, PINNED_MIN)
            self.memory = cp.cuda.alloc_pinned_memory(size)
            self.size = size
        return np.frombuffer(self.memory, np.uint8, self.size)

    def mark(self) -> None:
        self.event = self.rt.stream.record()


def upload(rt, staging: Staging, address: int, host: np.ndarray) -> None:
    """Copy the C-contiguous ``host`` array to device memory at ``address`` (asynchronous for
    the device; the host array may be reused when this returns)."""
    raw = host.reshape(-1).view(np.uint8)
    nbytes = raw.size
    if nbytes == 0:
        return
    with rt.device:
        if nbytes < PINNED_MIN:
            cp.cuda.runtime.memcpyAsync(address, raw.ctypes.data, nbytes, _H2D, rt.stream.ptr)
            # the driver copied pageable memory into its own staging before returning
            return
        piece = min(nbytes, STAGING_MAX)
        for start in range(0, nbytes, piece):
            part = raw[start : start + piece]
            pinned = staging.buffer(part.size)
            pinned[: part.size] = part
            cp.cuda.runtime.memcpyAsync(address + start, pinned.ctypes.data, part.size, _H2D, rt.stream.ptr)
            staging.mark()


def download(rt, staging: Staging, address: int, out: np.ndarray) -> np.ndarray:
    """Fill the C-contiguous ``out`` with the device bytes at ``address`` (waits)."""
    raw = out.reshape(-1).view(np.uint8)
    nbytes = raw.size
    if nbytes == 0:
        return out
    with rt.device:
        if nbytes < PINNED_MIN:
            cp.cuda.runtime.memcpyAsync(raw.ctypes.data, address, nbytes, _D2H, rt.stream.ptr)
            rt.synchronize()
            return out
        piece = min(nbytes, STAGING_MAX)
        for start in range(0, nbytes, piece):
            size = min(piece, nbytes - start)
            pinned = staging.buffer(size)
            cp.cuda.runtime.memcpyAsync(pinned.ctypes.data, address + start, size, _D2H, rt.stream.ptr)
            rt.synchronize()
            raw[start : start + size] = pinned[:size]
    return out


def copy_d2d(rt, dst: int, src: int, nbytes: int) -> None:
    with rt.device:
        cp.cuda.runtime.memcpyAsync(dst, src, nbytes, _D2D, rt.stream.ptr)


def zero(rt, address: int, nbytes: int) -> None:
    with rt.device:
        cp.cuda.runtime.memsetAsync(address, 0, nbytes, rt.stream.ptr)


def to_cupy(rt, x):
    """A CuPy array viewing ``x``'s memory (no copy), after this device's queued work."""
    rt.synchronize()
    item = x.itemsize
    try:
        return cp.ndarray(
            x.shape,
            dtype=x.dtype.np,
            memptr=x.block.mem + x.offset * item,
            strides=tuple(s * item for s in x.strides),
        )
    except (TypeError, ValueError) as exc:
        raise DeviceError(
            f"{rt.name}: CuPy {cp.__version__} cannot hold {x.dtype.name} ({exc}), so such tensors cannot be "
            "exported through DLPack; cast first (to float32) or move the tensor to the CPU"
        ) from exc


def from_cupy(array):
    """(Block, shape, element strides, element offset) viewing a CuPy array's memory; the
    array stays alive as long as the block."""
    from .array import Block

    item = array.dtype.itemsize
    block = Block(array.data, array.nbytes, owner=array)
    return block, tuple(array.shape), tuple(s // item for s in array.strides), 0
