"""Creating tensors: from Python data and NumPy arrays, filled, ranges, identity, triangles."""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import dtypes as dt
from ..devices.registry import current_device
from ..devices.registry import device as get_device
from ..errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from ..tensor import set_bounds
from .core import Tensor, make, shape_arg, to_tensor
from .elementwise import _check_device_dtype, astype

_PY_SCALARS = (builtins.bool, builtins.int, builtins.float)


def _device(device):
    return current_device() if device is None else get_device(device)


def _infer_python_dtype(obj):
    """dtype for nested Python data: bool, int64 or float32 (Python scalars are weak); tensors
    and NumPy scalars inside keep their dtypes, promoted together (as torch.tensor does)."""
    kinds = set()
    strong = None
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (np.bool_, np.integer, np.floating)):
            d = dt.from_numpy_dtype(item.dtype)
            strong = d if strong is None else dt.promote(strong, d)
        elif isinstance(item, Tensor):
            strong = item._dtype if strong is None else dt.promote(strong, item._dtype)
        elif isinstance(item, builtins.bool):
            kinds.add("b")
        elif isinstance(item, builtins.int):
            kinds.add("i")
        elif isinstance(item, builtins.float):
            kinds.add("f")
        elif isinstance(item, (builtins.complex, np.complexfloating)):
            raise DTypeError(f"tensor: complex value {item!r}; gputensor has no complex dtype")
        else:
            raise ArgumentTypeError(f"tensor: cannot convert an object of type {type(item).__name__}")
    if strong is not None:
        weak = {"b": True, "i": 1, "f": 1.0}
        return dt.result_type(strong, *[weak[k] for k in sorted(kinds)])
    if "f" in kinds:
        return dt.default_float
    if "i" in kinds:
        return dt.default_int
    if "b" in kinds:
        return dt.bool_
    return dt.default_float


