"""The array API inspection object returned by ``gt.__array_namespace_info__()``.

gputensor holds a deliberate subset of the standard's dtypes: no ``uint16``/``uint32``/``uint64``
and no complex dtypes, plus two the standard does not name (``float16``, ``bfloat16``), which
``dtypes(kind="real floating")`` lists because ``isdtype`` counts them as real floating.
"""

from __future__ import annotations

from . import dtypes as dt
from .devices import registry


class NamespaceInfo:
    """What this namespace supports: capabilities, devices and dtypes.

    >>> import gputensor as gt
    >>> info = gt.__array_namespace_info__()
    >>> info.default_dtypes()["real floating"]
    gputensor.float32
    >>> sorted(info.dtypes(kind="signed integer"))
    ['int16', 'int32', 'int64', 'int8']
    """

    def capabilities(self) -> dict:
        """Optional features: boolean indexing, data-dependent output shapes, the rank limit."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self) -> registry.Device:
        """Where creation functions put new tensors: the innermost ``with gt.device(...)``,
        else the default device."""
        return registry.current_device()

    def default_dtypes(self, *, device=None) -> dict:
        """The default dtypes by kind; ``"complex floating"`` is None (gputensor has none)."""
        registry.device(device)  # an unknown device is an error here as everywhere
        return {
            "real floating": dt.default_float,
            "complex floating": None,
            "integral": dt.default_int,
            "indexing": dt.int64,
        }

    def devices(self) -> list:
        """Every usable device (``cpu`` always; CUDA, OpenCL and TPU where available)."""
        from .devices.info import available_devices

        return available_devices()

    def dtypes(self, *, device=None, kind=None) -> dict:
        """Name -> dtype of what ``device`` supports, optionally only those of ``kind`` (a kind
        name, a dtype, or a tuple of them, as in :func:`gputensor.isdtype`)."""
        dev = registry.device(device)
        supported = [d for d in dt.ALL_DTYPES if d in dev.backend.dtypes]
        if kind is not None:
            supported = [d for d in supported if dt.isdtype(d, kind)]
        return {d.name: d for d in supported}


def __array_namespace_info__() -> NamespaceInfo:
    """The array API inspection object (capabilities, devices, dtypes) of this namespace.

    >>> import gputensor as gt
    >>> gt.__array_namespace_info__().capabilities()["boolean indexing"]
    True
    """
    return NamespaceInfo()
