"""Window reductions for pooling and their gradients (kernels_cuda/pool.cu), the optional
primitives ``pool2d`` and ``pool2d_backward`` that gputensor/nn/pooling.py uses when a backend
has them."""

from __future__ import annotations

from ..pool_geometry import pool2d_sizes
from .array import CudaArray
from .launch import BLOCK, LONG, acc_dtype, stride_grid


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


def pool2d_backward(b, kind: str, x: CudaArray, y: CudaArray, g: CudaArray, kernel, stride, dilation, pads):
    """The gradient with respect to ``x`` (N, C, H, W) of :func:`pool2d` given ``y`` and the
    output gradient ``g`` (both (N, C, OH, OW), ``x``'s floating dtype); None otherwise."""
    sizes = pool2d_sizes(kind, x.dtype, x.shape, kernel, stride, dilation, pads)
    if sizes is None or x.dtype.kind != "f" or g.dtype is not x.dtype or y.dtype is not x.dtype:
        return None
    x, y, g = (b.as_contiguous(a) for a in (x, y, g))
    gx = b.empty(x.shape, x.dtype)
    if gx.size == 0:
        return gx
    short = x.dtype.short
    shape = tuple(LONG(v) for v in sizes)
    grid = (stride_grid(b.rt, gx.size),)
    if kind == "sum":
        fn = b.rt.kernel("pool", short, f"sum_pool2d_{short}_backward")
        b.rt.launch(fn, grid, (BLOCK,), (gx.buffer, g.buffer, LONG(g.offset), *shape))
        return gx
    windows = sizes[0] * sizes[3] * sizes[4]
    cnt = b.empty((windows,), acc_dtype(x.dtype))
    if windows:
        fn = b.rt.kernel("pool", short, f"max_pool2d_{short}_count")
        args = (cnt.buffer, x.buffer, LONG(x.offset), y.buffer, LONG(y.offset), *shape)
        b.rt.launch(fn, (stride_grid(b.rt, windows),), (BLOCK,), args)
    fn = b.rt.kernel("pool", short, f"max_pool2d_{short}_backward")
    operands = (x.buffer, LONG(x.offset), y.buffer, LONG(y.offset), g.buffer, LONG(g.offset), cnt.buffer)
    args = (gx.buffer, *operands, *shape)
    b.rt.launch(fn, grid, (BLOCK,), args)
    return gx