def _host_array(obj, dtype):
    """A NumPy array for Python data, NumPy arrays and array-like objects."""
    if isinstance(obj, np.ndarray):
        return obj
    if isinstance(obj, (list, tuple)) and _contains_tensor(obj):
        obj = _tensors_to_host(obj)
    if hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray):
        try:
            return np.from_dlpack(obj)
        except (BufferError, TypeError, RuntimeError):
            pass
    try:
        return np.asarray(obj, dtype=None if dtype is None else dtype.np)
    except OverflowError as exc:
        target = "int64" if dtype is None else dtype.name
        raise DTypeError(f"asarray: a value does not fit {target}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise ArgumentTypeError(f"tensor: cannot convert {type(obj).__name__} to a tensor: {exc}") from None


def _contains_tensor(obj) -> bool:
    for item in obj:
        if isinstance(item, Tensor) or (isinstance(item, (list, tuple)) and _contains_tensor(item)):
            return True
    return False


def _tensors_to_host(obj):
    if isinstance(obj, Tensor):
        return obj.numpy()
    if isinstance(obj, (list, tuple)):
        return [_tensors_to_host(i) for i in obj]
    return obj


def asarray(obj, /, *, dtype=None, device=None, copy=None) -> Tensor:
    """Convert ``obj`` (a tensor, NumPy array, nested list, scalar, or DLPack/array-like) to a
    tensor. NumPy arrays on the CPU device are shared, not copied, unless ``copy=True``.

    >>> import gputensor as gt
    >>> gt.asarray([[1, 2], [3, 4]]).dtype
    gputensor.int64
    >>> gt.asarray([1.5, 2]).dtype
    gputensor.float32
    """
    if dtype is not None:
        dtype = dt.get_dtype(dtype)
    if isinstance(obj, Tensor):
        return _convert_tensor(obj, dtype, device, copy)
    dev = _device(device)
    python_data = isinstance(obj, _PY_SCALARS + (list, tuple))
    if python_data:
        if copy is False:
            raise ValueError(f"asarray: a Python {type(obj).__name__} always needs a copy, but copy=False")
        target = dtype or _infer_python_dtype(obj)
        host = _host_array(obj, target)
        if host.dtype != target.np:
            _check_python_range(obj, host, target)
            host = host.astype(target.np)
        return _from_host(host, target, dev, copy=False)
    host = _host_array(obj, None)
    known = host.dtype.kind in "biuf" or host.dtype == dt.bfloat16.np
    source = dt.from_numpy_dtype(host.dtype.newbyteorder("=")) if known else None
    if source is None:
        raise DTypeError(
            f"asarray: unsupported dtype {host.dtype}; gputensor supports "
            + ", ".join(d.name for d in dt.ALL_DTYPES)
        )
    target = dtype or source
    if target is not source:
        if copy is False:
            raise ValueError(f"asarray: converting {source} to {target} needs a copy, but copy=False")
        host = host.astype(target.np)
        return _from_host(host, target, dev, copy=False)
    return _from_host(host, target, dev, copy=builtins.bool(copy))


def _check_python_range(obj, host, target):
    if target.kind in "iu" and host.dtype.kind in "iu":
        info = np.iinfo(target.np)
        if host.size and (host.min() < info.min or host.max() > info.max):
            raise DTypeError(f"asarray: values out of range for {target} ({info.min}..{info.max})")


def note_host_bounds(t: Tensor, host: np.ndarray) -> None:
    """Give an integer tensor just copied to a device without host memory the bounds of its
    host values (see tensor.set_bounds): index checks on it then need no device read."""
    if host.size and host.dtype.kind in "iu" and not t._device.backend.host_memory:
        set_bounds(t, host.min(), host.max())


def _from_host(host: np.ndarray, dtype, dev, copy: bool) -> Tensor:
    _check_device_dtype("asarray", dev, dtype)
    backend = dev.backend
    if backend.host_memory:
        data = backend.from_host(host, copy=copy)
    else:
        data = backend.from_host(host)
    if data is host and not host.flags.c_contiguous:
        data = backend.from_host(host, copy=True)
    t = make(data, tuple(host.shape), dtype, dev)
    note_host_bounds(t, host)
    return t


def _convert_tensor(x: Tensor, dtype, device, copy):
    out = x
    if device is not None and get_device(device) is not x._device:
        if copy is False:
            raise ValueError(
                f"asarray: moving a tensor from {x._device} to {device} needs a copy, but "
                "copy=False"
            )
        out = out.to(device)
        copy = False
    if dtype is not None and dtype is not out._dtype:
        if copy is False:
            raise ValueError(f"asarray: converting {out._dtype} to {dtype} needs a copy, but copy=False")
        return astype(out, dtype)
    if copy:
        from .elementwise import copy_

        return copy_(out)
    return out


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, NumPy arrays, tensors).

    >>> import gputensor as gt
    >>> gt.tensor([[1.0, 2.0]], requires_grad=True)
    tensor([[1., 2.]], device='cpu', dtype=float32, requires_grad=True)
    """
    if isinstance(data, Tensor):
        out = asarray(data.detach(), dtype=dtype, device=device, copy=True)
    else:
        out = asarray(data, dtype=dtype, device=device, copy=True)
    if requires_grad:
        out.requires_grad_()
    return out


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``array`` (writes show through both ways).

    >>> import numpy as np, gputensor as gt
    >>> a = np.zeros(3, np.float32); t = gt.from_numpy(a); a[0] = 5
    >>> t.tolist()
    [5.0, 0.0, 0.0]
    """
    if not isinstance(array, np.ndarray):
        raise ArgumentTypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    dtype = dt.from_numpy_dtype(array.dtype)
    cpu = get_device("cpu")
    if array.flags.c_contiguous and array.dtype.isnative:
        return make(array, tuple(array.shape), dtype, cpu)
    return _shared_view(array, dtype, cpu)


