"""Indexing with NumPy's rules: ``x[key]`` and ``x[key] = value``, ``take``,
``take_along_axis`` and ``slice_scatter``.

Basic indices (ints, slices with any step, None, Ellipsis) give views. Advanced indices
(integer tensors, lists or arrays, and boolean masks) gather: all advanced indices broadcast
together, and their result axes replace the indexed axes in place when the advanced indices
are adjacent in the key, or come first otherwise (NumPy's rule; an int next to an array index
counts as advanced). Every index is range-checked before anything is computed.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, AutogradError, IndexOutOfRangeError, ShapeError
from ..tensor import bump_version, known_bounds, set_bounds
from .core import Tensor, make, normalize_axis, record, state, to_tensor
from .views import expand_dims, permute_dims, reshape, squeeze, strided_slice

_INT = (builtins.int, np.integer)


class _Plan:
    """A parsed key: per-axis (start, stop, step), axes indexed by ints, new axes, and the
    advanced indices with the axis of the basic view each applies to."""

    def __init__(self):
        self.starts = []
        self.stops = []
        self.steps = []
        self.int_axes = []        # axes of x dropped by an integer index
        self.new_axes = []        # positions (in the basic view) of None entries
        self.advanced = []        # (axis in basic view, int64 index tensor)
        self.false_mask = False   # a Python False index: empty new axis
        self.separated = False    # advanced indices split by a slice, None or ... in the key


def _is_advanced(item) -> bool:
    if isinstance(item, Tensor):
        return True
    if isinstance(item, np.ndarray):
        return True
    return isinstance(item, list)


def _parse(x: Tensor, key, op: str) -> _Plan:
    if not isinstance(key, tuple):
        key = (key,)
    advanced_present = builtins.any(_is_advanced(k) for k in key)
    consumed = 0
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, builtins.bool):
            continue
        if isinstance(k, (Tensor, np.ndarray)) and _mask_like(k):
            consumed += k.ndim
        elif isinstance(k, list) and _list_is_mask(k):
            consumed += np.asarray(k).ndim
        else:
            consumed += 1
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError(f"{op}: an index can have only one Ellipsis (...)")
    if consumed > x.ndim:
        raise IndexOutOfRangeError(
            f"{op}: too many indices for a tensor of shape {x._shape}: {consumed} "
            "given"
        )
    plan = _Plan()
    # NumPy's placement rule looks at the key: advanced entries (an int counts when arrays are
    # present) separated by anything, even an Ellipsis that covers no axis, put the result first
    adv_pos = [i for i, k in enumerate(key) if _is_advanced(k) or (
        advanced_present and isinstance(k, _INT) and not isinstance(k, builtins.bool))]
    plan.separated = builtins.bool(adv_pos) and adv_pos[-1] - adv_pos[0] + 1 != len(adv_pos)
    axis = 0
    view_pos = 0
    for k in key:
        if k is Ellipsis:
            for _ in range(x.ndim - consumed):
                _full(plan, x, axis)
                axis += 1
                view_pos += 1
        elif k is None:
            plan.new_axes.append(view_pos)
            view_pos += 1
        elif isinstance(k, builtins.bool):
            if len(key) != 1:
                raise ArgumentTypeError(f"{op}: a Python bool index is supported only on its own")
            plan.new_axes.append(0)
            plan.false_mask = not k
        elif isinstance(k, slice):
            n = x._shape[axis]
            start, stop, step = _slice_indices(k, n, op)
            plan.starts.append(start)
            plan.stops.append(stop)
            plan.steps.append(step)
            axis += 1
            view_pos += 1
        elif isinstance(k, _INT) or (_is_int_scalar_tensor(k) and not advanced_present):
            i = builtins.int(k)
            n = x._shape[axis]
            if i < -n or i >= n:
                raise IndexOutOfRangeError(f"{op}: index {i} is out of bounds for axis {axis} with size {n}")
            i = i + n if i < 0 else i
            if advanced_present:
                _full(plan, x, axis)
                plan.advanced.append((view_pos, _index_tensor([i], x, op).reshape(())))
                view_pos += 1
            else:
                plan.starts.append(i)
                plan.stops.append(i + 1)
                plan.steps.append(1)
                plan.int_axes.append(axis)
            axis += 1
        elif _is_advanced(k):
            idx = _index_tensor(k, x, op)
            if idx._dtype is dt.bool_ and idx._shape == (0,):
                # NumPy takes an empty 1-D boolean index as an empty integer index.
                idx = idx.astype(dt.int64)
            if idx._dtype is dt.bool_:
                axis, view_pos = _add_mask(plan, x, idx, axis, view_pos, op)
            else:
                _full(plan, x, axis)
                plan.advanced.append((view_pos, _normalize_index(idx, x._shape[axis], axis, op)))
                axis += 1
                view_pos += 1
        else:
            raise ArgumentTypeError(
                f"{op}: unsupported index of type {type(k).__name__}; use ints, slices, None, ..., "
                "integer or boolean tensors"
            )
    while axis < x.ndim:
        _full(plan, x, axis)
        axis += 1
    return plan


def _is_int_scalar_tensor(k) -> bool:
    return isinstance(k, Tensor) and k.ndim == 0 and k._dtype.kind in "iu"


def _mask_like(k) -> bool:
    dtype = k.dtype
    return dtype is dt.bool_ or (isinstance(dtype, np.dtype) and dtype == np.bool_)


def _list_is_mask(k) -> bool:
    arr = np.asarray(k)
    return arr.dtype == np.bool_ and arr.size > 0


def _full(plan, x, axis):
    plan.starts.append(0)
    plan.stops.append(x._shape[axis])
    plan.steps.append(1)


def _slice_indices(k: slice, n: int, op: str):
    for v in (k.start, k.stop, k.step):
        if v is not None and not isinstance(v, _INT) and not hasattr(v, "__index__"):
            raise ArgumentTypeError(f"{op}: slice bounds must be ints or None, got {v!r}")
    if k.step == 0:
        raise ShapeError(f"{op}: slice step cannot be zero")
    return k.indices(n)


def _index_tensor(k, x: Tensor, op: str) -> Tensor:
    if isinstance(k, Tensor):
        t = k if k._device is x._device else k.to(x._device)
    else:
        arr = np.asarray(k)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        t = to_tensor(arr, device=x._device)
    if t._dtype.kind == "f":
        raise ArgumentTypeError(f"{op}: index tensors must be integer or bool, got {t._dtype}")
    if t._dtype.kind in "iu" and t._dtype is not dt.int64:
        from .elementwise import astype

        t = astype(t, dt.int64)
    return t


def value_range(t: Tensor, exact: bool = False) -> tuple:
    """``(smallest, largest)`` value of a non-empty integer tensor as Python ints: unless
    ``exact``, its known bounds when it has them (see tensor.set_bounds; bounds need not be
    attained), otherwise its min and max in one small device-to-host read."""
    bounds = None if exact else known_bounds(t)
    if bounds is not None:
        return bounds
    from .manipulation import stack
    from .reduction import max as rmax
    from .reduction import min as rmin

    with _NoRecord():
        lo, hi = stack([rmin(t), rmax(t)]).tolist()
    return int(lo), int(hi)


def _normalize_index(idx: Tensor, n: int, axis: int, op: str) -> Tensor:
    """Wrap negative indices and check the range (without a device read when the indices'
    bounds are known, else one small read)."""
    from .binary import less
    from .elementwise import where

    if idx.size == 0:
        return idx
    lo, hi = value_range(idx)
    if lo < -n or hi >= n:
        lo, hi = value_range(idx, exact=True)  # bounds need not be attained
    with _NoRecord():
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexOutOfRangeError(f"{op}: index {bad} is out of bounds for axis {axis} with size {n}")
        if lo < 0:
            idx = where(less(idx, 0), idx + n, idx)
    return idx


def _add_mask(plan, x, mask, axis, view_pos, op):
    k = mask.ndim
    if k == 0:
        return _add_scalar_mask(plan, mask, axis, view_pos)
    covered = x._shape[axis:axis + k]
    if covered != mask._shape:
        raise IndexOutOfRangeError(
            f"{op}: boolean index of shape {mask._shape} does not match the indexed axes "
            f"{tuple(range(axis, axis + k))} "
            f"of shape {covered} (tensor shape {x._shape})"
        )
    from .search import nonzero

    coords = nonzero(mask)
    for j in range(k):
        _full(plan, x, axis + j)
        plan.advanced.append((view_pos + j, coords[j]))
    return axis + k, view_pos + k


def _add_scalar_mask(plan, mask, axis, view_pos):
    """A 0-d boolean index (array API, NumPy): a new axis of length 1 (True) or 0 (False),
    indexed like any advanced index so it broadcasts with the others."""
    from .search import nonzero

    plan.new_axes.append(view_pos)
    plan.advanced.append((view_pos, nonzero(reshape(mask, (1,)))[0]))
    return axis, view_pos + 1


class _NoRecord:
    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


# --- reading ---------------------------------------------------------------------------------

def _basic_view(x: Tensor, plan: _Plan) -> Tensor:
    v = x
    if any(s != 0 for s in plan.starts) or tuple(plan.stops) != x._shape or any(s != 1 for s in plan.steps):
        v = strided_slice(x, plan.starts, plan.stops, plan.steps)
    if plan.int_axes:
        v = squeeze(v, axis=tuple(plan.int_axes))
    if plan.new_axes:
        v = expand_dims(v, axis=tuple(plan.new_axes))
    return v


def getitem(x: Tensor, key, /) -> Tensor:
    """``x[key]`` with NumPy semantics (views for basic indices, gathers for advanced ones)."""
    x = to_tensor(x)
    plan = _parse(x, key, "getitem")
    v = _basic_view(x, plan)
    if plan.false_mask:
        return strided_slice(v, [0] * v.ndim, [0] + list(v._shape[1:]), [1] * v.ndim)
    if not plan.advanced:
        return v
    return _gather_advanced(v, plan.advanced, plan.separated)


def _advanced_layout(v: Tensor, advanced, op: str = "getitem", separated: bool = False):
    """Broadcast the index tensors; returns (axes, broadcast indices, batch shape, adjacent)."""
    from .core import broadcast_shapes
    from .views import broadcast_arrays

    try:
        broadcast_shapes(op, *[i._shape for _, i in advanced])
    except ShapeError as exc:
        raise IndexOutOfRangeError(f"{exc} (advanced indices must broadcast together)") from None
    axes = [a for a, _ in advanced]
    indices = broadcast_arrays(*[i for _, i in advanced])
    batch = indices[0]._shape
    adjacent = not separated and axes == list(range(axes[0], axes[0] + len(axes)))
    return axes, indices, batch, adjacent


def _linear_index(v: Tensor, axes, indices) -> Tensor:
    lin = None
    step = 1
    for a, idx in zip(reversed(axes), reversed(indices)):
        term = idx * step if step != 1 else idx
        lin = term if lin is None else lin + term
        step *= v._shape[a]
    return lin


def _gather_advanced(v: Tensor, advanced, separated: bool = False) -> Tensor:
    axes, indices, batch, adjacent = _advanced_layout(v, advanced, "getitem", separated)
    others = [a for a in range(v.ndim) if a not in axes]
    moved = permute_dims(v, tuple(axes + others))
    flat = reshape(moved, (math.prod(v._shape[a] for a in axes),) + tuple(v._shape[a] for a in others))
    with _NoRecord():
        lin = _linear_index(v, axes, indices)
    out = take(flat, lin, axis=0)
    if adjacent and axes[0] != 0:
        nb = len(batch)
        order = list(range(nb, nb + axes[0])) + list(range(nb)) + list(range(nb + axes[0], out.ndim))
        out = permute_dims(out, tuple(order))
    return out


def take(x, indices, /, *, axis=None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis`` (``numpy.take``; the flattened tensor
    when axis is None). Negative indices count from the end.

    >>> import gputensor as gt
    >>> gt.take(gt.tensor([10, 20, 30]), gt.tensor([2, 0])).tolist()
    [30, 10]
    """
    x = to_tensor(x)
    if axis is None:
        if x.ndim != 1:
            x = reshape(x, (-1,))
        axis = 0
    axis = normalize_axis(axis, x.ndim, "take")
    idx = _index_tensor(indices, x, "take")
    if idx._dtype is dt.bool_:
        raise ArgumentTypeError("take: indices must be integers, got a bool tensor")
    idx = _normalize_index(idx, x._shape[axis], axis, "take")
    data = x._device.backend.gather(x._data, idx._data, axis)
    shape = x._shape[:axis] + idx._shape + x._shape[axis + 1:]
    y = make(data, shape, x._dtype, x._device)
    bounds = known_bounds(x)
    if bounds is not None:
        set_bounds(y, *bounds)  # a selection of x's values
    if x._rg and state.enabled:
        record("take", _g_take, (x,), y, save=(idx,), ctx=(x._shape, x._dtype, axis))
    return y


