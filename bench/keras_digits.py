"""scikit-learn digits with the seeds' MLP (64 inputs): test accuracy over 5 seeds.

Pixels / 16, 80/20 split with ``random_state=0``, 20 epochs, batch 128, RMSprop, as the seeds'
code. Quality bar: gputensor's mean test accuracy >= 0.95. PyTorch, trained the same way with
the same seeds in its own process, is reported alongside for reference; both single-threaded.

Run: ``python bench/keras_digits.py`` (``--seeds 2`` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_worker, write_results  # noqa: E402

HERE = Path(__file__).resolve()
ACCURACY_BAR = 0.95


def worker(name: str, seeds: int, epochs: int) -> dict:
    from keras_common import gputensor_run, torch_run

    from gputensor.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = load_digits(test_size=0.2, random_state=0)
    runs = []
    for seed in range(seeds):
        if name == "gputensor":
            acc, seconds, _ = gputensor_run(x_train, y_train, x_test, y_test, epochs, 128, seed)
        else:
            acc, seconds, _ = torch_run(x_train, y_train, x_test, y_test, epochs, 128, seed, 1)
        runs.append({"seed": seed, "accuracy": acc, "seconds": sum(seconds)})
    return {"runs": runs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--worker", choices=["gputensor", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seeds, args.epochs)))
        return
    flags = ["--seeds", str(args.seeds), "--epochs", str(args.epochs)]
    results = {name: run_worker(HERE, ["--worker", name, *flags]) for name in ("gputensor", "torch")}
    summary = {}
    for name, result in results.items():
        accs = [r["accuracy"] for r in result["runs"]]
        summary[name] = {
            "mean_accuracy": statistics.mean(accs),
            "min_accuracy": min(accs),
            "max_accuracy": max(accs),
            "accuracies": accs,
            "mean_train_seconds": statistics.mean(r["seconds"] for r in result["runs"]),
        }
        print(
            f"{name:<10} mean test accuracy {summary[name]['mean_accuracy']:.4f} over {len(accs)} seeds "
            f"(min {min(accs):.4f}, max {max(accs):.4f}), {summary[name]['mean_train_seconds']:.2f} s per run"
        )
    met = summary["gputensor"]["mean_accuracy"] >= ACCURACY_BAR
    print(f"target mean accuracy >= {ACCURACY_BAR}: {'met' if met else 'MISSED'}")
    payload = {
        "threads": 1,
        "seeds": args.seeds,
        "epochs": args.epochs,
        "batch_size": 128,
        "split": "train_test_split(test_size=0.2, random_state=0), pixels / 16",
        "summary": summary,
        "verdicts": {"targets": {f"mean accuracy >= {ACCURACY_BAR}": met}},
    }
    print(f"wrote {write_results('keras_digits', payload)}")


if __name__ == "__main__":
    main()
