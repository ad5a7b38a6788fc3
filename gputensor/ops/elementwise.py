"""Elementwise ops beyond one-function-of-one-or-two operands: ``astype``, ``copy``, ``where``,
``fma``, ``clip``."""

from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as dt
from ..errors import DTypeError
from ..tensor import known_bounds, set_bounds
from .core import (
    Tensor,
    broadcast_shapes,
    check_same_device,
    make,
    record,
    state,
    sum_to_shape,
    to_tensor,
)


def astype(x, dtype, /, *, copy: bool = True, device=None) -> Tensor:
    """``x`` converted to ``dtype``. Float-to-integer casts truncate toward zero; casts to
    bfloat16 round to nearest even. Differentiable between floating dtypes.

    >>> import gputensor as gt
    >>> gt.astype(gt.tensor([1.7, -1.7]), gt.int32).tolist()
    [1, -1]
    """
    x = to_tensor(x)
    dtype = dt.get_dtype(dtype)
    if device is not None:
        x = x.to(device)
    if dtype is x._dtype:
        return copy_(x) if copy else x
    _check_device_dtype("astype", x._device, dtype)
    data = x._device.backend.cast(x._data, dtype)
    y = make(data, x._shape, dtype, x._device)
    bounds = known_bounds(x)
    if bounds is not None and dtype.kind in "iu":
        info = np.iinfo(dtype.np)
        if info.min <= bounds[0] and bounds[1] <= info.max:
            set_bounds(y, *bounds)  # every value converts exactly
    if x._rg and state.enabled and dtype.kind == "f":
        record("astype", _g_astype, (x,), y, ctx=x._dtype)
    return y


def _g_astype(node, g):
    return astype(g, node.ctx)


def _check_device_dtype(op: str, device, dtype) -> None:
    if dtype not in device.backend.dtypes:
        policy = getattr(device.backend, "dtype_policy", None)
        if policy is not None and policy(op, dtype):
            return  # the device stores it as another dtype (the TPU's x64 policy); it may warn
        from ..errors import UnsupportedDTypeError

        reason = getattr(device.backend, "unsupported_reason", None)
        why = f" ({reason(dtype)})" if reason is not None and reason(dtype) else ""
        raise UnsupportedDTypeError(
            f"{op}: device {device} does not support {dtype}{why}; supported: "
            + ", ".join(d.name for d in dt.ALL_DTYPES if d in device.backend.dtypes)
        )


def copy_(x) -> Tensor:
    """A new contiguous tensor with x's values (differentiable)."""
    x = to_tensor(x)
    data = x._device.backend.contiguous(x._data)
    y = make(data, x._shape, x._dtype, x._device)
    if x._rg and state.enabled:
        record("copy", lambda node, g: g, (x,), y)
    return y


copy = copy_


def where(condition, x1, x2, /) -> Tensor:
    """``x1`` where ``condition`` is true, else ``x2`` (broadcast; scalars are weak).

    >>> import gputensor as gt
    >>> gt.where(gt.tensor([True, False]), gt.tensor([1.0, 2.0]), 0.0).tolist()
    [1.0, 0.0]
    """
    from .binary import _SCALARS, _convert_operands, _operand_tensor, _scalar_operand

    c = to_tensor(condition, device=_first_device(x1, x2))
    if c._dtype is not dt.bool_:
        c = astype(c, dt.bool_)
    ta = type(x1) is Tensor
    tb = type(x2) is Tensor
    if not ta and not tb:
        # no tensor operand: convert them where the condition lives
        if isinstance(x1, _SCALARS):
            x1 = to_tensor(x1, device=c._device)
        else:
            x1 = _operand_tensor("where", x1, c._device)
        ta = True
    if not (ta and tb):
        x1, x2, ta, tb = _convert_operands(x1, x2, ta, tb, "where")
    if ta and tb:
        check_same_device("where", c, x1, x2)
        dtype = dt.promote(x1._dtype, x2._dtype)
        shape = broadcast_shapes("where", c._shape, x1._shape, x2._shape)
    elif ta:
        check_same_device("where", c, x1)
        x2, dtype = _scalar_operand("where", x2, x1._dtype)
        shape = broadcast_shapes("where", c._shape, x1._shape)
    else:
        check_same_device("where", c, x2)
        x1, dtype = _scalar_operand("where", x1, x2._dtype)
        shape = broadcast_shapes("where", c._shape, x2._shape)
    py = {"b": builtins.bool, "i": builtins.int, "u": builtins.int, "f": builtins.float}[dtype.kind]
    a = _as_dtype(x1, dtype) if ta else py(x1)
    b = _as_dtype(x2, dtype) if tb else py(x2)
    dev = c._device
    data = dev.backend.where(c._data, a._data if ta else a, b._data if tb else b, dtype, shape)
    y = make(data, shape, dtype, dev)
    if state.enabled and ((ta and x1._rg) or (tb and x2._rg)):
        ctx = (x1._shape if ta else None, x1._dtype if ta else None,
               x2._shape if tb else None, x2._dtype if tb else None)
        record("where", _g_where, (None, x1, x2), y, save=(c,), ctx=ctx)
    return y


