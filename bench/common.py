"""Shared benchmark plumbing: timing with medians, machine and commit facts, JSON results."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent

SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
}


def per_call(fn, *, number: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the mean time of ``number`` calls, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def each_call(fn, *, count: int) -> list[float]:
    """Wall time of ``count`` single calls, in seconds."""
    out = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    return {
        "device": "cpu",
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def write_results(name: str, payload: dict) -> Path:
    """Write ``bench/results/<name>-<date>-<commit>.json`` and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc)
    sha = commit()
    payload = {"benchmark": name, "date": now.isoformat(timespec="seconds"), "commit": sha,
               **machine(), **payload}
    path = RESULTS / f"{name}-{now:%Y%m%d-%H%M%S}-{sha}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def run_worker(script: Path, args: list[str]) -> dict:
    """Run one peer in its own single-threaded process; it prints one JSON object."""
    env = {**os.environ, **SINGLE_THREAD_ENV}
    out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])
