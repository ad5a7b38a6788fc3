"""Window reductions for pooling (kernels_cuda/pool.cu), the optional primitive ``pool2d``
that gputensor/nn/pooling.py uses when a backend has it."""

from __future__ import annotations

from ..pool_geometry import pool2d_sizes
from .array import CudaArray
from .launch import BLOCK, LONG, stride_grid


def pool2d(b, kind: str, x: CudaArray, kernel, stride, dilation, pads) -> CudaArray | None:
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
        fn = b.rt.kernel("pool", short, f"{kind}_pool2d_{short}")
        args = (y.buffer, x.buffer, LONG(x.offset), *(LONG(v) for v in sizes))
        b.rt.launch(fn, (stride_grid(b.rt, y.size),), (BLOCK,), args)
    return y
