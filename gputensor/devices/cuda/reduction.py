"""Launchers of reduce.cu (sum, prod, max, min, argmax, argmin) and scan.cu (cumsum, cumprod).

Every reduction sees its input as an [A, K, B] contiguous block reduced over K: the reduced
axes are made adjacent first (a permuted copy when they are not). B == 1 takes the row
kernels (a warp or a block per row piece, 16-byte loads, shuffles), B > 1 the middle-axis
kernels (a thread per column). Long reductions with too few outputs to fill the device run in
two stages: pieces in parallel, then the pieces' results."""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from .. import reduction_plan
from .array import CudaArray
from .elementwise import cast
from .launch import BLOCK, INT, LONG, acc_dtype, blocks, slabs, vec_width

_KERNEL = {"sum": "sum", "prod": "prod", "max": "max", "min": "min"}
_SCAN = {"sum": "cumsum", "prod": "cumprod"}
_MIN_PIECE = 64  # rows of k a middle-axis or scan thread takes at least before splitting


def _want(rt) -> int:
    """Threads that fill the device: 2048 per multiprocessor."""
    return 2048 * rt.sm_count


def _pieces(items: int, k: int, want: int, min_piece: int) -> int:
    """How many pieces to cut the reduced length ``k`` into so that ``items`` outputs times
    the pieces give at least ``want`` workers, each piece at least ``min_piece`` long."""
    if items >= want or k < 2 * min_piece:
        return 1
    return max(1, min(-(-want // items), k // min_piece, 65535))


def reduce(b, op: str, x: CudaArray, axes: tuple, keepdims: bool, dtype) -> CudaArray:
    out, block = reduction_plan.plan(b, op, x, axes, keepdims, dtype)
    if block is None:
        return out
    x, a, k, inner = block
    if inner == 1:
        _rows(b, _KERNEL[op], x, a, k, dtype, out)
    else:
        _mid(b, _KERNEL[op], x, a, k, inner, dtype, out)
    return out


def _rows(b, name: str, x: CudaArray, m: int, k: int, dtype, out: CudaArray) -> None:
    rt = b.rt
    per = vec_width(dtype.itemsize, dtype.itemsize)
    run = 32 if k <= 2048 else BLOCK
    want = 8 * rt.sm_count * (BLOCK // run)
    pieces = 1 if m >= want else max(1, min(-(-want // m), k // (run * per * 8)))
    chunk = -(-k // pieces)
    chunk = -(-chunk // per) * per
    pieces = -(-k // chunk)
    if pieces == 1:
        _rows_launch(b, f"{name}_{dtype.short}", dtype, out, x, m, k, chunk, run)
        return
    acc = acc_dtype(dtype)
    partial = b.empty((m, pieces), acc)
    _rows_launch(b, f"{name}_{dtype.short}_partial", dtype, partial, x, m, k, chunk, run)
    final = out if acc is dtype else b.empty(out.shape, acc)
    _rows(b, name, partial, m, pieces, acc, final)
    if final is not out:
        b.copy_into(out, final)


def _rows_launch(b, kname, dtype, out, x, m, k, chunk, run) -> None:
    kernel = b.rt.kernel("reduce", dtype.short, kname)
    pieces = -(-k // chunk)
    grid = (blocks(m * pieces, BLOCK // run),)
    b.rt.launch(
        kernel,
        grid,
        (BLOCK,),
        (out.buffer, LONG(out.offset), x.buffer, LONG(x.offset), LONG(m), LONG(k), LONG(chunk), LONG(run)),
    )


def _mid(b, name: str, x: CudaArray, a: int, k: int, inner: int, dtype, out: CudaArray) -> None:
    pieces = _pieces(a * inner, k, _want(b.rt), _MIN_PIECE)
    chunk = -(-k // pieces)
    pieces = -(-k // chunk)
    if pieces == 1:
        _mid_launch(b, f"{name}_{dtype.short}_mid", dtype, out, x, a, k, inner, chunk, 1)
        return
    acc = acc_dtype(dtype)
    partial = b.empty((a, pieces, inner), acc)
    _mid_launch(b, f"{name}_{dtype.short}_mid_partial", dtype, partial, x, a, k, inner, chunk, pieces)
    final = out if acc is dtype else b.empty(out.shape, acc)
    _mid(b, name, partial, a, pieces, inner, acc, final)
    if final is not out:
        b.copy_into(out, final)


def _mid_launch(b, kname, dtype, out, x, a, k, inner, chunk, pieces) -> None:
    kernel = b.rt.kernel("reduce", dtype.short, kname)
    for first, count in slabs(a):
        grid = (blocks(inner), count, pieces)
        b.rt.launch(
            kernel,
            grid,
            (BLOCK,),
            (
                out.buffer,
                LONG(out.offset + first * pieces * inner),
                x.buffer,
                LONG(x.offset + first * k * inner),
                LONG(k),
                LONG(inner),
                LONG(chunk),
            ),
        )


# --- argmax / argmin ---------------------------------------------------------------------------


def arg_reduce(b, op: str, x: CudaArray, axis: int, keepdims: bool) -> CudaArray:
    x = b.as_contiguous(x)
    shape = x.shape
    a = math.prod(shape[:axis])
    k = shape[axis]
    inner = math.prod(shape[axis + 1 :])
    out_shape = shape[:axis] + ((1,) if keepdims else ()) + shape[axis + 1 :]
    out = b.empty(out_shape, dt.int64)
    if out.size == 0 or k == 0:
        return out
    pieces = _pieces(a * inner, k, _want(b.rt), 1024)
    chunk = -(-k // pieces)
    pieces = -(-k // chunk)
    kname = f"{op}_{x.dtype.short}"
    if pieces == 1:
        _arg_launch(b, kname, x, out, b.empty(out_shape, x.dtype), None, a, k, inner, chunk, 1)
        return out
    idx = b.empty((a, pieces, inner), dt.int64)
    val = b.empty((a, pieces, inner), x.dtype)
    _arg_launch(b, kname, x, idx, val, None, a, k, inner, chunk, pieces)
    _arg_launch(b, kname, val, out, b.empty(out_shape, x.dtype), idx, a, pieces, inner, pieces, 1)
    return out


def _arg_launch(b, kname, x, idx_out, val_out, idx_in, a, k, inner, chunk, pieces) -> None:
    kernel = b.rt.kernel("reduce", x.dtype.short, kname)
    item = x.dtype.itemsize
    for first, count in slabs(a):
        out_at = first * pieces * inner
        source = idx_in.address + first * k * inner * 8 if idx_in is not None else idx_out.address
        args = (
            np.uint64(idx_out.address + out_at * 8),
            np.uint64(val_out.address + out_at * item),
            x.buffer,
            LONG(x.offset + first * k * inner),
            np.uint64(source),
            INT(idx_in is not None),
            LONG(k),
            LONG(inner),
            LONG(chunk),
        )
        b.rt.launch(kernel, (blocks(inner), count, pieces), (BLOCK,), args)


# --- cumsum / cumprod --------------------------------------------------------------------------


def scan(b, op: str, x: CudaArray, axis: int, dtype) -> CudaArray:
    if x.dtype is not dtype:
        x = cast(b, x, dtype)
    x = b.as_contiguous(x)
    out = b.empty(x.shape, dtype)
    if out.size == 0:
        return out
    shape = x.shape
    a = math.prod(shape[:axis])
    k = shape[axis]
    inner = math.prod(shape[axis + 1 :])
    name = f"{_SCAN[op]}_{dtype.short}"
    pieces = _pieces(a * inner, k, _want(b.rt), 4096)
    chunk = -(-k // pieces)
    pieces = -(-k // chunk)
    kernel = b.rt.kernel("scan", dtype.short, name)
    item = dtype.itemsize
    if pieces == 1:
        for first, count in slabs(a):
            at = first * k * inner
            b.rt.launch(
                kernel,
                (blocks(inner), count, 1),
                (BLOCK,),
                (
                    np.uint64(out.address + at * item),
                    x.buffer,
                    LONG(x.offset + at),
                    LONG(k),
                    LONG(inner),
                    LONG(k),
                    out.buffer,
                    INT(0),
                ),
            )
        return out
    acc = acc_dtype(dtype)
    totals = b.empty((a, pieces, inner), acc)
    _mid_launch(b, f"{_KERNEL[op]}_{dtype.short}_mid_partial", dtype, totals, x, a, k, inner, chunk, pieces)
    carry = b.rt.kernel("scan", dtype.short, name + "_carry")
    for first, count in slabs(a):
        at = first * k * inner
        carried = np.uint64(totals.address + first * pieces * inner * acc.itemsize)
        b.rt.launch(carry, (blocks(inner), count), (BLOCK,), (carried, LONG(pieces), LONG(inner)))
        b.rt.launch(
            kernel,
            (blocks(inner), count, pieces),
            (BLOCK,),
            (
                np.uint64(out.address + at * item),
                x.buffer,
                LONG(x.offset + at),
                LONG(k),
                LONG(inner),
                LONG(chunk),
                carried,
                INT(1),
            ),
        )
    return out
