"""How the strided backends (OpenCL, CUDA) lay out a reduction before their kernels run: the
result array, the answer for empty inputs, and the input viewed as an [A, K, B] block whose
middle axis K holds the reduced elements. Written against the device interface only."""

from __future__ import annotations

import math

# what sum and prod give over nothing; max and min of nothing are +-inf (0 for integers, as
# the ops never ask the backend for them: they raise first)
_EMPTY_IDENTITY = {"sum": 0, "prod": 1}


def plan(b, op: str, x, axes: tuple, keepdims: bool, dtype):
    """``(out, block)``: the result array ``out`` and ``block = (x, A, K, B)`` for the kernels,
    or ``None`` when ``out`` is already final (an empty result, or an empty input filled with
    the identity)."""
    if x.dtype is not dtype:
        x = b.cast(x, dtype)
    if keepdims:
        out_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    else:
        out_shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    out = b.empty(out_shape, dtype)
    if out.size == 0:
        return out, None
    if x.size == 0:
        identity = _EMPTY_IDENTITY.get(op, -math.inf if op == "max" else math.inf)
        if dtype.kind != "f" and op in ("max", "min"):
            identity = 0
        b.copy_into(out, identity)
        return out, None
    return out, layout(b, x, axes)


def layout(b, x, axes: tuple):
    """(contiguous array, A, K, B) with the reduced axes ``axes`` forming the middle K."""
    x = b.as_contiguous(x)
    shape = x.shape
    nonunit = [i for i, n in enumerate(shape) if n != 1]
    red = [i for i in nonunit if i in axes]
    if not red:
        return x, x.size, 1, 1
    where = [nonunit.index(i) for i in red]
    if where == list(range(where[0], where[0] + len(where))):
        a = math.prod(shape[i] for i in nonunit[: where[0]])
        k = math.prod(shape[i] for i in red)
        inner = math.prod(shape[i] for i in nonunit[where[-1] + 1 :])
        return x, a, k, inner
    kept = [i for i in nonunit if i not in axes]
    order = kept + red
    moved = b.view(x, tuple(shape[i] for i in order), tuple(x.strides[i] for i in order), x.offset)
    return b.contiguous(moved), math.prod(shape[i] for i in kept), math.prod(shape[i] for i in red), 1
