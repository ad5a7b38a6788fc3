"""Launchers of index.cu (gather, scatter, scatter_add, nonzero), random.cu (Philox) and
sort.cu (merge sort, binary search).

Indexing sees its data as an [A, N, B] contiguous block indexed along N by a flat int64 index
array of I entries; grids taller than 65535 rows A run in slabs."""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from .array import CudaArray
from .elementwise import cast
from .launch import BLOCK, INT, LONG, UINT, ULONG, acc_dtype, blocks, linear, slabs
from .reduction import scan

_ATOMIC = frozenset({dt.int32, dt.int64, dt.float16, dt.bfloat16, dt.float32, dt.float64})
_SORT_BLOCK = 16  # elements insertion-sorted per thread before the merge passes


def _index(b, index: CudaArray) -> CudaArray:
    if index.dtype is not dt.int64:
        index = cast(b, index, dt.int64)
    return b.as_contiguous(index)


def gather(b, x: CudaArray, index: CudaArray, axis: int) -> CudaArray:
    x = b.as_contiguous(x)
    idx = _index(b, index)
    shape = x.shape
    out = b.empty(shape[:axis] + idx.shape + shape[axis + 1 :], x.dtype)
    if out.size == 0:
        return out
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1 :])
    n, i, item = shape[axis], idx.size, x.itemsize
    kernel = b.rt.kernel("index", x.dtype.short, f"gather_{x.dtype.short}")
    for first, count in slabs(outer):
        b.rt.launch(
            kernel,
            (blocks(i * inner), count),
            (BLOCK,),
            (
                np.uint64(out.address + first * i * inner * item),
                x.buffer,
                LONG(x.offset + first * n * inner),
                idx.buffer,
                LONG(idx.offset),
                LONG(n),
                LONG(i),
                LONG(inner),
            ),
        )
    return out


def scatter_add(b, shape: tuple, index: CudaArray, values: CudaArray, axis: int, dtype) -> CudaArray:
    acc = acc_dtype(dtype)
    total = b.full(shape, 0, acc)
    idx = _index(b, index)
    if values.dtype is not dtype:
        values = cast(b, values, dtype)
    values = b.as_contiguous(values)
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1 :])
    n, i = shape[axis], idx.size
    if i and outer and inner:
        atomic = dtype in _ATOMIC and i > 1
        name = f"scatter_add_{dtype.short}" + ("_atomic" if atomic else "")
        kernel = b.rt.kernel("index", dtype.short, name)
        for first, count in slabs(outer):
            grid = (blocks(i * inner) if atomic else blocks(inner), count)
            b.rt.launch(
                kernel,
                grid,
                (BLOCK,),
                (
                    np.uint64(total.address + first * n * inner * acc.itemsize),
                    idx.buffer,
                    LONG(idx.offset),
                    values.buffer,
                    LONG(values.offset + first * i * inner),
                    LONG(n),
                    LONG(i),
                    LONG(inner),
                ),
            )
    return total if acc is dtype else cast(b, total, dtype)


def scatter(b, dst: CudaArray, index: CudaArray, values, axis: int) -> None:
    target = dst if dst.contiguous else b.contiguous(dst)
    idx = _index(b, index)
    shape = target.shape
    full_shape = shape[:axis] + idx.shape + shape[axis + 1 :]
    if isinstance(values, CudaArray):
        if values.dtype is not dst.dtype:
            values = cast(b, values, dst.dtype)
        if values.shape != full_shape or not values.contiguous:
            expanded = b.empty(full_shape, dst.dtype)
            b.copy_into(expanded, values)
            values = expanded
    else:
        values = b.full(full_shape, values, dst.dtype)
    if values.size:
        outer = math.prod(shape[:axis])
        inner = math.prod(shape[axis + 1 :])
        n, i = shape[axis], idx.size
        kernel = b.rt.kernel("index", dst.dtype.short, f"scatter_{dst.dtype.short}")
        for first, count in slabs(outer):
            b.rt.launch(
                kernel,
                (blocks(i * inner), count),
                (BLOCK,),
                (
                    target.buffer,
                    LONG(target.offset + first * n * inner),
                    idx.buffer,
                    LONG(idx.offset),
                    values.buffer,
                    LONG(values.offset + first * i * inner),
                    LONG(n),
                    LONG(i),
                    LONG(inner),
                ),
            )
    if target is not dst:
        b.copy_into(dst, target)


def nonzero(b, x: CudaArray) -> CudaArray:
    if x.ndim == 0:
        return b.empty((0, 0), dt.int64)
    x = b.as_contiguous(x)
    n = x.size
    if n == 0:
        return b.empty((x.ndim, 0), dt.int64)
    short = x.dtype.short
    flags = b.empty((n,), dt.int64)
    linear(
        b.rt,
        b.rt.kernel("index", short, f"nonzero_{short}_flags"),
        n,
        flags.buffer,
        x.buffer,
        LONG(x.offset),
        LONG(n),
    )
    positions = scan(b, "sum", flags, 0, dt.int64)
    count = int(b.to_host(b.view(positions, (1,), (1,), n - 1))[0])
    out = b.empty((x.ndim, count), dt.int64)
    if count:
        shape = b.from_host(np.asarray(x.shape, dtype=np.int64))
        linear(
            b.rt,
            b.rt.kernel("index", short, f"nonzero_{short}"),
            n,
            out.buffer,
            positions.buffer,
            LONG(n),
            LONG(count),
            INT(x.ndim),
            shape.buffer,
        )
    return out


