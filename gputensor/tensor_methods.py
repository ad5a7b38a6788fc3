"""Operators and methods of :class:`~gputensor.tensor.Tensor`, each a thin call into an op.

Kept apart from the Tensor class so that ops can import the class without a cycle.
"""

from __future__ import annotations

from . import dtypes as dt
from . import ops
from .autograd.state import state
from .autograd.tape import backward as _backward
from .errors import DTypeError, ShapeError
from .ops.indexing import getitem, rebase_inplace, setitem
from .tensor import Tensor, bump_version


def _swap(fn):
    def reflected(self, other, /):
        return fn(other, self)

    reflected.__name__ = f"r{fn.__name__}"
    return reflected


def _comparison(fn):
    """``==`` / ``!=`` with an object that is no array or number (None, a string) is False /
    True, as Python expects, instead of an error."""

    def method(self, other, /):
        if other is None or isinstance(other, (str, bytes, dict, set)):
            return NotImplemented
        return fn(self, other)

    method.__name__ = fn.__name__
    return method


def _check_no_internal_overlap(t: Tensor, name: str) -> None:
    """An in-place op on a broadcast view would update shared elements several times."""
    strides = t._strides
    if strides is not None and any(st == 0 and n > 1 for n, st in zip(t._shape, strides)):
        raise ShapeError(
            f"{name}: in-place update of a broadcast view (shape {t._shape}, strides {strides}): "
            "several of its elements are one memory location; copy it first (x = x.copy())"
        )


def _inplace(fn, name):
    elementwise = fn is not ops.matmul

    def method(self, other, /):
        _check_no_internal_overlap(self, name)
        recording = state.enabled and (self._rg or (type(other) is Tensor and other._rg))
        if elementwise and not recording:
            try:
                return fn(self, other, out=self)
            except (DTypeError, ShapeError) as exc:
                result = dt.result_type(self, other)
                kind = ShapeError if isinstance(exc, ShapeError) else DTypeError
                raise kind(
                    f"{name}: the result ({result.name}) cannot be stored in place in a "
                    f"{self.dtype.name} tensor of shape {self.shape}: {exc}; use the out-of-place operator"
                ) from None
        # The out-of-place op may save its operands for the gradient; give it a copy of self,
        # since the result is about to overwrite self's memory (``y *= x`` needs the old y).
        source = ops.copy(self) if recording and not self._leaf_rg else self
        return rebase_inplace(self, fn(source, source if other is self else other), name)

    method.__name__ = name
    return method


_BINARY_OPERATORS = {
    "add": ops.add, "sub": ops.subtract, "mul": ops.multiply, "truediv": ops.divide,
    "floordiv": ops.floor_divide, "mod": ops.remainder, "pow": ops.pow, "matmul": ops.matmul,
    "and": ops.bitwise_and, "or": ops.bitwise_or, "xor": ops.bitwise_xor,
    "lshift": ops.bitwise_left_shift, "rshift": ops.bitwise_right_shift,
}


def _install_operators() -> None:
    for name, fn in _BINARY_OPERATORS.items():
        setattr(Tensor, f"__{name}__", fn)
        setattr(Tensor, f"__r{name}__", _swap(fn))
        setattr(Tensor, f"__i{name}__", _inplace(fn, f"__i{name}__"))
    Tensor.__eq__ = _comparison(ops.equal)
    Tensor.__ne__ = _comparison(ops.not_equal)
    Tensor.__lt__ = ops.less
    Tensor.__le__ = ops.less_equal
    Tensor.__gt__ = ops.greater
    Tensor.__ge__ = ops.greater_equal
    Tensor.__neg__ = ops.negative
    Tensor.__pos__ = ops.positive
    Tensor.__abs__ = ops.abs
    Tensor.__invert__ = ops.bitwise_invert
    Tensor.__getitem__ = getitem
    Tensor.__setitem__ = setitem


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


# --- methods -----------------------------------------------------------------------------------

