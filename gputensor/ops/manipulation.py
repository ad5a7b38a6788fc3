"""Joining, splitting and repeating tensors: concat, stack, unstack, split, tile, repeat, roll,
pad, flatten. Views (reshape, permute_dims, ...) live in :mod:`.views` and are re-exported."""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from .core import Tensor, make, normalize_axis, record, state, tensor_args, to_tensor
from .elementwise import astype
from .views import (  # noqa: F401  (re-exported)
    broadcast_arrays,
    broadcast_to,
    expand_dims,
    flip,
    matrix_transpose,
    moveaxis,
    permute_dims,
    reshape,
    squeeze,
    strided_slice,
    swapaxes,
)


def _slice_along(x: Tensor, axis: int, start: int, stop: int) -> Tensor:
    starts = [0] * x.ndim
    stops = list(x._shape)
    steps = [1] * x.ndim
    starts[axis] = start
    stops[axis] = stop
    return strided_slice(x, starts, stops, steps)


def concat(arrays, /, *, axis=0) -> Tensor:
    """Join tensors along an existing axis (``axis=None`` flattens them first); dtypes promote.

    >>> import gputensor as gt
    >>> gt.concat([gt.zeros((2, 1)), gt.ones((2, 2))], axis=1).shape
    (2, 3)
    """
    if isinstance(arrays, Tensor) or not isinstance(arrays, (list, tuple)):
        raise ArgumentTypeError("concat: expected a list or tuple of tensors")
    if not arrays:
        raise ShapeError("concat: needs at least one tensor")
    tensors, dev = tensor_args("concat", *arrays)
    if axis is None:
        tensors = [reshape(t, (-1,)) for t in tensors]
        axis = 0
    ndim = tensors[0].ndim
    if ndim == 0:
        raise ShapeError("concat: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_axis(axis, ndim, "concat")
    first = tensors[0]._shape
    for t in tensors:
        if t.ndim != ndim or any(t._shape[i] != first[i] for i in range(ndim) if i != axis):
            shapes = ", ".join(str(u._shape) for u in tensors)
            raise ShapeError(f"concat: shapes {shapes} differ outside axis {axis}")
    dtype = dt.result_type(*tensors)
    sizes = [t._shape[axis] for t in tensors]
    shape = first[:axis] + (builtins.sum(sizes),) + first[axis + 1:]
    out = make(dev.backend.empty(shape, dtype), shape, dtype, dev)
    start = 0
    backend = dev.backend
    for t, n in zip(tensors, sizes):
        if n:
            region = _region(out, axis, start, start + n)
            src = t if t._dtype is dtype else astype(t, dtype)
            backend.copy_into(region, src._data)
        start += n
    if state.enabled and builtins.any(t._rg for t in tensors):
        record("concat", _g_concat, tensors, out, ctx=(axis, sizes, [t._dtype for t in tensors]))
    return out


def _region(out: Tensor, axis: int, start: int, stop: int):
    strides = out.strides
    shape = out._shape[:axis] + (stop - start,) + out._shape[axis + 1:]
    return out._device.backend.view(out._root, shape, strides, start * strides[axis])


def _g_concat(node, g):
    axis, sizes, dtypes = node.ctx
    grads = []
    start = 0
    for edge, n, d in zip(node.edges, sizes, dtypes):
        if edge is None:
            grads.append(None)
        else:
            piece = _slice_along(g, axis, start, start + n)
            grads.append(piece if d is piece._dtype else astype(piece, d))
        start += n
    return tuple(grads)


def stack(arrays, /, *, axis=0) -> Tensor:
    """Join tensors of equal shape along a new axis.

    >>> import gputensor as gt
    >>> gt.stack([gt.zeros(3), gt.ones(3)]).shape
    (2, 3)
    """
    if isinstance(arrays, Tensor) or not isinstance(arrays, (list, tuple)) or not arrays:
        raise ArgumentTypeError("stack: expected a non-empty list or tuple of tensors")
    tensors, _ = tensor_args("stack", *arrays)
    shape = tensors[0]._shape
    for t in tensors:
        if t._shape != shape:
            shapes = ", ".join(str(u._shape) for u in tensors)
            raise ShapeError(f"stack: all tensors need the same shape, got {shapes}")
    axis = normalize_axis(axis, len(shape) + 1, "stack")
    return concat([expand_dims(t, axis=axis) for t in tensors], axis=axis)


def select(x: Tensor, axis: int, index: int) -> Tensor:
    """The view ``x[..., index, ...]`` with ``axis`` removed (index already in range)."""
    return squeeze(_slice_along(x, axis, index, index + 1), axis=axis)


def unstack(x, /, *, axis=0) -> tuple:
    """Split along ``axis`` into a tuple of views, one per position."""
    x = to_tensor(x)
    axis = normalize_axis(axis, x.ndim, "unstack")
    return tuple(select(x, axis, i) for i in range(x._shape[axis]))


def split(x, indices_or_sections, /, axis=0) -> list:
    """Split into equal sections (an int) or at the given indices (a sequence), as views."""
    x = to_tensor(x)
    axis = normalize_axis(axis, x.ndim, "split")
    n = x._shape[axis]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0 or n % k:
            raise ShapeError(f"split: axis {axis} of size {n} cannot be split into {k} equal sections")
        bounds = [i * (n // k) for i in range(k + 1)]
    else:
        # indices work like slice bounds: negative ones count from the end
        cuts = [int(i) + n if int(i) < 0 else int(i) for i in indices_or_sections]
        bounds = [0] + [builtins.min(builtins.max(i, 0), n) for i in cuts] + [n]
    return [_slice_along(x, axis, a, builtins.max(a, b)) for a, b in zip(bounds[:-1], bounds[1:])]


def flatten(x, /, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Merge axes ``start_axis..end_axis`` into one."""
    x = to_tensor(x)
    if x.ndim == 0:
        return reshape(x, (1,))
    a = normalize_axis(start_axis, x.ndim, "flatten")
    b = normalize_axis(end_axis, x.ndim, "flatten")
    merged = math.prod(x._shape[a:b + 1])
    return reshape(x, x._shape[:a] + (merged,) + x._shape[b + 1:])


def tile(x, repetitions, /) -> Tensor:
    """Repeat the whole tensor ``repetitions[i]`` times along each axis.

    >>> import gputensor as gt
    >>> gt.tile(gt.tensor([1, 2]), (2,)).tolist()
    [1, 2, 1, 2]
    """
    x = to_tensor(x)
    reps = (repetitions,) if isinstance(repetitions, int) else tuple(int(r) for r in repetitions)
    if builtins.any(r < 0 for r in reps):
        raise ShapeError(f"tile: repetitions must be non-negative, got {reps}")
    ndim = builtins.max(len(reps), x.ndim)
    reps = (1,) * (ndim - len(reps)) + reps
    x = reshape(x, (1,) * (ndim - x.ndim) + x._shape)
    interleaved = []
    expanded = []
    for r, n in zip(reps, x._shape):
        interleaved += [1, n]
        expanded += [r, n]
    y = broadcast_to(reshape(x, tuple(interleaved)), tuple(expanded))
    return reshape(y, tuple(r * n for r, n in zip(reps, x._shape)))


def repeat(x, repeats, /, *, axis=None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element along ``axis``).

    >>> import gputensor as gt
    >>> gt.repeat(gt.tensor([1, 2]), 2).tolist()
    [1, 1, 2, 2]
    """
    x = to_tensor(x)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    axis = normalize_axis(axis, x.ndim, "repeat")
    n = x._shape[axis]
    if isinstance(repeats, int):
        if repeats < 0:
            raise ShapeError(f"repeat: repeats must be non-negative, got {repeats}")
        y = expand_dims(x, axis=axis + 1)
        shape = list(y._shape)
        shape[axis + 1] = repeats
        y = broadcast_to(y, tuple(shape))
        return reshape(y, x._shape[:axis] + (n * repeats,) + x._shape[axis + 1:])
    counts = np.asarray(repeats.tolist() if isinstance(repeats, Tensor) else repeats, dtype=np.int64)
    if counts.ndim != 1 or counts.shape[0] not in (1, n) or (counts < 0).any():
        raise ShapeError(
            f"repeat: repeats must be a non-negative int or a 1-D sequence of length 1 or {n}, "
            f"got shape {counts.shape}"
        )
    index = np.repeat(np.arange(n, dtype=np.int64), np.broadcast_to(counts, (n,)))
    from .indexing import take

    return take(x, to_tensor(index, device=x._device), axis=axis)


def roll(x, /, shift, *, axis=None) -> Tensor:
    """Shift elements along axes, wrapping around (all elements, flattened, when axis is None)."""
    x = to_tensor(x)
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, axis=0), x._shape)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(shifts) != len(axes):
        if len(shifts) == 1:
            shifts = shifts * len(axes)
        else:
            raise ShapeError(f"roll: {len(shifts)} shifts for {len(axes)} axes")
    out = x
    for s, a in zip(shifts, axes):
        a = normalize_axis(a, x.ndim, "roll")
        n = x._shape[a]
        if n == 0:
            continue
        s %= n
        if s:
            out = concat([_slice_along(out, a, n - s, n), _slice_along(out, a, 0, n - s)], axis=a)
    return out


def pad(x, pad_width, mode: str = "constant", constant_values=0) -> Tensor:
    """Pad with ``pad_width`` = ((before, after) per axis), an int, or one (before, after) pair
    for every axis. Modes: ``constant``, ``edge``, ``reflect``, ``symmetric``, ``wrap`` (as in NumPy).

    >>> import gputensor as gt
    >>> gt.pad(gt.tensor([1, 2]), 1).tolist()
    [0, 1, 2, 0]
    """
    x = to_tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if mode == "constant":
        from .creation import full
        from .indexing import slice_scatter

        shape = tuple(n + a + b for n, (a, b) in zip(x._shape, widths))
        base = full(shape, constant_values, dtype=x._dtype, device=x._device)
        starts = [a for a, _ in widths]
        stops = [a + n for (a, _), n in zip(widths, x._shape)]
        return slice_scatter(base, x, starts, stops, [1] * x.ndim)
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ArgumentValueError(
            f"pad: unknown mode {mode!r}; expected 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'"
        )
    from .indexing import take

    out = x
    for axis, (before, after) in enumerate(widths):
        if before == 0 and after == 0:
            continue
        n = x._shape[axis]
        if n == 0:
            raise ShapeError(f"pad: cannot pad an empty axis {axis} in mode {mode!r}")
        positions = np.arange(-before, n + after)
        index = _pad_index(positions, n, mode)
        out = take(out, to_tensor(index, device=x._device), axis=axis)
    return out


def _pad_widths(pad_width, ndim):
    arr = np.asarray(pad_width, dtype=np.int64)
    if arr.ndim == 0:
        arr = np.full((ndim, 2), int(arr))
    elif arr.shape == (2,):
        arr = np.tile(arr, (ndim, 1))
    elif arr.shape == (1, 2):
        arr = np.tile(arr[0], (ndim, 1))
    elif arr.shape in ((1,), (1, 1), (ndim, 1)):
        # one width per axis (or for all), used before and after, as in NumPy
        arr = np.broadcast_to(arr.reshape(-1, 1), (ndim, 2))
    if arr.shape != (ndim, 2) or (arr < 0).any():
        raise ShapeError(
            f"pad: pad_width must be non-negative (before, after) pairs for {ndim} axes, got "
            f"{pad_width!r}"
        )
    return [(int(a), int(b)) for a, b in arr]


def _pad_index(positions, n, mode):
    if mode == "edge":
        return np.clip(positions, 0, n - 1)
    if mode == "wrap":
        return positions % n
    if mode == "symmetric":
        p = positions % (2 * n)
        return np.where(p >= n, 2 * n - 1 - p, p)
    if n == 1:
        return np.zeros_like(positions)
    period = 2 * (n - 1)
    p = np.abs(positions) % period
    return np.where(p >= n, period - p, p)


def _diff_edge(value, x: Tensor, axis: int) -> Tensor:
    """A prepend/append value; a scalar becomes one slice along ``axis``, as in NumPy."""
    t = to_tensor(value, device=x._device)
    if t.ndim == 0:
        shape = list(x._shape)
        shape[axis] = 1
        t = broadcast_to(t, tuple(shape))
    return t


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None) -> Tensor:
    """n-th discrete difference along ``axis`` (optionally after prepending/appending values)."""
    x = to_tensor(x)
    axis = normalize_axis(axis, x.ndim, "diff")
    if n < 0:
        raise ShapeError(f"diff: n must be non-negative, got {n}")
    if prepend is not None or append is not None:
        pieces = ([_diff_edge(prepend, x, axis)] if prepend is not None else []) + [x] + (
            [_diff_edge(append, x, axis)] if append is not None else [])
        x = concat(pieces, axis=axis)
    for _ in range(n):
        m = x._shape[axis]
        x = _slice_along(x, axis, 1, builtins.max(m, 1)) - _slice_along(x, axis, 0, builtins.max(m - 1, 0))
    return x

