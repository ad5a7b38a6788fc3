"""2-D max and average pooling over the same strided window view as ``conv2d``.

``max_pool2d`` reduces each window with ``max``; where several elements of a window tie for the
maximum, the gradient is split evenly between them (``gt.max``'s rule), whereas PyTorch gives it
all to one of them. Both are valid subgradients; they differ only on exact ties.

A backend may offer the window reduction as the optional fused primitive ``pool2d(kind, x,
kernel, stride, dilation, pads) -> array | None`` (OpenCL, CUDA): ``kind`` "max" (floating or
integer) or "sum" (floating) over the windows of the (N, C, H, W) native array ``x`` padded by
``pads`` ((top, bottom), (left, right); cells outside ``x`` count as the lowest value for max
and as zero for sum, and are never copied), the (N, C, OH, OW) result in its dtype, or None to
decline; and ``pool2d_backward(kind, x, y, g, kernel, stride, dilation, pads) -> array |
None``, the first derivative below (``y`` the result, ``g`` its gradient, all of ``x``'s
floating dtype) as the composed ops compute it. The gradients are the composed ones,
written out below with the same ops.
"""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentTypeError, DTypeError
from ..ops.binary import equal, floor_divide, remainder
from ..ops.core import Tensor, make, record, state, to_tensor
from ..ops.creation import arange, asarray
from ..ops.elementwise import astype
from ..ops.indexing import getitem
from ..ops.reduction import argmax
from ..ops.reduction import max as reduce_max
from ..ops.reduction import sum as reduce_sum
from ..ops.views import broadcast_to, expand_dims, reshape
from .checks import IntPair, Padding, float_tensor, int_tuple
from .geometry import channels_first, pad_spatial, pool_padding, restore_layout
from .windows import fold_windows, sliding_windows


def _pool_args(op, x, kernel_size, stride, padding, dilation, ceil_mode, data_format):
    """(x as NCHW, batched, kernel, stride, dilation, pads including the ceil-mode extra)."""
    x, batched = channels_first(op, "x", x, data_format)
    kernel = int_tuple(op, "kernel_size", kernel_size, 2, 1)
    stride = kernel if stride is None else int_tuple(op, "stride", stride, 2, 1)
    dilation = int_tuple(op, "dilation", dilation, 2, 1)
    if not isinstance(ceil_mode, bool):
        raise ArgumentTypeError(f"{op}: ceil_mode must be a bool, got {ceil_mode!r}")
    pads, extra = pool_padding(op, padding, x.shape[2:], kernel, stride, dilation, ceil_mode)
    full_pads = tuple((a, b + e) for (a, b), e in zip(pads, extra))
    return x, batched, kernel, stride, dilation, pads, full_pads