def _g_take(node, g):
    (idx,) = node.saved_tensors
    shape, dtype, axis = node.ctx
    return scatter_add(shape, idx, g, axis)


def scatter_add(shape, index: Tensor, values: Tensor, axis: int) -> Tensor:
    """Zeros of ``shape`` with ``values`` added at ``index`` along ``axis`` (the inverse of
    ``take``; duplicate indices accumulate). Differentiable in ``values``."""
    data = values._device.backend.scatter_add(tuple(shape), index._data, values._data, axis, values._dtype)
    y = make(data, tuple(shape), values._dtype, values._device)
    if values._rg and state.enabled:
        record("scatter_add", _g_scatter_add, (values,), y, save=(index,), ctx=axis)
    return y


def _g_scatter_add(node, g):
    (idx,) = node.saved_tensors
    return take(g, idx, axis=node.ctx)


def take_along_axis(x, indices, /, *, axis=-1) -> Tensor:
    """Pick elements along ``axis`` with an index tensor of the same rank (broadcast in the
    other axes), as ``numpy.take_along_axis``.

    >>> import gputensor as gt
    >>> x = gt.tensor([[10, 30, 20]])
    >>> gt.take_along_axis(x, gt.argsort(x, axis=1), axis=1).tolist()
    [[10, 20, 30]]
    """
    from .creation import arange

    x = to_tensor(x)
    idx = _index_tensor(indices, x, "take_along_axis")
    axis = normalize_axis(axis, x.ndim, "take_along_axis")
    if idx.ndim != x.ndim:
        raise ShapeError(f"take_along_axis: indices need {x.ndim} axes like x, got shape {idx._shape}")
    key = []
    for d in range(x.ndim):
        if d == axis:
            key.append(idx)
        else:
            shape = [1] * x.ndim
            shape[d] = x._shape[d]
            key.append(reshape(arange(x._shape[d], device=x._device), tuple(shape)))
    return getitem(x, tuple(key))


