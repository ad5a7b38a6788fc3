"""``gt.config.log_device_placement(True)``: print every primitive an op runs, with its
device, the way TensorFlow logs op placement.

Logging wraps each device's backend in a proxy while it is on, so it costs nothing when off.
"""

from __future__ import annotations

import sys

from .backend import PRIMITIVES


class LoggingBackend:
    """Forwards everything to ``inner``; primitive calls print ``<primitive>(<op>) -> <device>``."""

    def __init__(self, inner, device_name: str, stream=None):
        self._inner = inner
        self._device_name = device_name
        self._stream = stream

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if name not in PRIMITIVES or not callable(attr):
            return attr

        def logged(*args, **kwargs):
            what = f"{name}({args[0]})" if args and isinstance(args[0], str) else name
            print(f"gputensor: {what} -> {self._device_name}", file=self._stream or sys.stderr)
            return attr(*args, **kwargs)

        return logged


_stream = [None]


def apply(devices, enabled: bool, stream=None) -> None:
    """Wrap (or unwrap) the backends of ``devices``; ``stream`` (default stderr) is remembered
    for devices created later."""
    if stream is not None or not enabled:
        _stream[0] = stream
    for dev in devices:
        inner = dev.backend._inner if isinstance(dev.backend, LoggingBackend) else dev.backend
        dev.backend = LoggingBackend(inner, dev.name, _stream[0]) if enabled else inner
