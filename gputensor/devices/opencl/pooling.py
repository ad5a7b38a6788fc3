"""Window reductions for pooling (kernels_cl/pool.cl), the optional primitive ``pool2d``
that gputensor/nn/pooling.py uses when a backend has it."""

from __future__ import annotations

from ..pool_geometry import pool2d_sizes
from .array import CLArray
from .launch import linear
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
