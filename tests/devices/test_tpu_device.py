"""The ``tpu:N`` device as a whole: the seeds' example, device options and discovery, transfers,
the MLP training step with a per-generation profile, and guards on the backend."""

from __future__ import annotations

import inspect
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices.info import available_devices, report
from gputensor.devices.numpy_backend import NumpyBackend
from gputensor.devices.tpu.backend import TpuBackend
from gputensor.nn.functional import cross_entropy


def test_the_seeds_example_prints_three_threes(capsys):
    with gt.device("tpu:0"):
        x = gt.ones(3)
        y = gt.ones(3)
        a = gt.tensor(2.0)
        res = a * x + y
    print(res.numpy())
    assert capsys.readouterr().out.strip() == "[3. 3. 3.]"
    assert str(res.device) == "tpu:0" and res.dtype is gt.float32


def test_info_lists_the_emulated_tpu_with_chip_and_hbm():
    text = report()
    assert "tpu:" in text and "tpu:7" in text
    assert "emulated TPU v2 (slice v2-8, chip 0 core 0): 8.00 GiB HBM (7.50 GiB usable)" in text
    assert "TPU v2: 1 MXU(s) of 128x128 at 0.70 GHz" in text


def test_emulated_devices_join_the_generic_suite_only_when_named():
    names = [str(d) for d in available_devices()]
    assert not any(n.startswith("tpu") for n in names) and "cpu" in names
    assert "tpu:0" in [str(d) for d in available_devices(include_emulated=True)]


def test_chip_comes_from_the_option_or_the_environment():
    assert gt.device("tpu:0", chip="v5e").backend.chip.name == "v5e"
    env = {**os.environ, "GPUTENSOR_TPU_CHIP": "v4-8"}
    code = "import gputensor as gt; b = gt.device('tpu:3').backend; print(b.chip.name, b.slice.name)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["v4", "v4-8"]
    with pytest.raises(ValueError, match="unknown chip 'v9'"):
        gt.device("tpu:0", chip="v9")
    with pytest.raises(ValueError, match="x64 must be one of"):
        gt.device("tpu:0", x64="truncate")


def test_transfers_copy_and_are_costed():
    dev = gt.device("tpu:0")
    t = gt.asarray(np.arange(4, dtype=np.float32), device=dev)
    host = t.numpy()
    host[0] = 99.0
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0], "device memory is not the host array"
    assert gt.tpu.last_cost(dev).op == "device_to_host"
    other = t.to("tpu:1")
    hop = gt.tpu.last_cost("tpu:1")
    assert hop.op == "device_to_device"
    assert hop.time_s == pytest.approx(512 / 5e10 + 1e-6 + 1e-6)  # V/w + one hop + launch (v2)
    assert other.tolist() == [0.0, 1.0, 2.0, 3.0] and str(other.device) == "tpu:1"
    back = other.cpu()
    assert str(back.device) == "cpu"
    with pytest.raises(RuntimeError, match="different devices"):
        t + gt.ones(4)


LAYERS = (784, 512, 256, 128, 10)


def _mlp_step(device):
    rng = np.random.default_rng(0)
    x = gt.asarray(rng.standard_normal((128, LAYERS[0])).astype(np.float32), device=device)
    y = gt.asarray(rng.integers(0, 10, 128).astype(np.int32), device=device)
    params = []
    for i, o in zip(LAYERS[:-1], LAYERS[1:]):
        w = (rng.standard_normal((i, o)) * math.sqrt(2.0 / i)).astype(np.float32)
        params += [gt.asarray(w, device=device).requires_grad_(), gt.zeros(o, device=device).requires_grad_()]
    square = [gt.zeros_like(p) for p in params]

    def step():
        with gt.GradientTape() as tape:
            h = x
            for i in range(0, len(params), 2):
                h = h @ params[i] + params[i + 1]
                if i < len(params) - 2:
                    h = gt.relu(h)
            loss = cross_entropy(h, y)
        grads = tape.gradient(loss, params)
        with gt.no_grad():
            for p, g, s in zip(params, grads, square):
                s *= 0.9
                s += g * g * 0.1
                p -= g * 1e-3 / (gt.sqrt(s) + 1e-7)
        return float(loss.item())

    return step


