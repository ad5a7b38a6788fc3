"""Eager overhead on the CPU: gputensor against NumPy and PyTorch, each in its own
single-threaded process, in one run.

Cases:
- one op (add, exp) on 1- and 64-element float32 tensors, without and with gradient recording;
- forward + backward of a 10-op elementwise chain on 64 elements;
- one training step of the seeds' MLP 784-512-256-128-10 (relu, softmax cross-entropy,
  RMSprop rho=0.9 eps=1e-7, batch 128): gputensor with core ops and GradientTape, PyTorch
  (autograd + torch.optim.RMSprop), hand-written NumPy. Fresh steps and aged steps (after
  700 updates, when RMSprop state has decayed toward denormals) are both timed.

Run: ``python bench/overhead.py`` (``--quick`` for a short run). Prints medians and ratios
(gputensor / peer; below 1 means gputensor is faster) and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import each_call, per_call, run_worker, write_results  # noqa: E402

HERE = Path(__file__).resolve()
LAYERS = (784, 512, 256, 128, 10)
BATCH = 128
LR, RHO, EPS = 1e-3, 0.9, 1e-7
TARGETS = {"op_forward": 2.0, "chain": 1.0, "mlp_step": 1.2}


# --- per-framework workers ----------------------------------------------------------------------

def _mlp_data(np):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, LAYERS[0])).astype(np.float32)
    y = rng.integers(0, LAYERS[-1], BATCH)
    weights = []
    for i, o in zip(LAYERS[:-1], LAYERS[1:]):
        weights.append((rng.standard_normal((i, o)) * math.sqrt(2.0 / i)).astype(np.float32))
        weights.append(np.zeros(o, np.float32))
    return x, y, weights


def _time_steps(step, quick):
    warm, fresh, age = (5, 20, 0) if quick else (10, 60, 700)
    for _ in range(warm):
        step()
    fresh_t = statistics.median(each_call(step, count=fresh))
    result = {"mlp_step": fresh_t}
    if age:
        for _ in range(age):
            step()
        result["mlp_step_aged"] = statistics.median(each_call(step, count=fresh))
    return result


def worker_gputensor(quick):
    import numpy as np

    import gputensor as gt

    out = {}
    n, r = (20000, 5) if not quick else (5000, 3)
    for size in (1, 64):
        a = gt.ones(size)
        b = gt.ones(size)
        w = gt.ones(size).requires_grad_()
        out[f"add_{size}"] = per_call(lambda a=a, b=b: a + b, number=n, repeat=r)
        out[f"exp_{size}"] = per_call(lambda a=a: gt.exp(a), number=n, repeat=r)
        out[f"mul_grad_{size}"] = per_call(lambda w=w, b=b: w * b, number=n, repeat=r)

    x = gt.asarray(np.linspace(-1, 1, 64, dtype=np.float32)).requires_grad_()

    def chain():
        y = x * 0.5
        y = y + 1.0
        y = gt.sin(y)
        y = y * x
        y = gt.tanh(y)
        y = y - 0.3
        y = gt.exp(y)
        y = y * 0.9
        y = y + x
        y = gt.sigmoid(y)
        y.sum().backward()
        x.grad = None

    out["chain"] = per_call(chain, number=n // 20, repeat=r)

    out.update(_time_steps(gputensor_mlp_step(gt, np), quick))
    return out


def gputensor_mlp_step(gt, np, device=None):
    """The seeds' MLP training step in gputensor (core ops, GradientTape, RMSprop written with
    in-place ops) with its data and weights on ``device``; bench/tpu.py reuses it."""
    from gputensor.nn.functional import cross_entropy

    xd, yd, weights = _mlp_data(np)
    xb = gt.asarray(xd, device=device)
    yb = gt.asarray(yd, device=device)
    params = [gt.asarray(w.copy(), device=device).requires_grad_() for w in weights]
    square = [gt.zeros_like(p) for p in params]

    def step():
        with gt.GradientTape() as tape:
            h = xb
            for i in range(0, len(params), 2):
                h = h @ params[i] + params[i + 1]
                if i < len(params) - 2:
                    h = gt.relu(h)
            loss = cross_entropy(h, yb)
        grads = tape.gradient(loss, params)
        with gt.no_grad():
            for p, g, s in zip(params, grads, square):
                s *= RHO
                s += g * g * (1 - RHO)
                p -= g * LR / (gt.sqrt(s) + EPS)
        return loss

    return step


def worker_torch(quick):
    import numpy as np
    import torch

    torch.set_num_threads(1)
    out = {}
    n, r = (20000, 5) if not quick else (5000, 3)
    for size in (1, 64):
        a = torch.ones(size)
        b = torch.ones(size)
        w = torch.ones(size, requires_grad=True)
        out[f"add_{size}"] = per_call(lambda a=a, b=b: a + b, number=n, repeat=r)
        out[f"exp_{size}"] = per_call(lambda a=a: torch.exp(a), number=n, repeat=r)
        out[f"mul_grad_{size}"] = per_call(lambda w=w, b=b: w * b, number=n, repeat=r)

    x = torch.linspace(-1, 1, 64).requires_grad_()

    def chain():
        y = x * 0.5
        y = y + 1.0
        y = torch.sin(y)
        y = y * x
        y = torch.tanh(y)
        y = y - 0.3
        y = torch.exp(y)
        y = y * 0.9
        y = y + x
        y = torch.sigmoid(y)
        y.sum().backward()
        x.grad = None

    out["chain"] = per_call(chain, number=n // 20, repeat=r)

    xd, yd, weights = _mlp_data(np)
    xb = torch.from_numpy(xd)
    yb = torch.from_numpy(yd)
    params = [torch.from_numpy(w.copy()).requires_grad_() for w in weights]
    opt = torch.optim.RMSprop(params, lr=LR, alpha=RHO, eps=EPS)

    def step():
        h = xb
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    out.update(_time_steps(step, quick))
    return out


def worker_numpy(quick):
    import numpy as np

    out = {}
    n, r = (20000, 5) if not quick else (5000, 3)
    for size in (1, 64):
        a = np.ones(size, np.float32)
        b = np.ones(size, np.float32)
        out[f"add_{size}"] = per_call(lambda a=a, b=b: a + b, number=n, repeat=r)
        out[f"exp_{size}"] = per_call(lambda a=a: np.exp(a), number=n, repeat=r)

    xd, yd, weights = _mlp_data(np)
    params = [w.copy() for w in weights]
    square = [np.zeros_like(p) for p in params]
    onehot = np.eye(LAYERS[-1], dtype=np.float32)[yd]

    def step():
        acts = [xd]
        pre = []
        h = xd
        for i in range(0, len(params), 2):
            z = h @ params[i] + params[i + 1]
            pre.append(z)
            h = np.maximum(z, 0) if i < len(params) - 2 else z
            acts.append(h)
        shifted = h - h.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        d = (p - onehot) / BATCH
        grads = [None] * len(params)
        for layer in range(len(params) // 2 - 1, -1, -1):
            grads[2 * layer] = acts[layer].T @ d
            grads[2 * layer + 1] = d.sum(axis=0)
            if layer:
                d = (d @ params[2 * layer].T) * (pre[layer - 1] > 0)
        for prm, g, s in zip(params, grads, square):
            s *= RHO
            s += (1 - RHO) * g * g
            prm -= LR * g / (np.sqrt(s) + EPS)

    out.update(_time_steps(step, quick))
    return out


WORKERS = {"gputensor": worker_gputensor, "torch": worker_torch, "numpy": worker_numpy}


# --- driver -------------------------------------------------------------------------------------

def _ratios(results):
    g = results["gputensor"]
    rows = []
    for case in sorted(g):
        row = {"case": case, "gputensor_us": g[case] * 1e6}
        for peer in ("torch", "numpy"):
            if case in results[peer]:
                row[f"{peer}_us"] = results[peer][case] * 1e6
                row[f"vs_{peer}"] = g[case] / results[peer][case]
        rows.append(row)
    return rows


def _print(rows):
    print(f"{'case':<18}{'gputensor':>12}{'torch':>12}{'numpy':>12}{'gt/torch':>10}{'gt/numpy':>10}")
    for row in rows:
        def cell(key, width, row=row):
            return f"{row[key]:>{width}.2f}" if key in row else f"{'-':>{width}}"
        print(f"{row['case']:<18}{cell('gputensor_us', 12)}{cell('torch_us', 12)}"
              f"{cell('numpy_us', 12)}{cell('vs_torch', 10)}{cell('vs_numpy', 10)}")
    print("(times in microseconds, medians; ratios = gputensor time / peer time)")


def _verdicts(rows):
    by_case = {row["case"]: row for row in rows}
    op_cases = [c for c in by_case if c.startswith(("add_", "exp_"))]
    verdicts = {
        "op_forward_max_vs_torch": max(by_case[c]["vs_torch"] for c in op_cases),
        "op_grad_max_vs_torch": max(by_case[c]["vs_torch"] for c in by_case if c.startswith("mul_grad")),
        "chain_vs_torch": by_case["chain"]["vs_torch"],
        "mlp_step_vs_torch": by_case["mlp_step"]["vs_torch"],
    }
    if "mlp_step_aged" in by_case:
        verdicts["mlp_step_aged_vs_torch"] = by_case["mlp_step_aged"]["vs_torch"]
    verdicts["targets"] = {
        "op_forward <= 2.0x torch": verdicts["op_forward_max_vs_torch"] <= TARGETS["op_forward"],
        "chain <= 1.0x torch": verdicts["chain_vs_torch"] <= TARGETS["chain"],
        "mlp_step <= 1.2x torch": verdicts["mlp_step_vs_torch"] <= TARGETS["mlp_step"],
    }
    return verdicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no aged steps")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.quick)))
        return
    extra = ["--quick"] if args.quick else []
    results = {name: run_worker(HERE, ["--worker", name, *extra]) for name in ("gputensor", "torch", "numpy")}
    rows = _ratios(results)
    _print(rows)
    verdicts = _verdicts(rows)
    for target, met in verdicts["targets"].items():
        print(f"target {target}: {'met' if met else 'MISSED'}")
    import torch  # noqa: F401  (version recorded below)

    versions = {"torch": sys.modules["torch"].__version__, "numpy": __import__("numpy").__version__}
    path = write_results("overhead", {"threads": 1, "quick": args.quick, "versions": versions,
                                      "seconds": results, "rows": rows, "verdicts": verdicts})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
