"""Sliding windows over the trailing (spatial) axes, and their adjoint: the two ops that
convolution and pooling are composed from.

``sliding_windows(x, kernel, stride, dilation)`` is a *view*: for ``x`` of shape
``(..., H, W)`` it has shape ``(..., OH, OW, KH, KW)`` and reads element
``x[..., oh * sh + kh * dh, ow * sw + kw * dw]`` without copying (windows overlap in memory).
Its gradient must add the contributions of overlapping windows; that is ``fold_windows``,
which writes ``KH * KW`` strided slice-adds into a zero tensor. Each op's gradient is the other
op, so both are differentiable to any order. Neither needs a new backend primitive: the view is
a strided view, and the fold uses ``full`` and ``binary("add", ..., out=view)``.

>>> import gputensor as gt
>>> from gputensor.nn.windows import sliding_windows
>>> sliding_windows(gt.arange(5.0), (2,), (2,), (1,)).tolist()
[[0.0, 1.0], [2.0, 3.0]]
"""

from __future__ import annotations

import itertools

from ..ops.core import Tensor, make, record, state
from ..tensor import make_view


def window_counts(sizes, kernel, stride, dilation) -> tuple:
    """Number of whole windows along each spatial axis (may be zero or negative)."""
    return tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(sizes, kernel, stride, dilation))


def sliding_windows(x: Tensor, kernel: tuple, stride: tuple, dilation: tuple) -> Tensor:
    """The view ``(..., O1, .., Od, K1, .., Kd)`` of the windows over the last ``d`` axes of
    ``x`` (``d = len(kernel)``). Arguments are already checked: every count is at least 1.

    >>> import gputensor as gt
    >>> sliding_windows(gt.zeros((2, 3, 8, 8)), (3, 3), (1, 1), (1, 1)).shape
    (2, 3, 6, 6, 3, 3)
    """
    d = len(kernel)
    lead = x.shape[:-d]
    sizes = x.shape[-d:]
    strides = x.strides
    counts = window_counts(sizes, kernel, stride, dilation)
    step_strides = tuple(st * s for st, s in zip(strides[-d:], stride))
    tap_strides = tuple(st * dl for st, dl in zip(strides[-d:], dilation))
    y = make_view(x, lead + counts + tuple(kernel), strides[:-d] + step_strides + tap_strides, x.offset)
    if x.requires_grad and state.enabled:
        record("sliding_windows", _g_sliding_windows, (x,), y, ctx=(sizes, kernel, stride, dilation))
    return y


def _g_sliding_windows(node, g):
    sizes, kernel, stride, dilation = node.ctx
    return fold_windows(g, sizes, kernel, stride, dilation)


def fold_windows(g: Tensor, sizes: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> Tensor:
    """The adjoint of :func:`sliding_windows`: a tensor ``(..., *sizes)`` in which every window
    element of ``g`` (shape ``(..., O1, .., Od, K1, .., Kd)``) is added at the position it was
    read from. Overlapping windows add up.

    >>> import gputensor as gt
    >>> fold_windows(gt.ones((2, 2)), (3,), (2,), (1,), (1,)).tolist()
    [1.0, 2.0, 1.0]
    """
    d = len(kernel)
    lead = g.shape[: -2 * d]
    counts = g.shape[-2 * d : -d]
    shape = lead + tuple(sizes)
    backend = g.device.backend
    zero = 0.0 if g.dtype.kind == "f" else 0
    out = make(backend.full(shape, zero, g.dtype), shape, g.dtype, g.device)
    out_strides = out.strides
    g_strides = g.strides
    part_shape = lead + counts
    region_strides = out_strides[: len(lead)] + tuple(
        out_strides[len(lead) + i] * stride[i] for i in range(d)
    )
    part_strides = g_strides[:-d]
    if g.size:
        for taps in itertools.product(*(range(k) for k in kernel)):
            start = sum(out_strides[len(lead) + i] * taps[i] * dilation[i] for i in range(d))
            region = backend.view(out._root, part_shape, region_strides, start)
            part_offset = g.offset + sum(g_strides[len(g_strides) - d + i] * taps[i] for i in range(d))
            part = backend.view(g._root, part_shape, part_strides, part_offset)
            backend.binary("add", region, part, g.dtype, part_shape, out=region)
    if g.requires_grad and state.enabled:
        record("fold_windows", _g_fold_windows, (g,), out, ctx=(kernel, stride, dilation))
    return out


def _g_fold_windows(node, g):
    kernel, stride, dilation = node.ctx
    return sliding_windows(g, kernel, stride, dilation)
