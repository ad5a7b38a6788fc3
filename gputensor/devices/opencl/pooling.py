"""Window reductions for pooling and their gradients (kernels_cl/pool.cl), the optional
primitives ``pool2d`` and ``pool2d_backward`` that gputensor/nn/pooling.py uses when a backend
has them."""

from __future__ import annotations

from ..pool_geometry import pool2d_sizes
from .array import CLArray
from .launch import grid3, linear
from .reduction import acc_dtype
from .runtime import LONG


def pool2d(b, kind: str, x: CLArray, kernel, stride, dilation, pads) -> CLArray | None:
    """``(N, C, OH, OW)`` max (``kind="max"``, floating or integer) or sum (``"sum"``, floating)
    over the windows of ``x`` (N, C, H, W) padded by ``pads`` (never copied); None (compose)
    otherwise."""
    sizes = pool2d_sizes(kind, x.dtype, x.shape, kernel, stride, dilation, pads)
    if sizes is None:
        return None
    x = b.as_contiguous(x)
    y = b.empty(x.shape[:2] + sizes[3:5], x.dtype)
    if y.size:
        short = x.dtype.short
        fn = b.rt.kernel("pool", short, f"{kind}_pool2d_{short}", (None, None) + (LONG,) * 14)
        linear(b.rt, fn, y.size, y.buffer, x.buffer, x.offset, *sizes)
    return y


def pool2d_backward(b, kind: str, x: CLArray, y: CLArray, g: CLArray, kernel, stride, dilation, pads):
    """The gradient with respect to ``x`` (N, C, H, W) of :func:`pool2d` ``"max"`` given ``y``
    and the output gradient ``g`` (both (N, C, OH, OW), ``x``'s floating dtype); None otherwise,
    and for ``"sum"``, whose composed gradient (strided adds) measured faster here."""
    sizes = pool2d_sizes(kind, x.dtype, x.shape, kernel, stride, dilation, pads)
    if kind != "max" or sizes is None or x.dtype.kind != "f" or {g.dtype, y.dtype} != {x.dtype}:
        return None
    x, y, g = (b.as_contiguous(a) for a in (x, y, g))
    gx = b.empty(x.shape, x.dtype)
    if gx.size == 0:
        return gx
    short = x.dtype.short
    shape = (LONG,) * 13
    cells = grid3(sizes[2], sizes[1], sizes[0])  # (W, H, P): one work-item per input cell
    windows = sizes[0] * sizes[3] * sizes[4]
    cnt = b.empty((windows,), acc_dtype(x.dtype))
    if windows:
        types = (None, None, LONG, None, LONG) + shape
        fn = b.rt.kernel("pool", short, f"max_pool2d_{short}_count", types)
        linear(b.rt, fn, windows, cnt.buffer, x.buffer, x.offset, y.buffer, y.offset, *sizes)
    types = (None, None, LONG, None, LONG, None, LONG, None) + shape
    fn = b.rt.kernel("pool", short, f"max_pool2d_{short}_backward", types)
    operands = (x.buffer, x.offset, y.buffer, y.offset, g.buffer, g.offset, cnt.buffer)
    b.rt.launch(fn, *cells, gx.buffer, *operands, *sizes)
    return gx
