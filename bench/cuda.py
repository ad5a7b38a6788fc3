"""The CUDA backend on one NVIDIA GPU against the GPU's own ceilings and the libraries a user
would pick instead, in one process and one run (issue 6's targets).

Cases (fresh random inputs each run; every output checked against a float64 reference before
any timing; CUDA events around the timed work after warm-up; medians):
- copy: device-to-device memcpy of 1 GiB, GB/s counting bytes read plus written: the ceiling;
- add, fma: ``a + b`` and the fused ``gt.fma(a, b, c)`` on 256M float32,
  GB/s of the bytes the op must move, target >= 85% of copy; the composed ``a * b + c`` (two
  kernels) is reported beside them;
- sum over 256M float32, target >= 80% of copy; softmax over 16384 x 4096, >= 70%;
- matmul float32 4096^3 against cuBLAS (PyTorch, TF32 off), >= 70%; bfloat16 8192^3, >= 60%;
- one training step of the seeds' MLP (784-512-256-128-10, dropout 0.2, RMSprop) at batch 128
  and 4096 against PyTorch eager on the same GPU: time ratio <= 1.0 and <= 1.2;
- for information (no target): conv2d forward, 3x3, 64 -> 64 channels on 32 x 64 x 56 x 56
  float32 (the implicit-GEMM kernel) against cuDNN through PyTorch (TF32 off).

Run: ``python bench/cuda.py [--quick] [--out DIR] [--cases add,sum,...]``. Prints a table and
writes JSON (GPU, driver, CUDA, commit, date, medians, ratios) to bench/results/ and DIR.
Exits with status 2 and a clear message where no GPU works.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
# This file is named cuda.py: with its folder on the import path, CuPy's `import cuda` (the
# cuda-pathfinder package) would import this script. Drop the folder; load its helpers by path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", _HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


write_results = _load("common").write_results
KERAS = _load("keras_common")

CASES = ("copy", "add", "fma", "sum", "softmax", "matmul_f32", "matmul_bf16", "mlp_128", "mlp_4096", "conv")
TARGETS = {"add": 0.85, "fma": 0.85, "sum": 0.80, "softmax": 0.70, "matmul_f32": 0.70, "matmul_bf16": 0.60,
           "mlp_128": 1.0, "mlp_4096": 1.2}
N = 256 * 2**20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", type=Path, default=None, help="also copy the JSON result here")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated subset of {', '.join(CASES)}")
    args = parser.parse_args(argv)
    args.cases = [c for c in args.cases.split(",") if c]
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown cases {unknown}; choose from {', '.join(CASES)}")
    return args


def gpu_or_exit(spec: str):
    """The gputensor device, or exit 2 saying why CUDA cannot be used here."""
    from gputensor.devices.cuda import probe

    usable = [info for info in probe.probe() if info.usable]
    if not usable:
        reason = "; ".join(info.reason for info in probe.probe())
        print(f"bench/cuda.py: no working CUDA GPU here ({reason}); run it on a GPU machine", file=sys.stderr)
        sys.exit(2)
    import gputensor as gt

    return gt.device(spec)


class Timer:
    """Median milliseconds of ``fn`` between CUDA events recorded on ``stream``."""

    def __init__(self, repeat: int, warmup: int):
        self.repeat = repeat
        self.warmup = warmup

    def __call__(self, fn, stream, inner: int = 1) -> float:
        import cupy as cp

        for _ in range(self.warmup):
            fn()
        stream.synchronize()
        samples = []
        for _ in range(self.repeat):
            start, stop = cp.cuda.Event(), cp.cuda.Event()
            start.record(stream)
            for _ in range(inner):
                fn()
            stop.record(stream)
            stop.synchronize()
            samples.append(cp.cuda.get_elapsed_time(start, stop) / inner)
        return statistics.median(samples)


def _rel(got, want) -> float:
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if not np.all(np.isfinite(got)):
        return float("inf")
    return float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300))


def _check(name: str, error: float, tol: float, results: dict) -> None:
    results.setdefault("checks", {})[name] = error
    if not error <= tol:
        raise AssertionError(f"{name}: relative error {error:.3g} exceeds {tol:g}; not timing a wrong result")


def _sample(x_dev, idx):
    """Host values of the flat device tensor at ``idx`` (a spot check of a huge result)."""
    import gputensor as gt

    return gt.take(x_dev.reshape(-1), gt.asarray(idx, device=x_dev.device)).numpy()


def memory_cases(dev, args, timer, results) -> None:
    import cupy as cp

    import gputensor as gt

    backend = dev.backend
    stream = backend.rt.stream
    seed = int(time.time())
    a = gt.randn(N, seed=seed, device=dev)
    b = gt.randn(N, seed=seed + 1, device=dev)
    c = gt.randn(N, seed=seed + 2, device=dev)
    idx = np.random.default_rng(seed).integers(0, N, 1 << 16)
    ha, hb, hc = (_sample(t, idx) for t in (a, b, c))
    gbs = {}
    if "copy" in args.cases or any(k in args.cases for k in ("add", "fma", "sum", "softmax")):
        dst = gt.empty(N, device=dev)
        backend.copy_into(dst._data, a._data)
        _check("copy", _rel(_sample(dst, idx), ha), 0.0, results)
        ms = timer(lambda: backend.copy_into(dst._data, a._data), stream)
        gbs["copy"] = 2 * 4 * N / ms / 1e6
        del dst
    if "add" in args.cases:
        _check("add", _rel(_sample(a + b, idx), ha.astype(np.float64) + hb), 1e-7, results)
        gbs["add"] = 3 * 4 * N / timer(lambda: a + b, stream) / 1e6
    if "fma" in args.cases:
        def fused():
            return gt.fma(a, b, c)

        got = _sample(fused(), idx)
        _check("fma", _rel(got, ha.astype(np.float64) * hb + hc), 1e-7, results)
        gbs["fma"] = 4 * 4 * N / timer(fused, stream) / 1e6
        gbs["fma_composed"] = 4 * 4 * N / timer(lambda: a * b + c, stream) / 1e6
    b = c = None  # free 2 GiB before the softmax
    if "sum" in args.cases:
        want = float(cp.asarray(backend.to_cupy(a._data), dtype=cp.float64).sum())
        _check("sum", abs(a.sum().item() - want) / max(abs(want), 1.0), 1e-4, results)
        gbs["sum"] = 4 * N / timer(lambda: a.sum(), stream) / 1e6
    if "softmax" in args.cases:
        x = a[: 16384 * 4096].reshape(16384, 4096)
        ref = cp.asarray(backend.to_cupy(x._data), dtype=cp.float64)
        ref = cp.exp(ref - ref.max(axis=1, keepdims=True))
        ref /= ref.sum(axis=1, keepdims=True)
        got = cp.asarray(backend.to_cupy(gt.softmax(x, axis=1)._data), dtype=cp.float64)
        _check("softmax", float(cp.linalg.norm(got - ref) / cp.linalg.norm(ref)), 1e-5, results)
        gbs["softmax"] = 2 * 4 * x.size / timer(lambda: gt.softmax(x, axis=1), stream) / 1e6
    results["GB/s"] = gbs
    for case in ("add", "fma", "sum", "softmax"):
        if case in gbs and "copy" in gbs:
            results["ratios"][case] = gbs[case] / gbs["copy"]


def matmul_cases(dev, args, timer, results) -> None:
    import torch

    import gputensor as gt

    torch.backends.cuda.matmul.allow_tf32 = False
    results.setdefault("TFLOP/s", {})
    for case, size, dtype, tdtype, tol in (("matmul_f32", 4096, gt.float32, torch.float32, 1e-5),
                                           ("matmul_bf16", 8192, gt.bfloat16, torch.bfloat16, 1e-2)):
        if case in args.cases:
            _matmul(dev, timer, results, case, size, dtype, tdtype, tol)


def _matmul(dev, timer, results, case, size, dtype, tdtype, tol) -> None:
    import cupy as cp
    import torch

    import gputensor as gt

    backend = dev.backend
    seed = int(time.time())
    a = gt.randn(size, size, seed=seed, device=dev).astype(dtype)
    b = gt.randn(size, size, seed=seed + 1, device=dev).astype(dtype)
    ta = torch.from_dlpack(backend.to_cupy(a.astype(gt.float32)._data)).to(tdtype)
    tb = torch.from_dlpack(backend.to_cupy(b.astype(gt.float32)._data)).to(tdtype)
    ref = ta.double() @ tb.double()
    norm = torch.linalg.norm(ref)
    ours = torch.from_dlpack(backend.to_cupy((a @ b).astype(gt.float32)._data)).double()
    _check(case, float(torch.linalg.norm(ours - ref) / norm), tol, results)
    _check(case + "_torch", float(torch.linalg.norm((ta @ tb).double() - ref) / norm), tol, results)
    del ref, ours
    flops = 2 * size**3
    mine = timer(lambda: a @ b, backend.rt.stream)
    theirs = timer(lambda: ta @ tb, cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream))
    results["TFLOP/s"][case] = flops / mine / 1e9
    results["TFLOP/s"][case + "_cublas"] = flops / theirs / 1e9
    results["ratios"][case] = theirs / mine


def conv_case(dev, timer, results) -> None:
    import cupy as cp
    import torch

    import gputensor as gt

    torch.backends.cudnn.allow_tf32 = False
    seed = int(time.time())
    x = gt.randn(32, 64, 56, 56, seed=seed, device=dev)
    w = gt.randn(64, 64, 3, 3, seed=seed + 1, device=dev) * 0.05
    tx = torch.from_dlpack(dev.backend.to_cupy(x._data))
    tw = torch.from_dlpack(dev.backend.to_cupy(w._data))
    ref = torch.nn.functional.conv2d(tx.double(), tw.double(), padding=1)
    ours = torch.from_dlpack(dev.backend.to_cupy(gt.nn.functional.conv2d(x, w, padding=1)._data)).double()
    _check("conv", float(torch.linalg.norm(ours - ref) / torch.linalg.norm(ref)), 1e-5, results)
    del ref, ours
    flops = 2 * 32 * 64 * 56 * 56 * 64 * 9
    mine = timer(lambda: gt.nn.functional.conv2d(x, w, padding=1), dev.backend.rt.stream)
    stream = cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream)
    theirs = timer(lambda: torch.nn.functional.conv2d(tx, tw, padding=1), stream)
    results.setdefault("TFLOP/s", {})["conv"] = flops / mine / 1e9
    results["TFLOP/s"]["conv_cudnn"] = flops / theirs / 1e9
    results["ratios"]["conv"] = theirs / mine


def mlp_cases(dev, args, timer, results) -> None:
    results["ms per step"] = {}
    for case in ("mlp_128", "mlp_4096"):
        if case in args.cases:
            _mlp(dev, timer, results, case, int(case.split("_")[1]))


def _gputensor_mlp(dev, x, onehot):
    import gputensor as gt
    from gputensor.nn import training

    hidden, classes = KERAS.HIDDEN, KERAS.CLASSES
    with dev:
        model = gt.nn.Sequential()
        model.add(gt.nn.Dense(hidden[0], activation="relu", input_shape=(784,)))
        model.add(gt.nn.Dense(hidden[1], activation="relu"))
        model.add(gt.nn.Dense(hidden[2], activation="relu"))
        model.add(gt.nn.Dropout(0.2))
        model.add(gt.nn.Dense(classes, activation="softmax"))
        model.compile(loss="categorical_crossentropy", optimizer=gt.nn.optimizers.RMSprop(),
                      metrics=["accuracy"])
        xd = gt.asarray(x, device=dev)
        yd = gt.asarray(onehot, device=dev)
        first = model.train_on_batch(xd, yd)

    def step():
        with dev:
            training.train_step(model, xd, yd, None)

    return step, first


def _torch_mlp(x, labels):
    import torch

    sizes = (784, *KERAS.HIDDEN, KERAS.CLASSES)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(KERAS.HIDDEN):
            layers.append(torch.nn.ReLU())
        if i == len(KERAS.HIDDEN) - 1:
            layers.append(torch.nn.Dropout(0.2))
    net = torch.nn.Sequential(*layers).cuda()
    opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt = torch.from_numpy(x).cuda()
    yt = torch.from_numpy(labels).cuda()

    def step():
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def _mlp(dev, timer, results, case, batch) -> None:
    import cupy as cp
    import torch

    rng = np.random.default_rng(int(time.time()))
    x = rng.random((batch, 784), np.float32)
    labels = rng.integers(0, KERAS.CLASSES, batch)
    ours, first = _gputensor_mlp(dev, x, np.eye(KERAS.CLASSES, dtype=np.float32)[labels])
    finite = np.isfinite(np.asarray(first, np.float64)).all()
    _check(case, 0.0 if finite else float("inf"), 0.0, results)
    theirs_step = _torch_mlp(x, labels)
    inner = 20 if batch == 128 else 5
    mine = timer(ours, dev.backend.rt.stream, inner)
    theirs = timer(theirs_step, cp.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream), inner)
    results["ms per step"][case] = mine
    results["ms per step"][case + "_torch"] = theirs
    results["ratios"][case] = mine / theirs


def gpu_facts(dev) -> dict:
    from gputensor.devices.cuda import probe

    info = [i for i in probe.probe() if i.name == dev.name][0]
    return {"gpu": info.description, **info.details}


def main(argv=None) -> int:
    args = parse_args(argv)
    dev = gpu_or_exit(args.device)
    timer = Timer(repeat=7 if args.quick else 25, warmup=2 if args.quick else 5)
    results = {"ratios": {}, "targets": TARGETS, **gpu_facts(dev)}
    memory_cases(dev, args, timer, results)
    if any(c.startswith("matmul") for c in args.cases):
        matmul_cases(dev, args, timer, results)
    if any(c.startswith("mlp") for c in args.cases):
        mlp_cases(dev, args, timer, results)
    if "conv" in args.cases:
        try:  # informational, and new: its failure must not lose the results above
            conv_case(dev, timer, results)
        except Exception as exc:  # noqa: BLE001
            results["conv_error"] = f"{type(exc).__name__}: {exc}"
            print(f"conv case failed: {results['conv_error']}")
    met = {}
    for case, ratio in results["ratios"].items():
        if case in TARGETS:
            met[case] = ratio <= TARGETS[case] if case.startswith("mlp") else ratio >= TARGETS[case]
    results["met"] = met
    path = write_results("cuda", results)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, args.out / path.name)
    driver, runtime = results.get("driver (CUDA)"), results.get("CUDA runtime")
    print(f"{results['gpu']}  (driver supports CUDA {driver}, CUDA runtime {runtime})")
    for case, ratio in results["ratios"].items():
        if case not in TARGETS:
            print(f"  {case:<12} ratio {ratio:6.3f}  (no target: for information)")
            continue
        sign = "<=" if case.startswith("mlp") else ">="
        verdict = "met" if met[case] else "MISSED"
        print(f"  {case:<12} ratio {ratio:6.3f}  target {sign} {TARGETS[case]:.2f}  {verdict}")
    print(json.dumps({k: results[k] for k in ("GB/s", "TFLOP/s", "ms per step") if k in results}, indent=1))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
