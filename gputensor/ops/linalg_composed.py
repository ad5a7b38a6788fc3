"""The array API ``linalg`` functions composed from other ops: ``cross``, ``matrix_norm``,
``matrix_power``, ``pinv`` and ``matrix_rank``.

They run where their parts run: ``cross``, ``matrix_power`` (n >= 0) and the ``"fro"``, 1 and inf
norms on the device; ``pinv``, ``matrix_rank``, the ``"nuc"`` and 2 norms and ``matrix_power`` with
n < 0 through the host factorizations of :mod:`gputensor.ops.decompositions`. Their gradients
come from their parts.

>>> import gputensor as gt
>>> gt.linalg.matrix_norm(gt.tensor([[3.0, 0.0], [0.0, 4.0]])).item()
5.0
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from .core import Tensor, broadcast_shapes, normalize_axis, tensor_args
from .creation import eye, zeros
from .decompositions import as_matrices, inv, svd, svdvals
from .elementwise import astype, copy, where
from .linalg import matmul, vector_norm
from .manipulation import stack
from .reduction import max as reduce_max
from .reduction import min as reduce_min
from .reduction import sum as reduce_sum
from .unary import abs as absolute
from .views import broadcast_to, expand_dims, matrix_transpose, moveaxis

__all__ = ["cross", "matrix_norm", "matrix_power", "matrix_rank", "pinv"]


def cross(x1, x2, /, *, axis: int = -1) -> Tensor:
    """The cross product of the 3-element vectors along ``axis`` of ``x1`` and ``x2`` (the other
    axes broadcast; a non-negative ``axis`` counts in the broadcast shape).

    >>> import gputensor as gt
    >>> gt.linalg.cross(gt.tensor([1.0, 0.0, 0.0]), gt.tensor([0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    (a, b), _ = tensor_args("linalg.cross", x1, x2)
    if a._dtype is dt.bool_ or b._dtype is dt.bool_:
        raise DTypeError(f"linalg.cross: needs numeric tensors, got {a._dtype} and {b._dtype}")
    shape = broadcast_shapes("linalg.cross", a._shape, b._shape)
    ax = normalize_axis(axis, len(shape), "linalg.cross") - len(shape)
    for name, t in (("x1", a), ("x2", b)):
        if t.ndim < -ax or t._shape[ax] != 3:
            raise ShapeError(
                f"linalg.cross: {name} must have size 3 along axis {axis}, got shapes x1={a._shape}, "
                f"x2={b._shape}"
            )
    a = moveaxis(broadcast_to(a, shape), ax, -1)
    b = moveaxis(broadcast_to(b, shape), ax, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return moveaxis(out, -1, ax)


_NORMS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro") -> Tensor:
    """The ``ord``-norm of each matrix in ``x`` (shape ``(..., M, N)`` -> ``(...)``, or
    ``(..., 1, 1)`` with ``keepdims``): ``"fro"`` (Frobenius), ``"nuc"`` (sum of singular values),
    1 / -1 (largest / smallest column sum of absolute values), inf / -inf (the same over rows),
    2 / -2 (largest / smallest singular value).

    >>> import gputensor as gt
    >>> x = gt.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> gt.linalg.matrix_norm(x, ord=1).item(), gt.linalg.matrix_norm(x, ord=gt.inf).item()
    (6.0, 7.0)
    """
    x = as_matrices("matrix_norm", x, square=False)
    if isinstance(ord, (builtins.bool, np.bool_)) or not any(_same(ord, o) for o in _NORMS):
        raise ArgumentValueError(
            f"linalg.matrix_norm: ord must be one of 'fro', 'nuc', 1, -1, 2, -2, inf, -inf; got {ord!r}"
        )
    if _same(ord, "fro"):
        return vector_norm(x, axis=(-2, -1), keepdims=keepdims)
    if _same(ord, "nuc"):
        out = reduce_sum(svdvals(x), axis=-1)
    elif ord in (2, -2):
        pick = reduce_max if ord == 2 else reduce_min
        out = pick(svdvals(x), axis=-1)
    else:
        summed_axis = -2 if ord in (1, -1) else -1
        pick = reduce_max if ord > 0 else reduce_min
        out = pick(reduce_sum(absolute(x), axis=summed_axis), axis=-1)
    return expand_dims(out, axis=(-2, -1)) if keepdims else out


def _same(ord, option) -> bool:
    if isinstance(option, str) or isinstance(ord, str):
        return isinstance(ord, str) and ord == option
    return ord == option


def matrix_power(x, n, /) -> Tensor:
    """Each square matrix in ``x`` raised to the integer power ``n`` (repeated squaring; n = 0
    gives identities, n < 0 powers of the inverse).

    >>> import gputensor as gt
    >>> gt.linalg.matrix_power(gt.tensor([[1.0, 1.0], [0.0, 1.0]]), 3).tolist()
    [[1.0, 3.0], [0.0, 1.0]]
    """
    x = as_matrices("matrix_power", x, square=True)
    if isinstance(n, (builtins.bool, np.bool_)) or not isinstance(n, (builtins.int, np.integer)):
        raise ArgumentTypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__} {n!r}")
    n = int(n)
    if n == 0:
        return copy(broadcast_to(eye(x._shape[-1], dtype=x._dtype, device=x._device), x._shape))
    base = inv(x) if n < 0 else x
    result = None
    remaining = abs(n)
    while True:
        if remaining & 1:
            result = base if result is None else matmul(result, base)
        remaining >>= 1
        if not remaining:
            break
        base = matmul(base, base)
    return copy(result) if result is x else result


def pinv(x, /, *, rtol=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix in ``x`` (shape ``(..., M, N)`` ->
    ``(..., N, M)``), from its SVD: singular values at most ``rtol`` times the largest count as
    zero (``rtol`` a float or a tensor broadcasting against the batch axes; default
    ``max(M, N) * eps`` of the dtype). Differentiable where the rank is constant and the singular
    values are distinct.

    >>> import gputensor as gt
    >>> gt.linalg.pinv(gt.tensor([[2.0, 0.0], [0.0, 0.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.0]]
    """
    x = as_matrices("pinv", x, square=False)
    m, n = x._shape[-2:]
    if builtins.min(m, n) == 0:
        return zeros(x._shape[:-2] + (n, m), dtype=x._dtype, device=x._device)
    u, s, vh = svd(x, full_matrices=False)
    keep = s > _cutoff("pinv", s, rtol, m, n)
    inverse = where(keep, 1.0 / where(keep, s, 1.0), 0.0)
    return matmul(matrix_transpose(vh) * expand_dims(inverse, axis=-2), matrix_transpose(u))


def matrix_rank(x, /, *, rtol=None) -> Tensor:
    """The rank of each matrix in ``x``: how many singular values exceed ``rtol`` times the largest
    (``rtol`` as in :func:`pinv`). Default integer dtype.

    >>> import gputensor as gt
    >>> gt.linalg.matrix_rank(gt.tensor([[1.0, 2.0], [2.0, 4.0]])).item()
    1
    """
    x = as_matrices("matrix_rank", x, square=False)
    m, n = x._shape[-2:]
    if builtins.min(m, n) == 0:
        return zeros(x._shape[:-2], dtype=dt.default_int, device=x._device)
    s = svdvals(x.detach())
    above = s > _cutoff("matrix_rank", s, rtol, m, n)
    return reduce_sum(astype(above, dt.default_int), axis=-1)


def _cutoff(op: str, s: Tensor, rtol, m: int, n: int) -> Tensor:
    """The singular-value threshold ``rtol * max(S)`` per matrix, shaped to compare with ``s``."""
    if rtol is None:
        rtol = builtins.max(m, n) * dt.finfo(s._dtype).eps
    elif isinstance(rtol, Tensor):
        if rtol._dtype.kind != "f":
            raise DTypeError(f"linalg.{op}: rtol must be floating-point, got {rtol._dtype}")
        rtol = expand_dims(rtol, axis=-1)
    elif isinstance(rtol, (builtins.bool, np.bool_)) or not isinstance(rtol, numbers.Real):
        raise ArgumentTypeError(f"linalg.{op}: rtol must be None, a float or a tensor, got {rtol!r}")
    return rtol * reduce_max(s.detach(), axis=-1, keepdims=True)
