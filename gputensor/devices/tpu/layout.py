"""XLA's tiled layout on TPU: how many HBM bytes an array really takes (source: xla-tiled-layout).

Rank >= 2, shape ``[..., r, c]``: the last two axes are padded to whole ``(t, 128)`` tiles, with
``t = 2`` if ``r <= 2``, ``4`` if ``r <= 4``, else 8 (32 for 8-bit types). 16-bit types use the
same 8-row tile, packed ``(8,128)(2,1)``. Rank 1: 32-bit types pad to 128 elements, 16-bit types
to 1024; 8-bit types to 4096 (assumed, by the same packing). A scalar is a length-1 vector.
``bool`` takes 4 bytes per element.
"""

from __future__ import annotations

import functools
import math

import numpy as np

LANES = 128

_XLA_NAMES = {
    "bool": "pred", "int8": "s8", "int16": "s16", "int32": "s32", "int64": "s64", "uint8": "u8",
    "float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
}


def storage_itemsize(np_dtype) -> int:
    """Bytes per element in HBM (bool is stored as 32 bits)."""
    np_dtype = np.dtype(np_dtype)
    return 4 if np_dtype.kind == "b" else np_dtype.itemsize


def row_tile(rows: int, itemsize: int) -> int:
    """Rows per tile of the minor-two-axes tiling."""
    if rows <= 2:
        return 2
    if rows <= 4:
        return 4
    return 32 if itemsize == 1 else 8


def _vector_tile(itemsize: int) -> int:
    return {4: LANES, 2: 1024, 1: 4096}.get(itemsize, LANES)


@functools.lru_cache(maxsize=4096)
def padded_bytes(shape: tuple, np_dtype) -> int:
    """HBM bytes of an array of ``shape`` in the tiled layout.

    >>> padded_bytes((3, 5), "float32"), padded_bytes((9, 5), "float32")
    (2048, 8192)
    """
    item = storage_itemsize(np_dtype)
    if len(shape) < 2:
        n = shape[0] if shape else 1
        tile = _vector_tile(item)
        return math.ceil(n / tile) * tile * item
    r, c = shape[-2], shape[-1]
    lead = math.prod(shape[:-2])
    t = row_tile(r, item)
    return lead * math.ceil(r / t) * t * math.ceil(c / LANES) * LANES * item


def logical_bytes(shape: tuple, np_dtype) -> int:
    """Bytes of the data itself (no padding)."""
    return math.prod(shape) * storage_itemsize(np_dtype)


def layout_string(shape: tuple, np_dtype) -> str:
    """The array as XLA prints it with its layout, e.g. ``f32[320,4096,4096]{2,1,0:T(8,128)}``."""
    np_dtype = np.dtype(np_dtype)
    name = _XLA_NAMES.get(np_dtype.name, np_dtype.name)
    item = storage_itemsize(np_dtype)
    dims = ",".join(str(n) for n in shape)
    if not shape:
        return f"{name}[]"
    if len(shape) == 1:
        return f"{name}[{dims}]{{0:T({_vector_tile(item)})}}"
    order = ",".join(str(i) for i in range(len(shape) - 1, -1, -1))
    tile = f"T({row_tile(shape[-2], item)},{LANES})"
    if item == 2:
        tile += "(2,1)"
    elif item == 1:
        tile += "(4,1)"
    return f"{name}[{dims}]{{{order}:{tile}}}"


def human_bytes(n: float) -> str:
    """Bytes the way XLA prints them: ``512B``, ``1.50K``, ``15.50G`` (powers of 1024)."""
    if abs(n) < 1024:
        return f"{int(n)}B"
    value = float(n)
    for unit in "KMGTPE":
        value /= 1024.0
        if abs(value) < 1024 or unit == "E":
            return f"{value:.2f}{unit}"
    return f"{value:.2f}E"