# --- writing ---------------------------------------------------------------------------------

def slice_scatter(base: Tensor, src: Tensor, starts, stops, steps) -> Tensor:
    """A copy of ``base`` with the strided region (starts, stops, steps) replaced by ``src``.
    Differentiable in both."""
    from .elementwise import astype, copy_

    with _NoRecord():
        out = copy_(base)
        region = strided_slice(out, starts, stops, steps)
        value = src if src._dtype is out._dtype else astype(src, out._dtype)
        out._device.backend.copy_into(region._data, value._data)
    if state.enabled and (base._rg or src._rg):
        record("slice_scatter", _g_slice_scatter, (base, src), out,
               ctx=(tuple(starts), tuple(stops), tuple(steps), src._shape, src._dtype))
    return out


def _g_slice_scatter(node, g):
    from .creation import zeros

    starts, stops, steps, src_shape, src_dtype = node.ctx
    g_base = g_src = None
    if node.edges[0] is not None:
        hole = zeros(src_shape, dtype=g._dtype, device=g._device)
        g_base = slice_scatter(g, hole, starts, stops, steps)
    if node.edges[1] is not None:
        g_src = reshape(strided_slice(g, starts, stops, steps), src_shape)
    return g_base, g_src


def _check_inplace(x: Tensor, value, op: str) -> bool:
    """Whether the write must be recorded; errors for writes autograd cannot follow."""
    recording = state.enabled and (x._rg or (isinstance(value, Tensor) and value._rg))
    if not recording:
        return False
    if x._node is None and x._leaf_rg:
        raise AutogradError(
            f"{op}: in-place write into a leaf tensor that requires grad (shape {x._shape}); "
            "write under gt.no_grad() or into a copy"
        )
    if x._root is not x._data and x._vc is not None:
        raise AutogradError(
            f"{op}: in-place write into a view while recording gradients is not supported "
            f"(view of shape {x._shape}); write into the base tensor, or build the result "
            "out of place (gt.where, gt.concat)"
        )
    return True


