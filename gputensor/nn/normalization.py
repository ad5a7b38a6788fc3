"""Batch and layer normalization, composed from mean/var ops (so they differentiate twice)."""

from __future__ import annotations

import math
import numbers

from ..autograd.state import no_grad
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ..ops.core import Tensor, normalize_axis
from ..ops.reduction import mean, var
from ..ops.unary import rsqrt
from ..ops.views import reshape
from .checks import float_tensor, number_in, optional_float_tensor


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
    axis: int = 1,
) -> Tensor:
    """Normalize each channel (``axis``) over the batch and every other axis.

    In training the batch statistics normalize (biased variance), and the running statistics,
    when given, are updated in place without recording gradients, PyTorch's way:
    ``running = (1 - momentum) * running + momentum * batch`` with the *unbiased* batch
    variance. In evaluation (``training=False``) the running statistics normalize.
    (Keras' ``momentum=0.99`` is ``1 - momentum`` here.)

    Parameters
    ----------
    x : Tensor
        Floating, at least 2 axes, channels on ``axis`` (1 for NCHW, -1 for NHWC).
    running_mean, running_var : Tensor, optional
        ``(C,)``; required unless ``training``.
    weight, bias : Tensor, optional
        ``(C,)`` scale and shift.
    training : bool
    momentum : float in [0, 1]
    eps : float
        Added to the variance before the square root.
    axis : int
        The channel axis.

    Examples
    --------
    >>> import gputensor as gt
    >>> x = gt.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> rm, rv = gt.zeros(2), gt.ones(2)
    >>> gt.nn.functional.batch_norm(x, rm, rv, training=True, eps=0.0).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(v, 4) for v in rm.tolist()]
    [0.2, 2.0]
    """
    op = "batch_norm"
    x = float_tensor(op, "x", x)
    if x.ndim < 2:
        raise ShapeError(f"{op}: x needs at least 2 axes (batch and channels), got shape {x.shape}")
    axis = normalize_axis(axis, x.ndim, op)
    channels = x.shape[axis]
    stats = [
        _channel_param(op, name, t, x, channels)
        for name, t in (
            ("running_mean", running_mean),
            ("running_var", running_var),
            ("weight", weight),
            ("bias", bias),
        )
    ]
    running_mean, running_var, weight, bias = stats
    momentum = number_in(op, "momentum", momentum, 0.0, 1.0)
    eps = number_in(op, "eps", eps, 0.0, math.inf)
    if not isinstance(training, bool):
        raise ArgumentTypeError(f"{op}: training must be a bool, got {training!r}")
    reduce_axes = tuple(a for a in range(x.ndim) if a != axis)
    shape = tuple(channels if a == axis else 1 for a in range(x.ndim))
    if training:
        count = x.size // channels if channels else 0
        if count < 2:
            raise ShapeError(f"{op}: training needs more than one value per channel, got x.shape={x.shape}")
        batch_mean = mean(x, axis=reduce_axes, keepdims=True)
        batch_var = var(x, axis=reduce_axes, keepdims=True)
        _update_running(running_mean, running_var, batch_mean, batch_var, momentum, count)
        centered = x - batch_mean
        inv_std = rsqrt(batch_var + eps)
    else:
        if running_mean is None or running_var is None:
            raise ArgumentValueError(f"{op}: evaluation (training=False) needs running_mean and running_var")
        centered = x - reshape(running_mean, shape)
        inv_std = rsqrt(reshape(running_var, shape) + eps)
    return _affine(centered * inv_std, weight, bias, shape)


def _channel_param(op: str, name: str, t, x: Tensor, channels: int):
    t = optional_float_tensor(op, name, t, x)
    if t is not None and t.shape != (channels,):
        raise ShapeError(f"{op}: {name} must have shape ({channels},) (one per channel), got {t.shape}")
    return t


def _update_running(running_mean, running_var, batch_mean, batch_var, momentum: float, count: int) -> None:
    with no_grad():
        if running_mean is not None:
            new = running_mean * (1 - momentum) + reshape(batch_mean, (-1,)) * momentum
            running_mean[...] = new
        if running_var is not None:
            unbiased = reshape(batch_var, (-1,)) * (count / (count - 1))
            running_var[...] = running_var * (1 - momentum) + unbiased * momentum


def _affine(y: Tensor, weight, bias, shape) -> Tensor:
    if weight is not None:
        y = y * reshape(weight, shape)
    if bias is not None:
        y = y + reshape(bias, shape)
    return y


def layer_norm(
    x: Tensor,
    normalized_shape: int | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` axes of every sample (biased variance),
    then scale by ``weight`` and shift by ``bias`` (both of shape ``normalized_shape``).

    Examples
    --------
    >>> import gputensor as gt
    >>> x = gt.tensor([[1.0, 3.0], [2.0, 2.0]])
    >>> gt.nn.functional.layer_norm(x, 2, eps=0.0).tolist()[0]
    [-1.0, 1.0]
    >>> gt.nn.functional.layer_norm(x, (2,), bias=gt.tensor([5.0, 6.0])).tolist()[1]
    [5.0, 6.0]
    """
    op = "layer_norm"
    x = float_tensor(op, "x", x)
    shape = _normalized_shape(op, normalized_shape)
    if x.shape[x.ndim - len(shape) :] != shape or len(shape) > x.ndim:
        raise ShapeError(
            f"{op}: normalized_shape {shape} must match the last axes of x, got x.shape={x.shape}"
        )
    weight = optional_float_tensor(op, "weight", weight, x)
    bias = optional_float_tensor(op, "bias", bias, x)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ShapeError(f"{op}: {name} must have shape {shape} (normalized_shape), got {t.shape}")
    eps = number_in(op, "eps", eps, 0.0, math.inf)
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mu = mean(x, axis=axes, keepdims=True)
    sigma2 = var(x, axis=axes, keepdims=True)
    y = (x - mu) * rsqrt(sigma2 + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _normalized_shape(op: str, normalized_shape) -> tuple:
    if isinstance(normalized_shape, numbers.Integral) and not isinstance(normalized_shape, bool):
        normalized_shape = (int(normalized_shape),)
    if not isinstance(normalized_shape, (tuple, list)) or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in normalized_shape
    ):
        raise ArgumentTypeError(
            f"{op}: normalized_shape must be an int or a tuple of ints, got {normalized_shape!r}"
        )
    shape = tuple(int(n) for n in normalized_shape)
    if not shape:
        raise ShapeError(f"{op}: normalized_shape must name at least one axis, got {normalized_shape!r}")
    return shape