def fma(x1, x2, x3, /) -> Tensor:
    """``x1 * x2 + x3`` as one op (broadcast; scalars are weak), differentiable.

    For floating tensors of one shape and dtype on a device with a fused kernel (``opencl``,
    ``cuda``) it is one pass over memory and one rounding, the IEEE fused multiply-add (in
    float32 for float16/bfloat16, then rounded to the dtype). Everywhere else the product and
    the sum are two ops, rounded twice, exactly ``x1 * x2 + x3``.

    >>> import gputensor as gt
    >>> gt.fma(gt.tensor([1.0, 2.0]), 3.0, gt.tensor([0.5, 0.5])).tolist()
    [3.5, 6.5]
    """
    from .binary import add, multiply

    shapes = [x._shape for x in (x1, x2, x3) if type(x) is Tensor]
    if len(shapes) > 1:
        broadcast_shapes("fma", *shapes)  # names this op in the error
    if len(shapes) == 3:
        check_same_device("fma", x1, x2, x3)
        fused = getattr(x1._device.backend, "fma", None)
        same = x1._dtype is x2._dtype is x3._dtype and x1._shape == x2._shape == x3._shape
        if fused is not None and same and x1._dtype.kind == "f":
            data = fused(x1._data, x2._data, x3._data)
            if data is not None:
                y = make(data, x1._shape, x1._dtype, x1._device)
                if state.enabled and (x1._rg or x2._rg or x3._rg):
                    record("fma", _g_fma, (x1, x2, x3), y, save=(x1, x2))
                return y
    return add(multiply(x1, x2), x3)


def _g_fma(node, g):
    x1, x2 = node.saved_tensors
    edges = node.edges
    g1 = g * x2 if edges[0] is not None else None
    g2 = g * x1 if edges[1] is not None else None
    return g1, g2, g


def _first_device(*xs):
    for x in xs:
        if type(x) is Tensor:
            return x._device
    return None


def _as_dtype(x: Tensor, dtype) -> Tensor:
    return x if x._dtype is dtype else astype(x, dtype)


def _g_where(node, g):
    (c,) = node.saved_tensors
    s1, d1, s2, d2 = node.ctx
    g1 = g2 = None
    if node.edges[1] is not None:
        g1 = astype(sum_to_shape(where(c, g, 0.0), s1), d1, copy=False)
    if node.edges[2] is not None:
        g2 = astype(sum_to_shape(where(c, 0.0, g), s2), d2, copy=False)
    return None, g1, g2


def clip(x, /, min=None, max=None) -> Tensor:
    """Limit values to [min, max] (either may be None or a tensor). The gradient passes where
    x is inside the range.

    >>> import gputensor as gt
    >>> gt.clip(gt.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
    [0.0, 0.5, 1.0]
    """
    from .binary import greater, less

    x = to_tensor(x)
    if x._dtype.kind == "b":
        raise DTypeError("clip: not defined for bool tensors")
    if x._dtype.kind in "iu":
        min = _clamp_to_dtype(min, x._dtype)
        max = _clamp_to_dtype(max, x._dtype)
    out = x
    if min is not None:
        out = where(less(out, min), _bound_like(min, out), out)
    if max is not None:
        out = where(greater(out, max), _bound_like(max, out), out)
    if out._dtype is not x._dtype:
        out = astype(out, x._dtype)
    return out


def _clamp_to_dtype(bound, dtype):
    """A Python int bound outside an integer dtype's range clips nothing beyond that range."""
    if isinstance(bound, builtins.int) and not isinstance(bound, builtins.bool):
        info = dt.iinfo(dtype)
        return builtins.min(builtins.max(bound, info.min), info.max)
    return bound


def _bound_like(bound, x: Tensor):
    if isinstance(bound, Tensor):
        return bound if bound._dtype is x._dtype else astype(bound, x._dtype)
    return bound
