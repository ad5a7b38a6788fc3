"""The OpenCL backend's native array: a strided view (shape, element strides, element offset)
of a pooled device buffer, and the layout arithmetic its kernels need."""

from __future__ import annotations

import math

from ...tensor import contiguous_strides
from ..strides import is_contiguous


class Block:
    """One device buffer; it goes back to the pool when the last view of it goes away."""

    __slots__ = ("buffer", "nbytes", "pool", "__weakref__")

    def __init__(self, buffer, nbytes: int, pool):
        self.buffer = buffer
        self.nbytes = nbytes
        self.pool = pool

    def __del__(self):
        pool = self.pool
        if pool is not None:
            self.pool = None
            pool.release(self.buffer, self.nbytes)


class CLArray:
    """A view of a :class:`Block`: ``shape``, element ``strides`` and ``offset``, and the
    gputensor ``dtype`` of its elements."""

    __slots__ = ("block", "shape", "strides", "offset", "dtype", "size", "contiguous")

    def __init__(self, block: Block, shape: tuple, dtype, strides: tuple | None = None, offset: int = 0):
        self.block = block
        self.shape = shape
        self.dtype = dtype
        self.size = math.prod(shape)
        self.offset = offset
        if strides is None:
            self.strides = contiguous_strides(shape)
            self.contiguous = True
        else:
            self.strides = strides
            self.contiguous = is_contiguous(shape, strides)

    @property
    def buffer(self):
        return self.block.buffer

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def same_view(self, other) -> bool:
        return (self.block is other.block and self.offset == other.offset
                and self.shape == other.shape and self.strides == other.strides)

    def __repr__(self) -> str:
        return (f"CLArray(shape={self.shape}, dtype={self.dtype.name}, strides={self.strides}, "
                f"offset={self.offset})")



