"""Launcher of matmul.cl: batched matrix products straight from strided views.

Kernel choice per product, from the operands' strides (a view's strides, never a copy):
B's columns contiguous -> the register-blocked ``_tiled`` kernel; A's rows and B's columns
both contiguous along k (B transposed) -> the ``_dot`` kernel; A's columns contiguous (A
transposed too) -> ``_tiled`` on the transposed product C^T = B^T A^T; anything else, and the
integer and bool dtypes -> the one-output-per-work-item kernel."""

from __future__ import annotations

import itertools

from .array import CLArray, collapse
from .elementwise import cast, vector_width
from .launch import ceil_to
from .runtime import LONG

_ARGS = (None, LONG, LONG, LONG, LONG) * 3 + (LONG, LONG, LONG)
TILE_ROWS = 6      # RM in matmul.cl
TILE_VECTORS = 2   # RN
DOT_TILE = 3       # DM = DN


def _batch_strides(x: CLArray, batch: tuple) -> tuple:
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


def matmul(b, a: CLArray, bb: CLArray, dtype) -> CLArray:
    if a.dtype is not dtype:
        a = cast(b, a, dtype)
    if bb.dtype is not dtype:
        bb = cast(b, bb, dtype)
    m, k = a.shape[-2:]
    n = bb.shape[-1]
    batch = _broadcast(a.shape[:-2], bb.shape[:-2])
    out = b.empty(batch + (m, n), dtype)
    if out.size == 0:
        return out
    if k == 0:
        b.copy_into(out, 0)
        return out
    cstrides = out.strides[:-2]
    shape, (cs, as_, bs) = collapse(batch or (1,), [cstrides or (0,), _batch_strides(a, batch) or (0,),
                                                    _batch_strides(bb, batch) or (0,)])
    for index in itertools.product(*(range(d) for d in shape[:-1])):
        co = sum(i * s for i, s in zip(index, cs))
        ao = a.offset + sum(i * s for i, s in zip(index, as_))
        bo = bb.offset + sum(i * s for i, s in zip(index, bs))
        _launch(b, dtype, (out.buffer, co, n, 1, cs[-1]), (a.buffer, ao, *a.strides[-2:], as_[-1]),
                (bb.buffer, bo, *bb.strides[-2:], bs[-1]), m, n, k, shape[-1])
    return out


def _launch(b, dtype, c, a, bb, m, n, k, batch) -> None:
    sam, sak = (1 if m == 1 else a[2]), (1 if k == 1 else a[3])
    sbk, sbn = (1 if k == 1 else bb[2]), (1 if n == 1 else bb[3])
    a = (a[0], a[1], sam, sak, a[4])
    bb = (bb[0], bb[1], sbk, sbn, bb[4])
    if dtype.kind == "f":
        if sbn == 1:
            return _tiled(b, dtype, c, a, bb, m, n, k, batch)
        if sak == 1 and sbk == 1:
            return _dot(b, dtype, c, a, bb, m, n, k, batch)
        if sam == 1:
            # C^T = B^T A^T: B^T's rows are B's columns, A^T's columns are contiguous
            ct = (c[0], c[1], c[3], c[2], c[4])
            return _tiled(b, dtype, ct, (bb[0], bb[1], sbn, sbk, bb[4]), (a[0], a[1], sak, sam, a[4]),
                          n, m, k, batch)
    return _generic(b, dtype, c, a, bb, m, n, k, batch)


def _run(b, dtype, suffix, global_size, local_size, c, a, bb, m, n, k) -> None:
    kernel = b.rt.kernel("matmul", dtype.short, f"matmul_{dtype.short}{suffix}", _ARGS)
    b.rt.launch(kernel, global_size, local_size, *c, *a, *bb, m, n, k)


def _tiled(b, dtype, c, a, bb, m, n, k, batch) -> None:
    cols = -(-n // (TILE_VECTORS * vector_width(dtype)))
    rows = -(-m // TILE_ROWS)
    group = 8 if rows >= 8 else 1
    _run(b, dtype, "_tiled", (cols, ceil_to(rows, group), batch), (1, group, 1), c, a, bb, m, n, k)


def _dot(b, dtype, c, a, bb, m, n, k, batch) -> None:
    cols = -(-n // DOT_TILE)
    rows = -(-m // DOT_TILE)
    _run(b, dtype, "_dot", (cols, rows, batch), (1, 1, 1), c, a, bb, m, n, k)


def _generic(b, dtype, c, a, bb, m, n, k, batch) -> None:
    if n >= 32:
        local = (64, 1, 1)
    elif m >= 32:
        local = (1, 64, 1)
    else:
        local = (1, 1, 1)
    global_size = (ceil_to(n, local[0]), ceil_to(m, local[1]), batch)
    _run(b, dtype, "", global_size, local, c, a, bb, m, n, k)
