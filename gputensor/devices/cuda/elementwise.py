"""Launchers of the elementwise families: unary.cu, binary.cu, where.cu, cast.cu, copy.cu.

Contiguous operands of the same shape take the ``<op>_<dtype>`` kernels (16-byte accesses,
one access of V elements per thread); anything else (broadcasting, transposed or stepped
views, a strided ``out``) takes the ``_strided`` kernels, which read every operand through its
own strides. Contiguous copies are device-to-device memcpys; strided copies whose rows are
contiguous and aligned move 16 bytes per access (``copy_<dtype>_rows``)."""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from ..strides import broadcast_strides, collapse
from .array import CudaArray
from .launch import LONG, arg_type, blocks, linear, raw_bits, strided, vec_width

UNARY_BOOL_OUT = frozenset({"signbit", "isnan", "isinf", "isfinite", "logical_not"})
BINARY_BOOL_OUT = frozenset(
    {
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "logical_and",
        "logical_or",
        "logical_xor",
    }
)


def _view(x: CudaArray, shape: tuple):
    return (x.buffer, x.offset, broadcast_strides(x, shape))


def _plain(x, shape) -> bool:
    """A contiguous array operand of exactly ``shape`` (no broadcasting)."""
    return isinstance(x, CudaArray) and x.contiguous and x.shape == shape


