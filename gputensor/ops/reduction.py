"""Reductions and scans: sum, prod, max, min, mean, var, std, argmax, argmin, any, all,
count_nonzero, logsumexp, cumulative_sum / cumulative_prod.

Integer and bool sums and products accumulate in int64 (the array API's default integer);
float16/bfloat16 accumulate in float32 inside the backend and round once.
"""

from __future__ import annotations

import builtins
import math

from .. import dtypes as dt
from ..errors import ShapeError
from .core import Tensor, make, normalize_axes, normalize_axis, record, state, to_tensor
from .elementwise import astype, where


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _expand_grad(g: Tensor, node_ctx) -> Tensor:
    """Broadcast a reduction's gradient back to the input shape."""
    from .views import broadcast_to, reshape

    in_shape, axes, keepdims = node_ctx[:3]
    if not keepdims:
        g = reshape(g, _reduced_shape(in_shape, axes, True))
    return broadcast_to(g, in_shape)


def _sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return dt.get_dtype(dtype)
    if x._dtype.kind in "biu":
        return dt.default_int
    return x._dtype


def _reduce(op: str, name: str, x: Tensor, axis, keepdims: bool, dtype, backward, save_y=False):
    axes = normalize_axes(axis, x.ndim, name)
    compute = x if x._dtype is dtype or op in ("max", "min") else astype(x, dtype)
    data = x._device.backend.reduce(op, compute._data, axes, keepdims, dtype)
    y = make(data, _reduced_shape(x._shape, axes, keepdims), dtype, x._device)
    if backward is not None and x._rg and state.enabled and dtype.kind == "f":
        save = (x, y) if save_y else ()
        record(name, backward, (x,), y, save=save, ctx=(x._shape, axes, keepdims, x._dtype))
    return y


