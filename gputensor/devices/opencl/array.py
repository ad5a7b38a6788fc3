"""The OpenCL backend's native array: a strided view (shape, element strides, element offset)
of a pooled device buffer, and the layout arithmetic its kernels need."""

from __future__ import annotations

import math

from ...tensor import contiguous_strides


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


def broadcast_strides(x: CLArray, shape: tuple) -> tuple:
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
