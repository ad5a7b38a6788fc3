"""TPU chip generations (v2, v3, v4, v5e) and slices of them, as configuration objects.

Each :class:`ChipSpec` holds per-chip figures with the source of each (see
:mod:`gputensor.devices.tpu.sources`); per-logical-device figures and the clock are derived.
The clock is the one that makes the bf16 peak hold exactly:
``clock = peak_bf16_chip / (MXUs per chip · 2 · 128²)``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ...errors import ArgumentValueError
from .sources import check_source

GIB = 1 << 30

# Figures every ChipSpec carries a source for.
FIGURES = (
    "tensorcores_per_chip", "logical_devices_per_chip", "mxus_per_device", "mxu_size",
    "peak_bf16_chip", "peak_int8_chip", "hbm_bytes_chip", "hbm_bandwidth_chip", "ici_topology",
    "ici_links", "ici_link_bandwidth", "pod_chips", "host_chips", "vpu_lanes",
    "host_link_bandwidth", "launch_overhead_s", "hbm_reserved_bytes", "transcendental_ops",
)


@dataclass(frozen=True)
class ChipSpec:
    """One TPU generation: per-chip figures, each with its source.

    Parameters are per chip unless named otherwise; ``sources`` maps each figure's name to a
    source key (``gputensor.devices.tpu.sources.SOURCES``), ``derived`` or ``assumed``.
    Use :meth:`replace` to override figures (their source becomes ``user``).

    Examples
    --------
    >>> import gputensor as gt
    >>> v5e = gt.tpu.CHIPS["v5e"]
    >>> round(v5e.clock_hz / 1e9, 2), v5e.source("peak_bf16_chip")
    (1.5, 'cloud-tpu-v5e')
    """

    name: str
    tensorcores_per_chip: int
    logical_devices_per_chip: int
    mxus_per_device: int
    peak_bf16_chip: float
    peak_int8_chip: float | None
    hbm_bytes_chip: int
    hbm_bandwidth_chip: float
    ici_topology: str
    ici_links: int
    ici_link_bandwidth: float
    pod_chips: int
    host_chips: int
    slice_counts: str
    sources: tuple
    mxu_size: int = 128
    vpu_lanes: int = 8 * 128
    host_link_bandwidth: float = 15e9
    launch_overhead_s: float = 1e-6
    hbm_reserved_bytes: int = GIB // 2
    transcendental_ops: int = 4
    notes: str = ""

    def __post_init__(self):
        given = dict(self.sources)
        missing = [f for f in FIGURES if f not in given]
        if missing:
            raise ArgumentValueError(f"ChipSpec {self.name}: no source for {', '.join(missing)}")
        for key in given.values():
            check_source(key)

    # --- sources --------------------------------------------------------------------------
    def source(self, figure: str) -> str:
        """The source key of ``figure`` (``derived`` for the derived properties)."""
        if figure in _DERIVED:
            return "derived"
        return dict(self.sources)[figure]

    def replace(self, **figures) -> ChipSpec:
        """A copy with some figures overridden; their source becomes ``user``.

        >>> import gputensor as gt
        >>> big = gt.tpu.CHIPS["v5e"].replace(hbm_bytes_chip=32 << 30)
        >>> big.hbm_bytes_device >> 30, big.source("hbm_bytes_chip")
        (32, 'user')
        """
        unknown = [k for k in figures if k not in FIGURES]
        if unknown:
            raise ArgumentValueError(
                f"ChipSpec.replace: unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}"
            )
        sources = dict(self.sources)
        for key in figures:
            sources[key] = "user"
        return dataclasses.replace(self, sources=tuple(sorted(sources.items())), **figures)

    # --- derived figures (per logical device unless said otherwise) -------------------------
    @property
    def mxus_per_chip(self) -> int:
        return self.mxus_per_device * self.logical_devices_per_chip

    @property
    def clock_hz(self) -> float:
        """Derived: ``peak_bf16_chip / (MXUs per chip · 2 · mxu_size²)``."""
        return self.peak_bf16_chip / (self.mxus_per_chip * 2 * self.mxu_size**2)

    @property
    def peak_bf16_device(self) -> float:
        return self.peak_bf16_chip / self.logical_devices_per_chip

    @property
    def int8_speedup(self) -> int:
        """Whole times faster int8 runs through the MXU than bf16: the int8 peak over the bf16
        peak, rounded (393/197 -> 2 on v5e; 1 on v4, and where no int8 peak is published)."""
        if not self.peak_int8_chip:
            return 1
        return max(1, round(self.peak_int8_chip / self.peak_bf16_chip))

    @property
    def hbm_bytes_device(self) -> int:
        return self.hbm_bytes_chip // self.logical_devices_per_chip

    @property
    def hbm_bandwidth_device(self) -> float:
        return self.hbm_bandwidth_chip / self.logical_devices_per_chip

    @property
    def hbm_usable_device(self) -> int:
        return self.hbm_bytes_device - self.hbm_reserved_bytes

    def summary(self) -> str:
        """A short line: generation, MXUs, clock, peak and HBM per logical device."""
        return (
            f"TPU {self.name}: {self.mxus_per_device} MXU(s) of {self.mxu_size}x{self.mxu_size} "
            f"at {self.clock_hz / 1e9:.2f} GHz, {self.peak_bf16_device / 1e12:.1f} TFLOP/s bf16, "
            f"{self.hbm_bytes_device / GIB:.2f} GiB HBM at {self.hbm_bandwidth_device / 1e9:.0f} GB/s "
            "per device"
        )

    def figures_table(self) -> list[tuple[str, object, str]]:
        """(figure, value, source) for every figure, sourced and derived."""
        rows = [(name, getattr(self, name), self.source(name)) for name in FIGURES]
        rows += [(name, getattr(self, name), "derived") for name in _DERIVED]
        return rows


_DERIVED = (
    "mxus_per_chip", "clock_hz", "peak_bf16_device", "int8_speedup", "hbm_bytes_device",
    "hbm_bandwidth_device", "hbm_usable_device",
)

# Sources shared by all generations; each chip adds its own.
_COMMON = {
    "mxu_size": "cloud-tpu-arch",
    "vpu_lanes": "scaling-book",  # the VPU works on (8, 128) vregs; one op per lane per cycle: see below
    "host_link_bandwidth": "assumed",  # 15 GB/s: a PCIe Gen3 x16 host link
    "launch_overhead_s": "assumed",  # ~1 us per op launch, eager (one launch per op)
    "hbm_reserved_bytes": "assumed",  # 0.5 GiB held back by the runtime
    "transcendental_ops": "assumed",  # VPU operations per exp/log/tanh/... element
}


def _sources(**own) -> tuple:
    merged = dict(_COMMON)
    merged.update(own)
    return tuple(sorted(merged.items()))


V2 = ChipSpec(
    name="v2", tensorcores_per_chip=2, logical_devices_per_chip=2, mxus_per_device=1,
    peak_bf16_chip=46e12, peak_int8_chip=None, hbm_bytes_chip=16 * GIB, hbm_bandwidth_chip=716e9,
    ici_topology="2D torus", ici_links=4, ici_link_bandwidth=5e10, pod_chips=256, host_chips=4,
    slice_counts="cores",
    sources=_sources(
        tensorcores_per_chip="cloud-tpu-v2", logical_devices_per_chip="cloud-tpu-arch",
        mxus_per_device="cloud-tpu-arch", peak_bf16_chip="cloud-tpu-v2",
        peak_int8_chip="cloud-tpu-v2", hbm_bytes_chip="cloud-tpu-v2",
        hbm_bandwidth_chip="jax-tpu-info", ici_topology="cloud-tpu-v2", ici_links="cloud-tpu-v2",
        ici_link_bandwidth="assumed", pod_chips="cloud-tpu-v2", host_chips="cloud-tpu-v2",
    ),
    notes=(
        "180 TFLOP/s per 4-chip board (46 per chip); 16 GB HBM per chip, 8 per core, taken as GiB "
        "as XLA reports it. ICI link bandwidth is unsourced for v2: assumed 5e10 B/s one-way. "
        "No int8 MXU mode (int8 runs at the bf16 rate)."
    ),
)

V3 = ChipSpec(
    name="v3", tensorcores_per_chip=2, logical_devices_per_chip=2, mxus_per_device=2,
    peak_bf16_chip=123e12, peak_int8_chip=None, hbm_bytes_chip=32 * GIB, hbm_bandwidth_chip=900e9,
    ici_topology="2D torus", ici_links=4, ici_link_bandwidth=1e11, pod_chips=1024, host_chips=4,
    slice_counts="cores",
    sources=_sources(
        tensorcores_per_chip="cloud-tpu-v3", logical_devices_per_chip="cloud-tpu-arch",
        mxus_per_device="cloud-tpu-arch", peak_bf16_chip="cloud-tpu-v3",
        peak_int8_chip="cloud-tpu-v3", hbm_bytes_chip="cloud-tpu-v3",
        hbm_bandwidth_chip="cloud-tpu-v3", ici_topology="cloud-tpu-v3", ici_links="cloud-tpu-v3",
        ici_link_bandwidth="scaling-book", pod_chips="cloud-tpu-v3", host_chips="cloud-tpu-v3",
    ),
    notes="JAX's table lists 140 TFLOP/s and 825 GB/s for v3; the Cloud TPU figures are used.",
)

V4 = ChipSpec(
    name="v4", tensorcores_per_chip=2, logical_devices_per_chip=1, mxus_per_device=8,
    peak_bf16_chip=275e12, peak_int8_chip=275e12, hbm_bytes_chip=32 * GIB,
    hbm_bandwidth_chip=1200e9, ici_topology="3D torus", ici_links=6, ici_link_bandwidth=4.5e10,
    pod_chips=4096, host_chips=4, slice_counts="cores",
    sources=_sources(
        tensorcores_per_chip="cloud-tpu-v4", logical_devices_per_chip="cloud-tpu-v4",
        mxus_per_device="cloud-tpu-arch", peak_bf16_chip="cloud-tpu-v4",
        peak_int8_chip="cloud-tpu-v4", hbm_bytes_chip="cloud-tpu-v4",
        hbm_bandwidth_chip="cloud-tpu-v4", ici_topology="cloud-tpu-v4", ici_links="cloud-tpu-v4",
        ici_link_bandwidth="scaling-book", pod_chips="cloud-tpu-v4", host_chips="cloud-tpu-v4",
    ),
    notes="Two TensorCores act as one 'megacore' device with 8 MXUs.",
)

V5E = ChipSpec(
    name="v5e", tensorcores_per_chip=1, logical_devices_per_chip=1, mxus_per_device=4,
    peak_bf16_chip=197e12, peak_int8_chip=393e12, hbm_bytes_chip=16 * GIB,
    hbm_bandwidth_chip=819e9, ici_topology="2D torus", ici_links=4, ici_link_bandwidth=5e10,
    pod_chips=256, host_chips=8, slice_counts="chips",
    sources=_sources(
        tensorcores_per_chip="cloud-tpu-v5e", logical_devices_per_chip="cloud-tpu-v5e",
        mxus_per_device="cloud-tpu-arch", peak_bf16_chip="cloud-tpu-v5e",
        peak_int8_chip="cloud-tpu-v5e", hbm_bytes_chip="cloud-tpu-v5e",
        hbm_bandwidth_chip="cloud-tpu-v5e", ici_topology="cloud-tpu-v5e", ici_links="cloud-tpu-v5e",
        ici_link_bandwidth="scaling-book", pod_chips="cloud-tpu-v5e", host_chips="cloud-tpu-v5e",
    ),
    notes="16 GB HBM per chip, taken as GiB as XLA reports it (15.50G usable with the reserve).",
)

CHIPS: dict[str, ChipSpec] = {"v2": V2, "v3": V3, "v4": V4, "v5e": V5E}
_ALIASES = {"v5lite": "v5e", "v5litepod": "v5e", "tpu-v2": "v2", "tpu-v3": "v3", "tpu-v4": "v4"}
DEFAULT_CHIP = "v2"


@dataclass(frozen=True)
class SliceSpec:
    """A slice: ``chips`` chips of one generation; its logical devices are ``tpu:0..n-1``.

    The Cloud TPU name counts TensorCores for v2-v4 (``v2-8`` is 4 chips, 8 devices; ``v4-8``
    is 4 chips, 4 megacore devices) and chips for v5e (``v5e-8`` is 8 chips).

    >>> import gputensor as gt
    >>> s = gt.tpu.parse_slice("v2-8")
    >>> s.chips, s.num_devices, s.name
    (4, 8, 'v2-8')
    """

    chip: ChipSpec
    chips: int

    @property
    def num_devices(self) -> int:
        return self.chips * self.chip.logical_devices_per_chip

    @property
    def name(self) -> str:
        unit = self.chips * (self.chip.tensorcores_per_chip if self.chip.slice_counts == "cores" else 1)
        return f"{self.chip.name}-{unit}"

    @property
    def wraparound(self) -> bool:
        """Whether the ring over this slice closes through wraparound links. Assumed: only a full
        pod of a 2D-torus generation has them; a v4 slice has them from a full 4x4x4 cube (64 chips)."""
        if self.chip.ici_topology.startswith("3D"):
            return self.chips >= 64 and self.chips % 64 == 0
        return self.chips == self.chip.pod_chips

    def locate(self, index: int) -> tuple[int, int]:
        """(chip, core) of logical device ``index``."""
        per = self.chip.logical_devices_per_chip
        return index // per, index % per


def parse_slice(spec) -> SliceSpec:
    """A SliceSpec from ``"v5e"`` (one host's chips), ``"v2-8"``, ``"v5e-16"``, a ChipSpec or a
    SliceSpec."""
    if isinstance(spec, SliceSpec):
        return spec
    if isinstance(spec, ChipSpec):
        return SliceSpec(spec, spec.host_chips)
    if not isinstance(spec, str):
        raise ArgumentValueError(f"tpu: chip must be a name like 'v5e' or 'v2-8', got {spec!r}")
    m = re.fullmatch(r"\s*([a-z0-9-]+?)(?:-(\d+))?\s*", spec.lower())
    name = _ALIASES.get(m.group(1), m.group(1)) if m else None
    if name not in CHIPS:
        raise ArgumentValueError(
            f"tpu: unknown chip {spec!r}; known generations: {', '.join(CHIPS)} "
            "(optionally with a slice size, e.g. 'v2-8', 'v5e-16')"
        )
    chip = CHIPS[name]
    if m.group(2) is None:
        return SliceSpec(chip, chip.host_chips)
    count = int(m.group(2))
    per = chip.tensorcores_per_chip if chip.slice_counts == "cores" else 1
    chips = count // per
    if count % per or chips < 1 or chips > chip.pod_chips:
        raise ArgumentValueError(
            f"tpu: {spec!r} is not a {chip.name} slice: the number counts {chip.slice_counts} "
            f"({per} per chip), from {per} up to a {chip.pod_chips}-chip pod"
        )
    return SliceSpec(chip, chips)