def _threads(n: int, in_dtype, out_dtype) -> int:
    per = vec_width(in_dtype.itemsize, out_dtype.itemsize)
    return -(-n // per)


# --- unary ------------------------------------------------------------------------------------


def unary(b, op: str, x: CudaArray, dtype, out: CudaArray | None = None) -> CudaArray:
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
        kernel = b.rt.kernel("unary", short, f"{op}_{short}")
        n = out.size
        linear(
            b.rt,
            kernel,
            _threads(n, dtype, result_dtype),
            out.buffer,
            LONG(out.offset),
            x.buffer,
            LONG(x.offset),
            LONG(n),
        )
        return out
    kernel = b.rt.kernel("unary", short, f"{op}_{short}_strided")
    strided(b.rt, kernel, out.shape, [(out.buffer, out.offset, out.strides), _view(x, out.shape)])
    return out


# --- binary -----------------------------------------------------------------------------------


def binary(b, op: str, x, y, dtype, shape: tuple, out: CudaArray | None = None) -> CudaArray:
    x_array = isinstance(x, CudaArray)
    y_array = isinstance(y, CudaArray)
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
    short = dtype.short
    contiguous = (
        (x_array or y_array) and (not x_array or _plain(x, shape)) and (not y_array or _plain(y, shape))
    )
    if out.contiguous and contiguous:
        n = out.size
        threads = _threads(n, dtype, result_dtype)
        head = (out.buffer, LONG(out.offset))
        if x_array and y_array:
            kernel = b.rt.kernel("binary", short, f"{op}_{short}")
            linear(b.rt, kernel, threads, *head, x.buffer, LONG(x.offset), y.buffer, LONG(y.offset), LONG(n))
        elif x_array:
            kernel = b.rt.kernel("binary", short, f"{op}_{short}_as")
            linear(b.rt, kernel, threads, *head, x.buffer, LONG(x.offset), _rounded(y, dtype), LONG(n))
        else:
            kernel = b.rt.kernel("binary", short, f"{op}_{short}_sa")
            linear(b.rt, kernel, threads, *head, _rounded(x, dtype), y.buffer, LONG(y.offset), LONG(n))
        return out
    if not x_array:
        x = b.scalar_array(x, dtype)
    if not y_array:
        y = b.scalar_array(y, dtype)
    kernel = b.rt.kernel("binary", short, f"{op}_{short}_strided")
    strided(b.rt, kernel, shape, [(out.buffer, out.offset, out.strides), _view(x, shape), _view(y, shape)])
    return out


def fma(b, x: CudaArray, y: CudaArray, z: CudaArray) -> CudaArray | None:
    """``x * y + z`` rounded once, for contiguous floating operands of one shape and dtype;
    None for anything else (the caller composes)."""
    dtype = x.dtype
    ok = dtype.kind == "f" and all(a.dtype is dtype and a.contiguous and a.shape == x.shape for a in (y, z))
    if not ok or not x.contiguous:
        return None
    out = b.empty(x.shape, dtype)
    n = out.size
    if n:
        kernel = b.rt.kernel("binary", dtype.short, f"fma_{dtype.short}")
        linear(
            b.rt,
            kernel,
            _threads(n, dtype, dtype),
            out.buffer,
            LONG(0),
            x.buffer,
            LONG(x.offset),
            y.buffer,
            LONG(y.offset),
            z.buffer,
            LONG(z.offset),
            LONG(n),
        )
    return out


def _operand(b, x, dtype):
    if isinstance(x, CudaArray) and x.dtype is not dtype:
        return cast(b, x, dtype)
    return x


def _rounded(value, dtype):
    """A Python scalar as the kernel's compute type, rounded to ``dtype`` first (a weak
    scalar takes the tensor's dtype before the arithmetic, as in NumPy)."""
    return arg_type(dtype)(dtype.np.type(value))


# --- where ------------------------------------------------------------------------------------


def where(b, cond: CudaArray, x, y, dtype, shape: tuple) -> CudaArray:
    out = b.empty(shape, dtype)
    if out.size == 0:
        return out
    if cond.dtype is not dt.bool_:
        cond = cast(b, cond, dt.bool_)
    x = _operand(b, x, dtype) if isinstance(x, CudaArray) else b.scalar_array(x, dtype)
    y = _operand(b, y, dtype) if isinstance(y, CudaArray) else b.scalar_array(y, dtype)
    kernel = b.rt.kernel("where", dtype.short, f"where_{dtype.short}")
    views = [(out.buffer, out.offset, out.strides), _view(cond, shape), _view(x, shape), _view(y, shape)]
    strided(b.rt, kernel, shape, views)
    return out


# --- cast, copy, fill, arange -------------------------------------------------------------------


def cast(b, x: CudaArray, dtype) -> CudaArray:
    if x.dtype is dtype:
        return contiguous(b, x)
    out = b.empty(x.shape, dtype)
    if out.size:
        kernel = b.rt.kernel("cast", x.dtype.short, f"cast_{x.dtype.short}_{dtype.short}")
        strided(b.rt, kernel, x.shape, [(out.buffer, 0, out.strides), (x.buffer, x.offset, x.strides)])
    return out


def contiguous(b, x: CudaArray) -> CudaArray:
    out = b.empty(x.shape, x.dtype)
    copy_into(b, out, x)
    return out


def copy_into(b, dst: CudaArray, src) -> None:
    """``dst[...] = src`` for a view ``dst`` and an array (broadcast, any dtype) or scalar."""
    if dst.size == 0:
        return
    if not isinstance(src, CudaArray):
        fill(b, dst, src)
        return
    if src.dtype is not dst.dtype:
        src = cast(b, src, dst.dtype)
    if src.same_view(dst):
        return
    src = b.unalias(src, dst)
    if dst.contiguous and _plain(src, dst.shape):
        b.memcpy_d2d(dst.address, src.address, dst.size * dst.itemsize)
        return
    short = dst.dtype.short
    operands = [(dst.buffer, dst.offset, dst.strides), _view(src, dst.shape)]
    aligned = dst.block.ptr % 16 == 0 and src.block.ptr % 16 == 0 and _rows_aligned(dst, operands)
    name = f"copy_{short}_rows" if aligned else f"copy_{short}"
    strided(b.rt, b.rt.kernel("copy", short, name), dst.shape, operands)


def _rows_aligned(dst: CudaArray, operands) -> bool:
    """Whether copy_<dtype>_rows applies: innermost strides 1, and the row length, offsets and
    outer strides multiples of the 16-byte vector (so every access is aligned)."""
    per = vec_width(dst.itemsize, dst.itemsize)
    shape, strides = collapse(dst.shape, [op[2] for op in operands])
    if len(shape) > 4 or shape[-1] % per:
        return False
    for (_, offset, _), st in zip(operands, strides):
        if st[-1] != 1 or offset % per or any(s % per for s in st[:-1]):
            return False
    return True


def fill(b, dst: CudaArray, value) -> None:
    """Every element of the view ``dst`` becomes the Python scalar ``value``."""
    if dst.size == 0:
        return
    bits = raw_bits(value, dst.dtype)
    if dst.contiguous and not np.asarray(bits).any():
        b.memset(dst.address, dst.size * dst.itemsize)
        return
    short = dst.dtype.short
    kernel = b.rt.kernel("copy", short, f"fill_{short}")
    strided(b.rt, kernel, dst.shape, [(dst.buffer, dst.offset, dst.strides)], (bits,))


def arange(b, start, step, n: int, dtype) -> CudaArray:
    out = b.empty((n,), dtype)
    if n == 0:
        return out
    wide = np.float64 if dtype.kind == "f" else np.int64
    kernel = b.rt.kernel("copy", dtype.short, f"arange_{dtype.short}")
    b.rt.launch(
        kernel, (min(blocks(n), b.rt.sm_count * 16),), (256,), (out.buffer, wide(start), wide(step), LONG(n))
    )
    return out


def numel(shape) -> int:
    return math.prod(shape)
