"""Launchers of the elementwise families: unary.cl, binary.cl, where.cl, cast.cl, copy.cl.

Contiguous operands of the same shape take the ``<op>_<dtype>`` kernels (floating ones
compute VW-lane vectors, four per work-item); anything else (broadcasting, transposed or
stepped views, a strided ``out``) takes the ``_strided`` kernels, which read every operand
through its own strides."""

from __future__ import annotations

import numpy as np
import pyopencl as cl

from ... import dtypes as dt
from ..strides import broadcast_strides
from .array import CLArray
from .launch import compute_type, linear, raw_bits, raw_type, strided, strided_types
from .runtime import LONG

UNARY_BOOL_OUT = frozenset({"signbit", "isnan", "isinf", "isfinite", "logical_not"})
BINARY_BOOL_OUT = frozenset({
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor",
})
PER_ITEM = 4  # vectors per work-item in contiguous floating kernels (GT_PER)


def vector_width(dtype) -> int:
    """Lanes of the contiguous kernels' vectors (VW in dtype.h); 1 for non-floating types."""
    if dtype.kind != "f":
        return 1
    return 4 if dtype is dt.float64 else 8


def _view(x: CLArray, shape: tuple):
    return (x.buffer, x.offset, broadcast_strides(x, shape))


def _plain(x, shape) -> bool:
    """A contiguous array operand of exactly ``shape`` (no broadcasting)."""
    return isinstance(x, CLArray) and x.contiguous and x.shape == shape


# --- unary ------------------------------------------------------------------------------------

