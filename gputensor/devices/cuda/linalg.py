"""Launcher of matmul.cu: batched matrix products straight from strided views.

Paths, fastest first: float16 / bfloat16 on tensor cores (``_mma``, sm_80+), float32 on TF32
tensor cores when the device option ``tf32=True`` or a matmul ``precision`` of "default" /
"high" asks for it (``_tf32``), float32 / float64 SIMT tiles (``_simt``), and the generic
one-output-per-thread kernel (integers, bool, and 16-bit floats on older GPUs). The tiled
kernels read each operand in place when one of its two matrix axes is contiguous (a
transposed view is just the other layout); other strides are copied contiguous first. Tensor
cores also need 16-byte aligned rows, which a contiguous copy gives when the row length
allows it; otherwise the SIMT or generic kernel runs."""

from __future__ import annotations

import itertools

import numpy as np

from ... import dtypes as dt
from ..strides import collapse
from .array import CudaArray
from .elementwise import cast
from .launch import INT, LONG, blocks, slabs

TC_TILE = 128
TC_SHARED = 4 * 20480  # TC_SMEM_BYTES in mma.cuh
_SIMT_TILE = {dt.float32: 128, dt.float64: 64}
_HALF = (dt.float16, dt.bfloat16)


def _batch_strides(x: CudaArray, batch: tuple) -> tuple:
    lead = len(batch) - (x.ndim - 2)
    strides = [0] * lead
    for n, m, s in zip(x.shape[:-2], batch[lead:], x.strides[:-2]):
        strides.append(0 if n == 1 and m != 1 else s)
    return tuple(strides)


def _broadcast(s1: tuple, s2: tuple) -> tuple:
    ndim = max(len(s1), len(s2))
    s1 = (1,) * (ndim - len(s1)) + s1
    s2 = (1,) * (ndim - len(s2)) + s2
    return tuple(max(p, q) if 1 in (p, q) else p for p, q in zip(s1, s2))


def _layout(x: CudaArray, rows: int, cols: int):
    """'n' when the matrix rows are contiguous (column stride 1), 't' when its columns are,
    None otherwise; size-1 axes count as contiguous."""
    sr, sc = x.strides[-2:]
    if cols == 1 or sc == 1:
        return "n"
    if rows == 1 or sr == 1:
        return "t"
    return None


def _tc_ready(x: CudaArray, layout: str, batch_stride: int) -> bool:
    """Tensor-core operand rules: 16-byte aligned start, leading and batch strides in 16-byte
    steps."""
    per = 16 // x.itemsize
    lead = x.strides[-2] if layout == "n" else x.strides[-1]
    rows, cols = x.shape[-2:]
    if (layout == "n" and rows == 1) or (layout == "t" and cols == 1):
        lead = per
    return x.address % 16 == 0 and lead % per == 0 and batch_stride % per == 0


def matmul(
    b, a: CudaArray, bb: CudaArray, dtype, out_dtype=None, tensor_f32: bool | None = None
) -> CudaArray:
    """``a @ bb`` in ``dtype``, the result in ``out_dtype`` (default ``dtype``); float32 uses
    TF32 tensor cores when ``tensor_f32`` (default: the device's ``tf32`` option)."""
    out_dtype = out_dtype or dtype
    if a.dtype is not dtype:
        a = cast(b, a, dtype)
    if bb.dtype is not dtype:
        bb = cast(b, bb, dtype)
    m, k = a.shape[-2:]
    n = bb.shape[-1]
    batch = _broadcast(a.shape[:-2], bb.shape[:-2])
    out = b.empty(batch + (m, n), out_dtype)
    if out.size == 0:
        return out
    if k == 0:
        b.copy_into(out, 0)
        return out
    if tensor_f32 is None:
        tensor_f32 = b.tf32
    path = _path(b, dtype, out_dtype, tensor_f32)
    if path == "reference":
        # results in a wider dtype than the inputs, no tensor-core path: widen, then multiply
        return matmul(b, cast(b, a, out_dtype), cast(b, bb, out_dtype), out_dtype)
    if path in ("mma", "tf32", "simt"):
        a, la = _tiled_operand(b, a, m, k, batch, path)
        bb, lb = _tiled_operand(b, bb, k, n, batch, path)
        if la is None or lb is None:
            path = "simt" if dtype in _SIMT_TILE else "generic"
            if path == "simt":
                a, la = _tiled_operand(b, a, m, k, batch, path)
                bb, lb = _tiled_operand(b, bb, k, n, batch, path)
    cstrides = out.strides[:-2]
    shape, (cs, as_, bs) = collapse(
        batch or (1,), [cstrides or (0,), _batch_strides(a, batch) or (0,), _batch_strides(bb, batch) or (0,)]
    )
    for index in itertools.product(*(range(d) for d in shape[:-1])):
        co = sum(i * s for i, s in zip(index, cs))
        ao = a.offset + sum(i * s for i, s in zip(index, as_))
        bo = bb.offset + sum(i * s for i, s in zip(index, bs))
        c_args = (out, co, n, 1, cs[-1])
        a_args = (a, ao, *_strides(a, m, k), as_[-1])
        b_args = (bb, bo, *_strides(bb, k, n), bs[-1])
        if path == "generic":
            _generic(b, dtype, c_args, a_args, b_args, m, n, k, shape[-1])
        else:
            _tiled(
                b, dtype, path, la + lb, c_args, a_args, b_args, m, n, k, shape[-1], out_dtype is not dtype
            )
    return out


