"""Launchers of index.cl: gather (take), scatter, scatter_add and nonzero.

Each sees its data as an [A, N, B] contiguous block indexed along N by a flat int64 index
array of I entries."""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from .array import CLArray
from .elementwise import cast
from .launch import ceil_to, linear
from .reduction import acc_dtype, scan
from .runtime import INT, LONG

_GATHER_ARGS = (None, None, LONG, None, LONG, LONG, LONG, LONG)
_SCATTER_ARGS = (None, LONG, None, LONG, None, LONG, LONG, LONG, LONG)
_SCATTER_ADD_ARGS = (None, None, LONG, None, LONG, LONG, LONG, LONG)


def _index(b, index: CLArray) -> CLArray:
    if index.dtype is not dt.int64:
        index = cast(b, index, dt.int64)
    return b.as_contiguous(index)


def _grid(inner: int, count: int, outer: int):
    """(global, local) of a (B, I, A) launch whose kernel checks b < B and i < I."""
    if inner >= 32:
        local = (64, 1, 1)
    elif count >= 32:
        local = (1, 64, 1)
    else:
        local = (1, 1, 1)
    return (ceil_to(inner, local[0]), ceil_to(count, local[1]), outer), local


def gather(b, x: CLArray, index: CLArray, axis: int) -> CLArray:
    x = b.as_contiguous(x)
    idx = _index(b, index)
    shape = x.shape
    out = b.empty(shape[:axis] + idx.shape + shape[axis + 1:], x.dtype)
    if out.size == 0:
        return out
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1:])
    kernel = b.rt.kernel("index", x.dtype.short, f"gather_{x.dtype.short}", _GATHER_ARGS)
    global_size, local = _grid(inner, idx.size, outer)
    b.rt.launch(kernel, global_size, local, out.buffer, x.buffer, x.offset, idx.buffer, idx.offset,
                shape[axis], idx.size, inner)
    return out


def scatter_add(b, shape: tuple, index: CLArray, values: CLArray, axis: int, dtype) -> CLArray:
    acc = acc_dtype(dtype)
    total = b.full(shape, 0, acc)
    idx = _index(b, index)
    if values.dtype is not dtype:
        values = cast(b, values, dtype)
    values = b.as_contiguous(values)
    outer = math.prod(shape[:axis])
    inner = math.prod(shape[axis + 1:])
    if idx.size and outer and inner:
        kernel = b.rt.kernel("index", dtype.short, f"scatter_add_{dtype.short}", _SCATTER_ADD_ARGS)
        local = 64 if inner >= 64 else 1
        b.rt.launch(kernel, (ceil_to(inner, local), outer), (local, 1), total.buffer, idx.buffer,
                    idx.offset, values.buffer, values.offset, shape[axis], idx.size, inner)
    return total if acc is dtype else cast(b, total, dtype)


def scatter(b, dst: CLArray, index: CLArray, values, axis: int) -> None:
    target = dst if dst.contiguous else b.contiguous(dst)
    idx = _index(b, index)
    shape = target.shape
    full_shape = shape[:axis] + idx.shape + shape[axis + 1:]
    if isinstance(values, CLArray):
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
        inner = math.prod(shape[axis + 1:])
        kernel = b.rt.kernel("index", dst.dtype.short, f"scatter_{dst.dtype.short}", _SCATTER_ARGS)
        global_size, local = _grid(inner, idx.size, outer)
        b.rt.launch(kernel, global_size, local, target.buffer, target.offset, idx.buffer, idx.offset,
                    values.buffer, values.offset, shape[axis], idx.size, inner)
    if target is not dst:
        b.copy_into(dst, target)


def nonzero(b, x: CLArray) -> CLArray:
    if x.ndim == 0:
        return b.empty((0, 0), dt.int64)
    x = b.as_contiguous(x)
    n = x.size
    if n == 0:
        return b.empty((x.ndim, 0), dt.int64)
    short = x.dtype.short
    flags = b.empty((n,), dt.int64)
    kernel = b.rt.kernel("index", short, f"nonzero_{short}_flags", (None, None, LONG, LONG))
    linear(b.rt, kernel, n, flags.buffer, x.buffer, x.offset, n)
    positions = scan(b, "sum", flags, 0, dt.int64)
    last = b.view(positions, (1,), (1,), n - 1)
    count = int(b.to_host(last)[0])
    out = b.empty((x.ndim, count), dt.int64)
    if count:
        shape = b.from_host(np.asarray(x.shape, dtype=np.int64))
        kernel = b.rt.kernel("index", short, f"nonzero_{short}", (None, None, LONG, LONG, INT, None))
        linear(b.rt, kernel, n, out.buffer, positions.buffer, n, count, x.ndim, shape.buffer)
    return out
