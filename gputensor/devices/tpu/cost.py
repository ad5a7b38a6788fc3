"""The TPU cost model: a cost record for every op, from what the op did and a chip's figures.

An :class:`OpSpec` describes one op (what it read and wrote, its GEMM dimensions); the backend
makes one per primitive, cheaply. :func:`cost` turns a spec into a :class:`CostRecord` for any
:class:`~gputensor.devices.tpu.chips.ChipSpec`, so one profile can be priced on every
generation.

GEMM (S = 128, U = MXUs per device, f = clock, BW = HBM bandwidth, L = launch overhead)::

    M8     = ceil(M/8)·8
    tiles  = ceil(K/S)·ceil(N/S)               (times the batch when weights differ per batch)
    n_t    = ceil(tiles/U)
    cycles = ceil(r·(S + (n_t − 1)·max(M8, S) + M8)) + (2S − 2)
    t      = max(cycles/f, padded bytes of A, B, C / BW) + L

``r`` is 1 for bf16 (and float32 at DEFAULT precision), 3 at HIGH, 6 at HIGHEST, and
``peak_bf16/peak_int8`` for int8. Either operand can be the stationary one (the compiler picks
the layout), so the cheaper orientation is taken; conv lowers to GEMM with M = N·H_out·W_out,
K = C_in·kh·kw, N = C_out. Elementwise ops and reductions:
``t = max(elements·ops / (VPU lanes·f), bytes/BW) + L``. Host transfers: ``bytes/15 GB/s + L``.
Collectives on a ring of n replicas moving V bytes each over links of one-way bandwidth w:
``2·(n−1)/n·V/(2w)`` for an all-reduce, half that for all-gather and reduce-scatter (an
all-reduce is one of each), doubled without wraparound links, plus 1 µs per hop (2(n−1) hops
for an all-reduce, n−1 for the others). A copy between two replicas: ``V/w`` plus one hop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from .chips import ChipSpec
from .layout import logical_bytes, padded_bytes
from .numerics import PASSES

HOP_LATENCY_S = 1e-6  # assumed: 1 us per ring hop


class Gemm(NamedTuple):
    """GEMM dimensions of one matmul: ``batch × (m, k) @ (k, n)``."""

    batch: int
    m: int
    n: int
    k: int
    a_shared: bool  # the (m, k) operand is the same for every batch entry
    b_shared: bool
    mode: str  # "float" (bf16 passes), "int8" (MXU int8), "vpu" (no MXU path)
    passes: int  # bf16 passes for "float" (1, 3 or 6)


class OpSpec(NamedTuple):
    """What one op did: its name, kind, operands (shape, NumPy dtype) and result."""

    op: str
    kind: str  # gemm | elementwise | reduce | copy | transfer | collective
    out: tuple  # ((shape, np_dtype), ...) of the results
    ins: tuple  # ((shape, np_dtype), ...) of the array operands read from HBM
    ops_per_element: int = 1
    gemm: Gemm | None = None
    replicas: int = 1
    collective_share: float = 0.0  # ring traffic per byte: 2(n-1)/n all-reduce, (n-1)/n others
    wraparound: bool = True
    hops: int = 0  # link hops on the critical path, 1 us each (assumed)


@dataclass(frozen=True)
class CostRecord:
    """The predicted cost of one op on one chip."""

    op: str
    kind: str
    shape: tuple
    dtype: str
    chip: str
    flops: float
    padded_flops: float
    bytes: int
    logical_bytes: int
    cycles: float
    time_s: float
    compute_s: float
    memory_s: float
    bound: str
    mxu_util: float
    padding_waste: float

    @property
    def intensity(self) -> float:
        """Arithmetic intensity: FLOPs per HBM byte."""
        return self.flops / self.bytes if self.bytes else 0.0


def _bytes(pairs) -> tuple[int, int]:
    padded = 0
    logical = 0
    for shape, np_dtype in pairs:
        padded += padded_bytes(shape, np_dtype)
        logical += logical_bytes(shape, np_dtype)
    return padded, logical


def mxu_cycles(rows: int, k: int, n: int, weight_sets: int, chip: ChipSpec, r: float) -> int:
    """Cycles to stream ``rows`` rows through ``weight_sets`` stationary (k, n) weight matrices."""
    s = chip.mxu_size
    m8 = math.ceil(rows / 8) * 8
    tiles = weight_sets * math.ceil(k / s) * math.ceil(n / s)
    n_t = math.ceil(tiles / chip.mxus_per_device)
    return math.ceil(r * (s + (n_t - 1) * max(m8, s) + m8)) + (2 * s - 2)


def gemm_cycles(g: Gemm, chip: ChipSpec) -> int:
    """MXU cycles of a GEMM, in whichever orientation is cheaper."""
    if g.mode == "int8":
        r = 1.0 / chip.int8_speedup
    else:
        r = float(g.passes)
    b_rows = g.batch * g.m if g.b_shared else g.m
    b_sets = 1 if g.b_shared else g.batch
    a_rows = g.batch * g.n if g.a_shared else g.n
    a_sets = 1 if g.a_shared else g.batch
    b_stationary = mxu_cycles(b_rows, g.k, g.n, b_sets, chip, r)
    a_stationary = mxu_cycles(a_rows, g.k, g.m, a_sets, chip, r)
    return min(b_stationary, a_stationary)


def vpu_rate(chip: ChipSpec) -> float:
    """Elementwise operations per second of one logical device (assumed: one op per VPU lane
    per cycle, on every TensorCore the device has)."""
    cores = chip.tensorcores_per_chip / chip.logical_devices_per_chip
    return chip.vpu_lanes * cores * chip.clock_hz


def _work(spec: OpSpec, chip: ChipSpec, in_padded: int, out_padded: int, logical: int):
    """(flops, padded flops, cycles, compute seconds, memory seconds, peak) of one op."""
    padded = in_padded + out_padded
    if spec.kind == "gemm":
        g = spec.gemm
        s = chip.mxu_size
        flops = 2.0 * g.batch * g.m * g.n * g.k
        padded_flops = (2.0 * g.batch * math.ceil(g.m / 8) * 8 * math.ceil(g.k / s) * s
                        * math.ceil(g.n / s) * s)
        peak = chip.peak_bf16_device
        if g.mode == "vpu":
            compute = flops / vpu_rate(chip)
            cycles = compute * chip.clock_hz
        else:
            cycles = gemm_cycles(g, chip)
            compute = cycles / chip.clock_hz
            if g.mode == "int8" and chip.peak_int8_chip:
                peak = chip.peak_int8_chip / chip.logical_devices_per_chip
        return flops, padded_flops, cycles, compute, padded / chip.hbm_bandwidth_device, peak
    if spec.kind == "transfer":
        return 0.0, 0.0, 0.0, 0.0, logical / chip.host_link_bandwidth, 0.0
    if spec.kind == "collective":
        link = chip.ici_link_bandwidth * (1 if spec.wraparound else 0.5)
        volume = max(in_padded, out_padded)  # the whole array: gather's output, scatter's input
        network = spec.collective_share * volume / (2 * link) + spec.hops * HOP_LATENCY_S
        return 0.0, 0.0, 0.0, 0.0, network, 0.0
    elements = sum(math.prod(shape) for shape, _ in (spec.ins or spec.out))
    elements = max(elements, sum(math.prod(shape) for shape, _ in spec.out))
    flops = float(elements * spec.ops_per_element)
    compute = flops / vpu_rate(chip)
    return flops, flops, compute * chip.clock_hz, compute, padded / chip.hbm_bandwidth_device, 0.0


def cost(spec: OpSpec, chip: ChipSpec) -> CostRecord:
    """The cost record of ``spec`` on ``chip``."""
    in_padded, in_logical = _bytes(spec.ins)
    out_padded, out_logical = _bytes(spec.out)
    padded = in_padded + out_padded
    logical = in_logical + out_logical
    flops, padded_flops, cycles, compute, memory, peak = _work(spec, chip, in_padded, out_padded, logical)
    time_s = max(compute, memory) + chip.launch_overhead_s
    if chip.launch_overhead_s > max(compute, memory):
        bound = "overhead"
    elif spec.kind in ("transfer", "collective"):
        bound = "transfer" if spec.kind == "transfer" else "network"
    else:
        bound = "compute" if compute >= memory else "memory"
    util = min(1.0, flops / (time_s * peak)) if peak else 0.0
    out_shape = spec.out[0][0] if spec.out else ()
    out_dtype = str(spec.out[0][1]) if spec.out else ""
    return CostRecord(
        op=spec.op, kind=spec.kind, shape=tuple(out_shape), dtype=out_dtype, chip=chip.name,
        flops=flops, padded_flops=padded_flops, bytes=padded, logical_bytes=logical, cycles=cycles,
        time_s=time_s, compute_s=compute, memory_s=memory, bound=bound, mxu_util=util,
        padding_waste=0.0 if not padded else 1.0 - logical / padded,
    )


def gemm_spec(m: int, n: int, k: int, dtype="bfloat16", *, batch: int = 1, precision="default",
              out_dtype=None) -> OpSpec:
    """The OpSpec of a plain ``(m, k) @ (k, n)`` GEMM (for estimates without running it)."""
    import numpy as np

    np_dtype = np.dtype(dtype)
    out_np = np.dtype(out_dtype) if out_dtype is not None else np_dtype
    if np_dtype.kind in "iu" and np_dtype.itemsize == 1:
        mode, passes = "int8", 1
    elif np_dtype.kind == "f" and np_dtype.itemsize == 4:
        mode, passes = "float", PASSES[precision]
    elif np_dtype.kind == "f" or np_dtype.name == "bfloat16":
        mode, passes = "float", 1
    else:
        mode, passes = "vpu", 1
    lead = (batch,) if batch > 1 else ()
    g = Gemm(batch, m, n, k, False, False, mode, passes)
    ins = ((lead + (m, k), np_dtype), (lead + (k, n), np_dtype))
    return OpSpec("matmul", "gemm", ((lead + (m, n), out_np),), ins, gemm=g)
