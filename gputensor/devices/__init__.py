"""Devices and backends: the primitive interface, the registry, and the built-in backends."""

from .backend import Backend, DeviceInfo
from .registry import (
    Device,
    backend_types,
    current_device,
    default_device,
    device,
    register_backend,
    rescan_entry_points,
    set_default_device,
)

__all__ = [
    "Backend", "Device", "DeviceInfo", "backend_types", "current_device", "default_device",
    "device", "register_backend", "rescan_entry_points", "set_default_device",
]