# --- random ------------------------------------------------------------------------------------


def _outputs_per_block(kind: str, dtype) -> int:
    """Values one Philox block (four words) makes: see philox.py's stream layout."""
    if kind == "integers" or dtype.itemsize == 8:
        return 2
    return 4


def random(b, kind: str, shape: tuple, dtype, key, counter: int, low: int = 0, high: int = 1) -> CudaArray:
    out = b.empty(shape, dtype)
    n = math.prod(shape)
    if n == 0:
        return out
    threads = -(-n // _outputs_per_block(kind, dtype))
    counter %= 2**64
    args = [
        out.buffer,
        LONG(n),
        UINT(key[0] & 0xFFFFFFFF),
        UINT(key[1] & 0xFFFFFFFF),
        UINT(counter & 0xFFFFFFFF),
        UINT(counter >> 32),
    ]
    if kind == "integers":
        args += [LONG(low), ULONG((high - low) % 2**64)]
    linear(b.rt, b.rt.kernel("random", dtype.short, f"{kind}_{dtype.short}"), threads, *args)
    return out


# --- sorting -----------------------------------------------------------------------------------


def sort(b, x: CudaArray, axis: int, descending: bool):
    x = b.as_contiguous(x)
    last = x.ndim - 1
    moved = x
    if axis != last:
        order = tuple(i for i in range(x.ndim) if i != axis) + (axis,)
        moved = b.contiguous(
            b.view(x, tuple(x.shape[i] for i in order), tuple(x.strides[i] for i in order), x.offset)
        )
    values, indices = _sort_rows(b, moved, bool(descending))
    if axis == last:
        return values, indices
    back = [0] * x.ndim
    for position, source in enumerate(order):
        back[source] = position
    shape = tuple(values.shape[i] for i in back)
    values = b.contiguous(b.view(values, shape, tuple(values.strides[i] for i in back), 0))
    indices = b.contiguous(b.view(indices, shape, tuple(indices.strides[i] for i in back), 0))
    return values, indices


def _sort_rows(b, x: CudaArray, descending: bool):
    values = b.empty(x.shape, x.dtype)
    indices = b.empty(x.shape, dt.int64)
    if x.size == 0:
        return values, indices
    k = x.shape[-1] if x.ndim else 1
    rows = x.size // k
    short = x.dtype.short
    item = x.itemsize
    block_kernel = b.rt.kernel("sort", short, f"sort_{short}_block")
    for first, count in slabs(rows):
        at = first * k
        b.rt.launch(
            block_kernel,
            (blocks(-(-k // _SORT_BLOCK)), count),
            (BLOCK,),
            (
                np.uint64(values.address + at * item),
                np.uint64(indices.address + at * 8),
                x.buffer,
                LONG(x.offset + at),
                LONG(k),
                LONG(_SORT_BLOCK),
                INT(descending),
            ),
        )
    merge = b.rt.kernel("sort", short, f"sort_{short}")
    spare_values = spare_indices = None
    width = _SORT_BLOCK
    while width < k:
        if spare_values is None:
            spare_values = b.empty(x.shape, x.dtype)
            spare_indices = b.empty(x.shape, dt.int64)
        pairs = -(-k // (2 * width))
        for first, count in slabs(rows):
            at = first * k
            b.rt.launch(
                merge,
                (blocks(pairs), count),
                (BLOCK,),
                (
                    np.uint64(spare_values.address + at * item),
                    np.uint64(spare_indices.address + at * 8),
                    np.uint64(values.address + at * item),
                    np.uint64(indices.address + at * 8),
                    LONG(k),
                    LONG(width),
                    INT(descending),
                ),
            )
        values, spare_values = spare_values, values
        indices, spare_indices = spare_indices, indices
        width *= 2
    return values, indices


def searchsorted(b, sorted_1d: CudaArray, values: CudaArray, side: str) -> CudaArray:
    if values.dtype is not sorted_1d.dtype:
        values = cast(b, values, sorted_1d.dtype)
    sorted_1d = b.as_contiguous(sorted_1d)
    values = b.as_contiguous(values)
    out = b.empty(values.shape, dt.int64)
    if out.size == 0:
        return out
    short = sorted_1d.dtype.short
    linear(
        b.rt,
        b.rt.kernel("sort", short, f"searchsorted_{short}"),
        values.size,
        out.buffer,
        sorted_1d.buffer,
        LONG(sorted_1d.offset),
        LONG(sorted_1d.size),
        values.buffer,
        LONG(values.offset),
        LONG(values.size),
        INT(side == "right"),
    )
    return out
