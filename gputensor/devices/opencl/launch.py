"""Launch geometry shared by the kernel families: work sizes, strided views as kernel
arguments, and the numpy types of kernel scalars per dtype."""

from __future__ import annotations

import itertools

import numpy as np

from ... import dtypes as dt
from ..strides import collapse
from .runtime import LONG

# kernel argument types of one strided view (GT_VIEW): buffer, offset, four strides
VIEW = (None, LONG, LONG, LONG, LONG, LONG)
SHAPE4 = (LONG, LONG, LONG, LONG)
MAX_DIMS = 4

_COMPUTE = {dt.float16: np.float32, dt.bfloat16: np.float32}
_RAW = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def compute_type(dtype):
    """The numpy type of a kernel scalar in ``dtype``'s compute type (CT in dtype.h)."""
    return _COMPUTE.get(dtype, dtype.np.type)


def raw_type(dtype):
    """The unsigned integer numpy type of ``dtype``'s width (RAW in dtype.h)."""
    return _RAW[dtype.itemsize]


def raw_bits(value, dtype):
    """``value`` converted to ``dtype`` and reinterpreted as RAW (for fill kernels)."""
    return np.asarray(value, dtype=dtype.np).reshape(1).view(raw_type(dtype))[0]


def ceil_to(n: int, m: int) -> int:
    return -(-n // m) * m


_SMALL = (64,)
_LARGE = (256,)


def linear(rt, kernel, items: int, *args) -> None:
    """Launch ``items`` work-items in one dimension (rounded up to the local size)."""
    if items <= 0:
        return
    if items <= 4096:
        rt.launch(kernel, ((items + 63) & ~63,), _SMALL, *args)
    else:
        rt.launch(kernel, ((items + 255) & ~255,), _LARGE, *args)


def grid3(n0: int, n1: int, n2: int):
    """(global, local) sizes of a 3-D launch where every work-item checks its bounds; the
    local size lies along the first long dimension."""
    if n0 >= 32 or (n1 < 32 and n2 < 32):
        local = (64, 1, 1)
    elif n1 >= 32:
        local = (1, 64, 1)
    else:
        local = (1, 1, 64)
    return (ceil_to(n0, local[0]), ceil_to(n1, local[1]), ceil_to(n2, local[2])), local


def strided(rt, kernel, shape: tuple, operands: list, scalars: tuple = ()) -> None:
    """Launch a strided elementwise kernel (strided.h) over ``shape``.

    ``operands``: (buffer, offset, strides) per view, in argument order; ``scalars`` go between
    the views and the shape. Axes are collapsed first; beyond four, the host loops over the
    outer ones (each launch an offset slab)."""
    shape, strides = collapse(shape, [op[2] for op in operands])
    outer = shape[:-MAX_DIMS]
    inner = shape[-MAX_DIMS:]
    pad = MAX_DIMS - len(inner)
    sizes = tuple(reversed(inner)) + (1,) * pad
    n0, n1, n2, n3 = sizes
    global_size, local_size = grid3(n0, n1, n2 * n3)
    for index in itertools.product(*(range(n) for n in outer)):
        args = []
        for (buffer, offset, _), st in zip(operands, strides):
            for i, s in zip(index, st):
                offset += i * s
            inner_strides = tuple(reversed(st[len(outer):])) + (0,) * pad
            args.append(buffer)
            args.append(offset)
            args.extend(inner_strides)
        args.extend(scalars)
        args.extend(sizes)
        rt.launch(kernel, global_size, local_size, *args)


def strided_types(views: int, scalars: tuple = ()) -> tuple:
    """The argument types of a strided kernel with ``views`` views and ``scalars``."""
    return VIEW * views + tuple(scalars) + SHAPE4
