"""DLPack for bfloat16 on the CPU, which NumPy's own DLPack support cannot express.

NumPy exports and imports only its built-in dtypes; bfloat16 arrays (ml_dtypes) need the
DLPack structures built by hand. This module writes the legacy ``dltensor`` capsule (DLPack
0.8 layout, accepted by every consumer) with ``kDLBfloat``, and reads one back, sharing memory
both ways. The exported memory stays alive until the consumer calls the deleter; imported
memory is released through the producer's deleter when the last NumPy view of it dies.
"""

from __future__ import annotations

import ctypes
import threading
import weakref

import ml_dtypes
import numpy as np

from .errors import DTypeError

_KDL_CPU = 1
_KDL_BFLOAT = 4


class _Device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _Device),
        ("ndim", ctypes.c_int32),
        ("dtype", _DataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _Managed(ctypes.Structure):
    pass


_DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(_Managed))
_Managed._fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", _DELETER)]

_CAPSULE_DESTRUCTOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_NAME = ctypes.create_string_buffer(b"dltensor")
_USED_NAME = ctypes.create_string_buffer(b"used_dltensor")

_api = ctypes.pythonapi
_api.PyCapsule_New.restype = ctypes.py_object
_api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, _CAPSULE_DESTRUCTOR]
_api.PyCapsule_GetPointer.restype = ctypes.c_void_p
_api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_SetName.restype = ctypes.c_int
_api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
_api.PyCapsule_IsValid.restype = ctypes.c_int
_api.PyCapsule_IsValid.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_capsule_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", _api)
)

# Export side: everything a live capsule's memory depends on, keyed by the struct address.
_live: dict[int, tuple] = {}
_lock = threading.Lock()


@_DELETER
def _release(managed_ptr) -> None:
    with _lock:
        _live.pop(ctypes.addressof(managed_ptr.contents), None)


@_CAPSULE_DESTRUCTOR
def _destroy_capsule(capsule) -> None:
    # An unconsumed capsule still named "dltensor" owns its tensor: free it here.
    if _api.PyCapsule_IsValid(capsule, _NAME):
        address = _capsule_pointer(capsule, _NAME)
        with _lock:
            _live.pop(address, None)


def export_bfloat16(host: np.ndarray, owner, max_version=None):
    """A ``dltensor`` capsule over the bfloat16 array ``host`` (kept alive with ``owner``)."""
    if host.dtype != ml_dtypes.bfloat16:
        raise DTypeError(f"export_bfloat16: expected a bfloat16 array, got {host.dtype}")
    ndim = host.ndim
    shape = (ctypes.c_int64 * max(ndim, 1))(*host.shape)
    strides = (ctypes.c_int64 * max(ndim, 1))(*(s // host.itemsize for s in host.strides))
    managed = _Managed()
    managed.dl_tensor.data = host.__array_interface__["data"][0]
    managed.dl_tensor.device = _Device(_KDL_CPU, 0)
    managed.dl_tensor.ndim = ndim
    managed.dl_tensor.dtype = _DataType(_KDL_BFLOAT, 16, 1)
    managed.dl_tensor.shape = ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64))
    managed.dl_tensor.strides = ctypes.cast(strides, ctypes.POINTER(ctypes.c_int64))
    managed.dl_tensor.byte_offset = 0
    managed.manager_ctx = None
    managed.deleter = _release
    address = ctypes.addressof(managed)
    with _lock:
        _live[address] = (managed, shape, strides, host, owner)
    return _api.PyCapsule_New(address, _NAME, _destroy_capsule)


class _Imported:
    """Holds a consumed DLPack tensor; calling its deleter when the last view dies."""

    def __init__(self, managed_ptr):
        self.managed_ptr = managed_ptr

    def release(self) -> None:
        managed = self.managed_ptr.contents
        if managed.deleter:
            managed.deleter(self.managed_ptr)


def import_bfloat16(obj):
    """The memory of a CPU DLPack producer's bfloat16 tensor, shared: returns (flat NumPy
    bfloat16 array covering every element, shape, element strides)."""
    capsule = obj.__dlpack__()
    address = _api.PyCapsule_GetPointer(capsule, _NAME)
    managed_ptr = ctypes.cast(address, ctypes.POINTER(_Managed))
    tensor = managed_ptr.contents.dl_tensor
    dtype = (tensor.dtype.code, tensor.dtype.bits, tensor.dtype.lanes)
    if dtype != (_KDL_BFLOAT, 16, 1) or tensor.device.device_type != _KDL_CPU:
        raise DTypeError(
            f"from_dlpack: unsupported DLPack tensor (dtype code/bits/lanes {dtype}, device type "
            f"{tensor.device.device_type}); gputensor reads CPU bfloat16 here and NumPy's dtypes otherwise"
        )
    _api.PyCapsule_SetName(capsule, _USED_NAME)
    shape = tuple(tensor.shape[i] for i in range(tensor.ndim))
    if tensor.strides:
        strides = tuple(tensor.strides[i] for i in range(tensor.ndim))
    else:
        strides = tuple(int(s) for s in np.cumprod((1,) + shape[:0:-1])[::-1]) if shape else ()
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides) if n > 0) if all(shape) else 0
    start = tensor.data + tensor.byte_offset
    raw = (ctypes.c_uint16 * max(extent, 1)).from_address(start)
    keeper = _Imported(managed_ptr)
    weakref.finalize(raw, keeper.release)
    flat = np.frombuffer(raw, dtype=np.uint16, count=extent).view(ml_dtypes.bfloat16)
    return flat, shape, strides
