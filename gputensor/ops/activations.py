"""Activation functions and row-wise normalizers: relu, gelu, softplus, leaky_relu, elu, selu,
silu, softmax, log_softmax.

``softmax`` and ``log_softmax`` use a backend's fused primitive when it has one and the
composed form (max, subtract, exp, sum, divide) otherwise; their gradients are written once,
with ops, so both paths differentiate twice.
"""

from __future__ import annotations

import math

from .. import dtypes as dt
from .binary import logaddexp
from .core import Tensor, make, normalize_axis, record, state, to_tensor
from .elementwise import astype, where
from .reduction import max as rmax
from .reduction import sum as rsum
from .unary import erf, exp, expm1, log, tanh


def _float(x) -> Tensor:
    x = to_tensor(x)
    return x if x._dtype.kind == "f" else astype(x, dt.default_float)


def relu(x, /) -> Tensor:
    """``max(x, 0)``; the gradient at 0 is 0.

    >>> import gputensor as gt
    >>> gt.relu(gt.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    x = to_tensor(x)
    data = x._device.backend.binary("maximum", x._data, _zero(x), x._dtype, x._shape)
    y = make(data, x._shape, x._dtype, x._device)
    if x._rg and state.enabled:
        record("relu", _g_relu, (x,), y, save=(y,))
    return y


def _zero(x):
    return False if x._dtype.kind == "b" else 0 if x._dtype.kind in "iu" else 0.0


def _g_relu(node, g):
    (y,) = node.saved_tensors
    return where(y > 0, g, 0.0)


def leaky_relu(x, /, negative_slope: float = 0.01) -> Tensor:
    """``x`` for x > 0, else ``negative_slope * x``."""
    x = _float(x)
    return where(x > 0, x, x * negative_slope)


def elu(x, /, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``."""
    x = _float(x)
    return where(x > 0, x, expm1(where(x > 0, 0.0, x)) * alpha)


_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def selu(x, /) -> Tensor:
    """Scaled ELU with the self-normalizing constants of Klambauer et al. (2017)."""
    return elu(x, _SELU_ALPHA) * _SELU_SCALE


def silu(x, /) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    from .unary import sigmoid

    x = _float(x)
    return x * sigmoid(x)


swish = silu


def gelu(x, /, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: ``x * Phi(x)`` exactly (``approximate="none"``) or with the
    tanh approximation (``"tanh"``)."""
    x = _float(x)
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * (tanh(inner) + 1) * 0.5
    if approximate != "none":
        from ..errors import ArgumentValueError

        raise ArgumentValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return x * (erf(x * (1 / math.sqrt(2.0))) + 1) * 0.5


def softplus(x, /, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (as PyTorch)."""
    x = _float(x)
    bx = x * beta if beta != 1.0 else x
    smooth = logaddexp(bx, 0.0)
    if beta != 1.0:
        smooth = smooth / beta
    return where(bx > threshold, x, smooth)


# --- softmax family ----------------------------------------------------------------------------

def _softmax_forward(x: Tensor, axis: int, log_space: bool) -> Tensor:
    if x.size == 0:
        # nothing to normalize (an empty axis has no maximum to shift by)
        return make(x._device.backend.empty(x._shape, x._dtype), x._shape, x._dtype, x._device)
    fused = getattr(x._device.backend, "log_softmax" if log_space else "softmax", None)
    if fused is not None:
        return make(fused(x._data, axis), x._shape, x._dtype, x._device)
    with _NoRecord():
        shifted = x - rmax(x, axis=axis, keepdims=True)
        e = exp(shifted)
        total = rsum(e, axis=axis, keepdims=True)
        return shifted - log(total) if log_space else e / total


class _NoRecord:
    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


def softmax(x, /, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``, computed without overflow.

    >>> import gputensor as gt
    >>> gt.softmax(gt.tensor([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    x = _float(x)
    axis = normalize_axis(axis, x.ndim, "softmax") if x.ndim else 0
    if x.ndim == 0:
        return softmax(x.reshape((1,)), axis=0).reshape(())
    y = _softmax_forward(x, axis, False)
    if x._rg and state.enabled:
        record("softmax", _g_softmax, (x,), y, save=(y,), ctx=axis)
    return y


def _g_softmax(node, g):
    (y,) = node.saved_tensors
    gy = g * y
    return gy - y * rsum(gy, axis=node.ctx, keepdims=True)


def log_softmax(x, /, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``, computed without overflow."""
    x = _float(x)
    if x.ndim == 0:
        return log_softmax(x.reshape((1,)), axis=0).reshape(())
    axis = normalize_axis(axis, x.ndim, "log_softmax")
    y = _softmax_forward(x, axis, True)
    if x._rg and state.enabled:
        record("log_softmax", _g_log_softmax, (x,), y, save=(y,), ctx=axis)
    return y


def _g_log_softmax(node, g):
    (y,) = node.saved_tensors
    return g - exp(y) * rsum(g, axis=node.ctx, keepdims=True)


