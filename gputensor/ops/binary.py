"""Elementwise functions of two operands (tensors or weak Python scalars), with gradients.

Dtype rules:

- ``arith``: the promoted dtype (``add``, ``multiply``, ...); two bool operands stay bool for
  ``add``/``multiply``/``maximum``/``minimum`` (logical or/and), and are an error otherwise;
- ``true_div``: floating result (integers divide in the default float dtype);
- ``float``: floating-point only functions (``atan2``, ``logaddexp``, ...);
- ``compare``: inputs promoted, result bool;
- ``logical``: inputs as bool, result bool;
- ``integral``: integer or bool operands (bitwise functions).

Broadcasting follows NumPy; the gradient of a broadcast operand is summed back to its shape.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import dtypes as dt
from ..errors import AutogradError, DeviceError, DTypeError, ShapeError
from ..tensor import bump_version
from .core import (
    Tensor,
    broadcast_shapes,
    cast_to,
    check_int_scalar_range,
    check_same_device,
    make,
    record,
    state,
    sum_to_shape,
    to_tensor,
)

_PROMOTE = dt.PROMOTION_TABLE
_BOOL_OK = frozenset({"add", "multiply", "maximum", "minimum"})
_PY = {"b": builtins.bool, "i": builtins.int, "u": builtins.int, "f": builtins.float}


def _compute_dtype(name: str, rule: str, dtype):
    """The dtype the kernel computes in, given the promoted operand dtype."""
    kind = dtype.kind
    if rule == "arith":
        if kind == "b" and name not in _BOOL_OK:
            raise DTypeError(f"{name}: not defined for two bool operands; cast one to an integer dtype first")
        return dtype
    if rule in ("true_div", "float"):
        return dtype if kind == "f" else dt.default_float
    if rule == "compare":
        return dtype
    if rule == "logical":
        return dt.bool_
    if rule == "integral":
        if kind == "f":
            raise DTypeError(f"{name}: needs integer or bool operands, got {dtype}")
        if kind == "b" and name in ("bitwise_left_shift", "bitwise_right_shift"):
            raise DTypeError(f"{name}: needs integer operands, got bool")
        return dtype
    raise AssertionError(rule)


def _binary(name: str, rule: str, grad=None, save: str = "", doc: str = ""):
    """Build the op ``name``; ``grad(node, g)`` returns (grad_a, grad_b)."""
    bool_out = rule in ("compare", "logical")

    def op(a, b, /, *, out=None) -> Tensor:
        ta = type(a) is Tensor
        tb = type(b) is Tensor
        if not (ta and tb):
            a, b, ta, tb = _convert_operands(a, b, ta, tb, name)
        if ta and tb:
            dev = a._device
            if b._device is not dev:
                check_same_device(name, a, b)
            da = a._dtype
            db = b._dtype
            promoted = da if da is db else _PROMOTE[(da, db)]
            shape = a._shape if a._shape == b._shape else broadcast_shapes(name, a._shape, b._shape)
        elif ta:
            dev = a._device
            b, promoted = _scalar_operand(name, b, a._dtype)
            shape = a._shape
        else:
            dev = b._device
            a, promoted = _scalar_operand(name, a, b._dtype)
            shape = b._shape
        dtype = promoted if rule == "arith" and promoted.kind != "b" else _compute_dtype(name, rule, promoted)
        if ta:
            xa = a._data if a._dtype is dtype else cast_to(a, dtype)._data
        else:
            xa = a if type(a) is _PY[dtype.kind] else _PY[dtype.kind](a)
        if tb:
            xb = b._data if b._dtype is dtype else cast_to(b, dtype)._data
        else:
            xb = b if type(b) is _PY[dtype.kind] else _PY[dtype.kind](b)
        if out is not None:
            return _write_out(name, out, xa, xb, dtype, shape, bool_out, dev)
        data = dev.backend.binary(name, xa, xb, dtype, shape)
        y = make(data, shape, dt.bool_ if bool_out else dtype, dev)
        if grad is not None and state.enabled and ((ta and a._rg) or (tb and b._rg)):
            _record(name, grad, save, a, b, ta, tb, y)
        return y

    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = doc or f"Elementwise ``{name}`` with broadcasting."
    return op


def _write_out(name, out, xa, xb, dtype, shape, bool_out, dev):
    """``out=``: write the result into an existing tensor (never recorded)."""
    result_dtype = dt.bool_ if bool_out else dtype
    if type(out) is not Tensor:
        raise DTypeError(f"{name}: out= must be a Tensor, got {type(out).__name__}")
    if out._shape != shape:
        raise ShapeError(f"{name}: out= has shape {out._shape} but the result has shape {shape}")
    if out._dtype is not result_dtype:
        raise DTypeError(f"{name}: out= has dtype {out._dtype} but the result has dtype {result_dtype}")
    if out._device is not dev:
        raise DeviceError(f"{name}: out= is on {out._device} but the operands are on {dev}")
    if state.enabled and (out._rg or out._watch):
        raise AutogradError(f"{name}: out= cannot write into a tensor that requires grad while recording")
    dev.backend.binary(name, xa, xb, dtype, shape, out=out._data)
    bump_version(out)
    return out


_SCALARS = (builtins.bool, builtins.int, builtins.float, np.generic)


def _convert_operands(a, b, ta, tb, name="binary op"):
    """Lists and arrays become tensors on the other operand's device; scalars stay scalars
    unless both operands are scalars."""
    if not ta and not isinstance(a, _SCALARS):
        a = _operand_tensor(name, a, b._device if tb else None)
        ta = True
    if not tb and not isinstance(b, _SCALARS):
        b = _operand_tensor(name, b, a._device if ta else None)
        tb = True
    if not ta and not tb:
        a = to_tensor(a)
        ta = True
    return a, b, ta, tb


def _operand_tensor(name, value, device):
    from ..errors import ArgumentTypeError

    if isinstance(value, (str, bytes)) or value is None:
        raise ArgumentTypeError(
            f"{name}: unsupported operand of type {type(value).__name__}; operands are tensors, "
            "numbers, or lists and arrays of numbers"
        )
    try:
        return to_tensor(value, device=device)
    except (DTypeError, ArgumentTypeError) as exc:
        raise type(exc)(f"{name}: cannot use an operand of type {type(value).__name__}: {exc}") from None


def _scalar_operand(name, value, dtype):
    """Validate a Python scalar operand; returns (value, promoted dtype)."""
    if type(value) is builtins.float and dtype.kind == "f":
        return value, dtype
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (builtins.bool, builtins.int, builtins.float)):
        raise DTypeError(
            f"{name}: unsupported operand of type {type(value).__name__}; convert lists and "
            "NumPy arrays with gt.asarray(value) first"
        )
    promoted = dt.scalar_result(dtype, value)
    check_int_scalar_range(name, value, promoted)
    return value, promoted


def _record(name, grad, save, a, b, ta, tb, y):
    if name == "multiply":
        # each operand is needed only for the other's gradient
        save = ("a" if tb and b._rg else "") + ("b" if ta and a._rg else "")
    keep_a = ta and "a" in save
    keep_b = tb and "b" in save
    keep_y = "y" in save
    if ta and tb:
        ctx = (a._shape, a._dtype, b._shape, b._dtype, None, None, keep_a, keep_b, keep_y)
    elif ta:
        ctx = (a._shape, a._dtype, None, None, None, b, keep_a, keep_b, keep_y)
    else:
        ctx = (None, None, b._shape, b._dtype, a, None, keep_a, keep_b, keep_y)
    saved = ()
    if keep_a:
        saved = (a,)
    if keep_b:
        saved += (b,)
    if keep_y:
        saved += (y,)
    record(name, grad, (a, b), y, save=saved, ctx=ctx)


def _operands(node):
    """(a, b, y) for a backward: saved tensors or scalar operands; None where not kept."""
    saved = iter(node.saved_tensors)
    ctx = node.ctx
    a = next(saved) if ctx[6] else ctx[4]
    b = next(saved) if ctx[7] else ctx[5]
    y = next(saved) if ctx[8] else None
    return a, b, y


def _fit(node, i, g):
    """Gradient for operand ``i``: summed to its shape and cast to its dtype; None if unneeded."""
    if node.edges[i] is None:
        return None
    ctx = node.ctx
    shape = ctx[2 * i]
    g = sum_to_shape(g, shape)
    dtype = ctx[2 * i + 1]
    return g if g._dtype is dtype else cast_to(g, dtype)


def _need(node, i) -> bool:
    return node.edges[i] is not None


# --- gradients ---------------------------------------------------------------------------------

def _g_add(node, g):
    return _fit(node, 0, g), _fit(node, 1, g)


def _g_subtract(node, g):
    return _fit(node, 0, g), (_fit(node, 1, negative(g)) if _need(node, 1) else None)


def _g_multiply(node, g):
    a, b, _ = _operands(node)
    ga = _fit(node, 0, g * b) if _need(node, 0) else None
    gb = _fit(node, 1, g * a) if _need(node, 1) else None
    return ga, gb


def _g_divide(node, g):
    a, b, y = _operands(node)
    ga = _fit(node, 0, g / b) if _need(node, 0) else None
    gb = _fit(node, 1, -(g * y) / b) if _need(node, 1) else None
    return ga, gb


def _g_pow(node, g):
    a, b, y = _operands(node)
    ga = gb = None
    if _need(node, 0):
        from .elementwise import where

        # d/da a**b = b * a**(b-1), taken as 0 where b == 0 (else 0 * 0**-1 = NaN at a == 0)
        if type(b) is Tensor:
            ga = _fit(node, 0, g * where(equal(b, 0), 0.0, b * power(a, b - 1)))
        elif b == 0:
            ga = _fit(node, 0, g * 0)
        else:
            ga = _fit(node, 0, g * b * power(a, b - 1))
    if _need(node, 1):
        from .elementwise import where
        from .unary import log

        # d/db a**b = a**b * log(a), taken as 0 where a == 0 (the limit for b > 0).
        safe = where(equal(a, 0), 1.0, a)
        gb = _fit(node, 1, where(equal(a, 0), 0.0, g * y * log(safe)))
    return ga, gb


def _g_maximum(node, g):
    return _g_extreme(node, g, greater)


def _g_minimum(node, g):
    return _g_extreme(node, g, less)


def _g_extreme(node, g, wins):
    from .elementwise import where

    a, b, _ = _operands(node)
    # Ties split the gradient evenly, as for max/min reductions.
    tie = equal(a, b)
    share = where(tie, 0.5, where(wins(a, b), 1.0, 0.0))
    share = share.astype(g._dtype) if share._dtype is not g._dtype else share
    ga = _fit(node, 0, g * share) if _need(node, 0) else None
    gb = _fit(node, 1, g * (1 - share)) if _need(node, 1) else None
    return ga, gb


def _g_atan2(node, g):
    a, b, _ = _operands(node)
    denom = a * a + b * b
    ga = _fit(node, 0, g * b / denom) if _need(node, 0) else None
    gb = _fit(node, 1, -(g * a) / denom) if _need(node, 1) else None
    return ga, gb


def _g_hypot(node, g):
    a, b, y = _operands(node)
    ga = _fit(node, 0, g * a / y) if _need(node, 0) else None
    gb = _fit(node, 1, g * b / y) if _need(node, 1) else None
    return ga, gb


def _g_logaddexp(node, g):
    from .unary import exp

    a, b, y = _operands(node)
    ga = _fit(node, 0, g * exp(a - y)) if _need(node, 0) else None
    gb = _fit(node, 1, g * exp(b - y)) if _need(node, 1) else None
    return ga, gb


def _g_copysign(node, g):
    from .elementwise import where
    from .unary import signbit

    a, b, _ = _operands(node)
    flip = where(equal(signbit(a), signbit(b)), 1.0, -1.0)
    flip = flip.astype(g._dtype) if flip._dtype is not g._dtype else flip
    ga = _fit(node, 0, g * flip) if _need(node, 0) else None
    gb = _fit(node, 1, g * 0) if _need(node, 1) else None
    return ga, gb


def _g_remainder(node, g):
    a, b, _ = _operands(node)
    ga = _fit(node, 0, g) if _need(node, 0) else None
    gb = _fit(node, 1, -(g * floor_divide(a, b))) if _need(node, 1) else None
    return ga, gb


def _g_zero(node, g):
    return (_fit(node, 0, g * 0) if _need(node, 0) else None,
            _fit(node, 1, g * 0) if _need(node, 1) else None)


add = _binary("add", "arith", _g_add, doc="``a + b`` with broadcasting.")
subtract = _binary("subtract", "arith", _g_subtract, doc="``a - b`` with broadcasting.")
multiply = _binary("multiply", "arith", _g_multiply, "ab", "``a * b`` with broadcasting.")
divide = _binary("divide", "true_div", _g_divide, "by", "True division ``a / b`` (floating result).")
floor_divide = _binary(
    "floor_divide", "arith", _g_zero, doc="``a // b``, rounded toward -inf; integer division by zero gives 0."
)
remainder = _binary("remainder", "arith", _g_remainder, "ab", "``a % b`` with the sign of b, as in Python.")
pow = _binary("pow", "arith", _g_pow, "aby", "``a ** b``.")
maximum = _binary("maximum", "arith", _g_maximum, "ab", "Elementwise maximum (NaN propagates).")
minimum = _binary("minimum", "arith", _g_minimum, "ab", "Elementwise minimum (NaN propagates).")
atan2 = _binary("atan2", "float", _g_atan2, "ab", "Angle of the point (b, a): ``atan(a / b)`` by quadrant.")
hypot = _binary("hypot", "float", _g_hypot, "aby", "``sqrt(a**2 + b**2)`` without overflow.")
copysign = _binary("copysign", "float", _g_copysign, "ab", "Magnitude of a with the sign of b.")
nextafter = _binary("nextafter", "float", doc="The next representable value after a toward b.")
logaddexp = _binary("logaddexp", "float", _g_logaddexp, "aby", "``log(exp(a) + exp(b))`` without overflow.")
equal = _binary("equal", "compare", doc="``a == b`` (bool).")
not_equal = _binary("not_equal", "compare", doc="``a != b`` (bool).")
less = _binary("less", "compare", doc="``a < b`` (bool).")
less_equal = _binary("less_equal", "compare", doc="``a <= b`` (bool).")
greater = _binary("greater", "compare", doc="``a > b`` (bool).")
greater_equal = _binary("greater_equal", "compare", doc="``a >= b`` (bool).")
logical_and = _binary("logical_and", "logical", doc="Logical AND of truth values (bool).")
logical_or = _binary("logical_or", "logical", doc="Logical OR of truth values (bool).")
logical_xor = _binary("logical_xor", "logical", doc="Logical XOR of truth values (bool).")
bitwise_and = _binary("bitwise_and", "integral", doc="Bitwise AND (``&``).")
bitwise_or = _binary("bitwise_or", "integral", doc="Bitwise OR (``|``).")
bitwise_xor = _binary("bitwise_xor", "integral", doc="Bitwise XOR (``^``).")
bitwise_left_shift = _binary("bitwise_left_shift", "integral", doc="``a << b``.")
bitwise_right_shift = _binary("bitwise_right_shift", "integral", doc="``a >> b`` (arithmetic for signed).")

power = pow
arctan2 = atan2


def negative(x) -> Tensor:
    from .unary import negative as neg

    return neg(x)
