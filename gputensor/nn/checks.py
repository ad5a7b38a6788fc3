"""Argument checks shared by the functions of ``gputensor.nn.functional``.

Every check names the calling function, so a message reads like
``"conv2d: stride must be positive ints, got (0, 1)"``. Bad option strings and hyperparameter
values raise ``ArgumentTypeError`` (as ``gelu`` and ``pad`` do for theirs); bad geometry
(kernel, stride, padding, channel counts) raises ``ShapeError``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

from ..errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from ..ops.core import Tensor, check_same_device, to_tensor
from ..ops.reduction import sum as reduce_sum

REDUCTIONS = ("mean", "sum", "none")

IntPair = int | Sequence[int]
"""One int for every spatial axis, or one int per axis."""
Padding = int | str | Sequence[int] | Sequence[Sequence[int]]
"""An int, one int or (before, after) pair per spatial axis, "valid" or "same"."""


def float_tensor(op: str, name: str, x) -> Tensor:
    """``x`` as a tensor with a floating dtype (DTypeError naming the argument otherwise)."""
    x = to_tensor(x)
    if x.dtype.kind != "f":
        raise DTypeError(
            f"{op}: {name} must be a floating-point tensor, got {x.dtype.name}; convert it with "
            f"{name}.astype(gt.float32)"
        )
    return x


def optional_float_tensor(op: str, name: str, x, like: Tensor):
    """None, or ``x`` as a floating tensor on ``like``'s device."""
    if x is None:
        return None
    x = float_tensor(op, name, x if isinstance(x, Tensor) else to_tensor(x, device=like.device))
    check_same_device(op, like, x)
    return x


def int_tensor(op: str, name: str, x, like: Tensor = None) -> Tensor:
    """``x`` as a tensor with an integer dtype (bool and floats are DTypeErrors)."""
    if not isinstance(x, Tensor):
        x = to_tensor(x, device=None if like is None else like.device)
    if x.dtype.kind not in "iu":
        raise DTypeError(f"{op}: {name} must be an integer tensor, got {x.dtype.name}")
    if like is not None:
        check_same_device(op, like, x)
    return x


def int_tuple(op: str, name: str, value, n: int, minimum: int) -> tuple:
    """An int or a sequence of ``n`` ints, each at least ``minimum``, as a tuple of ``n`` ints."""
    if _is_int(value):
        values = (int(value),) * n
    elif isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        values = tuple(int(v) for v in value)
    else:
        raise ArgumentTypeError(f"{op}: {name} must be an int or a sequence of {n} ints, got {value!r}")
    if len(values) != n:
        raise ShapeError(f"{op}: {name} needs {n} values (one per spatial axis), got {value!r}")
    if any(v < minimum for v in values):
        bound = "positive" if minimum == 1 else "non-negative"
        raise ShapeError(f"{op}: {name} must be {bound} ints, got {value!r}")
    return values


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def number_in(op: str, name: str, value, low: float, high: float, high_inclusive: bool = True) -> float:
    """A real number in [low, high] (or [low, high)); ArgumentTypeError for a non-number,
    ArgumentValueError for one out of range."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ArgumentTypeError(f"{op}: {name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    inside = low <= value <= high if high_inclusive else low <= value < high
    if not inside:
        bracket = "]" if high_inclusive else ")"
        raise ArgumentValueError(f"{op}: {name} must be in [{low}, {high}{bracket}, got {value}")
    return value


def check_reduction(op: str, reduction) -> str:
    """``reduction`` if it is one of 'mean', 'sum', 'none'."""
    if reduction not in REDUCTIONS:
        raise ArgumentValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def reduce_loss(loss: Tensor, reduction: str, denominator=None) -> Tensor:
    """Apply a checked ``reduction`` to per-element losses; 'mean' divides by ``denominator``
    (a tensor or a number; the element count by default)."""
    if reduction == "none":
        return loss
    total = reduce_sum(loss)
    if reduction == "sum":
        return total
    if denominator is None:
        denominator = loss.size
    if isinstance(denominator, numbers.Number) and denominator == 0:
        return total * float("nan")
    return total / denominator


def same_shape(op: str, a_name: str, a: Tensor, b_name: str, b: Tensor) -> None:
    """ShapeError unless ``a`` and ``b`` have equal shapes (losses do not broadcast silently)."""
    if a.shape != b.shape:
        raise ShapeError(
            f"{op}: {b_name}.shape={b.shape} must equal {a_name}.shape={a.shape}; reshape one of "
            "them (broadcasting (N,) against (N, 1) would silently compare every pair)"
        )
