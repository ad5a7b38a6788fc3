"""bfloat16 rounding as a TPU does it, vectorized with integer NumPy operations.

float32 -> bfloat16 keeps the top 16 bits after rounding to nearest, ties to even: add
``0x7FFF`` plus the lowest kept bit, then clear the low half. That overflows to ±inf exactly
where round-to-nearest-even does. Two cases need care, both checked with one cheap reduction
before any fix-up pass runs:

- NaN inputs would carry into the exponent (or the sign); they become the quiet NaN with the
  input's sign (``0x7FC0`` / ``0xFFC0``), as ml_dtypes and XLA produce;
- results that are bfloat16 subnormals (exponent bits zero, fraction not) are flushed to a zero
  of the same sign: TPUs flush subnormals, ml_dtypes and CPU JAX do not.
"""

from __future__ import annotations

import numpy as np

from ... import dtypes as dt

BF16 = dt.bfloat16.np
F32 = np.dtype(np.float32)
_U32 = np.dtype(np.uint32)
_HALF_MINUS_ONE = np.uint32(0x7FFF)
_HIGH_HALF = np.uint32(0xFFFF0000)
_SIGN = np.uint32(0x80000000)
_TWICE_SMALLEST_NORMAL = np.uint32(0x01000000)
_QUIET = np.uint32(0x7FC00000)
_ONE = np.uint32(1)
_SHIFT = np.uint32(16)


def round_f32(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """float32 array -> float32 array holding the bfloat16 values (RNE, NaN kept, FTZ).

    ``out`` (float32, same shape, may be ``x`` itself) receives the result.
    """
    x = np.asarray(x, dtype=F32)
    u = x.view(_U32)  # any strides: same itemsize; results keep x's memory order
    bits = np.empty_like(u)  # (0-d ufunc results would be scalars)
    np.right_shift(u, _SHIFT, out=bits)
    np.bitwise_and(bits, _ONE, out=bits)
    np.add(bits, _HALF_MINUS_ONE, out=bits)
    np.add(bits, u, out=bits)
    np.bitwise_and(bits, _HIGH_HALF, out=bits)
    if x.size and np.isnan(np.minimum.reduce(x, axis=None)):
        nan = np.isnan(x, out=np.empty(x.shape, np.bool_))
        quiet = np.bitwise_and(u, _SIGN) | _QUIET
        np.copyto(bits, quiet, where=nan)
    _flush_subnormals(bits)
    result = bits.view(F32)
    if out is None:
        return result
    np.copyto(out, result)
    return out


def _flush_subnormals(bits: np.ndarray) -> None:
    """In place on float32 bit patterns whose low half is zero: subnormals -> signed zero."""
    if not bits.size:
        return
    # Twice the magnitude (the sign shifted out) minus one is below 2 * 0x7FFFFF exactly for
    # non-zero subnormals: zero wraps around to 2**32 - 1. One read-only reduction tells whether
    # any is there; the masks are only built when one is.
    mag2 = np.empty_like(bits)
    np.left_shift(bits, _ONE, out=mag2)
    np.subtract(mag2, _ONE, out=mag2)
    if np.minimum.reduce(mag2, axis=None) >= _TWICE_SMALLEST_NORMAL - _ONE:
        return
    tiny = np.less(mag2, _TWICE_SMALLEST_NORMAL - _ONE, out=np.empty(bits.shape, np.bool_))
    np.bitwise_and(bits, _SIGN, out=bits, where=tiny)


def to_bf16(x: np.ndarray) -> np.ndarray:
    """Any float or integer array -> a new bfloat16 array (RNE + FTZ).

    float64 and integers go through float32 first, as ml_dtypes (and so JAX on the host) does.
    """
    if x.dtype == BF16:
        return flush_bf16(np.array(x, copy=True, order="C"))
    rounded = round_f32(np.asarray(x, dtype=F32))
    return pack(rounded)


def pack(rounded_f32: np.ndarray) -> np.ndarray:
    """float32 values that are already bfloat16 values -> a new C-contiguous bfloat16 array
    (exact)."""
    high = np.empty(rounded_f32.shape, np.uint16)
    np.right_shift(rounded_f32.view(_U32), _SHIFT, out=high, casting="unsafe")
    return high.view(BF16)


def flush_bf16(x: np.ndarray) -> np.ndarray:
    """In place: bfloat16 subnormals -> signed zero. Returns ``x``."""
    if not x.size:
        return x
    h = x.view(np.uint16)
    mag = np.empty_like(h)
    np.bitwise_and(h, np.uint16(0x7FFF), out=mag)
    np.subtract(mag, np.uint16(1), out=mag)
    tiny = np.less(mag, np.uint16(0x007F), out=np.empty(h.shape, np.bool_))
    if tiny.any():
        np.bitwise_and(h, np.uint16(0x8000), out=h, where=tiny)
    return x


def split(x: np.ndarray, parts: int) -> list[np.ndarray]:
    """float32 ``x`` as ``parts`` float32 arrays of bfloat16 values, largest first, whose sum
    approximates ``x`` (hi; hi + lo; hi + mid + lo) as XLA splits f32 for bf16 passes."""
    pieces = []
    rest = np.asarray(x, dtype=F32)
    for i in range(parts):
        piece = round_f32(rest)
        pieces.append(piece)
        if i + 1 < parts:
            rest = rest - piece
            infinite = np.isinf(piece)
            if infinite.any():
                # inf - inf would poison the lower parts with NaN; an infinite part is the value.
                rest[infinite] = 0.0
    return pieces
