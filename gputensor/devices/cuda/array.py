"""The CUDA backend's native array: a strided view (shape, element strides, element offset)
of a block of device memory from the runtime's CuPy memory pool, and the layout arithmetic
the kernels need."""

from __future__ import annotations

import math

import numpy as np

from ...tensor import contiguous_strides


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


def is_contiguous(shape, strides) -> bool:
    """C order with no gaps (size-1 axes may have any stride)."""
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n == 1:
            continue
        if s != expected:
            return False
        expected *= n
    return True


def broadcast_strides(x: CudaArray, shape: tuple) -> tuple:
    """Strides that read ``x`` broadcast to ``shape`` (zero along broadcast axes)."""
    lead = len(shape) - len(x.shape)
    strides = [0] * lead
    for n, m, s in zip(x.shape, shape[lead:], x.strides):
        strides.append(0 if n == 1 and m != 1 else s)
    return tuple(strides)


def collapse(shape: tuple, strides_list: list) -> tuple[tuple, list]:
    """Merge neighbouring axes that every operand walks as one (and drop size-1 axes).

    Returns the new shape and strides, outermost first; at least one axis."""
    dims = [(n, [s[i] for s in strides_list]) for i, n in enumerate(shape) if n != 1]
    if not dims:
        return (1,), [(0,) for _ in strides_list]
    merged = [dims[-1]]
    for n, ss in reversed(dims[:-1]):
        inner_n, inner_ss = merged[-1]
        if all(s == t * inner_n for s, t in zip(ss, inner_ss)):
            merged[-1] = (n * inner_n, inner_ss)
        else:
            merged.append((n, ss))
    merged.reverse()
    new_shape = tuple(n for n, _ in merged)
    new_strides = [tuple(ss[k] for _, ss in merged) for k in range(len(strides_list))]
    return new_shape, new_strides