def test_mlp_training_step_runs_on_tpu_with_a_profile_per_generation(capsys):
    step = _mlp_step(gt.device("tpu:0"))
    first = step()
    with gt.tpu.profile() as prof:
        step()
    losses = [step() for _ in range(3)]
    assert losses[-1] < first
    out = capsys.readouterr().out
    assert "Estimated step time per generation" in out
    gens = prof.generations()
    assert list(gens) == ["v2", "v3", "v4", "v5e"]
    for name, totals in gens.items():
        assert totals["step_time_s"] > 0 and 0 < totals["mxu_util"] <= 1, name
        assert f"  {name:<4} {totals['step_time_s'] * 1e3:10.3f} ms" in out
    assert gens["v2"]["step_time_s"] > gens["v4"]["step_time_s"]
    matmuls = [r for r in prof.records() if r.kind == "gemm"]
    assert len(matmuls) == 4 + 4 + 3  # forward, weight gradients, input gradients (not layer 1)


def test_cpu_and_tpu_losses_agree_to_bf16_level():
    cpu = _mlp_step(gt.device("cpu"))()
    tpu = _mlp_step(gt.device("tpu:2"))()
    assert tpu == pytest.approx(cpu, rel=2e-2) and tpu != cpu


ALLOWED_INHERITED = {"view", "empty_cache", "synchronize"}


def test_the_tpu_overrides_every_computing_method_of_the_numpy_backend():
    """A primitive the TPU inherits unchanged would skip its numerics, HBM and cost model."""
    names = {n for n, v in inspect.getmembers(NumpyBackend, callable) if not n.startswith("_")}
    inherited = {n for n in names if getattr(TpuBackend, n) is getattr(NumpyBackend, n)}
    assert inherited <= ALLOWED_INHERITED, sorted(inherited - ALLOWED_INHERITED)


def test_a_chip_spec_can_be_passed_as_the_chip():
    faster = gt.tpu.CHIPS["v5e"].replace(hbm_bandwidth_chip=1638e9)
    dev = gt.device("tpu:0", chip=faster)
    a = gt.ones((8, 4096), dtype=gt.bfloat16, device=dev)
    b = gt.ones((4096, 4096), dtype=gt.bfloat16, device=dev)
    with gt.tpu.profile(show=False) as prof:
        a @ b
    fast = [r for r in prof.records() if r.kind == "gemm"][0]
    slow = [r for r in prof.records("v5e") if r.kind == "gemm"][0]
    assert fast.memory_s == pytest.approx(slow.memory_s / 2)


def test_complex_data_is_refused():
    with pytest.raises(TypeError, match="complex"):
        gt.asarray(np.array([1 + 2j]), device="tpu:0")


@pytest.mark.parametrize("module", [
    "gputensor.tpu", "gputensor.devices.tpu.chips", "gputensor.devices.tpu.profile",
    "gputensor.devices.tpu.replicas", "gputensor.devices.tpu.settings", "gputensor.devices.tpu.layout",
    "gputensor.devices.tpu.scalesim",
])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_random_numbers_match_the_cpu_device():
    for dtype in (gt.float32, gt.bfloat16):
        on_tpu = gt.randn(1000, seed=11, dtype=dtype, device="tpu:0").numpy()
        on_cpu = gt.randn(1000, seed=11, dtype=dtype).numpy()
        np.testing.assert_array_equal(on_tpu.view(np.uint8), on_cpu.view(np.uint8))
    ints_tpu = gt.randint(0, 100, (50,), seed=4, device="tpu:0")
    assert ints_tpu.dtype is gt.int32
    np.testing.assert_array_equal(ints_tpu.numpy(), gt.randint(0, 100, (50,), seed=4).numpy())