def sum(x, /, *, axis=None, dtype=None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (all axes by default). Integer inputs sum in int64.

    >>> import gputensor as gt
    >>> gt.sum(gt.tensor([[1, 2], [3, 4]]), axis=0).tolist()
    [4, 6]
    """
    x = to_tensor(x)
    return _reduce("sum", "sum", x, axis, keepdims, _sum_dtype(x, dtype), _g_sum)


def _g_sum(node, g):
    out = _expand_grad(g, node.ctx)
    in_dtype = node.ctx[3]
    return out if out._dtype is in_dtype else astype(out, in_dtype)


def prod(x, /, *, axis=None, dtype=None, keepdims: bool = False) -> Tensor:
    """Product over ``axis`` (all axes by default). Integer inputs multiply in int64; the
    gradient is exact when inputs contain zeros."""
    x = to_tensor(x)
    dtype = _sum_dtype(x, dtype)
    y = _reduce("prod", "prod", x, axis, keepdims, dtype, None)
    if x._rg and state.enabled and dtype.kind == "f":
        axes = normalize_axes(axis, x.ndim, "prod")
        record("prod", _g_prod, (x,), y, save=(x,), ctx=(x._shape, axes, keepdims, x._dtype))
    return y


def _g_prod(node, g):
    """Gradient of a product that stays exact when inputs contain zeros: each element's
    gradient is the product of all *other* elements, from exclusive prefix and suffix products."""
    from .manipulation import concat
    from .views import flip, permute_dims, reshape

    (x,) = node.saved_tensors
    in_shape, axes, keepdims, in_dtype = node.ctx
    kept = [i for i in range(len(in_shape)) if i not in axes]
    order = kept + list(axes)
    moved = permute_dims(x, tuple(order))
    lead = tuple(in_shape[i] for i in kept)
    n = math.prod(in_shape[i] for i in axes)
    flat = reshape(moved, lead + (n,))
    ones_shape = lead + (1,)
    from .creation import ones

    one = ones(ones_shape, dtype=x._dtype, device=x._device)
    left = concat([one, cumulative_prod(flat[..., :-1], axis=-1)], axis=-1) if n > 0 else flat
    rev = flip(flat, axis=-1)
    right = flip(concat([one, cumulative_prod(rev[..., :-1], axis=-1)], axis=-1), axis=-1) if n > 0 else flat
    others = reshape(left * right, tuple(in_shape[i] for i in order))
    inverse = [0] * len(order)
    for pos, a in enumerate(order):
        inverse[a] = pos
    others = permute_dims(others, tuple(inverse))
    out = _expand_grad(g, node.ctx) * others
    return out if out._dtype is in_dtype else astype(out, in_dtype)


def _extreme(op, x, axis, keepdims):
    x = to_tensor(x)
    axes = normalize_axes(axis, x.ndim, op)
    if builtins.any(x._shape[a] == 0 for a in axes):
        raise ShapeError(
            f"{op}: cannot reduce over an empty axis (shape {x._shape}, axes {axes}); it has no "
            "identity"
        )
    y = _reduce(op, op, x, axes, keepdims, x._dtype, None)
    if x._rg and state.enabled and x._dtype.kind == "f":
        record(op, _g_extreme, (x,), y, save=(x, y), ctx=(x._shape, axes, keepdims, x._dtype))
    return y


def _g_extreme(node, g):
    from .binary import equal

    x, y = node.saved_tensors
    y_full = _expand_grad(y, node.ctx)
    mask = astype(equal(x, y_full), x._dtype)
    count = sum(mask, axis=node.ctx[1], keepdims=True)
    return _expand_grad(g, node.ctx) * mask / count


def max(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis`` (NaN propagates). Tied maxima share the gradient equally."""
    return _extreme("max", x, axis, keepdims)


def min(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis`` (NaN propagates). Tied minima share the gradient equally."""
    return _extreme("min", x, axis, keepdims)


def mean(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis``; integer inputs average in the default float dtype.

    >>> import gputensor as gt
    >>> gt.mean(gt.tensor([1.0, 2.0, 6.0])).item()
    3.0
    """
    x = to_tensor(x)
    if x._dtype.kind != "f":
        x = astype(x, dt.default_float)
    axes = normalize_axes(axis, x.ndim, "mean")
    n = math.prod(x._shape[a] for a in axes)
    total = sum(x, axis=axes, keepdims=keepdims)
    return total / n if n else total * float("nan")


def var(x, /, *, axis=None, correction: float = 0.0, keepdims: bool = False) -> Tensor:
    """Variance over ``axis`` with ``correction`` degrees of freedom subtracted (0: population)."""
    x = to_tensor(x)
    if x._dtype.kind != "f":
        x = astype(x, dt.default_float)
    axes = normalize_axes(axis, x.ndim, "var")
    n = math.prod(x._shape[a] for a in axes)
    centered = x - mean(x, axis=axes, keepdims=True)
    total = sum(centered * centered, axis=axes, keepdims=keepdims)
    denom = n - correction
    return total / denom if denom > 0 else total * float("nan")


def std(x, /, *, axis=None, correction: float = 0.0, keepdims: bool = False) -> Tensor:
    """Standard deviation: ``sqrt(var(...))``."""
    from .unary import sqrt

    x = to_tensor(x)
    normalize_axes(axis, x.ndim, "std")
    v = var(x, axis=axis, correction=correction, keepdims=keepdims)
    # zero variance: a zero gradient (as PyTorch), not the chain rule's 0 * inf = NaN
    flat = v == 0
    return where(flat, 0.0, sqrt(where(flat, 1.0, v)))


def _arg(op, x, axis, keepdims):
    from .views import reshape

    x = to_tensor(x)
    if x._dtype.kind == "b":
        x = astype(x, dt.uint8)
    if axis is None:
        if x.size == 0:
            raise ShapeError(f"{op}: attempt to get {op} of an empty tensor")
        flat = reshape(x, (-1,))
        data = x._device.backend.arg_reduce(op, flat._data, 0, False)
        y = make(data, (), dt.int64, x._device)
        return reshape(y, (1,) * x.ndim) if keepdims else y
    a = normalize_axis(axis, x.ndim, op)
    if x._shape[a] == 0:
        raise ShapeError(f"{op}: cannot reduce over an empty axis (shape {x._shape}, axis {a})")
    data = x._device.backend.arg_reduce(op, x._data, a, keepdims)
    return make(data, _reduced_shape(x._shape, (a,), keepdims), dt.int64, x._device)


def argmax(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the first maximum (of the flattened tensor when axis is None); int64."""
    return _arg("argmax", x, axis, keepdims)


def argmin(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the first minimum (of the flattened tensor when axis is None); int64."""
    return _arg("argmin", x, axis, keepdims)


def _truth(op, x, axis, keepdims, empty_value):
    from .creation import full

    x = to_tensor(x)
    if x._dtype is not dt.bool_:
        from .binary import not_equal

        x = not_equal(x, 0)
    axes = normalize_axes(axis, x.ndim, op)
    if builtins.any(x._shape[a] == 0 for a in axes):
        return full(_reduced_shape(x._shape, axes, keepdims), empty_value, dtype=dt.bool_, device=x._device)
    reducer = "max" if op == "any" else "min"
    data = x._device.backend.reduce(reducer, x._data, axes, keepdims, dt.bool_)
    return make(data, _reduced_shape(x._shape, axes, keepdims), dt.bool_, x._device)


def any(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """True where any element along ``axis`` is true (non-zero)."""
    return _truth("any", x, axis, keepdims, False)


def all(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """True where every element along ``axis`` is true (non-zero)."""
    return _truth("all", x, axis, keepdims, True)


def count_nonzero(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """Number of non-zero elements along ``axis`` (int64)."""
    from .binary import not_equal

    x = to_tensor(x)
    normalize_axes(axis, x.ndim, "count_nonzero")
    return sum(not_equal(x, 0), axis=axis, keepdims=keepdims, dtype=dt.int64)


def logsumexp(x, /, *, axis=None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, without overflow.

    >>> import gputensor as gt
    >>> round(gt.logsumexp(gt.tensor([1000.0, 1000.0])).item(), 4)
    1000.6931
    """
    from .unary import exp, isfinite, log
    from .views import reshape

    x = to_tensor(x)
    if x._dtype.kind != "f":
        x = astype(x, dt.default_float)
    axes = normalize_axes(axis, x.ndim, "logsumexp")
    if builtins.any(x._shape[a] == 0 for a in axes):
        # an empty sum of exponentials: the result is log(0) = -inf, as in NumPy and PyTorch
        from .creation import zeros

        m = zeros(_reduced_shape(x._shape, axes, True), dtype=x._dtype, device=x._device)
    else:
        m = max(x.detach(), axis=axes, keepdims=True)
    m = where(isfinite(m), m, 0.0)
    out = log(sum(exp(x - m), axis=axes, keepdims=True)) + m
    return out if keepdims else reshape(out, _reduced_shape(x._shape, axes, False))


# --- scans -------------------------------------------------------------------------------------

def _scan(op, name, x, axis, dtype, include_initial):
    from .creation import full
    from .manipulation import concat

    x = to_tensor(x)
    if axis is None:
        if x.ndim > 1:
            raise ShapeError(
                f"{name}: axis must be given for tensors with more than one axis (shape "
                f"{x._shape})"
            )
        axis = 0
    if x.ndim == 0:
        raise ShapeError(f"{name}: needs at least one axis")
    a = normalize_axis(axis, x.ndim, name)
    dtype = _sum_dtype(x, dtype)
    compute = x if x._dtype is dtype else astype(x, dtype)
    data = x._device.backend.scan(op, compute._data, a, dtype)
    y = make(data, x._shape, dtype, x._device)
    if compute._rg and state.enabled and dtype.kind == "f":
        if op == "sum":
            record(name, _g_cumsum, (compute,), y, ctx=a)
        else:
            record(name, _g_cumprod, (compute,), y, save=(compute, y), ctx=a)
    if include_initial:
        shape = list(x._shape)
        shape[a] = 1
        first = full(tuple(shape), 0 if op == "sum" else 1, dtype=dtype, device=x._device)
        y = concat([first, y], axis=a)
    return y


def _reverse_cumsum(t, axis):
    from .views import flip

    return flip(cumulative_sum(flip(t, axis=axis), axis=axis), axis=axis)


def _g_cumsum(node, g):
    return _reverse_cumsum(g, node.ctx)


def _g_cumprod(node, g):
    """Exact with zeros: before the first zero along the axis the gradient is
    ``revcumsum(g * y) / x``; at the first zero it is ``revcumsum(g * y')`` with that zero
    replaced by one; after it, zero."""
    from .binary import equal

    x, y = node.saved_tensors
    a = node.ctx
    is_zero = equal(x, 0)
    if state.enabled and any(is_zero).item():
        # the masks below cut the dependence of later positions on the zero: right values,
        # wrong derivatives; a gradient that will be differentiated again takes the O(n**2) form
        return _g_cumprod_differentiable(x, g, a)
    zeros_so_far = cumulative_sum(astype(is_zero, dt.int64), axis=a)
    before = equal(zeros_so_far, 0)
    first_zero = is_zero & equal(zeros_so_far, 1)
    safe_x = where(before, x, 1.0)
    grad_before = where(before, _reverse_cumsum(g * y, a) / safe_x, 0.0)
    y_skip = cumulative_prod(where(first_zero, 1.0, x), axis=a)
    grad_zero = where(first_zero, _reverse_cumsum(g * y_skip, a), 0.0)
    return grad_before + grad_zero


def _g_cumprod_differentiable(x, g, axis):
    """``grad_i = prod_{j<i} x_j * sum_{k>=i} g_k prod_{i<j<=k} x_j``, built from ops on an
    (n, n) table of partial products so that it differentiates correctly where x has zeros."""
    from .binary import greater, greater_equal
    from .creation import arange
    from .views import expand_dims, moveaxis, reshape

    xm = moveaxis(x, axis, -1)
    gm = moveaxis(g, axis, -1)
    n = xm._shape[-1]
    idx = arange(n, device=x._device)
    col = reshape(idx, (1, n))
    row = reshape(idx, (n, 1))
    partial = cumulative_prod(where(greater(col, row), expand_dims(xm, axis=-2), 1.0), axis=-1)
    weighted = where(greater_equal(col, row), expand_dims(gm, axis=-2) * partial, 0.0)
    before = cumulative_prod(xm, axis=-1, include_initial=True)[..., :-1]
    return moveaxis(before * sum(weighted, axis=-1), -1, axis)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial: bool = False) -> Tensor:
    """Running sum along ``axis`` (array API); ``include_initial`` prepends a zero."""
    return _scan("sum", "cumulative_sum", x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial: bool = False) -> Tensor:
    """Running product along ``axis``; ``include_initial`` prepends a one. The gradient is
    exact in the presence of zeros."""
    return _scan("prod", "cumulative_prod", x, axis, dtype, include_initial)


def cumsum(x, axis=None, dtype=None) -> Tensor:
    """NumPy-style cumulative sum (flattens when axis is None)."""
    from .views import reshape

    x = to_tensor(x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    return cumulative_sum(x, axis=axis, dtype=dtype)


def cumprod(x, axis=None, dtype=None) -> Tensor:
    """NumPy-style cumulative product (flattens when axis is None)."""
    from .views import reshape

    x = to_tensor(x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    return cumulative_prod(x, axis=axis, dtype=dtype)

