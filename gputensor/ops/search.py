"""Sorting, searching and set functions: sort, argsort, topk, nonzero, searchsorted,
unique_values / unique_counts / unique_inverse / unique_all."""

from __future__ import annotations

from typing import NamedTuple

from .. import dtypes as dt
from ..errors import ArgumentValueError, ShapeError
from .core import Tensor, make, normalize_axis, state, to_tensor


def _sort_native(x: Tensor, axis: int, descending: bool):
    data, idx = x._device.backend.sort(x._data, axis, descending)
    return make(data, x._shape, x._dtype, x._device), make(idx, x._shape, dt.int64, x._device)


def argsort(x, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (stable; NaNs last, first when descending)."""
    x = to_tensor(x)
    if x.ndim == 0:
        raise ShapeError("argsort: needs at least one axis")
    axis = normalize_axis(axis, x.ndim, "argsort")
    return _sort_native(x, axis, descending)[1]


def sort(x, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Tensor:
    """``x`` sorted along ``axis`` (stable; NaNs last). Differentiable: the gradient follows
    each element to its sorted position.

    >>> import gputensor as gt
    >>> gt.sort(gt.tensor([3, 1, 2])).tolist()
    [1, 2, 3]
    """
    from .indexing import take_along_axis

    x = to_tensor(x)
    if x.ndim == 0:
        raise ShapeError("sort: needs at least one axis")
    axis = normalize_axis(axis, x.ndim, "sort")
    values, idx = _sort_native(x, axis, descending)
    if x._rg and state.enabled:
        return take_along_axis(x, idx, axis=axis)
    return values


def topk(x, k: int, /, *, axis: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) elements along ``axis`` and their indices.

    >>> import gputensor as gt
    >>> v, i = gt.topk(gt.tensor([1.0, 5.0, 3.0]), 2)
    >>> v.tolist(), i.tolist()
    ([5.0, 3.0], [1, 2])
    """
    from .indexing import take_along_axis
    from .manipulation import _slice_along

    x = to_tensor(x)
    if x.ndim == 0:
        raise ShapeError("topk: needs at least one axis")
    axis = normalize_axis(axis, x.ndim, "topk")
    n = x._shape[axis]
    if not isinstance(k, int) or k < 0 or k > n:
        raise ShapeError(f"topk: k={k} is out of range for axis {axis} of size {n}")
    _, idx = _sort_native(x, axis, largest)
    idx = _slice_along(idx, axis, 0, k)
    return take_along_axis(x, idx, axis=axis), idx


def nonzero(x, /) -> tuple:
    """Coordinates of the non-zero elements: one int64 tensor per axis."""
    x = to_tensor(x)
    if x.ndim == 0:
        raise ShapeError("nonzero: not defined for 0-d tensors; use x.reshape(1)")
    data = x._device.backend.nonzero(x._data)
    coords = make(data, tuple(data.shape), dt.int64, x._device)
    from .manipulation import unstack

    return unstack(coords, axis=0)


def searchsorted(x1, x2, /, *, side: str = "left", sorter=None) -> Tensor:
    """Insertion points of ``x2`` into the ascending 1-D ``x1`` (int64)."""
    from .core import tensor_args
    from .indexing import take

    if side not in ("left", "right"):
        raise ArgumentValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    (x1, x2), _ = tensor_args("searchsorted", x1, x2)
    if x1.ndim != 1:
        raise ShapeError(f"searchsorted: x1 must be 1-D, got shape {x1._shape}")
    if sorter is not None:
        x1 = take(x1, sorter)
    dtype = dt.promote(x1._dtype, x2._dtype)
    from .elementwise import astype

    a = x1 if x1._dtype is dtype else astype(x1, dtype)
    b = x2 if x2._dtype is dtype else astype(x2, dtype)
    data = x1._device.backend.searchsorted(a._data, b._data, side)
    return make(data, x2._shape, dt.int64, x2._device)


class UniqueAll(NamedTuple):
    values: Tensor
    indices: Tensor
    inverse_indices: Tensor
    counts: Tensor


class UniqueCounts(NamedTuple):
    values: Tensor
    counts: Tensor


class UniqueInverse(NamedTuple):
    values: Tensor
    inverse_indices: Tensor


def _unique(x):
    """Sorted unique values with first-occurrence indices, inverse indices and counts.
    NaNs are all distinct, as the array API asks."""
    from .binary import not_equal
    from .creation import full
    from .indexing import scatter_add, take
    from .manipulation import concat, diff
    from .reduction import cumulative_sum
    from .views import reshape

    x = to_tensor(x)
    flat = reshape(x, (-1,))
    n = flat._shape[0]
    values, order = _sort_native(flat, 0, False)
    if n == 0:
        empty = make(x._device.backend.empty((0,), dt.int64), (0,), dt.int64, x._device)
        return values, empty, reshape(empty, x._shape), empty
    first = full((1,), True, dtype=dt.bool_, device=x._device)
    starts_mask = concat([first, not_equal(values[1:], values[:-1])])
    (starts,) = nonzero(starts_mask)
    uniq = take(values, starts)
    indices = take(order, starts)
    bounds = concat([starts, full((1,), n, dtype=dt.int64, device=x._device)])
    counts = diff(bounds)
    group = cumulative_sum(starts_mask.astype(dt.int64)) - 1
    inverse = scatter_add((n,), order, group, 0)
    return uniq, indices, reshape(inverse, x._shape), counts


def unique_values(x, /) -> Tensor:
    """The sorted distinct values of ``x`` (flattened)."""
    return _unique(x)[0]


def unique_counts(x, /) -> UniqueCounts:
    """Distinct values and how often each occurs."""
    values, _, _, counts = _unique(x)
    return UniqueCounts(values, counts)


def unique_inverse(x, /) -> UniqueInverse:
    """Distinct values and, for each element of x, the index of its value among them."""
    values, _, inverse, _ = _unique(x)
    return UniqueInverse(values, inverse)


def unique_all(x, /) -> UniqueAll:
    """Distinct values, first-occurrence indices, inverse indices and counts."""
    return UniqueAll(*_unique(x))
