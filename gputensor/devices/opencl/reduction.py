"""Launchers of reduce.cl (sum, prod, max, min, argmax, argmin) and scan.cl (cumsum, cumprod).

Every reduction sees its input as an [A, K, B] contiguous block reduced over K: the reduced
axes are made adjacent first (a permuted copy when they are not). B == 1 takes the row
kernels, B > 1 the middle-axis kernels. Long reductions with too few outputs to keep the
device busy run in two passes: chunks in parallel, then the chunks' results."""

from __future__ import annotations

import math

import pyopencl as cl

from ... import dtypes as dt
from .. import reduction_plan
from .array import CLArray
from .elementwise import cast, vector_width
from .launch import ceil_to
from .runtime import INT, LONG

_KERNEL = {"sum": "sum", "prod": "prod", "max": "max", "min": "min"}
_SCAN = {"sum": "cumsum", "prod": "cumprod"}
_ROWS_ARGS = (None, LONG, None, LONG, LONG, LONG, LONG, LONG, None)
_MID_ARGS = (None, LONG, None, LONG, LONG, LONG, LONG)
_ARG_ARGS = (None, None, None, LONG, None, INT, LONG, LONG, LONG)
_SCAN_ARGS = (None, None, LONG, LONG, LONG, LONG, None, INT)
_MIN_CHUNK = 8192        # elements one work-item reduces at least before splitting a row
_MIN_MID_CHUNK = 64      # rows of k a middle-axis work-item takes at least


def acc_dtype(dtype):
    """The dtype partial results are kept in (CT): float32 for the half types."""
    return dt.float32 if dtype in (dt.float16, dt.bfloat16) else dtype


