"""Emulation overhead of the TPU device, and what the cost model predicts for real TPUs.

The seeds' MLP training step (784-512-256-128-10, batch 128, RMSprop; the step of
bench/overhead.py) runs on ``tpu:0`` and on the NumPy backend (``cpu``), each in its own
single-threaded process, in one run: the ratio is the price of emulating bf16 MXU numerics,
HBM accounting and a cost record per op (target: at most 2x). Fresh steps and aged steps
(after 700 updates) are both timed. One step on ``tpu:0`` is then profiled and priced on every
generation: estimated step time next to MXU utilisation. The bf16 rounding itself is timed
against ml_dtypes' conversion on a 784x512 weight matrix. The two peers run alternately for
``--rounds`` rounds (default 3) and each timing is the median over rounds.

Run: ``python bench/tpu.py`` (``--quick`` for a short run). Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import per_call, run_worker, write_results  # noqa: E402
from overhead import _time_steps, gputensor_mlp_step  # noqa: E402

HERE = Path(__file__).resolve()
TARGET_RATIO = 2.0
DEVICES = {"numpy": "cpu", "tpu": "tpu:0"}


def worker(name: str, quick: bool) -> dict:
    import warnings

    import numpy as np

    import gputensor as gt

    warnings.simplefilter("ignore", UserWarning)  # the int64 labels become int32 on the TPU
    device = gt.device(DEVICES[name])
    step = gputensor_mlp_step(gt, np, device=device)
    out = _time_steps(step, quick)
    if name == "tpu":
        with gt.tpu.profile(show=False) as prof:
            step()
        out["generations"] = prof.generations()
        out["profile_table"] = prof.table(limit=12)
        out.update(_rounding_times(np))
    return out


def _rounding_times(np) -> dict:
    import ml_dtypes

    import gputensor as gt

    w = np.random.default_rng(0).standard_normal((784, 512)).astype(np.float32)
    ours = per_call(lambda: gt.tpu.round_to_bfloat16(w), number=50, repeat=5)
    ref = per_call(lambda: w.astype(ml_dtypes.bfloat16), number=50, repeat=5)
    return {"bf16_round_784x512": ours, "ml_dtypes_astype_784x512": ref}


def _medians(runs: list[dict]) -> dict:
    """Per timing key, the median over rounds; other entries from the first round."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            out[key] = statistics.median(run[key] for run in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no aged steps")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each peer")
    parser.add_argument("--worker", choices=sorted(DEVICES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.quick)))
        return
    extra = ["--quick"] if args.quick else []
    rounds = 1 if args.quick else args.rounds
    runs = {name: [] for name in DEVICES}
    for _ in range(rounds):  # alternate the peers so that a busy spell hits both
        for name in DEVICES:
            runs[name].append(run_worker(HERE, ["--worker", name, *extra]))
    tpu = _medians(runs["tpu"])
    cpu = _medians(runs["numpy"])
    ratios = {case: tpu[case] / cpu[case] for case in ("mlp_step", "mlp_step_aged") if case in cpu}
    print(f"{'case':<16}{'tpu:0 ms':>10}{'cpu ms':>10}{'ratio':>8}")
    for case, ratio in ratios.items():
        print(f"{case:<16}{tpu[case] * 1e3:>10.2f}{cpu[case] * 1e3:>10.2f}{ratio:>8.2f}")
    met = all(r <= TARGET_RATIO for r in ratios.values())
    print(f"target tpu:0 <= {TARGET_RATIO}x the NumPy backend: {'met' if met else 'MISSED'}")
    print(f"bf16 rounding of 784x512: {tpu['bf16_round_784x512'] * 1e6:.0f} us "
          f"(ml_dtypes astype, no flush: {tpu['ml_dtypes_astype_784x512'] * 1e6:.0f} us)")
    print("\nOne step on tpu:0 (v2), priced by the cost model:\n" + tpu["profile_table"])
    print("\nEstimated step time per generation:")
    estimates = {}
    for chip, totals in tpu["generations"].items():
        estimates[chip] = {"step_time_s": totals["step_time_s"], "mxu_util": totals["mxu_util"]}
        print(f"  {chip:<4} {totals['step_time_s'] * 1e3:8.3f} ms   MXU utilisation "
              f"{100 * totals['mxu_util']:5.1f}%")
    medians = {k: v for k, v in tpu.items() if k.startswith("mlp")}
    path = write_results("tpu", {
        "threads": 1, "quick": args.quick, "rounds": rounds, "target_ratio": TARGET_RATIO,
        "target_met": met,
        "ratios": ratios, "seconds": {"tpu": medians, "numpy": cpu},
        "bf16_rounding_s": {k: tpu[k] for k in ("bf16_round_784x512", "ml_dtypes_astype_784x512")},
        "estimates": estimates, "versions": {"numpy": __import__("numpy").__version__},
    })
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
