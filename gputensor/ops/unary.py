"""Elementwise functions of one tensor, each with its gradient written with ops.

Each op is one line: its primitive name, its dtype rule and its gradient. Dtype rules:

- ``float``: floating inputs keep their dtype; integer and bool inputs compute in the default
  float dtype (``exp(int) -> float32``);
- ``numeric``: integer and floating inputs keep their dtype; bool is an error;
- ``keep``: any dtype keeps its dtype (rounding functions are the identity on integers);
- ``test``: result is bool (``isnan``, ``signbit``);
- ``logical``: bool in, bool out (``logical_not``);
- ``integral``: integer or bool only (bitwise functions).
"""

from __future__ import annotations

import math

from .. import dtypes as dt
from ..errors import DTypeError
from .core import Tensor, make, record, state, to_tensor

_SQRT_PI_INV2 = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _unary(name: str, rule: str, grad=None, save: str = "", doc: str = ""):
    """Build the op ``name``. ``grad(node, g, x, y)`` gets the saved input/output it asked for."""

    def op(x, /) -> Tensor:
        if type(x) is not Tensor:
            x = to_tensor(x)
        dtype = x._dtype
        if dtype.kind != "f":
            dtype = _non_float_dtype(name, rule, dtype)
            if dtype is None:
                return _trivial(name, x)
            if dtype is not x._dtype:
                from .elementwise import astype

                x = astype(x, dtype)
        out_dtype = dt.bool_ if rule in ("test", "logical") else dtype
        data = x._device.backend.unary(name, x._data, dtype)
        y = make(data, x._shape, out_dtype, x._device)
        if grad is not None and x._rg and state.enabled:
            saved = (x,) if save == "x" else (y,) if save == "y" else (x, y) if save == "xy" else ()
            record(name, grad, (x,), y, save=saved)
        return y

    op.__name__ = name
    op.__qualname__ = name
    example = f">>> import gputensor as gt\n>>> gt.{name}(gt.tensor([0.5])).shape\n(1,)\n"
    op.__doc__ = doc or f"Elementwise ``{name}``.\n\n{example}"
    return op


def _non_float_dtype(name, rule, dtype):
    """Compute dtype for an integer/bool input, or None when the result is trivial."""
    if rule == "float":
        return dt.default_float
    if rule == "numeric":
        if dtype.kind == "b":
            raise DTypeError(f"{name}: not defined for bool tensors; cast to an integer or float dtype first")
        return dtype
    if rule == "keep":
        return None
    if rule == "test":
        return None
    if rule in ("integral", "logical"):
        return dtype
    raise AssertionError(rule)


def _trivial(name, x):
    """Results that need no kernel: rounding an integer, isnan of an integer."""
    from .creation import full

    if name in ("isnan", "isinf"):
        return full(x._shape, False, dtype=dt.bool_, device=x._device)
    if name == "isfinite":
        return full(x._shape, True, dtype=dt.bool_, device=x._device)
    if name == "signbit":
        from .binary import less

        return less(x, 0) if x._dtype.kind == "i" else full(x._shape, False, dtype=dt.bool_, device=x._device)
    from .elementwise import copy

    return copy(x)


def _check_integral(name, x):
    if type(x) is Tensor and x._dtype.kind == "f":
        raise DTypeError(f"{name}: needs an integer or bool tensor, got {x._dtype}")


# --- gradients ---------------------------------------------------------------------------------
# Each receives the node and the output gradient; saved tensors come from node.saved_tensors.

def _g_negative(node, g):
    return negative(g)


def _g_abs(node, g):
    (x,) = node.saved_tensors
    return g * sign(x)


def _g_square(node, g):
    (x,) = node.saved_tensors
    return g * (x * 2)


def _g_sqrt(node, g):
    (y,) = node.saved_tensors
    return g / (y * 2)


def _g_rsqrt(node, g):
    (y,) = node.saved_tensors
    return g * (y * y * y) * -0.5


def _g_reciprocal(node, g):
    (y,) = node.saved_tensors
    return -(g * y * y)


def _g_exp(node, g):
    (y,) = node.saved_tensors
    return g * y


def _g_expm1(node, g):
    (y,) = node.saved_tensors
    return g * (y + 1)


def _g_log(node, g):
    (x,) = node.saved_tensors
    return g / x


def _g_log1p(node, g):
    (x,) = node.saved_tensors
    return g / (x + 1)


def _g_log2(node, g):
    (x,) = node.saved_tensors
    return g / (x * _LN2)


def _g_log10(node, g):
    (x,) = node.saved_tensors
    return g / (x * _LN10)


def _g_sin(node, g):
    (x,) = node.saved_tensors
    return g * cos(x)


def _g_cos(node, g):
    (x,) = node.saved_tensors
    return -(g * sin(x))


def _g_tan(node, g):
    (y,) = node.saved_tensors
    return g * (y * y + 1)


def _g_asin(node, g):
    (x,) = node.saved_tensors
    return g * rsqrt(1 - x * x)


def _g_acos(node, g):
    (x,) = node.saved_tensors
    return -(g * rsqrt(1 - x * x))


def _g_atan(node, g):
    (x,) = node.saved_tensors
    return g / (x * x + 1)


def _g_sinh(node, g):
    (x,) = node.saved_tensors
    return g * cosh(x)