def _shared_view(array, dtype, cpu):
    """Express a strided NumPy view as a tensor view over its contiguous base."""
    from ..tensor import make_view

    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    item = array.itemsize
    ok = base.flags.c_contiguous and base.dtype == array.dtype and array.dtype.isnative
    if ok:
        delta = array.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        ok = delta % item == 0 and all(s % item == 0 for s in array.strides)
    if not ok:
        raise ArgumentTypeError(
            f"from_numpy: the array's layout (strides {array.strides}, dtype {array.dtype}) cannot be "
            "shared; pass np.ascontiguousarray(array) or use gt.asarray(array) to copy"
        )
    root = make(base, tuple(base.shape), dtype, cpu)
    return make_view(root, tuple(array.shape), tuple(s // item for s in array.strides), delta // item)


def full(shape, fill_value, *, dtype=None, device=None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (dtype from the value by default).

    >>> import gputensor as gt
    >>> gt.full((2,), 7).tolist()
    [7, 7]
    """
    shape = shape_arg(shape, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    if isinstance(fill_value, builtins.complex):
        raise DTypeError(f"full: complex fill value {fill_value!r}; gputensor has no complex dtype")
    if dtype is None:
        dtype = _infer_python_dtype(fill_value)
    else:
        dtype = dt.get_dtype(dtype)
    if dtype.kind in "iu":
        if isinstance(fill_value, builtins.float):
            raise DTypeError(f"full: fill value {fill_value!r} is not an integer but dtype is {dtype}")
        from .core import check_int_scalar_range

        check_int_scalar_range("full", builtins.int(fill_value), dtype)
    dev = _device(device)
    _check_device_dtype("full", dev, dtype)
    py = {"b": builtins.bool, "i": builtins.int, "u": builtins.int, "f": builtins.float}[dtype.kind]
    return make(dev.backend.full(shape, py(fill_value), dtype), shape, dtype, dev)


def zeros(shape, *, dtype=None, device=None) -> Tensor:
    """A tensor of zeros (float32 by default).

    >>> import gputensor as gt
    >>> gt.zeros((2, 3)).shape
    (2, 3)
    """
    return full(shape, 0, dtype=dt.get_dtype(dtype) if dtype is not None else dt.default_float, device=device)


def ones(shape, *, dtype=None, device=None) -> Tensor:
    """A tensor of ones (float32 by default)."""
    return full(shape, 1, dtype=dt.get_dtype(dtype) if dtype is not None else dt.default_float, device=device)


def empty(shape, *, dtype=None, device=None) -> Tensor:
    """An uninitialized tensor (float32 by default)."""
    shape = shape_arg(shape, "empty")
    dtype = dt.get_dtype(dtype) if dtype is not None else dt.default_float
    dev = _device(device)
    _check_device_dtype("empty", dev, dtype)
    return make(dev.backend.empty(shape, dtype), shape, dtype, dev)


def _like(x, dtype, device):
    x = to_tensor(x)
    dtype = dt.get_dtype(dtype) if dtype is not None else x._dtype
    return x, dtype, device if device is not None else x._device


def zeros_like(x, /, *, dtype=None, device=None) -> Tensor:
    """Zeros with x's shape (and dtype and device unless given)."""
    x, dtype, device = _like(x, dtype, device)
    return full(x._shape, 0, dtype=dtype, device=device)


def ones_like(x, /, *, dtype=None, device=None) -> Tensor:
    """Ones with x's shape (and dtype and device unless given)."""
    x, dtype, device = _like(x, dtype, device)
    return full(x._shape, 1, dtype=dtype, device=device)


def full_like(x, /, fill_value, *, dtype=None, device=None) -> Tensor:
    """``fill_value`` with x's shape (and dtype and device unless given)."""
    x, dtype, device = _like(x, dtype, device)
    return full(x._shape, fill_value, dtype=dtype, device=device)


def empty_like(x, /, *, dtype=None, device=None) -> Tensor:
    """An uninitialized tensor with x's shape (and dtype and device unless given)."""
    x, dtype, device = _like(x, dtype, device)
    return empty(x._shape, dtype=dtype, device=device)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None) -> Tensor:
    """Evenly spaced values in [start, stop) (``arange(n)`` counts from 0).

    >>> import gputensor as gt
    >>> gt.arange(5).tolist()
    [0, 1, 2, 3, 4]
    >>> gt.arange(0, 1, 0.25).tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    if stop is None:
        start, stop = 0, start
    for v in (start, stop, step):
        if not isinstance(v, (builtins.int, builtins.float, np.number)) or isinstance(v, builtins.bool):
            raise ArgumentTypeError(f"arange: start, stop and step must be numbers, got {v!r}")
    if step == 0:
        raise ShapeError("arange: step must not be zero")
    n = builtins.max(0, math.ceil((stop - start) / step))
    if dtype is None:
        all_int = builtins.all(isinstance(v, (builtins.int, np.integer)) for v in (start, stop, step))
        dtype = dt.default_int if all_int else dt.default_float
    else:
        dtype = dt.get_dtype(dtype)
    dev = _device(device)
    _check_device_dtype("arange", dev, dtype)
    return make(dev.backend.arange(start, step, n, dtype), (n,), dtype, dev)


def linspace(start, stop, /, num: int, *, dtype=None, device=None, endpoint: bool = True) -> Tensor:
    """``num`` evenly spaced values from start to stop (stop included unless endpoint=False)."""
    if num < 0:
        raise ShapeError(f"linspace: num must be non-negative, got {num}")
    dtype = dt.get_dtype(dtype) if dtype is not None else dt.default_float
    if dtype.kind != "f":
        raise DTypeError(f"linspace: needs a floating dtype, got {dtype}")
    if isinstance(start, builtins.complex) or isinstance(stop, builtins.complex):
        raise DTypeError(
            f"linspace: complex bounds ({start!r}, {stop!r}); gputensor has no complex dtype"
        )
    host = np.linspace(float(start), float(stop), num, endpoint=endpoint, dtype=np.float64)
    return asarray(host.astype(dtype.np), device=device)


def eye(n_rows: int, n_cols=None, /, *, k: int = 0, dtype=None, device=None) -> Tensor:
    """A 2-D tensor with ones on the k-th diagonal."""
    dtype = dt.get_dtype(dtype) if dtype is not None else dt.default_float
    host = np.eye(n_rows, n_cols, k=k, dtype=dtype.np)
    return asarray(host, device=device)


def meshgrid(*arrays, indexing: str = "xy") -> list:
    """Coordinate grids from 1-D tensors (``indexing='xy'`` or ``'ij'``), as broadcast views."""
    from .core import tensor_args
    from .views import broadcast_to, reshape

    if indexing not in ("xy", "ij"):
        raise ArgumentValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if not arrays:
        return []
    tensors, _ = tensor_args("meshgrid", *arrays)
    for t in tensors:
        if t.ndim != 1:
            raise ShapeError(f"meshgrid: inputs must be 1-D, got shape {t._shape}")
    n = len(tensors)
    sizes = [t._shape[0] for t in tensors]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, t in enumerate(tensors):
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        shape = [1] * n
        shape[pos] = t._shape[0]
        grids.append(broadcast_to(reshape(t, tuple(shape)), tuple(sizes)))
    return grids


def _triangle(x, k, lower: bool, op: str):
    from .binary import greater_equal, less_equal
    from .elementwise import where

    x = to_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"{op}: needs at least 2 axes, got shape {x._shape}")
    m, n = x._shape[-2:]
    rows = arange(m, device=x._device).reshape((m, 1))
    cols = arange(n, device=x._device).reshape((1, n))
    keep = greater_equal(rows + k, cols) if lower else less_equal(rows + k, cols)
    return where(keep, x, zeros((), dtype=x._dtype, device=x._device))


def tril(x, /, *, k: int = 0) -> Tensor:
    """Zero the elements above the k-th diagonal of the last two axes."""
    return _triangle(x, k, True, "tril")


def triu(x, /, *, k: int = 0) -> Tensor:
    """Zero the elements below the k-th diagonal of the last two axes."""
    return _triangle(x, k, False, "triu")
