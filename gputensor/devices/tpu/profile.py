"""``gt.tpu.profile()``: collect the cost records of every TPU op run inside it; print a table
and totals on exit, and price the same ops on every chip generation."""

from __future__ import annotations

import sys
import threading
from collections import defaultdict

from .chips import CHIPS, ChipSpec, parse_slice
from .cost import CostRecord, OpSpec, cost

_ACTIVE: list = []
_lock = threading.Lock()


def active() -> bool:
    return bool(_ACTIVE)


def note(device: str, chip: ChipSpec, spec: OpSpec) -> None:
    """Hand one op to every open profile (any thread: replicas run in threads)."""
    for prof in _ACTIVE:
        prof.entries.append((device, chip, spec))


class profile:
    """Collect the cost records of TPU ops (a context manager).

    On exit it prints a table (ops grouped by name, shape and dtype, most expensive first) and
    totals, unless ``show=False``; the data stay available through :meth:`records`,
    :meth:`totals` and :meth:`generations`.

    Examples
    --------
    >>> import gputensor as gt
    >>> with gt.tpu.profile(show=False) as prof:
    ...     with gt.device("tpu:0", chip="v5e"):
    ...         y = gt.ones((1024, 1024), dtype=gt.bfloat16) @ gt.ones((1024, 1024), dtype=gt.bfloat16)
    >>> rec = [r for r in prof.records() if r.op == "matmul"][0]
    >>> rec.cycles, rec.bound
    (16766, 'compute')
    """

    def __init__(self, show: bool = True, file=None, limit: int = 20):
        self.show = show
        self.file = file
        self.limit = limit
        self.entries: list[tuple[str, ChipSpec, OpSpec]] = []

    def __enter__(self) -> profile:
        with _lock:
            _ACTIVE.append(self)
        return self

    def __exit__(self, exc_type, *exc) -> None:
        with _lock:
            _ACTIVE.remove(self)
        if self.show and exc_type is None:
            print(self.report(), file=self.file or sys.stdout)

    # --- data ------------------------------------------------------------------------------
    def records(self, chip=None) -> list[CostRecord]:
        """One record per op, on the chip each device has (or on ``chip`` for all)."""
        spec = None if chip is None else _chip(chip)
        return [cost(op, spec or own) for _, own, op in self.entries]

    def totals(self, chip=None) -> dict:
        """Totals of the profiled ops: estimated step time (the busiest device's sum of op times,
        one launch per op), FLOPs, HBM bytes, time per bound, and MXU utilisation of the step."""
        spec = None if chip is None else _chip(chip)
        per_device = defaultdict(float)
        by_bound = defaultdict(float)
        flops = 0.0
        nbytes = 0
        peak = 0.0
        for device, own, op in self.entries:
            rec = cost(op, spec or own)
            per_device[device] += rec.time_s
            by_bound[rec.bound] += rec.time_s
            flops += rec.flops if rec.kind == "gemm" else 0.0
            nbytes += rec.bytes
            peak = (spec or own).peak_bf16_device
        step = max(per_device.values(), default=0.0)
        devices = max(len(per_device), 1)
        util = flops / (step * peak * devices) if step and peak else 0.0
        return {
            "chip": spec.name if spec else ",".join(sorted({own.name for _, own, _ in self.entries})),
            "ops": len(self.entries),
            "devices": len(per_device),
            "step_time_s": step,
            "mxu_flops": flops,
            "hbm_bytes": nbytes,
            "mxu_util": util,
            "time_by_bound_s": dict(by_bound),
        }

    def generations(self) -> dict[str, dict]:
        """:meth:`totals` priced on each chip generation (v2, v3, v4, v5e)."""
        return {name: self.totals(chip) for name, chip in CHIPS.items()}

    # --- text ------------------------------------------------------------------------------
    def table(self, chip=None, limit: int | None = None) -> str:
        """The records grouped by (op, shape, dtype), most expensive first."""
        groups: dict[tuple, list[CostRecord]] = defaultdict(list)
        for rec in self.records(chip):
            groups[(rec.op, rec.shape, rec.dtype)].append(rec)
        rows = sorted(groups.items(), key=lambda kv: -sum(r.time_s for r in kv[1]))
        limit = self.limit if limit is None else limit
        head = (f"{'op':<22}{'shape':<20}{'dtype':<9}{'calls':>6}{'GFLOP':>9}{'MB':>9}{'FLOP/B':>8}"
                f"{'cycles':>10}{'time us':>10}  {'bound':<9}{'MXU%':>6}{'pad%':>6}")
        lines = [head, "-" * len(head)]
        for (op, shape, dtype), recs in rows[:limit]:
            first = recs[0]
            total = sum(r.time_s for r in recs)
            lines.append(
                f"{op[:21]:<22}{str(list(shape))[:19]:<20}{dtype[:8]:<9}{len(recs):>6}"
                f"{sum(r.flops for r in recs) / 1e9:>9.3f}{sum(r.bytes for r in recs) / 1e6:>9.2f}"
                f"{first.intensity:>8.1f}{sum(r.cycles for r in recs):>10.0f}{total * 1e6:>10.2f}"
                f"  {first.bound:<9}{100 * first.mxu_util:>6.1f}{100 * first.padding_waste:>6.1f}"
            )
        if len(rows) > limit:
            rest = sum(r.time_s for _, recs in rows[limit:] for r in recs)
            lines.append(f"... {len(rows) - limit} more groups, {rest * 1e6:.2f} us")
        return "\n".join(lines)

    def report(self) -> str:
        """Table, totals, and the estimated step time on every generation."""
        totals = self.totals()
        lines = [self.table(), "", _totals_line(totals), "", "Estimated step time per generation:"]
        for name, t in self.generations().items():
            lines.append(f"  {name:<4} {t['step_time_s'] * 1e3:10.3f} ms   MXU utilisation "
                         f"{100 * t['mxu_util']:5.1f}%")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<gt.tpu.profile: {len(self.entries)} ops>"


def _totals_line(t: dict) -> str:
    bounds = ", ".join(f"{k} {v * 1e6:.1f} us" for k, v in sorted(t["time_by_bound_s"].items()))
    return (f"Total on {t['chip'] or '-'}: {t['ops']} ops, step {t['step_time_s'] * 1e6:.1f} us, "
            f"{t['mxu_flops'] / 1e9:.3f} GFLOP on the MXU, {t['hbm_bytes'] / 1e6:.2f} MB of HBM "
            f"traffic, MXU utilisation {100 * t['mxu_util']:.1f}% ({bounds})")


def _chip(chip) -> ChipSpec:
    return chip if isinstance(chip, ChipSpec) else parse_slice(chip).chip
