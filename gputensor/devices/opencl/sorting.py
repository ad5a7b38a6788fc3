"""Launchers of sort.cl: a stable merge sort along rows, and binary search."""

from __future__ import annotations

from ... import dtypes as dt
from .array import CLArray
from .elementwise import cast
from .launch import linear
from .runtime import INT, LONG

_BLOCK = 16  # elements insertion-sorted per work-item before the merge passes
_BLOCK_ARGS = (None, None, None, LONG, LONG, LONG, INT)
_MERGE_ARGS = (None, None, None, None, LONG, LONG, INT)


def sort(b, x: CLArray, axis: int, descending: bool):
    x = b.as_contiguous(x)
    last = x.ndim - 1
    moved = x
    if axis != last:
        order = tuple(i for i in range(x.ndim) if i != axis) + (axis,)
        moved = b.contiguous(b.view(x, tuple(x.shape[i] for i in order), tuple(x.strides[i] for i in order),
                                    x.offset))
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


def _sort_rows(b, x: CLArray, descending: bool):
    values = b.empty(x.shape, x.dtype)
    indices = b.empty(x.shape, dt.int64)
    if x.size == 0:
        return values, indices
    k = x.shape[-1] if x.ndim else 1
    rows = x.size // k
    short = x.dtype.short
    rt = b.rt
    blocks = -(-k // _BLOCK)
    local = 64 if blocks >= 64 else 1
    kernel = rt.kernel("sort", short, f"sort_{short}_block", _BLOCK_ARGS)
    rt.launch(kernel, (-(-blocks // local) * local, rows), (local, 1), values.buffer, indices.buffer,
              x.buffer, x.offset, k, _BLOCK, int(descending))
    merge = rt.kernel("sort", short, f"sort_{short}", _MERGE_ARGS)
    spare_values = spare_indices = None
    width = _BLOCK
    while width < k:
        if spare_values is None:
            spare_values = b.empty(x.shape, x.dtype)
            spare_indices = b.empty(x.shape, dt.int64)
        pairs = -(-k // (2 * width))
        local = 64 if pairs >= 64 else 1
        rt.launch(merge, (-(-pairs // local) * local, rows), (local, 1), spare_values.buffer,
                  spare_indices.buffer, values.buffer, indices.buffer, k, width, int(descending))
        values, spare_values = spare_values, values
        indices, spare_indices = spare_indices, indices
        width *= 2
    return values, indices


def searchsorted(b, sorted_1d: CLArray, values: CLArray, side: str) -> CLArray:
    if values.dtype is not sorted_1d.dtype:
        values = cast(b, values, sorted_1d.dtype)
    sorted_1d = b.as_contiguous(sorted_1d)
    values = b.as_contiguous(values)
    out = b.empty(values.shape, dt.int64)
    if out.size == 0:
        return out
    short = sorted_1d.dtype.short
    types = (None, None, LONG, LONG, None, LONG, LONG, INT)
    kernel = b.rt.kernel("sort", short, f"searchsorted_{short}", types)
    linear(b.rt, kernel, values.size, out.buffer, sorted_1d.buffer, sorted_1d.offset, sorted_1d.size,
           values.buffer, values.offset, values.size, int(side == "right"))
    return out
