"""``gt.tpu``: the emulated TPU device ``tpu:N`` — chips, precision, memory, costs, replicas.

The emulator computes on the host with NumPy and imposes a TPU's behaviour explicitly: bf16
MXU numerics (``precision``), HBM capacity with XLA's tiled padding (``memory_stats``,
``ResourceExhaustedError``), a cost record per op (``profile``, ``last_cost``) and the replicas
of a slice (``replicate`` and the collectives). Choose the chip with a device option or
``GPUTENSOR_TPU_CHIP``.

Examples
--------
>>> import gputensor as gt
>>> with gt.device("tpu:0"):
...     x = gt.ones(3); y = gt.ones(3); a = gt.tensor(2.0)
...     res = a * x + y
>>> print(res.numpy())
[3. 3. 3.]
>>> gt.tpu.CHIPS["v5e"].summary()
'TPU v5e: 4 MXU(s) of 128x128 at 1.50 GHz, 197.0 TFLOP/s bf16, 16.00 GiB HBM at 819 GB/s per device'
"""

from __future__ import annotations

import enum

import numpy as np

from .devices.tpu import bf16 as _bf16
from .devices.tpu.chips import CHIPS, DEFAULT_CHIP, ChipSpec, SliceSpec, parse_slice
from .devices.tpu.cost import CostRecord, OpSpec, cost, gemm_spec
from .devices.tpu.hbm import BufferInfo, ResourceExhaustedError
from .devices.tpu.layout import layout_string, padded_bytes
from .devices.tpu.profile import profile
from .devices.tpu.replicas import (
    all_gather,
    cross_replica_sum,
    num_replicas,
    reduce_scatter,
    replica_id,
    replicate,
    slice_devices,
)
from .devices.tpu.scalesim import conv_total_cycles as scalesim_conv_cycles
from .devices.tpu.scalesim import gemm_total_cycles as scalesim_gemm_cycles
from .devices.tpu.settings import context_precision, default_precision, precision, set_default_precision
from .devices.tpu.sources import SOURCES
from .errors import DeviceError

__all__ = [
    "CHIPS", "DEFAULT_CHIP", "SOURCES", "BufferInfo", "ChipSpec", "CostRecord", "OpSpec",
    "Precision", "ResourceExhaustedError", "SliceSpec", "all_gather", "cost", "cross_replica_sum",
    "current_precision", "devices", "estimate_matmul", "gemm_spec", "last_cost", "layout_string",
    "memory_stats", "num_replicas", "padded_bytes", "parse_slice", "precision", "profile",
    "reduce_scatter", "replica_id", "replicate", "round_to_bfloat16", "scalesim_conv_cycles",
    "scalesim_gemm_cycles", "set_default_precision",
]


class Precision(str, enum.Enum):
    """Matmul precision names, as in ``jax.lax.Precision`` (plain strings work too)."""

    DEFAULT = "default"
    HIGH = "high"
    HIGHEST = "highest"


def _backend(device=None):
    from .devices.registry import current_device
    from .devices.registry import device as lookup
    from .devices.tpu.backend import TpuBackend

    dev = current_device() if device is None else lookup(device)
    if device is None and dev.type != "tpu":
        dev = lookup("tpu:0")
    backend = getattr(dev.backend, "_inner", dev.backend)  # unwrap placement logging
    if not isinstance(backend, TpuBackend):
        raise DeviceError(f"gt.tpu: {dev} is not an emulated TPU device; use 'tpu:N'")
    return backend


def devices(chip=None) -> list:
    """Every logical device of a slice (``chip`` as for ``gt.device``: ``"v2-8"``, ``"v5e"``).

    >>> import gputensor as gt
    >>> [str(d) for d in gt.tpu.devices("v4-8")]
    ['tpu:0', 'tpu:1', 'tpu:2', 'tpu:3']
    """
    return slice_devices(chip)


def memory_stats(device=None) -> dict:
    """HBM statistics of a TPU device (the current one, else ``tpu:0``): ``bytes_in_use``,
    ``peak_bytes_in_use``, ``bytes_limit`` (capacity minus reserve), ``bytes_reserved``,
    ``bytes_padding`` (tiled-layout padding of live buffers), ``largest_alloc_size``, ...

    >>> import gputensor as gt
    >>> x = gt.zeros((3, 5), device="tpu:0")
    >>> gt.tpu.memory_stats("tpu:0")["bytes_in_use"] >= 2048
    True
    """
    return _backend(device).memory_stats()


def last_cost(device=None) -> CostRecord | None:
    """The cost record of the last op run on a TPU device (the current one, else ``tpu:0``)."""
    return _backend(device).last_cost()


def current_precision(device=None) -> str:
    """The matmul precision a TPU op would use now (context, device option, global default)."""
    ctx = context_precision()
    if ctx is not None:
        return ctx
    try:
        own = _backend(device).precision
    except DeviceError:
        own = None
    return own or default_precision()


def estimate_matmul(m: int, n: int, k: int, dtype="bfloat16", chip="v5e",
                    precision="default") -> CostRecord:
    """The cost record of an ``(m, k) @ (k, n)`` matmul on ``chip``, without running it.

    >>> import gputensor as gt
    >>> r = gt.tpu.estimate_matmul(1024, 1024, 1024, chip="v5e")
    >>> r.cycles, round(r.time_s * 1e6, 1), r.bound, round(r.mxu_util, 2)
    (16766, 12.2, 'compute', 0.9)
    """
    spec = chip if isinstance(chip, ChipSpec) else parse_slice(chip).chip
    from .devices.tpu.settings import canonical

    return cost(gemm_spec(m, n, k, dtype, precision=canonical(precision) or "default"), spec)


def round_to_bfloat16(x) -> np.ndarray:
    """A NumPy array rounded to bfloat16 as a TPU rounds: nearest even, NaN kept, overflow to
    ±inf, subnormal results flushed to signed zero.

    >>> import numpy as np, gputensor as gt
    >>> gt.tpu.round_to_bfloat16(np.array([1.00390625, 1e-40], np.float32)).astype(np.float32)
    array([1., 0.], dtype=float32)
    """
    return _bf16.to_bf16(np.asarray(x))
