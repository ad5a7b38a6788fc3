"""Fashion-MNIST with the seeds' MLP: gputensor's Keras API against PyTorch trained the same
way, each in its own process, in one run.

Reports test accuracy after ``--epochs`` (20) epochs, batch 128, for each framework, as the
mean over ``--seeds`` (3) seeds (quality bar: gputensor >= 0.88 and within one point of
PyTorch), and the time per epoch on the CPU (bar: gputensor <= 1.2x PyTorch). Both run with the
same thread count (``--threads``, default 1: single-threaded, BLAS included); the epoch time is
the median over every run's epochs 2..N (the first epoch warms caches and the buffer pool).

Run: ``python bench/keras_fashion.py`` (``--epochs 3`` for a quick look; ``--device D`` trains
gputensor on another device against PyTorch on the CPU). Needs ``dataset-fashion-mnist``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SINGLE_THREAD_ENV, write_results  # noqa: E402

HERE = Path(__file__).resolve()
ACCURACY_BAR = 0.88
GAP_BAR = 0.01
TIME_BAR = 1.2


def _data():
    import numpy as np

    from gputensor import datasets

    (x_train, y_train), (x_test, y_test) = datasets.load_fashion_mnist()
    x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
    x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255.0
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


def worker(name: str, args) -> dict:
    from keras_common import gputensor_run, torch_run

    data = _data()
    if name == "gputensor":
        acc, seconds, history = gputensor_run(*data, args.epochs, 128, args.seed, args.device)
    else:
        acc, seconds, history = torch_run(*data, args.epochs, 128, args.seed, args.threads)
    return {"seed": args.seed, "accuracy": acc, "epoch_seconds": seconds, "history": history}


def _run(name: str, seed: int, args) -> dict:
    import subprocess

    threads = str(args.threads)
    env = {**os.environ, **{k: threads for k in SINGLE_THREAD_ENV}}
    cmd = [sys.executable, str(HERE), "--worker", name, "--epochs", str(args.epochs), "--seed", str(seed)]
    cmd += ["--threads", threads] + (["--device", args.device] if args.device else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{name} worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(runs: list) -> dict:
    epochs = [t for run in runs for t in (run["epoch_seconds"][1:] or run["epoch_seconds"])]
    return {"accuracy": statistics.mean(r["accuracy"] for r in runs), "epoch_s": statistics.median(epochs),
            "runs": runs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default=None, help="gputensor's device (default: the default device)")
    parser.add_argument("--worker", choices=["gputensor", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return
    runs = {"gputensor": [], "torch": []}
    for seed in range(args.seeds):  # interleaved, so load from elsewhere hits both alike
        for name in runs:
            runs[name].append(_run(name, seed, args))
    results = {name: _summary(r) for name, r in runs.items()}
    g, t = results["gputensor"], results["torch"]
    ratio = g["epoch_s"] / t["epoch_s"]
    gap = t["accuracy"] - g["accuracy"]
    verdicts = {
        "gputensor_accuracy": g["accuracy"],
        "torch_accuracy": t["accuracy"],
        "accuracy_gap": gap,
        "gputensor_epoch_s": g["epoch_s"],
        "torch_epoch_s": t["epoch_s"],
        "epoch_time_ratio": ratio,
        "targets": {
            f"accuracy >= {ACCURACY_BAR}": g["accuracy"] >= ACCURACY_BAR,
            f"within {GAP_BAR:.2f} of torch": gap <= GAP_BAR,
            f"epoch time <= {TIME_BAR}x torch": ratio <= TIME_BAR,
        },
    }
    print(f"{'':<12}{'mean test acc':>14}{'per seed':>30}{'s/epoch':>10}")
    for name, r in results.items():
        per_seed = " ".join(f"{run['accuracy']:.4f}" for run in r["runs"])
        print(f"{name:<12}{r['accuracy']:>14.4f}{per_seed:>30}{r['epoch_s']:>10.3f}")
    print(f"epoch time ratio gputensor/torch: {ratio:.3f} ({args.threads} thread(s) each)")
    for target, met in verdicts["targets"].items():
        print(f"target {target}: {'met' if met else 'MISSED'}")
    import torch

    import gputensor as gt

    payload = {
        "threads": args.threads,
        "epochs": args.epochs,
        "seeds": args.seeds,
        "gputensor_device": args.device or str(gt.default_device()),
        "torch_device": "cpu",
        "versions": {"torch": torch.__version__, "numpy": __import__("numpy").__version__},
        "results": results,
        "verdicts": verdicts,
    }
    print(f"wrote {write_results('keras_fashion', payload)}")


if __name__ == "__main__":
    main()
