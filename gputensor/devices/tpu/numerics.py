"""What the TPU computes: MXU matmuls in bf16 passes with float32 accumulation, int8 GEMMs
into int32, and float32 elementwise math with bfloat16 results rounded once (RNE + FTZ).

Matmul precision for float32 inputs, as JAX names it (XLA's bf16 splitting):

- ``default``: both operands rounded to bf16, one pass;
- ``high``: ``x = hi + lo`` (each a bf16 value), 3 passes ``hi·hi + hi·lo + lo·hi``;
- ``highest``: ``x = hi + mid + lo``, 6 passes ``hi·hi + hi·mid + mid·hi + hi·lo + mid·mid + lo·hi``.

A bf16×bf16 product is exact in float32, so each pass is a float32 matmul of bf16 values; the
passes are summed smallest first. bf16 inputs take one pass whatever the precision.
"""

from __future__ import annotations

import numpy as np

from ... import dtypes as dt
from . import bf16

F32 = np.dtype(np.float32)
I32 = np.dtype(np.int32)
BF16 = dt.bfloat16.np

# (i, j) pairs of split parts multiplied, smallest terms first.
_PRODUCTS = {
    1: ((0, 0),),
    2: ((1, 0), (0, 1), (0, 0)),
    3: ((2, 0), (1, 1), (0, 2), (1, 0), (0, 1), (0, 0)),
}
PARTS = {"default": 1, "high": 2, "highest": 3}
PASSES = {"default": 1, "high": 3, "highest": 6}


def matmul_bf16_passes(a, b, precision: str, out: np.ndarray) -> np.ndarray:
    """``a @ b`` for float inputs (float32 or float16) as the MXU computes it, into ``out``
    (float32)."""
    parts = PARTS[precision]
    a_parts = bf16.split(a, parts)
    b_parts = bf16.split(b, parts)
    products = _PRODUCTS[parts]
    if len(products) == 1:
        return np.matmul(a_parts[0], b_parts[0], out=out)
    i, j = products[0]
    np.matmul(a_parts[i], b_parts[j], out=out)
    for i, j in products[1:]:
        out += np.matmul(a_parts[i], b_parts[j])
    return out


def matmul_exact_bf16(a, b, out: np.ndarray) -> np.ndarray:
    """``a @ b`` of bf16 operands: exact products, float32 accumulation, into ``out`` (float32)."""
    return np.matmul(a.astype(F32), b.astype(F32), out=out)


def matmul_int8(a, b, out: np.ndarray) -> np.ndarray:
    """``a @ b`` of 8-bit integer operands, exact, into ``out`` (int32)."""
    return np.matmul(a.astype(I32), b.astype(I32), out=out)


def scalar_as(value, np_dtype):
    """A Python scalar operand as the device holds it: rounded to bf16 for bf16 ops (JAX's weak
    scalars take the other operand's dtype), unchanged otherwise."""
    if np_dtype != BF16 or isinstance(value, bool):
        return value
    return float(bf16.round_f32(np.asarray(value, dtype=F32)))


def as_f32(x) -> np.ndarray:
    """bf16 (or float16) array -> float32 array (exact); float32 passes through."""
    return x if x.dtype == F32 else x.astype(F32)
