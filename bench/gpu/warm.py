"""Compile every CUDA kernel module (family x dtype) in parallel processes, so that the test
suite and the benchmarks that follow find them in CuPy's disk cache instead of compiling one
at a time. Prints the count, the slowest modules and the failures (exit status 1 on any)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _build(job):
    family, short, device = job
    import gputensor as gt

    start = time.perf_counter()
    try:
        gt.device(device).backend.rt.module(family, short)
    except Exception as exc:  # report every failure, not only the first
        return family, short, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return family, short, time.perf_counter() - start, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--workers", type=int, default=min(16, os.cpu_count() or 1))
    args = parser.parse_args()
    from gputensor import dtypes as dt
    from gputensor.devices.cuda import probe
    from gputensor.kernels import kernel_dir

    if not any(info.usable for info in probe.probe()):
        print("warm.py: no working CUDA GPU: " + "; ".join(i.reason for i in probe.probe()))
        return 2

    families = sorted(p.stem for p in kernel_dir("cuda").glob("*.cu"))
    jobs = [(f, d.short, args.device) for f in families for d in dt.ALL_DTYPES]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_build, jobs))
    failed = [r for r in results if r[3]]
    slowest = sorted(results, key=lambda r: -r[2])[:5]
    seconds = time.perf_counter() - start
    names = ", ".join(f"{f}/{s} {sec:.1f}s" for f, s, sec, _ in slowest)
    print(f"compiled {len(results) - len(failed)}/{len(results)} modules in {seconds:.1f} s "
          f"with {args.workers} processes; slowest: {names}")
    for family, short, _, error in failed:
        print(f"FAILED {family}.cu for {short}:\n{error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
