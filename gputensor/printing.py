"""How tensors print: NumPy's formatting of the values, then the device, the dtype and the
autograd status."""

from __future__ import annotations

import numpy as np

from . import dtypes as dt


def _values(t) -> str:
    host = t.numpy()
    if t.dtype is dt.bfloat16:
        host = host.astype(np.float32)
    return np.array2string(host, separator=", ", prefix="tensor(", threshold=200, edgeitems=3)


def tensor_repr(t) -> str:
    """``tensor([...], device='opencl:0', dtype=float16, requires_grad=True)``."""
    parts = [_values(t), f"device='{t.device}'", f"dtype={t.dtype.name}"]
    if t.grad_fn is not None:
        parts.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        parts.append("requires_grad=True")
    return "tensor(" + ", ".join(parts) + ")"


def tensor_str(t) -> str:
    return tensor_repr(t)
