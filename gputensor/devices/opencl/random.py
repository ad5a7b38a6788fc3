"""Launcher of random.cl: Philox-4x32-10 streams identical to gputensor/devices/philox.py."""

from __future__ import annotations

import math

from .array import CLArray
from .launch import linear
from .runtime import LONG, UINT, ULONG

_ARGS = (None, LONG, UINT, UINT, UINT, UINT)


def _outputs_per_block(kind: str, dtype) -> int:
    """Values one Philox block (four words) makes: see philox.py's stream layout."""
    if kind == "integers" or dtype.itemsize == 8:
        return 2
    return 4


def draw(b, kind: str, shape: tuple, dtype, key, counter: int, low: int = 0, high: int = 1) -> CLArray:
    out = b.empty(shape, dtype)
    n = math.prod(shape)
    if n == 0:
        return out
    blocks = -(-n // _outputs_per_block(kind, dtype))
    counter %= 2**64
    args = [out.buffer, n, key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF, counter & 0xFFFFFFFF, counter >> 32]
    types = _ARGS
    if kind == "integers":
        args += [low, (high - low) % 2**64]
        types = _ARGS + (LONG, ULONG)
    kernel = b.rt.kernel("random", dtype.short, f"{kind}_{dtype.short}", types)
    linear(b.rt, kernel, blocks, *args)
    return out