def setitem(x: Tensor, key, value, /) -> None:
    """``x[key] = value``: writes into x's memory (broadcasting value, casting to x's dtype).
    With duplicate advanced indices the last write wins on the CPU; other devices may pick any."""
    from .elementwise import astype
    from .views import broadcast_to

    recording = _check_inplace(x, value, "setitem")
    plan = _parse(x, key, "setitem")
    if isinstance(value, Tensor):
        if value._device is not x._device:
            from .core import check_same_device

            check_same_device("setitem", x, value)
        val = value
    else:
        val = to_tensor(value, device=x._device)
    with _NoRecord():
        v = _basic_view(x, plan)
        val_cast = val if val._dtype is x._dtype else astype(val, x._dtype)
        if plan.false_mask:
            pass
        elif not plan.advanced:
            _check_broadcast(val_cast._shape, v._shape)
            x._device.backend.copy_into(v._data, broadcast_to(val_cast, v._shape)._data)
        else:
            _scatter_advanced(x, v, plan.advanced, val_cast, plan.separated)
    old = _history(x) if recording else None
    bump_version(x)
    if recording:
        record("setitem", _g_setitem, (old, val), x, ctx=(key, val._shape, val._dtype))


def _check_broadcast(value_shape, target_shape):
    from .core import broadcast_shapes

    if broadcast_shapes("setitem", value_shape, target_shape) != target_shape:
        raise ShapeError(
            f"setitem: a value of shape {value_shape} cannot be broadcast to the indexed shape "
            f"{target_shape}"
        )


