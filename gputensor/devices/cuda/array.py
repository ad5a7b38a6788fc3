"""The CUDA backend's native array: a strided view (shape, element strides, element offset)
of a block of device memory from the runtime's CuPy memory pool, and the layout arithmetic
the kernels need."""

from __future__ import annotations

import math

import numpy as np

from ...tensor import contiguous_strides
from ..strides import is_contiguous


class Block:
    """One allocation (a CuPy ``MemoryPointer``, or foreign memory kept alive by ``owner``);
    the pool gets it back when the last view of it goes away."""

    __slots__ = ("mem", "ptr", "nbytes", "owner", "__weakref__")

    def __init__(self, mem, nbytes: int, owner=None):
        self.mem = mem
        self.ptr = int(mem.ptr) if mem is not None else 0
        self.nbytes = nbytes
        self.owner = owner


class CudaArray:
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
    def buffer(self) -> np.uint64:
        """The block's device address, as a kernel pointer argument."""
        return np.uint64(self.block.ptr)

    @property
    def address(self) -> int:
        """The device address of element 0 of this view."""
        return self.block.ptr + self.offset * self.dtype.itemsize

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def same_view(self, other) -> bool:
        return (
            self.block is other.block
            and self.offset == other.offset
            and self.shape == other.shape
            and self.strides == other.strides
        )

    def __repr__(self) -> str:
        return (
            f"CudaArray(shape={self.shape}, dtype={self.dtype.name}, strides={self.strides}, "
            f"offset={self.offset})"
        )