def _path(b, dtype, out_dtype, tensor_f32: bool) -> str:
    tensor_cores = b.rt.capability >= (8, 0)
    if dtype in _HALF:
        if tensor_cores and out_dtype in (dtype, dt.float32):
            return "mma"
        return "generic" if out_dtype is dtype else "reference"
    if out_dtype is not dtype:
        return "reference"
    if dtype is dt.float32 and tensor_f32 and tensor_cores:
        return "tf32"
    if dtype in _SIMT_TILE:
        return "simt"
    return "generic"


def _strides(x: CudaArray, rows: int, cols: int) -> tuple:
    sr, sc = x.strides[-2:]
    return (1 if rows == 1 else sr), (1 if cols == 1 else sc)


def _tiled_operand(b, x: CudaArray, rows: int, cols: int, batch: tuple, path: str):
    """(operand, layout letter) for a tiled path, copying ``x`` contiguous when its strides do
    not fit; layout None when even the copy does not fit (tensor-core alignment)."""
    layout = _layout(x, rows, cols)
    if layout is None:
        x = b.contiguous(x)
        layout = "n"
    if path == "simt":
        return x, layout
    bstride = _batch_strides(x, batch)
    if _tc_ready(x, layout, bstride[-1] if bstride else 0):
        return x, layout
    if not x.contiguous:
        x = b.contiguous(x)
        layout = "n"
        bstride = _batch_strides(x, batch)
        if _tc_ready(x, layout, bstride[-1] if bstride else 0):
            return x, layout
    return x, None


def _tiled(b, dtype, path, layouts, c, a, bb, m, n, k, batch, out_f32: bool) -> None:
    short = dtype.short
    name = f"matmul_{short}_{path}_{layouts}" if path != "tf32" else f"matmul_f32_tf32_{layouts}"
    if path == "simt":
        tile = _SIMT_TILE[dtype]
        kernel = b.rt.kernel("matmul", short, name)
        threads, shared, extra = 256, 0, ()
    else:
        tile = TC_TILE
        kernel = b.rt.kernel("matmul", short, name, shared=TC_SHARED)
        threads, shared, extra = 128, TC_SHARED, (INT(out_f32),)
    for first, count in slabs(batch):
        args = (
            *_operand_args(c, first),
            *_operand_args(a, first),
            *_operand_args(bb, first),
            LONG(m),
            LONG(n),
            LONG(k),
            *extra,
        )
        b.rt.launch(kernel, (blocks(n, tile), blocks(m, tile), count), (threads,), args, shared)


def _operand_args(x, first: int) -> tuple:
    arr, offset, s_row, s_col, s_batch = x
    return (arr.buffer, LONG(offset + first * s_batch), LONG(s_row), LONG(s_col), LONG(s_batch))


def _generic(b, dtype, c, a, bb, m, n, k, batch) -> None:
    kernel = b.rt.kernel("matmul", dtype.short, f"matmul_{dtype.short}")
    for first, count in slabs(batch):
        args = (
            *_operand_args(c, first),
            *_operand_args(a, first),
            *_operand_args(bb, first),
            LONG(m),
            LONG(n),
            LONG(k),
            LONG(0),
            LONG(0),
        )
        b.rt.launch(kernel, (blocks(n, 16), blocks(m, 16), count), (16, 16), args)


PRECISION_TF32 = frozenset({"default", "high"})


def matmul_mixed(b, a, bb, dtype, out_dtype, precision):
    """``a @ bb`` with inputs in ``dtype`` and the result (and accumulation) in ``out_dtype``;
    float32 with precision "default" or "high" runs on TF32 tensor cores, "highest" exactly."""
    tensor = None if precision is None else precision in PRECISION_TF32
    return matmul(b, a, bb, dtype, out_dtype, tensor)


def as_uint64(x: int) -> np.uint64:
    return np.uint64(x)