def max_pool2d(
    x: Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: Padding = 0,
    dilation: IntPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    data_format: str = "NCHW",
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each ``kernel_size`` window.

    Parameters
    ----------
    x : Tensor
        ``(N, C, H, W)`` (``"NCHW"``) or ``(N, H, W, C)`` (``"NHWC"``); the batch axis may be
        left out. Floating or integer dtype.
    kernel_size, stride, dilation : int or pair of ints
        ``stride`` defaults to ``kernel_size``.
    padding : int, pair, ``"valid"`` or ``"same"``
        Padded cells never win (they hold -inf); explicit padding is at most half the kernel.
    ceil_mode : bool
        Round the output size up, keeping a last partial window that starts inside the input.
    return_indices : bool
        Also return, for every output, the flat index ``h * W + w`` of the chosen element in
        its ``(H, W)`` input plane (the first maximum on ties), as PyTorch does.

    Returns
    -------
    Tensor, or (Tensor, int64 Tensor) with ``return_indices``

    Examples
    --------
    >>> import gputensor as gt
    >>> x = gt.reshape(gt.arange(16.0), (1, 1, 4, 4))
    >>> gt.nn.functional.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    op = "max_pool2d"
    x = to_tensor(x)
    if x.dtype.kind not in "fiu":
        raise DTypeError(f"{op}: x must be a floating-point or integer tensor, got {x.dtype.name}")
    x, batched, kernel, stride, dilation, pads, full_pads = _pool_args(
        op, x, kernel_size, stride, padding, dilation, ceil_mode, data_format
    )
    y = restore_layout(_window_reduce("max", x, full_pads, kernel, stride, dilation), data_format, batched)
    if not return_indices:
        return y
    windows = sliding_windows(pad_spatial(x, full_pads, _lowest(x.dtype)), kernel, stride, dilation)
    index = _argmax_index(windows, x.shape[3], pads, kernel, stride, dilation)
    return y, restore_layout(index, data_format, batched)


def _window_reduce(kind: str, x: Tensor, pads, kernel, stride, dilation) -> Tensor:
    """The max or sum over each window of ``x`` padded by ``pads`` (with the lowest value for
    max, zero for sum): ``(N, C, OH, OW)``."""
    fused = getattr(x.device.backend, "pool2d", None)
    if fused is not None:
        data = fused(kind, x._data, kernel, stride, dilation, pads)
        if data is not None:
            y = make(data, tuple(data.shape), x.dtype, x.device)
            if state.enabled and x.requires_grad and x.dtype.kind == "f":
                record(f"{kind}_pool2d", _g_window_reduce, (x,), y, save=(x, y),
                       ctx=(kind, pads, kernel, stride, dilation))
            return y
    xp = pad_spatial(x, pads, _lowest(x.dtype) if kind == "max" else 0.0)
    windows = sliding_windows(xp, kernel, stride, dilation)
    return (reduce_max if kind == "max" else reduce_sum)(windows, axis=(4, 5))


def _g_window_reduce(node, g):
    """The composed gradients: a window sum sends ``g`` to every cell of the window; a max to
    the cells equal to it, split evenly between ties (``gt.max``'s rule); the padding's share
    is cut off."""
    kind, pads, kernel, stride, dilation = node.ctx
    x, y = node.saved_tensors
    fused = getattr(x.device.backend, "pool2d_backward", None)
    if fused is not None and not state.enabled and g.dtype is x.dtype:
        # a first derivative only (a recorded backward composes, to stay differentiable)
        data = fused(kind, x._data, y._data, g._data, kernel, stride, dilation, pads)
        if data is not None:
            return make(data, x.shape, x.dtype, x.device)
    height, width = x.shape[2:]
    padded = (height + pads[0][0] + pads[0][1], width + pads[1][0] + pads[1][1])
    g = expand_dims(expand_dims(g, axis=-1), axis=-1)
    if kind == "max":
        windows = sliding_windows(pad_spatial(x, pads, _lowest(x.dtype)), kernel, stride, dilation)
        mask = astype(equal(windows, expand_dims(expand_dims(y, axis=-1), axis=-1)), g.dtype)
        g = g * mask / reduce_sum(mask, axis=(4, 5), keepdims=True)
    else:
        g = broadcast_to(g, g.shape[:4] + tuple(kernel))
    gxp = fold_windows(g, padded, kernel, stride, dilation)
    top, left = pads[0][0], pads[1][0]
    return getitem(gxp, (slice(None), slice(None), slice(top, top + height), slice(left, left + width)))


def _lowest(dtype):
    """The padding value that never wins a max: -inf, or the integer dtype's minimum."""
    return float("-inf") if dtype.kind == "f" else int(np.iinfo(dtype.np).min)


def _argmax_index(windows: Tensor, width: int, pads, kernel, stride, dilation) -> Tensor:
    """Flat ``h * width + w`` input positions of each window's first maximum."""
    n, c, oh, ow, kh, kw = windows.shape
    tap = argmax(reshape(windows.detach(), (n, c, oh, ow, kh * kw)), axis=-1)
    device = windows.device
    rows = reshape(arange(oh, device=device) * stride[0] - pads[0][0], (oh, 1))
    cols = arange(ow, device=device) * stride[1] - pads[1][0]
    rows = rows + floor_divide(tap, kw) * dilation[0]
    cols = cols + remainder(tap, kw) * dilation[1]
    return rows * width + cols


def avg_pool2d(
    x: Tensor,
    kernel_size: IntPair,
    stride: IntPair | None = None,
    padding: Padding = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    data_format: str = "NCHW",
) -> Tensor:
    """Mean over each ``kernel_size`` window.

    Parameters
    ----------
    x : Tensor
        Floating ``(N, C, H, W)`` (``"NCHW"``) or ``(N, H, W, C)`` (``"NHWC"``); the batch axis
        may be left out.
    kernel_size, stride : int or pair of ints
        ``stride`` defaults to ``kernel_size``.
    padding : int, pair, ``"valid"`` or ``"same"``
        Zero padding; explicit padding is at most half the kernel.
    ceil_mode : bool
        Round the output size up; cells past the padded input never count.
    count_include_pad : bool
        Divide by the window's cells inside the padded input (True, PyTorch's default) or by its
        cells inside the input only (False; Keras' ``"same"`` pooling behaves this way).
    divisor_override : int, optional
        Divide every window sum by this number instead.

    Examples
    --------
    >>> import gputensor as gt
    >>> x = gt.reshape(gt.arange(16.0), (1, 1, 4, 4))
    >>> gt.nn.functional.avg_pool2d(x, 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    op = "avg_pool2d"
    x = float_tensor(op, "x", x)
    if not isinstance(count_include_pad, bool):
        raise ArgumentTypeError(f"{op}: count_include_pad must be a bool, got {count_include_pad!r}")
    x, batched, kernel, stride, dilation, pads, full_pads = _pool_args(
        op, x, kernel_size, stride, padding, 1, ceil_mode, data_format
    )
    total = _window_reduce("sum", x, full_pads, kernel, stride, dilation)
    if divisor_override is not None:
        divisor = int_tuple(op, "divisor_override", divisor_override, 1, 1)[0]
    else:
        counts = _window_cells(x.shape[2:], pads, total.shape[2:], kernel, stride, count_include_pad)
        divisor = asarray(counts.astype(x.dtype.np), device=x.device)
    return restore_layout(total / divisor, data_format, batched)


def _window_cells(sizes, pads, counts, kernel, stride, include_pad: bool) -> np.ndarray:
    """How many cells of each window count for the mean: an (OH, OW) constant."""
    per_axis = []
    for n, (a, b), c, k, s in zip(sizes, pads, counts, kernel, stride):
        start = np.arange(c) * s
        low, high = (0, n + a + b) if include_pad else (a, a + n)
        cells = np.minimum(start + k, high) - np.maximum(start, low)
        per_axis.append(np.maximum(cells, 0))
    return np.outer(per_axis[0], per_axis[1]).astype(np.float64)
