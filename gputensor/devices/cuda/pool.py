"""Window reductions for pooling (kernels_cuda/pool.cu), the optional primitive ``pool2d``
that gputensor/nn/pooling.py uses when a backend has it."""

from __future__ import annotations

from ... import dtypes as dt
from .array import CudaArray
from .launch import BLOCK, LONG, stride_grid

FLOATS = frozenset({dt.float16, dt.bfloat16, dt.float32, dt.float64})
INTEGERS = frozenset({dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8})


def pool2d(b, kind: str, x: CudaArray, kernel, stride, dilation) -> CudaArray | None:
    """``(N, C, OH, OW)`` max (``kind="max"``, floating or integer) or sum (``"sum"``, floating)
    over the windows of the already padded ``x`` (N, C, H, W); None (compose) otherwise."""
    ok = x.dtype in FLOATS or (kind == "max" and x.dtype in INTEGERS)
    if kind not in ("max", "sum") or not ok or x.ndim != 4:
        return None
    x = b.as_contiguous(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    y = b.empty((n, c, max(oh, 0), max(ow, 0)), x.dtype)
    total = y.size
    if total == 0:
        return y
    short = x.dtype.short
    fn = b.rt.kernel("pool", short, f"{kind}_pool2d_{short}")
    sizes = (n * c, h, w, oh, ow, kh, kw, sh, sw, dh, dw)
    args = (y.buffer, x.buffer, LONG(x.offset), *(LONG(v) for v in sizes))
    b.rt.launch(fn, (stride_grid(b.rt, total),), (BLOCK,), args)
    return y
