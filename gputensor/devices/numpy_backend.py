"""The CPU backend: every primitive written with NumPy. It is the executable specification.

Half-precision types (float16, bfloat16) are stored as such and computed the way the GPU
kernels compute them: reductions, scans and matmul accumulate in float32 and round once.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from .. import dtypes as dt
from . import philox
from .backend import Backend, DeviceInfo
from .host_pool import HostPool
from .numpy_special import erf

# Overflow, division by zero and invalid values give inf/NaN silently on every device; NumPy
# would warn, so silence exactly its floating-point warnings raised from this module.
warnings.filterwarnings(
    "ignore",
    message=r"(overflow|invalid value|divide by zero|underflow) encountered",
    category=RuntimeWarning,
    module=r"gputensor\.devices\.numpy_backend",
)

_HALF = (np.dtype(np.float16), dt.bfloat16.np)
_F32 = np.dtype(np.float32)
_BOOL = np.dtype(np.bool_)
_BF16 = dt.bfloat16.np


def _sigmoid(x):
    # exp(-|x|) never overflows; each branch keeps full relative precision.
    e = np.exp(-np.abs(x))
    pos = 1.0 / (1.0 + e)
    return np.where(x >= 0, pos, e * pos).astype(x.dtype, copy=False)


def _rsqrt(x, out=None, order="C"):
    root = np.sqrt(x, order=order)
    return np.reciprocal(root, out=root if out is None else out)


_UNARY = {
    "negative": np.negative, "positive": np.positive, "abs": np.abs, "sign": np.sign,
    "signbit": np.signbit, "square": np.square, "sqrt": np.sqrt, "rsqrt": _rsqrt,
    "reciprocal": np.reciprocal, "exp": np.exp, "expm1": np.expm1, "log": np.log,
    "log1p": np.log1p, "log2": np.log2, "log10": np.log10, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": np.rint,
    "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite, "logical_not": np.logical_not,
    "bitwise_invert": np.invert,
}
_UNARY_SPECIAL = {"sigmoid": _sigmoid, "erf": erf}
_UNARY_BOOL_OUT = frozenset({"signbit", "isnan", "isinf", "isfinite", "logical_not"})

_BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
    "floor_divide": np.floor_divide, "remainder": np.remainder, "pow": np.power,
    "maximum": np.maximum, "minimum": np.minimum, "atan2": np.arctan2, "hypot": np.hypot,
    "copysign": np.copysign, "nextafter": np.nextafter, "logaddexp": np.logaddexp,
    "equal": np.equal, "not_equal": np.not_equal, "less": np.less, "less_equal": np.less_equal,
    "greater": np.greater, "greater_equal": np.greater_equal, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_xor": np.logical_xor, "bitwise_and": np.bitwise_and,
    "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
    "bitwise_left_shift": np.left_shift, "bitwise_right_shift": np.right_shift,
}
_BINARY_BOOL_OUT = frozenset({
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor",
})
_REDUCE = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _array(result):
    # ufuncs return NumPy scalars for 0-d operands; tensors must hold (writable) arrays
    return result if type(result) is np.ndarray else np.asarray(result)


def _c(result, dtype=None):
    """A C-contiguous array (0-d results stay 0-d, unlike np.ascontiguousarray)."""
    out = np.asarray(result, dtype=dtype)
    return out if out.flags.c_contiguous else out.copy()


class NumpyBackend(Backend):
    """``cpu``: NumPy arrays in host memory, with a buffer pool for large temporaries."""

    type = "cpu"
    dtypes = frozenset(dt.ALL_DTYPES)
    host_memory = True

    def __init__(self, index: int = 0, **options):
        from ..config import settings
        from ..errors import DeviceError

        if index != 0:
            raise DeviceError(f"device: cpu:{index} does not exist; the NumPy backend has one device, 'cpu'")
        super().__init__(index, **options)
        self.pool = HostPool(enabled=settings.numpy_pool)

    @classmethod
    def probe(cls) -> list[DeviceInfo]:
        cores = os.cpu_count() or 1
        return [DeviceInfo("cpu", True, f"NumPy {np.__version__} on {cores} CPU cores")]

    def describe(self) -> str:
        return self.probe()[0].description

    # --- memory ------------------------------------------------------------------------
    def empty(self, shape, dtype):
        return self.pool.empty(shape, dtype.np)

    def from_host(self, array, copy=True):
        if copy or not array.flags.c_contiguous or not array.dtype.isnative:
            out = self.pool.empty(array.shape, array.dtype.newbyteorder("="))
            np.copyto(out, array, casting="unsafe")
            return out
        return array

    def to_host(self, x):
        return x

    def view(self, root, shape, strides, offset):
        item = root.itemsize
        if 0 in shape:
            # NumPy bounds-checks the offset even for a view with no elements (x[1:2] of shape (2, 0))
            offset = 0
        return np.ndarray(shape, root.dtype, root, offset * item, tuple(s * item for s in strides))

    def contiguous(self, x):
        out = self.pool.empty(x.shape, x.dtype)
        np.copyto(out, x)
        return out

    def copy_into(self, dst, src):
        np.copyto(dst, src, casting="unsafe")

    def memory_stats(self) -> dict:
        return self.pool.stats()

    def empty_cache(self) -> None:
        self.pool.clear()

    # --- creation ----------------------------------------------------------------------
    def full(self, shape, value, dtype):
        out = self.pool.empty(shape, dtype.np)
        out.fill(value)
        return out

    def arange(self, start, step, n, dtype):
        if dtype.kind == "f":
            values = start + step * np.arange(n, dtype=np.float64)
            return values.astype(dtype.np)
        return (start + step * np.arange(n, dtype=np.int64)).astype(dtype.np)

    # --- elementwise -------------------------------------------------------------------
    def unary(self, op, x, dtype, out=None):
        fn = _UNARY.get(op)
        if fn is None:
            result = _UNARY_SPECIAL[op](x)
            if out is None:
                return _c(result)
            np.copyto(out, result, casting="unsafe")
            return out
        if out is None:
            if x.size < self.pool.min_items:
                # Small arrays: a fresh result from the ufunc is cheapest (no pool lookup).
                return _array(fn(x, order="C"))
            out = self.pool.empty(x.shape, _BOOL if op in _UNARY_BOOL_OUT else dtype.np)
        return fn(x, out=out)

    def binary(self, op, a, b, dtype, shape, out=None):
        fn = _BINARY[op]
        if op == "pow" and dtype.kind in "iu":
            out = self.pool.empty(shape, dtype.np) if out is None else out
            return _integer_pow(a, b, out)
        if out is None:
            small = len(shape) < 2 and (not shape or shape[0] < self.pool.min_items)
            if small and dtype.np is not _BF16:
                # Small vectors: let the ufunc allocate; operands already have the computation
                # dtype and Python scalars are weak, so the result dtype is right (except for
                # ml_dtypes' bfloat16, which promotes Python floats to float32).
                return _array(fn(a, b, order="C"))
            out = self.pool.empty(shape, _BOOL if op in _BINARY_BOOL_OUT else dtype.np)
        return fn(a, b, out=out)

    def where(self, cond, a, b, dtype, shape):
        # np.where is one pass; copyto(..., where=mask) is four times slower.
        result = np.where(cond, a, b)
        if result.dtype != dtype.np:
            result = result.astype(dtype.np)
        return _c(result)

    def cast(self, x, dtype):
        out = self.pool.empty(x.shape, dtype.np)
        np.copyto(out, x, casting="unsafe")
        return out

    # --- reductions and scans ----------------------------------------------------------
    def reduce(self, op, x, axes, keepdims, dtype):
        acc = _F32 if dtype.np in _HALF else dtype.np
        if op in ("max", "min"):
            result = _REDUCE[op].reduce(x, axis=axes, keepdims=keepdims)
        else:
            result = _REDUCE[op].reduce(x, axis=axes, dtype=acc, keepdims=keepdims)
        return _c(result, dtype=dtype.np)

    def arg_reduce(self, op, x, axis, keepdims):
        fn = np.argmax if op == "argmax" else np.argmin
        result = fn(x, axis=axis, keepdims=keepdims)
        return _c(result, dtype=np.int64)

    def scan(self, op, x, axis, dtype):
        acc = _F32 if dtype.np in _HALF else dtype.np
        fn = np.cumsum if op == "sum" else np.cumprod
        return _c(fn(x, axis=axis, dtype=acc), dtype=dtype.np)

    # --- linear algebra ----------------------------------------------------------------
    def matmul(self, a, b, dtype):
        if dtype.np in _HALF:
            # astype keeps the operands' (strided) layout; results must be C-contiguous
            result = np.matmul(a.astype(_F32), b.astype(_F32))
            return result.astype(dtype.np, order="C")
        if dtype.kind == "b":
            result = np.matmul(a.astype(np.int64), b.astype(np.int64)) != 0
            return _c(result)
        if a.ndim == 2 and b.ndim == 2:
            shape = (a.shape[0], b.shape[1])
        else:
            shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
        out = self.pool.empty(shape, dtype.np)
        return np.matmul(a, b, out=out)

    # --- indexing ----------------------------------------------------------------------
    def gather(self, x, index, axis):
        return _c(np.take(x, index, axis=axis))

    def scatter_add(self, shape, index, values, axis, dtype):
        acc = _F32 if dtype.np in _HALF else dtype.np
        out = np.zeros(shape, acc)
        np.add.at(out, (slice(None),) * axis + (index,), values.astype(acc, copy=False))
        return out.astype(dtype.np, copy=False)

    def scatter(self, dst, index, values, axis):
        dst[(slice(None),) * axis + (index,)] = values

    # --- random ------------------------------------------------------------------------
    def random(self, kind, shape, dtype, key, counter, low=0, high=1):
        n = int(np.prod(shape, dtype=np.int64))
        if kind == "uniform":
            flat = philox.uniform(key, counter, n, dtype.np)
        elif kind == "normal":
            flat = philox.normal(key, counter, n, dtype.np)
        else:
            flat = philox.integers(key, counter, n, low, high, dtype.np)
        return flat.reshape(shape)

    # --- sorting and searching ---------------------------------------------------------
    def sort(self, x, axis, descending):
        # ml_dtypes' bfloat16 sort is not NaN-aware; its float32 widening orders the same
        key = x.astype(_F32) if x.dtype == _BF16 else x
        if descending:
            flipped = np.flip(key, axis)
            idx = np.argsort(flipped, axis=axis, kind="stable")
            idx = x.shape[axis] - 1 - np.flip(idx, axis)
        else:
            idx = np.argsort(key, axis=axis, kind="stable")
        values = np.take_along_axis(x, idx, axis)
        return _c(values), _c(idx, dtype=np.int64)

    def searchsorted(self, sorted_1d, values, side):
        if sorted_1d.dtype == _BF16:
            # NaN-aware comparisons, as in sort
            sorted_1d = sorted_1d.astype(_F32)
            values = values.astype(_F32)
        return _c(np.searchsorted(sorted_1d, values, side=side), dtype=np.int64)

    def nonzero(self, x):
        coords = np.nonzero(x)
        if not coords:
            return np.zeros((0, 0), np.int64)
        return _c(np.stack(coords).astype(np.int64, copy=False))

    # --- optional fused primitives -----------------------------------------------------
    def optimizer_update(self, rule, param, grad, slots, hyper):
        """Fused optimizer step in place (see the Backend docstring); in-place ufuncs with
        one pooled scratch buffer."""
        from .numpy_optim import optimizer_update

        return optimizer_update(self.pool, rule, param, grad, slots, hyper)


def _integer_pow(a, b, out):
    a = np.asarray(a)
    b = np.asarray(b)
    np.power(a, np.maximum(b, 0), out=out)
    negative = b < 0
    if negative.any():
        # a ** -n truncates toward zero, as the kernels compute it: 1 for a == 1, +-1 for
        # a == -1, else 0 (NumPy would raise instead).
        inv = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
        np.copyto(out, inv, where=negative, casting="unsafe")
    return out
