"""Launcher of matmul.cl: batched matrix products straight from strided views.

Floating products run the register-blocked ``_tiled`` kernel. Small ones read the operands
where they are: B's columns must then be contiguous, otherwise B's rows and A's columns
both contiguous (B transposed) take the ``_dot`` kernel, and an A transposed too is computed
as C^T = B^T A^T. Large ones (or ones whose B columns are strided) first copy their operands
into tile-contiguous panels (``_pack_a`` / ``_pack_b``), the way BLAS libraries do: each
work-item then streams contiguous memory, and no stride can make the caches alias. Integer
and bool products take the one-output-per-work-item kernel."""

from __future__ import annotations

import itertools

from ..strides import collapse
from .array import CLArray
from .elementwise import cast, vector_width
from .launch import ceil_to
from .runtime import LONG

_ARGS = (None, LONG, LONG, LONG, LONG) * 3 + (LONG,) * 5
_PACK_ARGS = (None, None, LONG, LONG, LONG, LONG, LONG, LONG)
_PACK_WORK = 64**3  # multiply-adds above which operands are packed
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
    if dtype.kind != "f":
        return _generic(b, dtype, c, a, bb, m, n, k, batch)
    if m * n * k >= _PACK_WORK or sbn != 1 and not (sak == 1 and sbk == 1) and sam != 1:
        return _tiled(b, dtype, c, a, bb, m, n, k, batch, pack=True)
    if sbn == 1:
        return _tiled(b, dtype, c, a, bb, m, n, k, batch, pack=False)
    if sak == 1 and sbk == 1:
        return _dot(b, dtype, c, a, bb, m, n, k, batch)
    # C^T = B^T A^T: B^T's rows are B's columns, A^T's columns are contiguous (sam == 1)
    ct = (c[0], c[1], c[3], c[2], c[4])
    return _tiled(b, dtype, ct, (bb[0], bb[1], sbn, sbk, bb[4]), (a[0], a[1], sak, sam, a[4]), n, m, k, batch,
                  pack=False)


def _run(b, dtype, suffix, global_size, local_size, c, a, bb, m, n, k, apt=0, bpt=0) -> None:
    kernel = b.rt.kernel("matmul", dtype.short, f"matmul_{dtype.short}{suffix}", _ARGS)
    b.rt.launch(kernel, global_size, local_size, *c, *a, *bb, m, n, k, apt, bpt)


def _tiled(b, dtype, c, a, bb, m, n, k, batch, pack: bool) -> None:
    width = TILE_VECTORS * vector_width(dtype)
    cols = -(-n // width)
    rows = -(-m // TILE_ROWS)
    apt = TILE_ROWS * a[2]
    bpt = width
    packed = []
    if pack or a[3] != 1:
        packed.append(_pack(b, dtype, "a", a, m, k, rows, TILE_ROWS, batch))
        a = packed[-1][1]
        apt = k * TILE_ROWS
    if pack:
        packed.append(_pack(b, dtype, "b", bb, n, k, cols, width, batch))
        bb = packed[-1][1]
        bpt = k * width
    group = 8 if rows >= 8 else 1
    _run(b, dtype, "_tiled", (cols, ceil_to(rows, group), batch), (1, group, 1), c, a, bb, m, n, k, apt, bpt)


def _pack(b, dtype, which, x, extent, k, tiles, width, batch):
    """The operand ``x`` (A or B) copied into ``tiles`` contiguous panels of ``width`` rows (A)
    or columns (B) per k. Returns (array, operand tuple for the tiled kernel)."""
    packed = b.empty((batch, tiles, k, width), dtype)
    kernel = b.rt.kernel("matmul", dtype.short, f"matmul_{dtype.short}_pack_{which}", _PACK_ARGS)
    local = 64 if k >= 64 else 1
    b.rt.launch(kernel, (ceil_to(k, local), tiles, batch), (local, 1, 1), packed.buffer, x[0], x[1], x[2],
                x[3], x[4], extent, k)
    strides = (1, width) if which == "a" else (width, 1)
    return packed, (packed.buffer, 0, *strides, tiles * k * width)


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
