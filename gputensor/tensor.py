"""The Tensor: a strided view of device memory, with its place in the autograd graph.

A tensor holds a backend's native array for its own view (``_data``), the native array that
owns the memory (``_root``) and, for views, the strides and offset (in elements) of ``_data``
within ``_root``. Reshape, transpose, broadcast and basic slicing make new tensors over the
same root without copying. Views share one version counter, bumped by every in-place write,
so autograd can refuse to use a saved tensor that was overwritten.

Operators and methods (``x + y``, ``x.sum()``, ``x.reshape(...)``) are installed by
:mod:`gputensor.tensor_methods`; this module only holds the data structure.
"""

from __future__ import annotations

import functools

import numpy as np

from . import dtypes as dt
from .devices.strides import is_contiguous
from .errors import ArgumentTypeError, AutogradError, DeviceError, ShapeError

_new = object.__new__


@functools.lru_cache(maxsize=4096)
def contiguous_strides(shape: tuple) -> tuple:
    """Element strides of a C-contiguous array of ``shape``."""
    strides = []
    step = 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class Tensor:
    """An n-dimensional array on a device, with gradients computed for you.

    Create tensors with :func:`gputensor.tensor`, :func:`gputensor.zeros` and friends.

    >>> import gputensor as gt
    >>> x = gt.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> (x @ x.T).sum().item()
    54.0
    """

    __slots__ = (
        "_data", "_root", "_shape", "_dtype", "_device", "_strides", "_offset", "_vc",
        "_node", "_idx", "_rg", "_leaf_rg", "_watch", "_retain", "_bounds", "grad", "__weakref__",
    )
    __array_priority__ = 1000  # NumPy defers binary operators to us

    def __new__(cls, data=None, dtype=None, device=None):
        from .ops.creation import tensor

        if data is None:
            raise ArgumentTypeError("Tensor: needs data; use gt.tensor(data), gt.zeros(shape), ...")
        return tensor(data, dtype=dtype, device=device)

    # --- properties ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The size of each axis, a tuple of ints."""
        return self._shape

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self._shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        n = 1
        for s in self._shape:
            n *= s
        return n

    @property
    def dtype(self) -> dt.DType:
        """The element type, e.g. ``gt.float32``."""
        return self._dtype

    @property
    def device(self):
        """The :class:`~gputensor.devices.registry.Device` this tensor lives on."""
        return self._device

    @property
    def strides(self) -> tuple:
        """Element strides of this view within its memory."""
        s = self._strides
        return contiguous_strides(self._shape) if s is None else s

    @property
    def offset(self) -> int:
        """Element offset of this view within its memory."""
        return self._offset

    @property
    def is_contiguous(self) -> bool:
        """True when the elements are laid out in C order with no gaps from the offset."""
        if self._strides is None:
            return True
        return is_contiguous(self._shape, self._strides)

    @property
    def requires_grad(self) -> bool:
        """Whether autograd tracks this tensor (leaf flag, a watching tape, or recorded history)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op."""
        return self._node is None

    @property
    def grad_fn(self):
        """The autograd node that produced this tensor, or None for leaves."""
        return self._node

    @property
    def T(self) -> Tensor:
        """The reversed-axes view (``permute_dims`` with the axes reversed); ndim <= 2 as in the
        array API: use ``mT`` for batches of matrices."""
        from .ops.manipulation import permute_dims

        if self.ndim > 2:
            raise ShapeError(
                f"T: defined for tensors with at most 2 axes, got shape {self._shape}; "
                "use x.mT to transpose the last two axes or gt.permute_dims(x, axes)"
            )
        return permute_dims(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of transposed matrices)."""
        from .ops.manipulation import matrix_transpose

        return matrix_transpose(self)

    # --- autograd flags ------------------------------------------------------------------
    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Mark a leaf tensor as needing gradients (in place); returns the tensor.

        >>> import gputensor as gt
        >>> w = gt.ones(3).requires_grad_()
        >>> (w * w).sum().backward(); w.grad.tolist()
        [2.0, 2.0, 2.0]
        """
        if self._node is not None:
            if not flag:
                raise AutogradError(
                    "requires_grad_: cannot turn off gradients of a non-leaf tensor; use x.detach()"
                )
            return self
        if flag and self._dtype.kind != "f":
            raise AutogradError(
                f"requires_grad_: only floating-point tensors can require gradients, got {self._dtype}; "
                "convert first with x.astype(gt.float32)"
            )
        self._leaf_rg = bool(flag)
        self._rg = self._leaf_rg or self._watch > 0
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` for this non-leaf tensor after ``backward()``."""
        if not self._rg:
            raise AutogradError("retain_grad: the tensor does not require gradients")
        from .autograd.tape import retain_grad

        retain_grad(self)
        return self

    def detach(self) -> Tensor:
        """A tensor sharing this one's memory, outside the autograd graph."""
        t = _make_view_of(self, self._data, self._shape, self._strides, self._offset)
        return t

    # --- conversion ----------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The values as a NumPy array; on the CPU it shares memory with the tensor."""
        return self._device.backend.to_host(self._data)

    def item(self):
        """The single value of a one-element tensor as a Python scalar."""
        if self.size != 1:
            raise ShapeError(
                "item: only one-element tensors convert to a Python scalar, got shape "
                f"{self._shape}"
            )
        value = self.numpy().reshape(())
        return float(value) if self._dtype is dt.bfloat16 else value.item()

    def tolist(self):
        """The values as (nested) Python lists of Python scalars."""
        host = self.numpy()
        if self._dtype is dt.bfloat16:
            host = host.astype(np.float32)
        return host.tolist()

    def __array__(self, dtype=None, copy=None):
        host = self.numpy()
        if dtype is not None and np.dtype(dtype) != host.dtype:
            if copy is False:
                raise ValueError(f"__array__: converting {self._dtype} to {np.dtype(dtype)} needs a copy")
            return host.astype(dtype)
        if copy is False and not self._device.backend.host_memory:
            raise ValueError(f"__array__: a tensor on {self._device} cannot be viewed without a copy")
        if copy:
            return host.copy()
        return host

    def __len__(self) -> int:
        if not self._shape:
            raise ArgumentTypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise ArgumentTypeError("iteration over a 0-d tensor")
        for i in range(self._shape[0]):
            yield self[i]

    def __bool__(self, /) -> bool:
        if self.size != 1:
            raise ShapeError(
                f"bool: the truth value of a tensor with {self.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.item())

    def __float__(self, /) -> float:
        return float(self.item())

    def __int__(self, /) -> int:
        return int(self.item())

    def __complex__(self, /) -> complex:
        return complex(self.item())

    def __index__(self, /) -> int:
        if self._dtype.kind not in "iu" or self.ndim != 0:
            raise ArgumentTypeError(
                "__index__: only 0-d integer tensors can be used as an index, got "
                f"{self._dtype} shape {self._shape}"
            )
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    def __str__(self) -> str:
        from .printing import tensor_str

        return tensor_str(self)

    def __reduce__(self):
        from .ops.creation import tensor

        return (tensor, (self.numpy().copy(), self._dtype, self._device.name))

    def __array_namespace__(self, /, *, api_version=None):
        """The gputensor module, for array-API-aware code."""
        if api_version is not None and api_version not in ("2021.12", "2022.12", "2023.12", "2024.12"):
            raise ValueError(f"__array_namespace__: unsupported array API version {api_version!r}")
        import gputensor

        return gputensor

    def __dlpack__(self, /, *, stream=None, max_version=None, dl_device=None, copy=None):
        from .interop import to_dlpack

        if copy is not True:
            forget_bounds(self)  # the consumer may write to the shared memory
        return to_dlpack(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self, /):
        from .interop import dlpack_device

        return dlpack_device(self)

    def to(self, device=None, dtype=None) -> Tensor:
        """This tensor on ``device`` and/or as ``dtype`` (a differentiable copy when either
        changes; the tensor itself when neither does).

        >>> import gputensor as gt
        >>> gt.ones(2).to("cpu").device
        device('cpu')
        """
        from .ops.transfer import to_device

        out = self
        if dtype is not None:
            out = out.astype(dtype)
        if device is not None:
            out = to_device(out, device)
        return out

    def to_device(self, device, /, *, stream=None) -> Tensor:
        """Array API spelling of :meth:`to`."""
        return self.to(device)

    def cpu(self) -> Tensor:
        """This tensor on the ``cpu`` device."""
        return self.to("cpu")


def make(data, shape, dtype, device) -> Tensor:
    """A new tensor owning the fresh contiguous native array ``data`` (internal, fast)."""
    t = _new(Tensor)
    t._data = data
    t._root = data
    t._shape = shape
    narrow = device.dtype_map
    t._dtype = dtype if narrow is None else narrow.get(dtype, dtype)
    t._device = device
    t._strides = None
    t._offset = 0
    t._vc = None
    t._node = None
    t._idx = 0
    t._rg = False
    t._leaf_rg = False
    t._watch = 0
    t._retain = False
    t._bounds = None
    t.grad = None
    return t


def _make_view_of(base: Tensor, data, shape, strides, offset) -> Tensor:
    t = _new(Tensor)
    t._data = data
    t._root = base._root
    t._shape = shape
    t._dtype = base._dtype
    t._device = base._device
    t._strides = strides
    t._offset = offset
    if base._vc is None:
        base._vc = [0]
    t._vc = base._vc
    t._node = None
    t._idx = 0
    t._rg = False
    t._leaf_rg = False
    t._watch = 0
    t._retain = False
    t._bounds = base._bounds  # the same record: the views share the memory and its version
    t.grad = None
    return t


def make_view(base: Tensor, shape: tuple, strides: tuple, offset: int) -> Tensor:
    """A view of ``base``'s memory (internal; autograd recording is the caller's job)."""
    data = base._device.backend.view(base._root, shape, strides, offset)
    return _make_view_of(base, data, shape, strides, offset)


# --- known value bounds -------------------------------------------------------------------
# An integer tensor uploaded from the host to a device without host memory knows its smallest
# and largest value (found on the host, where reading is free), so that index range checks
# need no device-to-host read. The record [low, high, version, valid] is shared by the views
# of one memory; an in-place write (a new version) or an export through DLPack (writes we
# cannot see) makes it void.

def set_bounds(t: Tensor, low: int, high: int) -> None:
    """Record that every value of ``t`` lies in ``[low, high]`` (internal)."""
    t._bounds = [int(low), int(high), t._vc[0] if t._vc is not None else 0, True]


def known_bounds(t: Tensor):
    """``(low, high)`` bounding every value of ``t``, or None when unknown or stale."""
    rec = t._bounds
    if rec is None or not rec[3] or rec[2] != (t._vc[0] if t._vc is not None else 0):
        return None
    return rec[0], rec[1]


def forget_bounds(t: Tensor) -> None:
    """Void the bounds of ``t`` and of every view sharing its record."""
    if t._bounds is not None:
        t._bounds[3] = False


def bump_version(t: Tensor) -> None:
    """Record an in-place write to ``t``'s memory (shared by all its views)."""
    if t._vc is None:
        t._vc = [1]
    else:
        t._vc[0] += 1


def check_same_device(op: str, *tensors: Tensor):
    """The common device of ``tensors``; DeviceError naming all devices when they differ."""
    dev = tensors[0]._device
    for t in tensors[1:]:
        if t._device is not dev and t._device != dev:
            names = ", ".join(f"{x._device}" for x in tensors)
            raise DeviceError(
                f"{op}: tensors are on different devices ({names}); move them to one device with .to(...)"
            )
    return dev