def unary(b, op: str, x: CLArray, dtype, out: CLArray | None = None) -> CLArray:
    if out is None and x.contiguous and x.dtype is dtype:
        # the common case, kept short: a fresh result from a contiguous input
        plan = b.plans.get((op, dtype))
        if plan is None:
            plan = _unary_plan(b, op, dtype)
        kernel, result_dtype, per = plan
        out = b.empty(x.shape, result_dtype)
        n = out.size
        if n:
            linear(b.rt, kernel, (n + per - 1) // per, out.buffer, 0, x.buffer, x.offset, n)
        return out
    if x.dtype is not dtype:
        x = cast(b, x, dtype)
    result_dtype = dt.bool_ if op in UNARY_BOOL_OUT else dtype
    if out is None:
        out = b.empty(x.shape, result_dtype)
    else:
        x = b.unalias(x, out)
    if out.size == 0:
        return out
    short = dtype.short
    if out.contiguous and _plain(x, out.shape):
        kernel, _, per = _unary_plan(b, op, dtype)
        n = out.size
        linear(b.rt, kernel, (n + per - 1) // per, out.buffer, out.offset, x.buffer, x.offset, n)
        return out
    kernel = b.rt.kernel("unary", short, f"{op}_{short}_strided", strided_types(2))
    strided(b.rt, kernel, out.shape, [(out.buffer, out.offset, out.strides), _view(x, out.shape)])
    return out


def _unary_plan(b, op: str, dtype):
    """(kernel, result dtype, elements per work-item) of a contiguous unary op, cached."""
    result_dtype = dt.bool_ if op in UNARY_BOOL_OUT else dtype
    kernel = b.rt.kernel("unary", dtype.short, f"{op}_{dtype.short}", (None, LONG, None, LONG, LONG))
    vector = dtype.kind == "f" and result_dtype is dtype
    plan = (kernel, result_dtype, vector_width(dtype) * PER_ITEM if vector else 1)
    b.plans[(op, dtype)] = plan
    return plan


# --- binary -----------------------------------------------------------------------------------

def binary(b, op: str, x, y, dtype, shape: tuple, out: CLArray | None = None) -> CLArray:
    x_array = type(x) is CLArray
    y_array = type(y) is CLArray
    if (out is None and (not x_array or (x.contiguous and x.shape == shape and x.dtype is dtype))
            and (not y_array or (y.contiguous and y.shape == shape and y.dtype is dtype))):
        # the common case, kept short: a fresh result from contiguous operands or scalars
        mode = 0 if x_array and y_array else 1 if x_array else 2
        plan = b.plans.get((op, dtype, mode))
        if plan is None:
            plan = _binary_plan(b, op, dtype, mode)
        kernel, result_dtype, per = plan
        out = b.empty(shape, result_dtype)
        n = out.size
        if n:
            items = (n + per - 1) // per
            if mode == 0:
                linear(b.rt, kernel, items, out.buffer, 0, x.buffer, x.offset, y.buffer, y.offset, n)
            elif mode == 1:
                linear(b.rt, kernel, items, out.buffer, 0, x.buffer, x.offset, _rounded(y, dtype), n)
            else:
                linear(b.rt, kernel, items, out.buffer, 0, _rounded(x, dtype), y.buffer, y.offset, n)
        return out
    x = _operand(b, x, dtype)
    y = _operand(b, y, dtype)
    result_dtype = dt.bool_ if op in BINARY_BOOL_OUT else dtype
    if out is None:
        out = b.empty(shape, result_dtype)
    else:
        x = b.unalias(x, out)
        y = b.unalias(y, out)
    if out.size == 0:
        return out
    if out.contiguous and (not x_array or _plain(x, shape)) and (not y_array or _plain(y, shape)):
        mode = 0 if x_array and y_array else 1 if x_array else 2
        kernel, _, per = _binary_plan(b, op, dtype, mode)
        n = out.size
        items = (n + per - 1) // per
        if mode == 0:
            linear(b.rt, kernel, items, out.buffer, out.offset, x.buffer, x.offset, y.buffer, y.offset, n)
        elif mode == 1:
            linear(b.rt, kernel, items, out.buffer, out.offset, x.buffer, x.offset, _rounded(y, dtype), n)
        else:
            linear(b.rt, kernel, items, out.buffer, out.offset, _rounded(x, dtype), y.buffer, y.offset, n)
        return out
    if not x_array:
        x = b.scalar_array(x, dtype)
    if not y_array:
        y = b.scalar_array(y, dtype)
    short = dtype.short
    kernel = b.rt.kernel("binary", short, f"{op}_{short}_strided", strided_types(3))
    strided(b.rt, kernel, shape, [(out.buffer, out.offset, out.strides), _view(x, shape), _view(y, shape)])
    return out


_BINARY_SUFFIX = ("", "_as", "_sa")


def fma(b, x: CLArray, y: CLArray, z: CLArray) -> CLArray | None:
    """``x * y + z`` rounded once, for contiguous floating operands of one shape and dtype;
    None for anything else (the caller composes)."""
    dtype = x.dtype
    if dtype.kind != "f" or not all(
        type(a) is CLArray and a.dtype is dtype and a.contiguous and a.shape == x.shape for a in (x, y, z)
    ):
        return None
    plan = b.plans.get(("fma", dtype))
    if plan is None:
        kernel = b.rt.kernel("binary", dtype.short, f"fma_{dtype.short}", (None, LONG) * 4 + (LONG,))
        plan = b.plans[("fma", dtype)] = (kernel, vector_width(dtype) * PER_ITEM)
    kernel, per = plan
    out = b.empty(x.shape, dtype)
    n = out.size
    if n:
        linear(b.rt, kernel, (n + per - 1) // per, out.buffer, 0, x.buffer, x.offset, y.buffer, y.offset,
               z.buffer, z.offset, n)
    return out


def _binary_plan(b, op: str, dtype, mode: int):
    """(kernel, result dtype, elements per work-item) of a contiguous binary op whose operands
    are two arrays (mode 0), an array and a scalar (1) or a scalar and an array (2); cached."""
    result_dtype = dt.bool_ if op in BINARY_BOOL_OUT else dtype
    scalar = compute_type(dtype)
    types = [(None, LONG, None, LONG, None, LONG, LONG), (None, LONG, None, LONG, scalar, LONG),
             (None, LONG, scalar, None, LONG, LONG)][mode]
    kernel = b.rt.kernel("binary", dtype.short, f"{op}_{dtype.short}{_BINARY_SUFFIX[mode]}", types)
    vector = dtype.kind == "f" and result_dtype is dtype
    plan = (kernel, result_dtype, vector_width(dtype) * PER_ITEM if vector else 1)
    b.plans[(op, dtype, mode)] = plan
    return plan


def _operand(b, x, dtype):
    if isinstance(x, CLArray) and x.dtype is not dtype:
        return cast(b, x, dtype)
    return x


def _rounded(value, dtype):
    """A Python scalar as the kernel's compute type, rounded to ``dtype`` first (a weak
    scalar takes the tensor's dtype before the arithmetic, as in NumPy)."""
    return compute_type(dtype)(dtype.np.type(value))


# --- where ------------------------------------------------------------------------------------

def where(b, cond: CLArray, x, y, dtype, shape: tuple) -> CLArray:
    out = b.empty(shape, dtype)
    if out.size == 0:
        return out
    if cond.dtype is not dt.bool_:
        cond = cast(b, cond, dt.bool_)
    x = _operand(b, x, dtype) if isinstance(x, CLArray) else b.scalar_array(x, dtype)
    y = _operand(b, y, dtype) if isinstance(y, CLArray) else b.scalar_array(y, dtype)
    kernel = b.rt.kernel("where", dtype.short, f"where_{dtype.short}", strided_types(4))
    views = [(out.buffer, out.offset, out.strides), _view(cond, shape), _view(x, shape), _view(y, shape)]
    strided(b.rt, kernel, shape, views)
    return out


# --- cast, copy, fill, arange -------------------------------------------------------------------

def cast(b, x: CLArray, dtype) -> CLArray:
    if x.dtype is dtype:
        return contiguous(b, x)
    out = b.empty(x.shape, dtype)
    if out.size:
        name = f"cast_{x.dtype.short}_{dtype.short}"
        kernel = b.rt.kernel("cast", x.dtype.short, name, strided_types(2))
        strided(b.rt, kernel, x.shape, [(out.buffer, 0, out.strides), (x.buffer, x.offset, x.strides)])
    return out


def contiguous(b, x: CLArray) -> CLArray:
    out = b.empty(x.shape, x.dtype)
    copy_into(b, out, x)
    return out


def copy_into(b, dst: CLArray, src) -> None:
    """``dst[...] = src`` for a view ``dst`` and an array (broadcast, any dtype) or scalar."""
    if dst.size == 0:
        return
    if not isinstance(src, CLArray):
        fill(b, dst, src)
        return
    if src.dtype is not dst.dtype:
        src = cast(b, src, dst.dtype)
    if src.same_view(dst):
        return
    src = b.unalias(src, dst)
    if dst.contiguous and _plain(src, dst.shape):
        item = dst.itemsize
        with b.rt.lock:
            cl.enqueue_copy(b.rt.queue, dst.buffer, src.buffer, byte_count=dst.size * item,
                            src_offset=src.offset * item, dst_offset=dst.offset * item)
        return
    short = dst.dtype.short
    kernel = b.rt.kernel("copy", short, f"copy_{short}", strided_types(2))
    strided(b.rt, kernel, dst.shape, [(dst.buffer, dst.offset, dst.strides), _view(src, dst.shape)])


def fill(b, dst: CLArray, value) -> None:
    """Every element of the view ``dst`` becomes the Python scalar ``value``."""
    if dst.size == 0:
        return
    bits = raw_bits(value, dst.dtype)
    if dst.contiguous:
        item = dst.itemsize
        with b.rt.lock:
            cl.enqueue_fill_buffer(b.rt.queue, dst.buffer, bits, dst.offset * item, dst.size * item)
        return
    short = dst.dtype.short
    kernel = b.rt.kernel("copy", short, f"fill_{short}", strided_types(1, (raw_type(dst.dtype),)))
    strided(b.rt, kernel, dst.shape, [(dst.buffer, dst.offset, dst.strides)], (bits,))


def arange(b, start, step, n: int, dtype) -> CLArray:
    out = b.empty((n,), dtype)
    if n == 0:
        return out
    if dtype.kind == "f":
        wide = np.float64 if b.has_fp64 else np.float32
    else:
        wide = np.int64
    kernel = b.rt.kernel("copy", dtype.short, f"arange_{dtype.short}", (None, wide, wide, LONG))
    linear(b.rt, kernel, n, out.buffer, wide(start), wide(step), n)
    return out

