"""What ``python -m gputensor info`` prints: every backend, its devices, and why an unusable
one cannot be used."""

from __future__ import annotations

from ..errors import DeviceError
from .backend import DeviceInfo
from .registry import _load_errors, backend_class, backend_types, device


def probe_all() -> dict[str, list[DeviceInfo]]:
    """Backend type -> the devices it found (usable or not, with reasons)."""
    result = {}
    for type_ in backend_types():
        try:
            cls = backend_class(type_)
        except DeviceError:
            reason = _load_errors.get(type_, "cannot be loaded")
            result[type_] = [DeviceInfo(f"{type_}:*", False, reason=f"backend not loadable: {reason}")]
            continue
        try:
            result[type_] = cls.probe()
        except Exception as exc:  # a driver that fails while being asked
            result[type_] = [DeviceInfo(f"{type_}:*", False, reason=f"{type(exc).__name__}: {exc}")]
    return result


def available_devices(include_emulated: bool = False) -> list:
    """Every usable device, as Device objects. Emulated devices (``tpu:N``, whose numerics
    deliberately differ from float64 references) are left out unless ``include_emulated``; the
    test suite runs on them only when ``GPUTENSOR_DEVICES`` names them."""
    out = []
    for type_, infos in probe_all().items():
        usable = [info for info in infos if info.usable]
        if usable and not include_emulated and getattr(backend_class(type_), "emulated", False):
            continue
        for info in usable:
            out.append(device(info.name))
    return out


def report() -> str:
    """The text of ``python -m gputensor info``."""
    lines = []
    for type_, infos in probe_all().items():
        lines.append(f"{type_}:")
        if not infos:
            lines.append("  (no devices)")
        for info in infos:
            mark = "usable" if info.usable else "unusable"
            text = f"  {info.name:<12} {mark:<9} {info.description}"
            if info.reason:
                text += f" -- {info.reason}"
            lines.append(text.rstrip())
            for key, value in info.details.items():
                lines.append(f"      {key}: {value}")
    return "\n".join(lines)
