"""The array API inspection object returned by ``gt.__array_namespace_info__()``."""

from __future__ import annotations

from . import dtypes as dt
from .devices import registry


class NamespaceInfo:
    """What this namespace supports: capabilities, devices and dtypes.

    >>> import gputensor as gt
    >>> gt.__array_namespace_info__().default_dtypes()["real floating"]
    gputensor.float32
    """

    def capabilities(self) -> dict:
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self):
        return registry.default_device()

    def default_dtypes(self, *, device=None) -> dict:
        return {
            "real floating": dt.default_float,
            "complex floating": None,
            "integral": dt.default_int,
            "indexing": dt.int64,
        }

    def devices(self) -> list:
        from .devices.info import available_devices

        return available_devices()

    def dtypes(self, *, device=None, kind=None) -> dict:
        dev = registry.device(device) if device is not None else registry.default_device()
        supported = [d for d in dt.ALL_DTYPES if d in dev.backend.dtypes]
        if kind is not None:
            supported = [d for d in supported if dt.isdtype(d, kind)]
        return {d.name: d for d in supported}


def __array_namespace_info__() -> NamespaceInfo:
    return NamespaceInfo()
