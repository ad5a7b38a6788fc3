"""Shared front-half helpers of ops: argument conversion, axis and shape checks, and the one
helper that reduces a broadcast gradient back to its input's shape."""

from __future__ import annotations

import builtins
import numbers
import operator

import numpy as np

from ..autograd.node import record
from ..autograd.state import state
from ..devices.registry import current_device
from ..errors import ArgumentTypeError, AxisError, DTypeError, ShapeError
from ..tensor import Tensor, check_same_device, make

__all__ = [
    "Tensor", "make", "record", "state", "check_same_device", "to_tensor", "tensor_args",
    "normalize_axis", "normalize_axes", "broadcast_shapes", "sum_to_shape", "cast_to",
    "check_int_scalar_range", "shape_arg",
]


def to_tensor(x, device=None, dtype=None) -> Tensor:
    """``x`` as a Tensor on ``device`` (tensors pass through; lists/arrays/scalars convert)."""
    if type(x) is Tensor:
        return x
    from .creation import asarray

    return asarray(x, dtype=dtype, device=device)


def tensor_args(op: str, *args):
    """Convert non-tensor arguments to tensors on the device of the tensor arguments and check
    that all tensor arguments share one device. Returns (tensors, device)."""
    dev = None
    for a in args:
        if type(a) is Tensor:
            dev = a._device
            break
    if dev is None:
        dev = current_device()
    out = []
    for a in args:
        out.append(a if type(a) is Tensor else to_tensor(a, device=dev))
    check_same_device(op, *out)
    return out, dev


def normalize_axis(axis, ndim: int, op: str) -> int:
    """A non-negative axis; AxisError naming the op when it is out of range."""
    if not isinstance(axis, (builtins.int, np.integer)) or isinstance(axis, builtins.bool):
        raise ArgumentTypeError(f"{op}: axis must be an int, got {type(axis).__name__} {axis!r}")
    axis = int(axis)
    if axis < -ndim or axis >= ndim:
        raise AxisError(
            f"{op}: axis {axis} is out of range for a tensor with {ndim} axes "
            f"(valid: {-ndim}..{ndim - 1})"
        )
    return axis + ndim if axis < 0 else axis


def normalize_axes(axis, ndim: int, op: str) -> tuple:
    """Sorted non-negative axes for ``axis`` = None (all), an int, or a sequence of ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = tuple(normalize_axis(a, ndim, op) for a in axis)
        if len(set(axes)) != len(axes):
            raise AxisError(f"{op}: repeated axis in {tuple(axis)}")
        return tuple(sorted(axes))
    return (normalize_axis(axis, ndim, op),)


def broadcast_shapes(op: str, *shapes) -> tuple:
    """The broadcast of ``shapes`` (NumPy rules); ShapeError naming the op and the shapes."""
    ndim = max(len(s) for s in shapes)
    result = []
    for i in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) >= -i:
                n = s[i]
                if n != 1:
                    if size != 1 and size != n:
                        shown = ", ".join(str(tuple(x)) for x in shapes)
                        raise ShapeError(f"{op}: shapes {shown} cannot be broadcast together")
                    size = n
        result.append(size)
    return tuple(result)


def sum_to_shape(g: Tensor, shape: tuple) -> Tensor:
    """Sum a broadcast gradient ``g`` back to ``shape`` (the one shared unbroadcast helper)."""
    if g._shape == shape:
        return g
    from .manipulation import reshape
    from .reduction import sum as reduce_sum

    lead = len(g._shape) - len(shape)
    axes = list(range(lead))
    for i, n in enumerate(shape):
        if n == 1 and g._shape[lead + i] != 1:
            axes.append(lead + i)
    out = reduce_sum(g, axis=tuple(axes)) if axes else g
    if out._shape != shape:
        out = reshape(out, shape)
    return out


def cast_to(x: Tensor, dtype) -> Tensor:
    """``x`` as ``dtype`` (differentiable between floating types); the tensor itself if equal."""
    if x._dtype is dtype:
        return x
    from .elementwise import astype

    return astype(x, dtype)


def check_int_scalar_range(op: str, value, dtype) -> None:
    """A Python int operand must fit the integer dtype it is combined with."""
    if dtype.kind in "iu" and isinstance(value, builtins.int) and not isinstance(value, builtins.bool):
        info = np.iinfo(dtype.np)
        if value < info.min or value > info.max:
            raise DTypeError(
                f"{op}: the Python int {value} does not fit {dtype} (range {info.min}..{info.max}); "
                "cast the tensor to a wider dtype first"
            )


def shape_arg(shape, op: str, allow_negative: bool = False) -> tuple:
    """Normalize a shape argument: an int, or a sequence of non-negative ints (-1 allowed
    where the op infers a dimension)."""
    if isinstance(shape, (builtins.int, np.integer)) and not isinstance(shape, builtins.bool):
        shape = (int(shape),)
    elif isinstance(shape, Tensor):
        shape = tuple(int(v) for v in shape.tolist())
    try:
        shape = tuple(int(operator_index(n)) for n in shape)
    except TypeError:
        raise ArgumentTypeError(f"{op}: shape must be an int or a sequence of ints, got {shape!r}") from None
    for n in shape:
        if n < 0 and not (allow_negative and n == -1):
            raise ShapeError(f"{op}: negative dimension in shape {shape}")
    return shape


def operator_index(n):
    if isinstance(n, builtins.bool):
        raise TypeError("bool is not a dimension")
    if isinstance(n, numbers.Integral):
        return n
    return operator.index(n)


def grad_enabled_for(*tensors) -> bool:
    """Whether an op with these inputs must record (grad mode on and any input tracked)."""
    if not state.enabled:
        return False
    for t in tensors:
        if type(t) is Tensor and t._rg:
            return True
    return False


__all__.append("grad_enabled_for")