def reshape(self, *shape, copy=None):
    """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
    return ops.reshape(self, _shape_args(shape), copy=copy)


def transpose(self, *axes):
    """Permute axes (all reversed when none are given), as NumPy's ``transpose``."""
    axes = _shape_args(axes)
    if not axes:
        axes = tuple(range(self.ndim - 1, -1, -1))
    return ops.permute_dims(self, axes)


def permute(self, *axes):
    """Permute axes: ``x.permute(2, 0, 1)``."""
    return ops.permute_dims(self, _shape_args(axes))


def broadcast_to(self, *shape):
    """A broadcast view: ``x.broadcast_to(3, 4)``."""
    return ops.broadcast_to(self, _shape_args(shape))


def fill_(self, value):
    """Set every element to ``value`` in place."""
    from .ops.indexing import _check_inplace

    if _check_inplace(self, value, "fill_"):
        # a recorded tensor: record the write too (the old values get a zero gradient)
        setitem(self, Ellipsis, value)
        return self
    self._device.backend.copy_into(self._data, _scalar_of(self, value))
    bump_version(self)
    return self


def _scalar_of(t, value):
    if isinstance(value, Tensor):
        value = value.item()
    kind = t.dtype.kind
    return bool(value) if kind == "b" else int(value) if kind in "iu" else float(value)


def zero_(self):
    """Set every element to zero in place."""
    return fill_(self, 0)


def copy_from(self, src):
    """Copy ``src`` (broadcast, cast) into this tensor in place."""
    setitem(self, Ellipsis, src)
    return self


def numel(self) -> int:
    """Number of elements (``x.size`` as a method, PyTorch style)."""
    return self.size


def dim(self) -> int:
    """Number of axes."""
    return self.ndim


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients into ``.grad`` of the leaves this tensor depends on."""
    _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)


def _axis_method(fn):
    def method(self, axis=None, keepdims=False, **kwargs):
        return fn(self, axis=axis, keepdims=keepdims, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _install_methods() -> None:
    plain = {
        name: getattr(ops, name)
        for name in (
            "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "square", "sin", "cos",
            "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
            "sigmoid", "relu", "gelu", "softplus", "erf", "floor", "ceil", "trunc", "round",
            "sign", "reciprocal", "isnan", "isinf", "isfinite", "abs", "negative", "logical_not",
            "astype", "clip", "flip", "squeeze", "expand_dims", "swapaxes", "moveaxis", "flatten",
            "matmul", "repeat", "tile", "roll", "cumsum", "cumprod", "nonzero", "take",
            "take_along_axis", "topk", "diff", "maximum", "minimum", "pow",
        )
        if hasattr(ops, name)
    }
    for name, fn in plain.items():
        setattr(Tensor, name, fn)
    for name in ("sum", "mean", "prod", "max", "min", "std", "var", "any", "all",
                 "argmax", "argmin", "count_nonzero", "logsumexp"):
        setattr(Tensor, name, _axis_method(getattr(ops, name)))
    Tensor.sort = lambda self, axis=-1, descending=False: ops.sort(self, axis=axis, descending=descending)
    Tensor.argsort = lambda self, axis=-1, descending=False: ops.argsort(
        self, axis=axis, descending=descending
    )
    Tensor.softmax = lambda self, axis=-1: ops.softmax(self, axis=axis)
    Tensor.log_softmax = lambda self, axis=-1: ops.log_softmax(self, axis=axis)
    Tensor.clamp = ops.clip
    Tensor.copy = ops.copy
    Tensor.clone = ops.copy
    Tensor.dot = ops.matmul
    Tensor.unsqueeze = ops.expand_dims
    Tensor.view = reshape
    Tensor.ravel = lambda self: ops.reshape(self, (-1,))
    for fn in (reshape, transpose, permute, broadcast_to, fill_, zero_, numel, dim, backward):
        setattr(Tensor, fn.__name__, fn)
    Tensor.expand = broadcast_to
    Tensor.copy_ = copy_from


def install() -> None:
    """Attach every operator and method to Tensor (done once, on import)."""
    _install_operators()
    _install_methods()
