"""Launch geometry shared by the kernel families: grid sizes, strided views as kernel
arguments, slabs of grids taller than CUDA allows, and the exact NumPy types of kernel
scalars (CuPy passes each argument's bytes as they are)."""

from __future__ import annotations

import itertools

import numpy as np

from ... import dtypes as dt
from ..strides import collapse

LONG = np.int64
INT = np.int32
UINT = np.uint32
ULONG = np.uint64
BLOCK = 256
MAX_DIMS = 4
MAX_GRID_YZ = 65535

_ARG = {dt.float16: np.float32, dt.bfloat16: np.float32, dt.bool_: np.uint8}
_RAW = {1: np.uint8, 2: np.uint16}
_ACC = {dt.float16: dt.float32, dt.bfloat16: dt.float32}


def arg_type(dtype):
    """The NumPy type of a scalar operand in ``dtype``'s compute type (S_arg in dtype.cuh)."""
    return _ARG.get(dtype, dtype.np.type)


def acc_dtype(dtype):
    """The dtype partial results are kept in (S_acc): float32 for the 16-bit floats."""
    return _ACC.get(dtype, dtype)


def raw_bits(value, dtype):
    """``value`` converted to ``dtype`` as the S_raw kernel argument (16-bit floats as their
    bits; other types as themselves, which moves their bits unchanged)."""
    stored = np.asarray(value, dtype=dtype.np).reshape(1)
    if dtype.itemsize in _RAW and dtype.kind == "f":
        return stored.view(_RAW[dtype.itemsize])[0]
    if dtype is dt.bool_:
        return np.uint8(stored[0])
    return stored[0]


def vec_width(in_itemsize: int, out_itemsize: int) -> int:
    """Elements per 16-byte access of the contiguous kernels (gt::vec_width)."""
    return 16 // max(in_itemsize, out_itemsize)


def blocks(n: int, per: int = BLOCK) -> int:
    return max(1, -(-n // per))


def linear(rt, kernel, threads: int, *args) -> None:
    """Launch ``threads`` threads in 256-thread blocks (kernels check their bounds)."""
    if threads > 0:
        rt.launch(kernel, (blocks(threads),), (BLOCK,), args)


def stride_grid(rt, total: int) -> int:
    """Blocks of a grid-stride loop over ``total`` items: enough to fill the device."""
    return max(1, min(blocks(total), rt.sm_count * 16))


def slabs(rows: int):
    """(first, count) pieces of at most 65535 rows (the limit of grid y and z)."""
    for first in range(0, rows, MAX_GRID_YZ):
        yield first, min(MAX_GRID_YZ, rows - first)


def strided(rt, kernel, shape: tuple, operands: list, scalars: tuple = ()) -> None:
    """Launch a strided elementwise kernel (common.cuh) over ``shape``.

    ``operands``: (address, offset, strides) per view, in argument order; ``scalars`` go
    between the views and the shape. Axes are collapsed first; beyond four, the host loops
    over the outer ones (each launch an offset slab)."""
    shape, strides = collapse(shape, [op[2] for op in operands])
    outer = shape[:-MAX_DIMS]
    inner = shape[-MAX_DIMS:]
    pad = MAX_DIMS - len(inner)
    sizes = tuple(LONG(n) for n in reversed(inner)) + (LONG(1),) * pad
    total = 1
    for n in inner:
        total *= n
    grid = (stride_grid(rt, total),)
    for index in itertools.product(*(range(n) for n in outer)):
        args = []
        for (address, offset, _), st in zip(operands, strides):
            for i, s in zip(index, st):
                offset += i * s
            inner_strides = tuple(reversed(st[len(outer) :])) + (0,) * pad
            args.append(address)
            args.append(LONG(offset))
            args.extend(LONG(s) for s in inner_strides)
        args.extend(scalars)
        args.extend(sizes)
        rt.launch(kernel, grid, (BLOCK,), args)


def collapsed_dims(shape: tuple, strides_list: list):
    """The collapsed (shape, strides) and whether it fits one launch (at most four axes)."""
    new_shape, new_strides = collapse(shape, strides_list)
    return new_shape, new_strides, len(new_shape) <= MAX_DIMS
