"""Input-pipeline throughput: a 1M-line, 10-column numeric CSV through
TextLineDataset -> decode_csv -> shuffle(10000) -> batch(1024), against pandas.read_csv plus
NumPy shuffling and batching, each in its own process, in one run.

Variants (rows per second, median and best of the repeats; ratio = gputensor / pandas):
- ``gputensor``: ``TextLineDataset(f).batch(8192).map(decode_csv).unbatch().shuffle(10000)
  .batch(1024)`` — decode_csv parses each block of 8192 lines at once, one thread;
- ``gputensor_parallel``: the same with ``map(num_parallel_calls=AUTOTUNE)`` and ``prefetch``;
- ``gputensor_csv_dataset``: ``CsvDataset(f, defaults).shuffle(10000).batch(1024)``;
- ``gputensor_per_line``: ``TextLineDataset(f).map(decode_csv)`` one line at a time, the way
  the seeds write it (on the first 100,000 lines: informative, not the target);
- ``pandas``: ``pd.read_csv`` then a NumPy permutation and 1024-row gathers.
Every variant ends with the batches as its framework's arrays (gputensor tensors, NumPy).

Run: ``python bench/data_pipeline.py`` (``--quick``: 200,000 lines, one repeat). Target:
gputensor >= 50% of pandas in wall-clock rows per second. CPU seconds are reported too: on a
shared machine they are steadier than wall time. Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_worker, write_results  # noqa: E402

HERE = Path(__file__).resolve()
COLUMNS = 10
SHUFFLE = 10000
BATCH = 1024
BLOCK = 8192
DEFAULTS = [[0.0]] * (COLUMNS - 1) + [[0]]
VARIANTS = ("pandas", "gputensor", "gputensor_parallel", "gputensor_csv_dataset", "gputensor_per_line")
PER_LINE_ROWS = 100_000


def write_csv(path: Path, lines: int) -> None:
    """``lines`` records: nine float columns (``%.6g`` of normals) and an integer label."""
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        for start in range(0, lines, 100_000):
            n = min(100_000, lines - start)
            values = rng.standard_normal((n, COLUMNS - 1)).astype(np.float32).tolist()
            labels = rng.integers(0, 10, n).tolist()
            rows = [",".join(f"{v:.6g}" for v in row) + f",{label}" for row, label in zip(values, labels)]
            f.write("\n".join(rows) + "\n")


# --- workers: each runs in its own process and prints {"rows": ..., "seconds": ...} ------------

def _consume(dataset) -> int:
    rows = 0
    for batch in dataset:
        rows += batch[0].shape[0]
    return rows


def worker_gputensor(path, parallel: bool):
    import gputensor as gt

    calls = gt.data.AUTOTUNE if parallel else None
    clock = _Clock()
    ds = gt.data.TextLineDataset(path).batch(BLOCK)
    ds = ds.map(lambda lines: gt.data.decode_csv(lines, DEFAULTS), num_parallel_calls=calls)
    ds = ds.unbatch().shuffle(SHUFFLE, seed=0).batch(BATCH)
    if parallel:
        ds = ds.prefetch(gt.data.AUTOTUNE)
    rows = _consume(ds)
    return rows, clock.stop()


def worker_csv_dataset(path):
    import gputensor as gt

    clock = _Clock()
    rows = _consume(gt.data.CsvDataset(path, DEFAULTS).shuffle(SHUFFLE, seed=0).batch(BATCH))
    return rows, clock.stop()


def worker_per_line(path):
    import gputensor as gt

    clock = _Clock()
    lines = gt.data.TextLineDataset(path).take(PER_LINE_ROWS)
    ds = lines.map(lambda line: gt.data.decode_csv(line, DEFAULTS))
    rows = _consume(ds.shuffle(SHUFFLE, seed=0).batch(BATCH))
    return rows, clock.stop()


def worker_pandas(path):
    import pandas as pd

    clock = _Clock()
    frame = pd.read_csv(path, header=None)
    x = frame.iloc[:, :COLUMNS - 1].to_numpy(np.float32)
    y = frame.iloc[:, COLUMNS - 1].to_numpy(np.int32)
    order = np.random.default_rng(0).permutation(len(x))
    rows = 0
    for i in range(0, len(x), BATCH):
        index = order[i:i + BATCH]
        bx = x[index]
        by = y[index]
        rows += min(len(bx), len(by))
    return rows, clock.stop()


class _Clock:
    """Wall and CPU time of the same stretch of code."""

    def __init__(self):
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self):
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_one(variant: str, path: str) -> dict:
    if variant == "pandas":
        rows, seconds = worker_pandas(path)
    elif variant == "gputensor":
        rows, seconds = worker_gputensor(path, parallel=False)
    elif variant == "gputensor_parallel":
        rows, seconds = worker_gputensor(path, parallel=True)
    elif variant == "gputensor_csv_dataset":
        rows, seconds = worker_csv_dataset(path)
    else:
        rows, seconds = worker_per_line(path)
    seconds, cpu = seconds
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds, "cpu_seconds": cpu,
            "rows_per_cpu_second": rows / cpu}


# --- the driver ---------------------------------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    lines = 200_000 if args.quick else 1_000_000
    repeats = 1 if args.quick else args.repeats
    folder = Path(tempfile.mkdtemp(prefix="gt-bench-csv-"))
    path = folder / "data.csv"
    write_csv(path, lines)
    samples = {v: [] for v in VARIANTS}
    for _ in range(repeats):
        for variant in VARIANTS:
            samples[variant].append(run_worker(HERE, ["worker", variant, str(path)]))
    summary = {}
    for variant, runs in samples.items():
        summary[variant] = {"rows_per_second": statistics.median(r["rows_per_second"] for r in runs),
                            "best_rows_per_second": max(r["rows_per_second"] for r in runs),
                            "rows_per_cpu_second": statistics.median(r["rows_per_cpu_second"] for r in runs),
                            "runs": runs}
    pandas_rate = summary["pandas"]["rows_per_second"]
    pandas_cpu_rate = summary["pandas"]["rows_per_cpu_second"]
    pandas_best = summary["pandas"]["best_rows_per_second"]
    print(f"{'':24s} {'rows/s (wall)':>14s} {'of pandas':>10s} {'best-of-N':>10s} "
          f"{'rows/CPU-s':>12s} {'of pandas':>10s}")
    for variant, info in summary.items():
        info["ratio_to_pandas"] = info["rows_per_second"] / pandas_rate
        info["best_ratio_to_pandas"] = info["best_rows_per_second"] / pandas_best
        info["cpu_ratio_to_pandas"] = info["rows_per_cpu_second"] / pandas_cpu_rate
        print(f"{variant:24s} {info['rows_per_second']:>14,.0f} {info['ratio_to_pandas']:>10.1%} "
              f"{info['best_ratio_to_pandas']:>10.1%} {info['rows_per_cpu_second']:>12,.0f} "
              f"{info['cpu_ratio_to_pandas']:>10.1%}")
    os.remove(path)
    os.rmdir(folder)
    target = summary["gputensor"]["ratio_to_pandas"] >= 0.5
    print(f"target (gputensor >= 50% of pandas, one thread): {'met' if target else 'NOT met'}")
    out = write_results("data_pipeline", {"lines": lines, "columns": COLUMNS, "repeats": repeats,
                                          "load_average_after": os.getloadavg(),
                                          "shuffle_buffer": SHUFFLE, "batch": BATCH, "block": BLOCK,
                                          "results": summary, "target_met": target})
    print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "worker":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
    else:
        main()