def _chunks(items: int, k: int, want: int, min_chunk: int) -> int:
    """How many pieces to cut the reduced length ``k`` into so that ``items`` outputs times
    the pieces give at least ``want`` work-items, each piece at least ``min_chunk`` long."""
    if items >= want or k < 2 * min_chunk:
        return 1
    return max(1, min(-(-want // items), k // min_chunk))


def _want(rt) -> int:
    """Work-items that keep the device busy: a few per core on CPU-like devices (so that a
    core slowed by another process does not hold the others back), many per compute unit on
    GPUs."""
    return 16 * rt.compute_units


def reduce(b, op: str, x: CLArray, axes: tuple, keepdims: bool, dtype) -> CLArray:
    out, block = reduction_plan.plan(b, op, x, axes, keepdims, dtype)
    if block is None:
        return out
    x, a, k, inner = block
    if inner == 1:
        _rows(b, _KERNEL[op], x, a, k, dtype, out)
    else:
        _mid(b, _KERNEL[op], x, a, k, inner, dtype, out)
    return out


def _rows(b, name: str, x: CLArray, m: int, k: int, dtype, out: CLArray) -> None:
    rt = b.rt
    vw = vector_width(dtype)
    if rt.is_cpu:
        local = 1
        chunks = _chunks(m, k, _want(rt), _MIN_CHUNK)
    else:
        local = 256  # a power of two (the tree halves it), at most probe.MIN_WORK_GROUP
        chunks = _chunks(m, k, _want(rt), local * vw * 8)
    chunk = ceil_to(-(-k // chunks), vw)
    chunks = -(-k // chunk)
    run = chunk if rt.is_cpu else vw
    if chunks == 1:
        _rows_launch(b, f"{name}_{dtype.short}", dtype, out, x, m, k, chunk, run, local, 1)
        return
    acc = acc_dtype(dtype)
    partial = b.empty((m, chunks), acc)
    _rows_launch(b, f"{name}_{dtype.short}_partial", dtype, partial, x, m, k, chunk, run, local, chunks)
    final = out if acc is dtype else b.empty(out.shape, acc)
    _rows(b, name, partial, m, chunks, acc, final)
    if final is not out:
        b.copy_into(out, final)


def _rows_launch(b, kname, dtype, out, x, m, k, chunk, run, local, chunks) -> None:
    rt = b.rt
    kernel = rt.kernel("reduce", dtype.short, kname, _ROWS_ARGS)
    rows_per_group = 64 if local == 1 and m >= 256 else 1
    global_size = (local * chunks, ceil_to(m, rows_per_group))
    scratch = cl.LocalMemory(max(1, local) * acc_dtype(dtype).itemsize)
    rt.launch(kernel, global_size, (local, rows_per_group), out.buffer, out.offset, x.buffer, x.offset,
              m, k, chunk, run, scratch)


def _mid(b, name: str, x: CLArray, a: int, k: int, inner: int, dtype, out: CLArray) -> None:
    rt = b.rt
    vw = vector_width(dtype)
    columns = -(-inner // vw)
    chunks = _chunks(columns * a, k, _want(rt), _MIN_MID_CHUNK)
    chunk = -(-k // chunks)
    chunks = -(-k // chunk)
    if chunks == 1:
        _mid_launch(b, f"{name}_{dtype.short}_mid", dtype, out, x, a, k, inner, chunk, 1)
        return
    acc = acc_dtype(dtype)
    partial = b.empty((a, chunks, inner), acc)
    _mid_launch(b, f"{name}_{dtype.short}_mid_partial", dtype, partial, x, a, k, inner, chunk, chunks)
    final = out if acc is dtype else b.empty(out.shape, acc)
    _mid(b, name, partial, a, chunks, inner, acc, final)
    if final is not out:
        b.copy_into(out, final)


def _mid_launch(b, kname, dtype, out, x, a, k, inner, chunk, chunks) -> None:
    rt = b.rt
    kernel = rt.kernel("reduce", dtype.short, kname, _MID_ARGS)
    columns = -(-inner // vector_width(dtype))
    local = 64 if columns >= 64 else 1
    rt.launch(kernel, (ceil_to(columns, local), a, chunks), (local, 1, 1), out.buffer, out.offset,
              x.buffer, x.offset, k, inner, chunk)


# --- argmax / argmin ---------------------------------------------------------------------------

def arg_reduce(b, op: str, x: CLArray, axis: int, keepdims: bool) -> CLArray:
    x = b.as_contiguous(x)
    shape = x.shape
    a = math.prod(shape[:axis])
    k = shape[axis]
    inner = math.prod(shape[axis + 1:])
    out_shape = shape[:axis] + ((1,) if keepdims else ()) + shape[axis + 1:]
    out = b.empty(out_shape, dt.int64)
    if out.size == 0 or k == 0:
        return out
    chunks = _chunks(a * inner, k, _want(b.rt), 4096)
    chunk = -(-k // chunks)
    chunks = -(-k // chunk)
    kname = f"{op}_{x.dtype.short}"
    if chunks == 1:
        _arg_launch(b, kname, x, out, b.empty(out_shape, x.dtype), None, a, k, inner, chunk, 1)
        return out
    idx = b.empty((a, chunks, inner), dt.int64)
    val = b.empty((a, chunks, inner), x.dtype)
    _arg_launch(b, kname, x, idx, val, None, a, k, inner, chunk, chunks)
    _arg_launch(b, kname, val, out, b.empty(out_shape, x.dtype), idx, a, chunks, inner, chunks, 1)
    return out


def _arg_launch(b, kname, x, idx_out, val_out, idx_in, a, k, inner, chunk, chunks) -> None:
    rt = b.rt
    kernel = rt.kernel("reduce", x.dtype.short, kname, _ARG_ARGS)
    local = 64 if inner >= 64 else 1
    source = idx_in.buffer if idx_in is not None else idx_out.buffer
    rt.launch(kernel, (ceil_to(inner, local), a, chunks), (local, 1, 1), idx_out.buffer, val_out.buffer,
              x.buffer, x.offset, source, int(idx_in is not None), k, inner, chunk)


# --- cumsum / cumprod --------------------------------------------------------------------------

def scan(b, op: str, x: CLArray, axis: int, dtype) -> CLArray:
    if x.dtype is not dtype:
        x = cast(b, x, dtype)
    x = b.as_contiguous(x)
    out = b.empty(x.shape, dtype)
    if out.size == 0:
        return out
    shape = x.shape
    a = math.prod(shape[:axis])
    k = shape[axis]
    inner = math.prod(shape[axis + 1:])
    rt = b.rt
    name = f"{_SCAN[op]}_{dtype.short}"
    chunks = _chunks(a * inner, k, _want(rt), 4096)
    chunk = -(-k // chunks)
    chunks = -(-k // chunk)
    local = 64 if inner >= 64 else 1
    global_size = (ceil_to(inner, local), a, chunks)
    kernel = rt.kernel("scan", dtype.short, name, _SCAN_ARGS)
    if chunks == 1:
        rt.launch(kernel, global_size, (local, 1, 1), out.buffer, x.buffer, x.offset, k, inner, k,
                  out.buffer, 0)
        return out
    totals = b.empty((a, chunks, inner), acc_dtype(dtype))
    _mid_launch(b, f"{_KERNEL[op]}_{dtype.short}_mid_partial", dtype, totals, x, a, k, inner, chunk, chunks)
    carry = rt.kernel("scan", dtype.short, name + "_carry", (None, LONG, LONG))
    rt.launch(carry, (ceil_to(inner, local), a), (local, 1), totals.buffer, chunks, inner)
    rt.launch(kernel, global_size, (local, 1, 1), out.buffer, x.buffer, x.offset, k, inner, chunk,
              totals.buffer, 1)
    return out
