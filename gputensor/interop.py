"""Exchange with other array libraries: DLPack export and import, zero-copy on the CPU."""

from __future__ import annotations

import numpy as np

from . import dtypes as dt
from .errors import ArgumentTypeError, DeviceError

_KDL_CPU = 1


def dlpack_device(t) -> tuple:
    """(device type, index) in DLPack's numbering."""
    if t.device.backend.host_memory:
        return (_KDL_CPU, 0)
    native = getattr(t.device.backend, "dlpack_device", None)
    if native is None:
        raise DeviceError(f"__dlpack_device__: tensors on {t.device} cannot be exported through DLPack")
    return native(t._data)


def to_dlpack(t, *, stream=None, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule for ``t`` (shares memory on the CPU)."""
    if not t.device.backend.host_memory:
        export = getattr(t.device.backend, "to_dlpack", None)
        if export is None:
            raise DeviceError(
                f"__dlpack__: tensors on {t.device} cannot be exported through DLPack; use .cpu() "
                "first"
            )
        return export(t._data, stream=stream)
    host = t.numpy()
    if t.dtype is dt.bfloat16:
        from .dlpack_bf16 import export_bfloat16

        return export_bfloat16(host, t, max_version=max_version)
    kwargs = {}
    if max_version is not None:
        kwargs["max_version"] = max_version
    if copy is not None:
        kwargs["copy"] = copy
    if dl_device is not None:
        kwargs["dl_device"] = dl_device
    return host.__dlpack__(stream=stream, **kwargs)


def from_dlpack(x, /, *, device=None, copy=None):
    """A tensor viewing the memory of any DLPack producer (NumPy, PyTorch, CuPy, ...).

    >>> import numpy as np, gputensor as gt
    >>> gt.from_dlpack(np.arange(3.0)).tolist()
    [0.0, 1.0, 2.0]
    """
    from .ops.creation import asarray, from_numpy

    if not hasattr(x, "__dlpack__"):
        raise ArgumentTypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__")
    dev_type, _ = x.__dlpack_device__()
    if dev_type != _KDL_CPU:
        raise DeviceError(
            f"from_dlpack: the producer's memory is on DLPack device type {dev_type}; gputensor "
            "imports CPU memory (device type 1) only — copy it to the host first"
        )
    try:
        host = np.from_dlpack(x, copy=copy) if copy is not None else np.from_dlpack(x)
    except (BufferError, TypeError, RuntimeError):
        # NumPy cannot express bfloat16; read those (and report anything else) ourselves.
        from .dlpack_bf16 import import_bfloat16
        from .tensor import make_view

        flat, shape, strides = import_bfloat16(x)
        t = make_view(from_numpy(flat), shape, strides, 0)
        if copy:
            t = t.copy()
        return t if device is None else t.to(device)
    try:
        t = from_numpy(host)
    except ArgumentTypeError:
        t = asarray(host)
    return t if device is None else t.to(device)

