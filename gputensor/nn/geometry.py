"""Spatial bookkeeping for convolution and pooling: data layouts, padding specifications and
output sizes. Internally every spatial op works channels-first, ``(N, C, *spatial)``.

Padding is resolved to one ``(before, after)`` pair per spatial axis:

- an int, or one int per axis: the same amount on both sides (PyTorch);
- one ``(before, after)`` pair per axis: asymmetric, explicit;
- ``"valid"``: none;
- ``"same"``: TensorFlow's rule, ``ceil(n / stride)`` outputs per axis, with the odd pixel of
  padding after (for stride 1 this keeps the size, exactly as PyTorch's ``"same"``).
"""

from __future__ import annotations

import math

from ..errors import ArgumentValueError, ShapeError
from ..ops.core import Tensor
from ..ops.manipulation import pad
from ..ops.views import expand_dims, permute_dims, squeeze
from .checks import int_tuple
from .windows import window_counts

LAYOUTS = {"NCHW": False, "NHWC": True}


def channels_first(op: str, name: str, x: Tensor, data_format: str):
    """``x`` as ``(N, C, H, W)`` (a view); returns it and whether the input had a batch axis.
    Accepts ``(N, C, H, W)`` / ``(C, H, W)`` for NCHW and ``(N, H, W, C)`` / ``(H, W, C)`` for NHWC."""
    last = channels_last(op, data_format)
    if x.ndim not in (3, 4):
        layout = "(N, H, W, C) or (H, W, C)" if last else "(N, C, H, W) or (C, H, W)"
        raise ShapeError(
            f"{op}: {name} must have shape {layout} for data_format={data_format!r}, got shape {x.shape}"
        )
    batched = x.ndim == 4
    if not batched:
        x = expand_dims(x, axis=0)
    if last:
        x = permute_dims(x, (0, 3, 1, 2))
    return x, batched


def restore_layout(y: Tensor, data_format: str, batched: bool) -> Tensor:
    """Undo :func:`channels_first` on a result ``(N, C, OH, OW)`` (views only)."""
    if LAYOUTS[data_format]:
        y = permute_dims(y, (0, 2, 3, 1))
    if not batched:
        y = squeeze(y, axis=0)
    return y


def channels_last(op: str, data_format) -> bool:
    """Whether ``data_format`` ('NCHW' or 'NHWC') puts channels last."""
    if data_format not in LAYOUTS:
        raise ArgumentValueError(f"{op}: data_format must be 'NCHW' or 'NHWC', got {data_format!r}")
    return LAYOUTS[data_format]


def resolve_padding(op: str, padding, sizes, kernel, stride, dilation) -> tuple:
    """One ``(before, after)`` pair per spatial axis for a padding specification."""
    nd = len(sizes)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            return tuple(_same(n, k, s, d) for n, k, s, d in zip(sizes, kernel, stride, dilation))
        raise ArgumentValueError(
            f"{op}: padding must be 'valid', 'same', an int, or one int or (before, after) pair per "
            f"spatial axis, got {padding!r}"
        )
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == nd
        and all(isinstance(p, (tuple, list)) for p in padding)
    ):
        pairs = tuple(int_tuple(op, "padding", p, 2, 0) for p in padding)
        return pairs
    amounts = int_tuple(op, "padding", padding, nd, 0)
    return tuple((p, p) for p in amounts)


def _same(n: int, k: int, s: int, d: int) -> tuple:
    out = math.ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return (total // 2, total - total // 2)


def pad_spatial(x: Tensor, pads: tuple, value) -> Tensor:
    """``x`` padded with ``value`` on its trailing spatial axes (``x`` itself when no padding)."""
    if all(a == 0 and b == 0 for a, b in pads):
        return x
    lead = ((0, 0),) * (x.ndim - len(pads))
    return pad(x, lead + tuple(pads), constant_values=value)


def check_windows(op: str, sizes, pads, kernel, stride, dilation) -> tuple:
    """The window counts for the padded ``sizes``; ShapeError when a kernel does not fit."""
    padded = tuple(n + a + b for n, (a, b) in zip(sizes, pads))
    counts = window_counts(padded, kernel, stride, dilation)
    if any(c < 1 for c in counts):
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise ShapeError(
            f"{op}: the kernel {tuple(kernel)} with dilation {tuple(dilation)} spans {span}, larger "
            f"than the padded input {padded} (input {tuple(sizes)}, padding {tuple(pads)})"
        )
    return counts


def pool_padding(op: str, padding, sizes, kernel, stride, dilation, ceil_mode: bool) -> tuple:
    """(pads, extra): the padding of the pooled input and, for ``ceil_mode``, the extra cells
    after it that let the last partial window exist (they never count as input or padding)."""
    pads = resolve_padding(op, padding, sizes, kernel, stride, dilation)
    if not isinstance(padding, str):
        for (a, b), k in zip(pads, kernel):
            if max(a, b) > k // 2:
                raise ShapeError(
                    f"{op}: padding {padding!r} must be at most half the kernel size {tuple(kernel)}, "
                    "so that every window holds an input element"
                )
    check_windows(op, sizes, pads, kernel, stride, dilation)
    if not ceil_mode:
        return pads, (0,) * len(sizes)
    extra = []
    for n, (a, b), k, s, d in zip(sizes, pads, kernel, stride, dilation):
        span = d * (k - 1) + 1
        padded = n + a + b
        out = -(-(padded - span) // s) + 1
        if (out - 1) * s >= n + a:
            out -= 1
        extra.append(max((out - 1) * s + span - padded, 0))
    return pads, tuple(extra)
