"""The fused 2-D convolution forward (kernels_cuda/conv.cu), the optional primitive
``conv2d`` that gputensor/nn/conv.py uses when a backend has it."""

from __future__ import annotations

from ... import dtypes as dt
from .array import CudaArray
from .launch import LONG

FLOATS = frozenset({dt.float16, dt.bfloat16, dt.float32, dt.float64})
TILE = 64  # pixels and output channels per block (CONV_BM, CONV_BN)


def conv2d(b, x: CudaArray, w: CudaArray, pads, stride, dilation, groups: int) -> CudaArray | None:
    """``(N, O, OH, OW)`` cross-correlation of ``x`` (N, C, H, W) with ``w`` (O, C / groups, KH,
    KW); None (compose) for non-floating or mixed dtypes."""
    if x.dtype not in FLOATS or w.dtype is not x.dtype or x.ndim != 4 or w.ndim != 4:
        return None
    x = b.as_contiguous(x)
    w = b.as_contiguous(w)
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    (pt, pb), (pl, pr) = pads
    sh, sw = stride
    dh, dw = dilation
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (width + pl + pr - dw * (kw - 1) - 1) // sw + 1
    y = b.empty((n, o, oh, ow), x.dtype)
    pixels = n * oh * ow
    if pixels == 0 or o == 0:
        return y
    short = x.dtype.short
    kernel = b.rt.kernel("conv", short, f"conv2d_{short}")
    grid = (-(-pixels // TILE), -(-(o // groups) // TILE), groups)
    args = (y.buffer, x.buffer, LONG(x.offset), w.buffer, LONG(w.offset),
            *(LONG(v) for v in (n, c, h, width, o, kh, kw, oh, ow, sh, sw, pt, pl, dh, dw, groups)))
    b.rt.launch(kernel, grid, (256,), args)
    return y
