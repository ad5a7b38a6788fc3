"""The OpenCL backend on its device against NumPy on the CPU and against plain OpenCL copy
kernels (the bandwidth ceiling), each in its own process, in one run.

Cases (float32):
- matmul at 256, 1024 and 2048: GFLOP/s, gputensor on opencl:0 vs NumPy (all cores, as the
  OpenCL CPU device uses all cores). The ratio comes from rounds that time the two products in
  turn in one process; the NumPy worker's own GFLOP/s (the mean of a run before and one after
  gputensor's) are reported beside it;
- elementwise add, fused multiply-add (``gt.fma(a, b, c)``, one kernel) and exp on
  16M elements, sum over 16M, softmax over 4096 x 1024: GB/s of the bytes the op must move
  (inputs read once, output written once), against the faster of two copy kernels, timed in
  the same rounds (each round runs every case once, in turn; ratios are medians over rounds);
- a 10-op chain on 64-element tensors (the chain of bench/overhead.py), forward and read back,
  and forward + backward: microseconds;
- the first op of a fresh process with a warm kernel cache: milliseconds from the first use of
  the device (pyopencl already imported) to the result on the host;
- for information (no target): a composed conv2d (3x3, 16 -> 32 channels, 32 x 32 images,
  batch 32) + relu + 2x2 max pool, im2col and matmul in ops, against the same ops on the CPU
  backend.

Targets (PoCL on 2 cores): matmul@1024 >= 30% of NumPy, elementwise and sum >= 85% of the copy
bandwidth, softmax >= 60%, chain <= 250 us, first op <= 100 ms.

Run: ``python bench/opencl.py`` (``--quick`` for fewer repetitions). Prints medians and ratios
and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_results  # noqa: E402

HERE = Path(__file__).resolve()
DEVICE = "opencl:0"
N_ELEMENTS = 16 * 1024 * 1024
MATMUL_SIZES = (256, 1024, 2048)
SOFTMAX_SHAPE = (4096, 1024)
TARGETS = {"matmul_1024_vs_numpy": 0.30, "add_vs_copy": 0.85, "fma_vs_copy": 0.85, "exp_vs_copy": 0.85,
           "sum_vs_copy": 0.85, "softmax_vs_copy": 0.60, "chain_us": 250.0, "first_op_ms": 100.0}


def _median_time(fn, sync, repeat: int, number: int = 1) -> float:
    """Median over ``repeat`` samples of the time of ``number`` calls followed by ``sync``."""
    fn()
    sync()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        sync()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


# --- workers (each runs in its own process) --------------------------------------------------

def worker_opencl(quick: bool) -> dict:
    import numpy as np

    import gputensor as gt

    dev = gt.device(DEVICE)
    sync = dev.synchronize
    rng = np.random.default_rng(0)
    repeat = 5 if quick else 11
    out = {"device_name": dev.backend.describe()}
    for n in MATMUL_SIZES:
        host_a = rng.standard_normal((n, n), dtype=np.float32)
        host_b = rng.standard_normal((n, n), dtype=np.float32)
        a = gt.asarray(host_a, device=dev)
        b = gt.asarray(host_b, device=dev)
        # NumPy's product in turn with ours, in this process, so that the ratio compares
        # timings taken moments apart (the NumPy worker's own numbers are kept as well)
        cases = {"opencl": lambda a=a, b=b: a @ b, "numpy": lambda a=host_a, b=host_b: a @ b}
        times = _rounds(cases, sync, repeat if n < 2048 else 5)
        out[f"matmul_{n}_s"] = statistics.median(times["opencl"])
        ratios = [t / o for o, t in zip(times["opencl"], times["numpy"])]
        out[f"matmul_{n}_vs_numpy"] = statistics.median(ratios)
    x, y, z = (gt.asarray(rng.standard_normal(N_ELEMENTS, dtype=np.float32), device=dev) for _ in range(3))
    s = gt.asarray(rng.standard_normal(SOFTMAX_SHAPE, dtype=np.float32), device=dev)
    cases = {
        "add": lambda: x + y,
        "fma": lambda: gt.fma(x, y, z),
        "fma_composed": lambda: x * y + z,
        "exp": lambda: gt.exp(x),
        "sum": lambda: gt.sum(x),
        "softmax": lambda: gt.softmax(s, axis=-1),
        **_copy_kernels(dev),
    }
    out["rounds"] = _rounds(cases, sync, repeat)
    for name, times in out["rounds"].items():
        out[f"{name}_s"] = statistics.median(times)
    out["conv_block_s"] = _conv_block(gt, np, dev, repeat)
    out.update(_chains(gt, np, dev, quick))
    return out


def _rounds(cases: dict, sync, rounds: int) -> dict:
    """Each case once per round, in turn (the best of two calls), so that every round's ratio
    to the copy kernels compares timings taken moments apart on a shared, noisy machine. A
    short pause before each case lets the previous one's threads (OpenBLAS spins after a
    call) go idle."""
    times = {name: [] for name in cases}
    for fn in cases.values():
        fn()
    sync()
    for _ in range(rounds):
        for name, fn in cases.items():
            time.sleep(0.02)
            best = float("inf")
            for _ in range(2):
                start = time.perf_counter()
                fn()
                sync()
                best = min(best, time.perf_counter() - start)
            times[name].append(best)
    return times


def _conv_block(gt, np, dev, repeat) -> float:
    functional = gt.nn.functional
    rng = np.random.default_rng(1)
    x = gt.asarray(rng.standard_normal((32, 16, 32, 32), dtype=np.float32), device=dev)
    w = gt.asarray(rng.standard_normal((32, 16, 3, 3), dtype=np.float32), device=dev)
    return _median_time(lambda: functional.max_pool2d(functional.relu(functional.conv2d(x, w, padding=1)), 2),
                        dev.synchronize, repeat)


def _copy_kernels(dev) -> dict:
    """The two plain copy kernels of opencl_copy.cl over 16M floats, as benchmark cases."""
    import numpy as np
    import pyopencl as cl

    rt = dev.backend.rt
    program = cl.Program(rt.context, (HERE.parent / "opencl_copy.cl").read_text()).build()
    src = cl.Buffer(rt.context, cl.mem_flags.READ_WRITE, 4 * N_ELEMENTS)
    dst = cl.Buffer(rt.context, cl.mem_flags.READ_WRITE, 4 * N_ELEMENTS)
    cl.enqueue_fill_buffer(rt.queue, src, np.float32(1), 0, 4 * N_ELEMENTS)
    scalar = cl.Kernel(program, "copy_scalar")
    vector = cl.Kernel(program, "copy_vector")
    return {
        "copy_scalar": lambda: scalar(rt.queue, (N_ELEMENTS,), (256,), dst, src),
        "copy_vector": lambda: vector(rt.queue, (N_ELEMENTS // 32,), (256,), dst, src),
    }


def _chains(gt, np, dev, quick) -> dict:
    x = gt.asarray(np.linspace(-1, 1, 64, dtype=np.float32), device=dev)
    w = gt.asarray(np.linspace(-1, 1, 64, dtype=np.float32), device=dev).requires_grad_()

    def forward(v):
        y = v * 0.5
        y = y + 1.0
        y = gt.sin(y)
        y = y * v
        y = gt.tanh(y)
        y = y - 0.3
        y = gt.exp(y)
        y = y * 0.9
        y = y + v
        return gt.sigmoid(y)

    def backward():
        forward(w).sum().backward()
        w.grad.numpy()
        w.grad = None

    number = 200 if quick else 1000
    repeat = 5 if quick else 9
    return {
        "chain_s": _median_time(lambda: forward(x).numpy(), lambda: None, repeat, number),
        "chain_no_read_s": _median_time(lambda: forward(x), dev.synchronize, repeat, number),
        "chain_backward_s": _median_time(backward, lambda: None, repeat, number // 4),
    }


def worker_numpy(quick: bool) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    repeat = 5 if quick else 11
    out = {}
    for n in MATMUL_SIZES:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        out[f"matmul_{n}_s"] = _median_time(lambda a=a, b=b: a @ b, lambda: None, repeat if n < 2048 else 3)
    x, y, z = (rng.standard_normal(N_ELEMENTS, dtype=np.float32) for _ in range(3))
    out["add_s"] = _median_time(lambda: x + y, lambda: None, repeat)
    out["exp_s"] = _median_time(lambda: np.exp(x), lambda: None, repeat)
    out["sum_s"] = _median_time(lambda: np.sum(x), lambda: None, repeat)
    import gputensor as gt

    out["conv_block_s"] = _conv_block(gt, np, gt.device("cpu"), repeat)
    return out


def worker_first_op(_quick: bool) -> dict:
    import gputensor as gt
    import gputensor.devices.opencl  # noqa: F401  (pyopencl imported: not part of the timing)

    start = time.perf_counter()
    value = (gt.ones(1000, device=DEVICE) + 1).numpy()
    elapsed = time.perf_counter() - start
    assert float(value[0]) == 2.0
    return {"first_op_s": elapsed}


WORKERS = {"opencl": worker_opencl, "numpy": worker_numpy, "first_op": worker_first_op}


# --- driver -------------------------------------------------------------------------------------

def _run(name: str, quick: bool) -> dict:
    """One worker in a fresh process (all threads: the OpenCL CPU device uses every core too)."""
    args = [sys.executable, str(HERE), "--worker", name] + (["--quick"] if quick else [])
    done = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ))
    if done.returncode != 0:
        raise RuntimeError(f"{name} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _summary(cl: dict, np_: dict, first_ms: float) -> dict:
    gb = 1e9
    nbytes = 4 * N_ELEMENTS
    rounds = cl["rounds"]
    # the ceiling of each round: the faster copy kernel, moving 2 x 64 MiB
    ceiling = [2 * nbytes / min(s, v) / gb for s, v in zip(rounds["copy_scalar"], rounds["copy_vector"])]
    rows = {"copy_scalar_GBps": 2 * nbytes / cl["copy_scalar_s"] / gb,
            "copy_vector_GBps": 2 * nbytes / cl["copy_vector_s"] / gb,
            "copy_GBps": statistics.median(ceiling)}
    moved = {"add": 3 * nbytes, "fma": 4 * nbytes, "exp": 2 * nbytes, "sum": nbytes,
             "softmax": 2 * 4 * SOFTMAX_SHAPE[0] * SOFTMAX_SHAPE[1]}
    for op, nb in moved.items():
        rows[f"{op}_GBps"] = nb / cl[f"{op}_s"] / gb
        rows[f"{op}_vs_copy"] = statistics.median(nb / t / gb / c for t, c in zip(rounds[op], ceiling))
        if f"{op}_s" in np_:
            rows[f"{op}_numpy_GBps"] = nb / np_[f"{op}_s"] / gb
    # ``x * y + z`` written out is two kernels (no fusion without graph capture): the bytes
    # they really move, and the ratio of the fused op's time to theirs
    rows["fma_composed_GBps"] = 6 * nbytes / cl["fma_composed_s"] / gb
    rows["fma_speedup_over_composed"] = cl["fma_composed_s"] / cl["fma_s"]
    for n in MATMUL_SIZES:
        flops = 2 * n**3
        rows[f"matmul_{n}_GFLOPs"] = flops / cl[f"matmul_{n}_s"] / 1e9
        rows[f"matmul_{n}_numpy_GFLOPs"] = flops / np_[f"matmul_{n}_s"] / 1e9
        rows[f"matmul_{n}_vs_numpy"] = cl[f"matmul_{n}_vs_numpy"]
    rows["chain_us"] = cl["chain_s"] * 1e6
    rows["chain_no_read_us"] = cl["chain_no_read_s"] * 1e6
    rows["chain_backward_us"] = cl["chain_backward_s"] * 1e6
    rows["first_op_ms"] = first_ms
    rows["conv_block_ms"] = cl["conv_block_s"] * 1e3
    rows["conv_block_cpu_backend_ms"] = np_["conv_block_s"] * 1e3
    return rows


def _verdicts(rows: dict) -> dict:
    out = {}
    for key, target in TARGETS.items():
        value = rows[key]
        met = value <= target if key.endswith(("_us", "_ms")) else value >= target
        out[key] = {"value": value, "target": target, "met": met}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.quick)))
        return
    # NumPy before and after the OpenCL run: its numbers are the mean of the two
    before = _run("numpy", args.quick)
    cl = _run("opencl", args.quick)
    after = _run("numpy", args.quick)
    np_ = {key: (before[key] + after[key]) / 2 for key in before}
    _run("first_op", args.quick)  # warms the kernel cache for the timed fresh processes
    first = statistics.median(_run("first_op", args.quick)["first_op_s"] for _ in range(5)) * 1e3
    rows = _summary(cl, np_, first)
    verdicts = _verdicts(rows)
    print(f"device: {cl['device_name']}")
    for key, value in rows.items():
        print(f"{key:<26}{value:>12.2f}")
    for key, v in verdicts.items():
        print(f"target {key} {'<=' if key.endswith(('_us', '_ms')) else '>='} {v['target']}: "
              f"{v['value']:.2f} {'met' if v['met'] else 'MISSED'}")
    import numpy

    payload = {"opencl_device": cl["device_name"], "quick": args.quick,
               "versions": {"numpy": numpy.__version__}, "seconds": {"opencl": cl, "numpy": np_},
               "rows": rows, "verdicts": verdicts}
    path = write_results("opencl", payload)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