def _g_cosh(node, g):
    (x,) = node.saved_tensors
    return g * sinh(x)


def _g_tanh(node, g):
    (y,) = node.saved_tensors
    return g * (1 - y * y)


def _g_asinh(node, g):
    (x,) = node.saved_tensors
    return g * rsqrt(x * x + 1)


def _g_acosh(node, g):
    (x,) = node.saved_tensors
    return g * rsqrt(x * x - 1)


def _g_atanh(node, g):
    (x,) = node.saved_tensors
    return g / (1 - x * x)


def _g_erf(node, g):
    (x,) = node.saved_tensors
    return g * exp(-(x * x)) * _SQRT_PI_INV2


def _g_sigmoid(node, g):
    (y,) = node.saved_tensors
    return g * (y * (1 - y))


def _g_zero(node, g):
    from .creation import zeros_like

    return zeros_like(g)


negative = _unary("negative", "numeric", _g_negative, doc="Elementwise ``-x``.")
positive = _unary("positive", "numeric", lambda node, g: g, doc="Elementwise ``+x`` (a copy).")
abs = _unary("abs", "numeric", _g_abs, "x", "Absolute value ``|x|``; the gradient at 0 is 0.")
sign = _unary("sign", "numeric", _g_zero, doc="-1, 0 or 1 by the sign of x (NaN stays NaN).")
square = _unary("square", "numeric", _g_square, "x", "``x * x``.")
sqrt = _unary("sqrt", "float", _g_sqrt, "y", "Square root.")
rsqrt = _unary("rsqrt", "float", _g_rsqrt, "y", "``1 / sqrt(x)``.")
reciprocal = _unary("reciprocal", "float", _g_reciprocal, "y", "``1 / x``.")
exp = _unary("exp", "float", _g_exp, "y", "``e ** x``.")
expm1 = _unary("expm1", "float", _g_expm1, "y", "``exp(x) - 1``, accurate for small x.")
log = _unary("log", "float", _g_log, "x", "Natural logarithm.")
log1p = _unary("log1p", "float", _g_log1p, "x", "``log(1 + x)``, accurate for small x.")
log2 = _unary("log2", "float", _g_log2, "x", "Base-2 logarithm.")
log10 = _unary("log10", "float", _g_log10, "x", "Base-10 logarithm.")
sin = _unary("sin", "float", _g_sin, "x", "Sine.")
cos = _unary("cos", "float", _g_cos, "x", "Cosine.")
tan = _unary("tan", "float", _g_tan, "y", "Tangent.")
asin = _unary("asin", "float", _g_asin, "x", "Inverse sine.")
acos = _unary("acos", "float", _g_acos, "x", "Inverse cosine.")
atan = _unary("atan", "float", _g_atan, "x", "Inverse tangent.")
sinh = _unary("sinh", "float", _g_sinh, "x", "Hyperbolic sine.")
cosh = _unary("cosh", "float", _g_cosh, "x", "Hyperbolic cosine.")
tanh = _unary("tanh", "float", _g_tanh, "y", "Hyperbolic tangent.")
asinh = _unary("asinh", "float", _g_asinh, "x", "Inverse hyperbolic sine.")
acosh = _unary("acosh", "float", _g_acosh, "x", "Inverse hyperbolic cosine.")
atanh = _unary("atanh", "float", _g_atanh, "x", "Inverse hyperbolic tangent.")
erf = _unary("erf", "float", _g_erf, "x", "The error function.")
sigmoid = _unary(
    "sigmoid", "float", _g_sigmoid, "y", "Logistic sigmoid ``1 / (1 + exp(-x))``, stable for all x."
)
floor = _unary("floor", "keep", _g_zero, doc="Round toward -inf.")
ceil = _unary("ceil", "keep", _g_zero, doc="Round toward +inf.")
trunc = _unary("trunc", "keep", _g_zero, doc="Round toward 0.")
round = _unary("round", "keep", _g_zero, doc="Round half to even.")
isnan = _unary("isnan", "test", doc="True where x is NaN.")
isinf = _unary("isinf", "test", doc="True where x is +-inf.")
isfinite = _unary("isfinite", "test", doc="True where x is neither NaN nor +-inf.")
signbit = _unary("signbit", "test", doc="True where the sign bit is set (including -0.0).")
_logical_not = _unary("logical_not", "logical")
_bitwise_invert = _unary("bitwise_invert", "integral", doc="Bitwise NOT (logical NOT for bool).")

arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def logical_not(x, /) -> Tensor:
    """Elementwise NOT of the truth value of x (bool result)."""
    x = to_tensor(x)
    if x._dtype is not dt.bool_:
        from .elementwise import astype

        x = astype(x, dt.bool_)
    return _logical_not(x)


def bitwise_invert(x, /) -> Tensor:
    """Bitwise NOT (``~x``); logical NOT for bool tensors."""
    x = to_tensor(x)
    _check_integral("bitwise_invert", x)
    return _bitwise_invert(x)


def conj(x, /) -> Tensor:
    """Complex conjugate: the identity on gputensor's real dtypes."""
    return positive(to_tensor(x))


def real(x, /) -> Tensor:
    """Real part: the identity on real dtypes."""
    return positive(to_tensor(x))


def imag(x, /) -> Tensor:
    """Imaginary part: zeros on real dtypes."""
    from .creation import zeros_like

    return zeros_like(to_tensor(x))
