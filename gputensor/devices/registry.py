"""Backend registry, device-string parsing, the default device and ``with gt.device(...)``.

Built-in backends are registered by module path and imported on first use, so importing
gputensor never imports pyopencl or CuPy. Third-party backends arrive through the
``gputensor.devices`` entry-point group: the entry point's name is the device type and its
value a :class:`~gputensor.devices.backend.Backend` subclass.
"""

from __future__ import annotations

import importlib
import re
import threading
from importlib import metadata

from ..config import settings
from ..errors import ArgumentTypeError, DeviceError
from .backend import Backend

ENTRY_POINT_GROUP = "gputensor.devices"

_BUILTIN: dict[str, str] = {
    "cpu": "gputensor.devices.numpy_backend:NumpyBackend",
    "tpu": "gputensor.devices.tpu.backend:TpuBackend",
    "opencl": "gputensor.devices.opencl:OpenCLBackend",
    "cuda": "gputensor.devices.cuda:CudaBackend",
}
_classes: dict[str, type[Backend]] = {}
_load_errors: dict[str, str] = {}
_devices: dict[tuple, Device] = {}
_entry_points_loaded = False
_lock = threading.RLock()


class Device:
    """A device tensors live on: ``cpu``, ``cuda:0``, ``opencl:0``, ``tpu:0``, ...

    Use it as a context manager to place new tensors:

    >>> import gputensor as gt
    >>> with gt.device("cpu"):
    ...     x = gt.ones(3)
    >>> x.device
    device('cpu')
    """

    __slots__ = ("type", "index", "options", "backend", "name", "dtype_map")

    def __init__(self, type_: str, index: int, options: dict, backend: Backend):
        self.type = type_
        self.index = index
        self.options = options
        self.backend = backend
        self.name = type_ if type_ == "cpu" else f"{type_}:{index}"
        # dtypes the device stores as others (the TPU's float64 -> float32); tensors report those
        self.dtype_map = getattr(backend, "dtype_map", None)

    def __repr__(self) -> str:
        return f"device({self.name!r})"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return self is other or (self.name == other.name and self.options == other.options)
        if isinstance(other, str):
            try:
                return parse(other) == (self.type, self.index)
            except DeviceError:
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __enter__(self) -> Device:
        _stack().append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack().pop()

    def synchronize(self) -> None:
        """Wait for all work queued on this device."""
        self.backend.synchronize()

    def memory_stats(self) -> dict:
        """The backend's memory statistics (bytes in use, pooled, allocations)."""
        return self.backend.memory_stats()

    def empty_cache(self) -> None:
        """Release pooled memory that no tensor uses."""
        self.backend.empty_cache()


_TF_STYLE = re.compile(
    r"^/?(?:job:[^/]+/)?(?:replica:\d+/)?(?:task:\d+/)?(?:device:)?([A-Za-z_]+)(?::(\d+))?$"
)
_TF_TYPES = {"gpu": "cuda", "tpu": "tpu", "cpu": "cpu"}


def parse(spec: str) -> tuple[str, int]:
    """Split a device string into (type, index): ``"cuda:1"`` -> ("cuda", 1).

    TensorFlow spellings (``"/GPU:0"``, ``"device:TPU:0"``) are accepted too.
    """
    if not isinstance(spec, str):
        raise ArgumentTypeError(f"device: expected a string like 'cpu' or 'cuda:0', got {spec!r}")
    text = spec.strip()
    m = re.fullmatch(r"([a-z_][a-z0-9_]*)(?::(\d+))?", text)
    if m is None or text.lower() != text:
        m2 = _TF_STYLE.match(text)
        if m2 is None or m2.group(1).lower() not in _TF_TYPES:
            raise DeviceError(
                f"device: cannot parse {spec!r}; expected 'cpu', 'cuda:N', 'opencl:N' or "
                "'tpu:N'"
            )
        return _TF_TYPES[m2.group(1).lower()], int(m2.group(2) or 0)
    type_ = m.group(1)
    if type_ == "gpu":
        type_ = "cuda"
    return type_, int(m.group(2) or 0)


