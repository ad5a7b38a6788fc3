"""Ops whose results are views of their input (no data moves): reshape, permute_dims,
broadcast_to, expand_dims, squeeze, flip, and the strided-slice core of basic indexing.

The layout arithmetic lives here and only here; backends see just ``view(root, shape,
strides, offset)``.
"""

from __future__ import annotations

import math

from ..errors import AxisError, ShapeError
from ..tensor import make_view
from .core import (
    Tensor,
    broadcast_shapes,
    normalize_axes,
    normalize_axis,
    record,
    shape_arg,
    state,
    sum_to_shape,
    tensor_args,
    to_tensor,
)


def _record_view(name, backward, x, y, ctx=None):
    if x._rg and state.enabled:
        record(name, backward, (x,), y, ctx=ctx)
    return y


# --- reshape ---------------------------------------------------------------------------------

def _infer_shape(op: str, shape: tuple, size: int, old_shape) -> tuple:
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1:
        raise ShapeError(f"{op}: only one dimension can be -1, got shape {shape}")
    for n in shape:
        if n < -1:
            raise ShapeError(f"{op}: negative dimension {n} in shape {shape}")
    if unknown:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or size % known != 0:
            raise ShapeError(
                f"{op}: cannot reshape a tensor of shape {old_shape} ({size} elements) into shape {shape}"
            )
        shape = tuple(size // known if n == -1 else n for n in shape)
    if math.prod(shape) != size:
        raise ShapeError(
            f"{op}: cannot reshape a tensor of shape {old_shape} ({size} elements) into shape "
            f"{shape} ({math.prod(shape)} elements)"
        )
    return shape


def view_strides(old_shape, old_strides, new_shape):
    """Strides that let ``new_shape`` view memory laid out as (old_shape, old_strides) in C
    order, or None when a copy is needed."""
    if math.prod(new_shape) == 0:
        return tuple(0 for _ in new_shape)
    old = [(n, s) for n, s in zip(old_shape, old_strides) if n != 1]
    new_strides = [0] * len(new_shape)
    oi = ni = 0
    while ni < len(new_shape) and oi < len(old):
        if new_shape[ni] == 1:
            ni += 1
            continue
        nj, oj = ni + 1, oi + 1
        np_, op = new_shape[ni], old[oi][0]
        while np_ != op:
            if np_ < op:
                np_ *= new_shape[nj]
                nj += 1
            else:
                op *= old[oj][0]
                oj += 1
        for k in range(oi, oj - 1):
            if old[k][1] != old[k + 1][0] * old[k + 1][1]:
                return None
        new_strides[nj - 1] = old[oj - 1][1]
        for k in range(nj - 1, ni, -1):
            new_strides[k - 1] = new_strides[k] * new_shape[k]
        ni, oi = nj, oj
    return tuple(new_strides)


def reshape(x, /, shape, *, copy=None) -> Tensor:
    """The same elements in a new shape (one dimension may be -1). A view when the layout
    allows it, else a copy; ``copy=False`` makes needing a copy an error.

    >>> import gputensor as gt
    >>> gt.reshape(gt.arange(6), (2, -1)).shape
    (2, 3)
    """
    x = to_tensor(x)
    shape = _infer_shape("reshape", shape_arg(shape, "reshape", allow_negative=True), x.size, x._shape)
    if shape == x._shape and not copy:
        return x
    strides = None if copy else view_strides(x._shape, x.strides, shape)
    if strides is None:
        if copy is False:
            raise ShapeError(
                f"reshape: a tensor of shape {x._shape} with strides {x.strides} cannot be viewed "
                f"as shape {shape} without a copy (copy=False was given)"
            )
        from .elementwise import copy_

        with _no_record():
            c = copy_(x)
        y = make_view(c, shape, view_strides(c._shape, c.strides, shape), 0)
    else:
        y = make_view(x, shape, strides, x._offset)
    return _record_view("reshape", _g_reshape, x, y, x._shape)


class _no_record:
    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


def _g_reshape(node, g):
    return reshape(g, node.ctx)


# --- axes --------------------------------------------------------------------------------------

def permute_dims(x, /, axes) -> Tensor:
    """The axes reordered: result axis i is input axis ``axes[i]`` (a view).

    >>> import gputensor as gt
    >>> gt.permute_dims(gt.zeros((2, 3, 4)), (2, 0, 1)).shape
    (4, 2, 3)
    """
    x = to_tensor(x)
    axes = tuple(normalize_axis(a, x.ndim, "permute_dims") for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ShapeError(f"permute_dims: axes {axes} are not a permutation of 0..{x.ndim - 1}")
    strides = x.strides
    y = make_view(x, tuple(x._shape[a] for a in axes), tuple(strides[a] for a in axes), x._offset)
    return _record_view("permute_dims", _g_permute, x, y, axes)


def _g_permute(node, g):
    axes = node.ctx
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a] = i
    return permute_dims(g, tuple(inverse))


def matrix_transpose(x, /) -> Tensor:
    """Swap the last two axes (a view); needs at least 2 axes."""
    x = to_tensor(x)
    n = x.ndim
    if n < 2:
        raise ShapeError(f"matrix_transpose: needs at least 2 axes, got shape {x._shape}")
    axes = tuple(range(n - 2)) + (n - 1, n - 2)
    st = x.strides
    sh = x._shape
    y = make_view(x, sh[:-2] + (sh[-1], sh[-2]), st[:-2] + (st[-1], st[-2]), x._offset)
    return _record_view("permute_dims", _g_permute, x, y, axes)


def swapaxes(x, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (a view)."""
    x = to_tensor(x)
    a = normalize_axis(axis1, x.ndim, "swapaxes")
    b = normalize_axis(axis2, x.ndim, "swapaxes")
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return permute_dims(x, tuple(axes))


def moveaxis(x, source, destination, /) -> Tensor:
    """Move axes to new positions, keeping the order of the others (a view)."""
    x = to_tensor(x)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ShapeError(f"moveaxis: source {source} and destination {destination} differ in length")
    src = [normalize_axis(a, x.ndim, "moveaxis") for a in src]
    dst = [normalize_axis(a, x.ndim, "moveaxis") for a in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise AxisError(f"moveaxis: repeated axis in source {source} or destination {destination}")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute_dims(x, tuple(order))


def expand_dims(x, /, axis=0) -> Tensor:
    """Insert size-1 axes at ``axis`` (an int or a tuple, positions in the result)."""
    x = to_tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = x.ndim + len(axes)
    axes = normalize_axes(axes, ndim, "expand_dims")
    shape = list(x._shape)
    strides = list(x.strides)
    for a in axes:
        shape.insert(a, 1)
        strides.insert(a, 0)
    y = make_view(x, tuple(shape), tuple(strides), x._offset)
    return _record_view("expand_dims", _g_reshape, x, y, x._shape)


def squeeze(x, /, axis=None) -> Tensor:
    """Remove size-1 axes (all of them, or those in ``axis``, which must have size 1)."""
    x = to_tensor(x)
    if axis is None:
        axes = tuple(i for i, n in enumerate(x._shape) if n == 1)
    else:
        axes = normalize_axes(axis, x.ndim, "squeeze")
        for a in axes:
            if x._shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} has size {x._shape[a]}, not 1 (shape {x._shape})")
    keep = [i for i in range(x.ndim) if i not in axes]
    strides = x.strides
    y = make_view(x, tuple(x._shape[i] for i in keep), tuple(strides[i] for i in keep), x._offset)
    return _record_view("squeeze", _g_reshape, x, y, x._shape)


def broadcast_to(x, /, shape) -> Tensor:
    """A read-only view of ``x`` broadcast to ``shape`` (zero strides, no copy).

    >>> import gputensor as gt
    >>> gt.broadcast_to(gt.tensor([1, 2]), (3, 2)).tolist()
    [[1, 2], [1, 2], [1, 2]]
    """
    x = to_tensor(x)
    shape = shape_arg(shape, "broadcast_to")
    if len(shape) < x.ndim or broadcast_shapes("broadcast_to", x._shape, shape) != shape:
        raise ShapeError(f"broadcast_to: a tensor of shape {x._shape} cannot be broadcast to {shape}")
    if shape == x._shape:
        return x
    lead = len(shape) - x.ndim
    old = x.strides
    strides = [0] * lead + [0 if x._shape[i] == 1 and shape[lead + i] != 1 else old[i] for i in range(x.ndim)]
    y = make_view(x, shape, tuple(strides), x._offset)
    return _record_view("broadcast_to", _g_broadcast, x, y, x._shape)


def _g_broadcast(node, g):
    return sum_to_shape(g, node.ctx)


def broadcast_arrays(*arrays) -> list:
    """Views of all inputs broadcast to their common shape."""
    tensors, _ = tensor_args("broadcast_arrays", *arrays)
    shape = broadcast_shapes("broadcast_arrays", *(t._shape for t in tensors))
    return [broadcast_to(t, shape) for t in tensors]


def flip(x, /, *, axis=None) -> Tensor:
    """Reverse the order of elements along ``axis`` (all axes by default); a view."""
    x = to_tensor(x)
    axes = normalize_axes(axis, x.ndim, "flip")
    strides = list(x.strides)
    offset = x._offset
    for a in axes:
        if x._shape[a] > 0:
            offset += (x._shape[a] - 1) * strides[a]
        strides[a] = -strides[a]
    y = make_view(x, x._shape, tuple(strides), offset)
    return _record_view("flip", _g_flip, x, y, axes)


def _g_flip(node, g):
    return flip(g, axis=node.ctx)


# --- strided slicing (the view half of basic indexing) -------------------------------------------

def strided_slice(x: Tensor, starts, stops, steps) -> Tensor:
    """The view x[start0:stop0:step0, ...] for already-normalized (start, stop, step) per axis."""
    strides = x.strides
    offset = x._offset
    shape = []
    new_strides = []
    for i, (start, stop, step) in enumerate(zip(starts, stops, steps)):
        n = len(range(start, stop, step))
        shape.append(n)
        new_strides.append(strides[i] * step)
        if n > 0:
            offset += start * strides[i]
    y = make_view(x, tuple(shape), tuple(new_strides), offset)
    ctx = (x._shape, x._dtype, tuple(starts), tuple(stops), tuple(steps))
    return _record_view("slice", _g_slice, x, y, ctx)


def _g_slice(node, g):
    from .creation import zeros
    from .indexing import slice_scatter

    shape, dtype, starts, stops, steps = node.ctx
    return slice_scatter(zeros(shape, dtype=dtype, device=g._device), g, starts, stops, steps)