def _scatter_advanced(x: Tensor, v: Tensor, advanced, value: Tensor, separated: bool = False):
    """Write ``value`` at the advanced positions of view ``v`` of ``x``, through the absolute
    element addresses in x's memory."""
    from .creation import arange
    from .views import broadcast_to

    axes, indices, batch, adjacent = _advanced_layout(v, advanced, "setitem", separated)
    others = [a for a in range(v.ndim) if a not in axes]
    strides = v.strides
    addr = None
    for a, idx in zip(axes, indices):
        term = idx * strides[a]
        addr = term if addr is None else addr + term
    nb = len(batch)
    addr = reshape(addr, batch + (1,) * len(others))
    for j, a in enumerate(others):
        shape = [1] * (nb + len(others))
        shape[nb + j] = v._shape[a]
        addr = addr + reshape(arange(v._shape[a], device=x._device) * strides[a], tuple(shape))
    addr = addr + v._offset
    result_shape = batch + tuple(v._shape[a] for a in others)
    if adjacent and axes[0] != 0:
        order = list(range(nb, nb + axes[0])) + list(range(nb)) + list(range(nb + axes[0], len(result_shape)))
        addr = permute_dims(addr, tuple(order))
        result_shape = tuple(result_shape[i] for i in order)
    _check_broadcast(value._shape, result_shape)
    flat_addr = reshape(addr, (-1,))
    flat_val = reshape(broadcast_to(value, result_shape), (-1,))
    extent = _extent(v)
    flat_root = x._device.backend.view(x._root, (extent,), (1,), 0)
    if flat_addr.size:
        x._device.backend.scatter(flat_root, flat_addr._data, flat_val._data, 0)


def _extent(v: Tensor) -> int:
    """One past the largest element offset the view ``v`` can touch."""
    top = v._offset
    for n, s in zip(v._shape, v.strides):
        if n > 1 and s > 0:
            top += (n - 1) * s
    return top + 1


def _history(x: Tensor) -> Tensor:
    """A stand-in carrying x's current place in the graph, before x is rebased."""
    from ..tensor import _make_view_of

    h = _make_view_of(x, x._data, x._shape, x._strides, x._offset)
    h._node = x._node
    h._idx = x._idx
    h._rg = x._rg
    h._leaf_rg = x._leaf_rg
    return h


def _g_setitem(node, g):
    from .core import sum_to_shape
    from .elementwise import astype, copy_

    key, val_shape, val_dtype = node.ctx
    g_x = g_val = None
    if node.edges[0] is not None:
        g_x = copy_(g)
        setitem(g_x, key, 0)
    if node.edges[1] is not None:
        g_val = sum_to_shape(getitem(g, key), val_shape)
        if g_val._dtype is not val_dtype:
            g_val = astype(g_val, val_dtype)
    return g_x, g_val


def rebase_inplace(x: Tensor, result: Tensor, op: str) -> Tensor:
    """Finish an in-place op: copy ``result`` (computed out of place, recorded against x's
    old history) into x's memory and make x carry result's place in the graph."""
    recording = _check_inplace(x, result, op)
    if result._shape != x._shape:
        raise ShapeError(
            f"{op}: in-place result has shape {result._shape} but the tensor has shape "
            f"{x._shape}"
        )
    if result._dtype is not x._dtype:
        raise ArgumentTypeError(
            f"{op}: in-place result would be {result._dtype} but the tensor is {x._dtype}; use the "
            "out-of-place operator"
        )
    x._device.backend.copy_into(x._data, result._data)
    bump_version(x)
    if recording:
        x._node = result._node
        x._idx = result._idx
        x._rg = True
    return x