def register_backend(type_: str, cls_or_path) -> None:
    """Register a backend class (or ``"module:Class"`` path) for device strings ``type_:N``."""
    with _lock:
        if isinstance(cls_or_path, str):
            _BUILTIN[type_] = cls_or_path
            _classes.pop(type_, None)
        else:
            _classes[type_] = cls_or_path
        _load_errors.pop(type_, None)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _BUILTIN and ep.name not in _classes:
            _BUILTIN[ep.name] = ep.value


def rescan_entry_points() -> None:
    """Look for newly installed ``gputensor.devices`` plugins (tests, late installs)."""
    global _entry_points_loaded
    with _lock:
        _entry_points_loaded = False
        _load_entry_points()


def backend_types() -> list[str]:
    """Every registered device type, built-in and plugin."""
    with _lock:
        _load_entry_points()
        return sorted(set(_BUILTIN) | set(_classes))


def backend_class(type_: str) -> type[Backend]:
    """The backend class for a device type; DeviceError says why it cannot be loaded."""
    with _lock:
        cls = _classes.get(type_)
        if cls is not None:
            return cls
        _load_entry_points()
        path = _BUILTIN.get(type_)
        if path is None:
            known = ", ".join(backend_types())
            raise DeviceError(f"device: unknown device type {type_!r}; known types: {known}")
        module_name, _, attr = path.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), attr)
        except Exception as exc:  # an optional dependency missing, a broken plugin
            _load_errors[type_] = f"{type(exc).__name__}: {exc}"
            reason = _load_errors[type_]
            raise DeviceError(f"device: the {type_!r} backend cannot be loaded ({reason})") from exc
        _classes[type_] = cls
        return cls


def device(spec=None, **options) -> Device:
    """The device for ``spec`` (a string, a Device, or None for the current default).

    Keyword options configure the device (for example ``chip="v5e"`` for ``tpu:N``); the same
    string with the same options gives the same Device object.

    >>> import gputensor as gt
    >>> gt.device("cpu")
    device('cpu')
    """
    if spec is None:
        return current_device()
    if isinstance(spec, Device):
        if not options:
            return spec
        spec = spec.name
    type_, index = parse(spec)
    key = (type_, index, tuple(sorted(options.items())))
    dev = _devices.get(key)
    if dev is not None:
        return dev
    with _lock:
        dev = _devices.get(key)
        if dev is None:
            cls = backend_class(type_)
            backend = cls(index, **options)
            dev = Device(type_, index, dict(options), backend)
            if settings.log_placement:
                from . import placement_log

                placement_log.apply([dev], True)
            _devices[key] = dev
    return dev


# --- the current and default device ---------------------------------------------------------

class _Local(threading.local):
    def __init__(self):
        self.stack = []


_local = _Local()
_default: list[Device] = []


def _stack() -> list:
    return _local.stack


def current_device() -> Device:
    """The device new tensors go to: the innermost ``with gt.device(...)``, else the default."""
    stack = _local.stack
    if stack:
        return stack[-1]
    if _default:
        return _default[0]
    return default_device()


def default_device() -> Device:
    """GPU first: ``GPUTENSOR_DEVICE`` if set, else the first working CUDA device, else ``cpu``.

    An OpenCL CPU device is never chosen over the NumPy backend silently.
    """
    if _default:
        return _default[0]
    with _lock:
        if not _default:
            _default.append(_choose_default())
    return _default[0]


def set_default_device(spec) -> None:
    """Make ``spec`` the default device of every thread (outside ``with gt.device``)."""
    dev = device(spec)
    with _lock:
        _default[:] = [dev]


def _choose_default() -> Device:
    if settings.device:
        return device(settings.device)
    if "cuda" in backend_types():
        try:
            infos = backend_class("cuda").probe()
        except DeviceError:
            infos = []
        if any(info.usable for info in infos):
            return device("cuda:0")
    return device("cpu")
