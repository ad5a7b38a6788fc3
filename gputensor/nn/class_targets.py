"""Cross-entropy against class indices: the targets' range check, and the fused path through
a backend's optional ``softmax_cross_entropy`` primitive (see gputensor/devices/backend.py).

The fused path computes each row's log-sum-exp and loss in one kernel and the gradient in one
more, where the composed path (``log_softmax`` and a one-hot select) runs several. It is
taken for integer targets, no class weights, no label smoothing and no target equal to
``ignore_index``; its first derivative uses the backend's backward kernel, and higher
derivatives are composed from differentiable ops.
"""

from __future__ import annotations

import math

from .. import dtypes as dt
from ..autograd.state import no_grad
from ..errors import IndexOutOfRangeError
from ..ops.activations import softmax
from ..ops.binary import equal, logical_and, logical_or, not_equal
from ..ops.core import Tensor, make, record, state
from ..ops.creation import arange
from ..ops.elementwise import astype
from ..ops.indexing import getitem, value_range
from ..ops.reduction import any as reduce_any
from ..ops.views import expand_dims, moveaxis, reshape


def check_classes(op: str, target: Tensor, n_classes: int, ignore_index: int) -> bool:
    """Raise for class indices outside [0, C) other than ``ignore_index``; return whether any
    target may equal ``ignore_index`` (no device read when the target's bounds are known
    from the host, else one; the slow check runs only when the range is off)."""
    if target.size == 0:
        return False
    with no_grad():
        lo, hi = value_range(target)
        if lo >= 0 and hi < n_classes:
            return 0 <= ignore_index < n_classes
        outside = logical_or(target < 0, target >= n_classes)
        bad = logical_and(outside, not_equal(target, ignore_index))
        if reduce_any(bad).item():
            value = getitem(target, bad).tolist()[0]
            raise IndexOutOfRangeError(
                f"{op}: target class {value} is out of range for {n_classes} classes; class indices "
                f"must be in [0, {n_classes}) or equal ignore_index={ignore_index}"
            )
    return True


def fused_cross_entropy(op: str, logits: Tensor, target: Tensor, axis: int, ignore_index) -> Tensor | None:
    """Per-item losses ``logsumexp(logits) - logits[target]`` (target's shape, logits' dtype)
    from the backend's fused kernel, or None when the backend has none or the call does not
    qualify (the caller composes, and raises any argument error)."""
    backend = logits.device.backend
    fused = getattr(backend, "softmax_cross_entropy", None)
    n_classes = logits.shape[axis]
    if (
        fused is None
        or target.dtype.kind not in "iu"
        or target.shape != logits.shape[:axis] + logits.shape[axis + 1:]
        or not isinstance(ignore_index, int)
        or isinstance(ignore_index, bool)
        or logits.size == 0
    ):
        return None
    labels = target if target.dtype is dt.int64 else astype(target, dt.int64)
    if check_classes(op, labels, n_classes, ignore_index):
        return None  # some targets may be ignored: the composed path masks them
    rows = logits if axis == logits.ndim - 1 else moveaxis(logits, axis, -1)
    rows = reshape(rows, (math.prod(target.shape), n_classes))
    labels = reshape(labels, (-1,))
    out = fused(rows._data, labels._data)
    if out is None:
        return None
    loss_data, lse_data = out
    n = rows.shape[0]
    loss = make(loss_data, (n,), loss_data.dtype, rows.device)
    if state.enabled and rows._rg:
        lse = make(lse_data, (n,), lse_data.dtype, rows.device)
        record("cross_entropy", _g_fused, (rows,), loss, save=(rows, lse), ctx=labels)
    if loss.dtype is not logits.dtype:
        loss = astype(loss, logits.dtype)  # the 16-bit floats: accumulated in float32
    return reshape(loss, target.shape)


def _g_fused(node, g):
    rows, lse = node.saved_tensors
    labels = node.ctx
    if state.enabled:
        # recording a higher derivative: the same gradient from differentiable ops
        hit = equal(expand_dims(labels, axis=-1), arange(rows.shape[1], device=rows.device))
        g = g if g.dtype is rows.dtype else astype(g, rows.dtype)
        return (softmax(rows, axis=-1) - astype(hit, rows.dtype)) * expand_dims(g, axis=-1)
    backend = rows.device.backend
    data = backend.softmax_cross_entropy_backward(rows._data, labels._data, lse._data, g._data)
    return make(data, rows.shape, rows.dtype, rows.device)
