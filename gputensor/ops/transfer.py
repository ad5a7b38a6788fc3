"""Moving tensors between devices (differentiable: the gradient moves back)."""

from __future__ import annotations

from ..devices.registry import device as get_device
from .core import Tensor, make, record, state
from .creation import note_host_bounds
from .elementwise import _check_device_dtype


def to_device(x: Tensor, device) -> Tensor:
    """``x`` copied to ``device`` (the tensor itself when it is already there).

    >>> import gputensor as gt
    >>> gt.to_device(gt.ones(2), "cpu").device
    device('cpu')
    """
    dev = get_device(device)
    if dev is x._device or dev == x._device:
        return x
    _check_device_dtype("to", dev, x._dtype)
    src = x._device.backend
    dst = dev.backend
    moved = getattr(dst, "copy_from_device", None)
    data = moved(x) if moved is not None else None
    host = None
    if data is None:
        host = src.to_host(x._data)
        data = dst.from_host(host, copy=True) if dst.host_memory else dst.from_host(host)
    y = make(data, x._shape, x._dtype, dev)
    if host is not None:
        note_host_bounds(y, host)
    if x._rg and state.enabled:
        record("to", _g_to, (x,), y, ctx=x._device)
    return y


def _g_to(node, g):
    return to_device(g, node.ctx)
