"""The TPU cost model: chip figures and their sources, GEMM goldens from the spec, elementwise,
transfer and collective costs, and profiles priced on every generation."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

import gputensor as gt
from gputensor.devices.tpu.cost import Gemm, OpSpec, cost
from gputensor.tpu import CHIPS, SOURCES

BF16 = ml_dtypes.bfloat16


@pytest.mark.parametrize(("name", "ghz"), [("v2", 0.70), ("v3", 0.94), ("v4", 1.05), ("v5e", 1.50)])
def test_derived_clock_reproduces_the_peak(name, ghz):
    chip = CHIPS[name]
    mxus = chip.logical_devices_per_chip * chip.mxus_per_device
    assert chip.clock_hz * mxus * 2 * 128 * 128 == pytest.approx(chip.peak_bf16_chip, rel=1e-12)
    assert round(chip.clock_hz / 1e9, 2) == ghz
    assert chip.source("clock_hz") == "derived"


@pytest.mark.parametrize("name", sorted(CHIPS))
def test_every_figure_carries_a_source(name):
    chip = CHIPS[name]
    for figure, value, source in chip.figures_table():
        assert source in SOURCES, (figure, source)
        assert value is not None or figure == "peak_int8_chip"


def test_per_device_figures_and_overrides():
    v2, v4 = CHIPS["v2"], CHIPS["v4"]
    assert v2.hbm_bytes_device == 8 * 2**30 and v2.hbm_bandwidth_device == 358e9
    assert v4.hbm_bytes_device == 32 * 2**30 and v4.mxus_per_device == 8
    custom = v2.replace(peak_bf16_chip=92e12)
    assert custom.source("peak_bf16_chip") == "user" and custom.clock_hz == pytest.approx(2 * v2.clock_hz)
    with pytest.raises(ValueError, match="unknown figure"):
        v2.replace(warp_drive=1)


@pytest.mark.parametrize(("text", "chips", "devices"), [
    ("v2", 4, 8), ("v2-8", 4, 8), ("v3-32", 16, 32), ("v4-8", 4, 4), ("v5e", 8, 8), ("v5e-4", 4, 4),
])
def test_slices(text, chips, devices):
    sl = gt.tpu.parse_slice(text)
    assert (sl.chips, sl.num_devices) == (chips, devices)


def test_v5e_1024_cubed_is_compute_bound_at_90_percent():
    rec = gt.tpu.estimate_matmul(1024, 1024, 1024, "bfloat16", chip="v5e")
    assert rec.cycles == 16_766
    assert rec.time_s * 1e6 == pytest.approx(12.2, abs=0.05)
    assert rec.bound == "compute"
    assert rec.mxu_util == pytest.approx(0.90, abs=0.005)
    assert rec.flops == 2 * 1024**3 and rec.padded_flops == rec.flops


def test_v5e_skinny_gemm_is_memory_bound_and_huge_gemm_saturates():
    skinny = gt.tpu.estimate_matmul(8, 4096, 4096, chip="v5e")
    assert skinny.bound == "memory" and skinny.memory_s > skinny.compute_s
    huge = gt.tpu.estimate_matmul(8192, 8192, 8192, chip="v5e")
    assert huge.bound == "compute" and 0.999 < huge.mxu_util <= 1.0


def test_gemm_cycles_follow_the_formula():
    chip = CHIPS["v3"]  # U = 2
    m, n, k = 300, 200, 260
    m8 = 304
    n_t = math.ceil(math.ceil(k / 128) * math.ceil(n / 128) / 2)
    expected = 128 + (n_t - 1) * max(m8, 128) + m8 + 254
    assert gt.tpu.estimate_matmul(m, n, k, chip=chip).cycles == expected
    high = gt.tpu.estimate_matmul(m, n, k, "float32", chip=chip, precision="high")
    highest = gt.tpu.estimate_matmul(m, n, k, "float32", chip=chip, precision="highest")
    assert high.cycles == 3 * (128 + (n_t - 1) * m8 + m8) + 254
    assert highest.cycles == 6 * (128 + (n_t - 1) * m8 + m8) + 254
    int8 = gt.tpu.estimate_matmul(1024, 1024, 1024, "int8", chip="v5e")
    assert int8.cycles == math.ceil(0.5 * (128 + 15 * 1024 + 1024)) + 254
    assert gt.tpu.estimate_matmul(1024, 1024, 1024, "int8", chip="v4").cycles == \
        gt.tpu.estimate_matmul(1024, 1024, 1024, "bfloat16", chip="v4").cycles


def test_padding_shows_in_padded_flops_and_waste():
    rec = gt.tpu.estimate_matmul(3, 130, 5, "float32", chip="v5e")
    assert rec.padded_flops == 2 * 8 * 128 * 256
    logical = (3 * 5 + 5 * 130 + 3 * 130) * 4
    padded = 4 * 128 * 4 + 8 * 256 * 4 + 4 * 256 * 4
    assert (rec.logical_bytes, rec.bytes) == (logical, padded)
    assert rec.padding_waste == pytest.approx(1 - logical / padded)
    assert rec.bound == "overhead"


def test_elementwise_transfer_and_collective_costs():
    chip = CHIPS["v5e"]
    f32 = np.dtype(np.float32)
    add = cost(OpSpec("add", "elementwise", (((4096, 4096), f32),), (((4096, 4096), f32),) * 2), chip)
    assert add.bound == "memory"
    assert add.time_s == pytest.approx(3 * 4096 * 4096 * 4 / 819e9 + 1e-6)
    h2d = cost(OpSpec("host_to_device", "transfer", (((1000, 1000), f32),), ()), chip)
    assert h2d.time_s == pytest.approx(4e6 / 15e9 + 1e-6)
    n, v = 8, 1024 * 1024 * 4
    ring = OpSpec("all_reduce", "collective", (((1024, 1024), f32),), (((1024, 1024), f32),),
                  replicas=n, collective_share=2 * (n - 1) / n, wraparound=True, hops=2 * (n - 1))
    expected = 2 * (n - 1) / n * v / (2 * 5e10) + 2 * (n - 1) * 1e-6
    assert cost(ring, chip).time_s == pytest.approx(expected + 1e-6)
    no_wrap = cost(ring._replace(wraparound=False), chip)
    assert no_wrap.time_s == pytest.approx(2 * 2 * (n - 1) / n * v / (2 * 5e10) + 2 * (n - 1) * 1e-6 + 1e-6)


def test_batched_gemm_takes_the_cheaper_orientation():
    chip = CHIPS["v5e"]  # U = 4
    shared = Gemm(16, 64, 256, 256, False, True, "float", 1)
    f32 = np.dtype(np.float32)
    spec = OpSpec("matmul", "gemm", (((16, 64, 256), f32),), (), gemm=shared)
    # the shared (256, 256) weights stay: 4 tiles, one per MXU, 16*64 rows streamed
    assert cost(spec, chip).cycles == 128 + 0 + 1024 + 254
    # 16 separate weight sets: 64 tiles of (256, 256), 16 per MXU, 64 rows each; the other
    # orientation (x stationary: 32 tiles, 256 rows each) costs 2430
    separate = spec._replace(gemm=shared._replace(b_shared=False))
    assert cost(separate, chip).cycles == 128 + 15 * 128 + 64 + 254


def test_profile_collects_device_ops_and_prints_a_table(capsys):
    dev = gt.device("tpu:0", chip="v5e")
    a = gt.ones((1024, 1024), dtype=gt.bfloat16, device=dev)
    with gt.tpu.profile() as prof:
        y = a @ a
        z = gt.exp(y)
    assert z.dtype is gt.bfloat16
    records = prof.records()
    mm = [r for r in records if r.op == "matmul"][0]
    assert (mm.cycles, mm.bound, mm.chip) == (16_766, "compute", "v5e")
    assert any(r.op == "exp" and r.bound == "memory" for r in records)
    out = capsys.readouterr().out
    assert "matmul" in out and "Estimated step time per generation" in out and "v5e" in out
    totals = prof.totals()
    assert totals["ops"] == len(records)
    assert totals["step_time_s"] == pytest.approx(sum(r.time_s for r in records))
    gens = prof.generations()
    assert set(gens) == {"v2", "v3", "v4", "v5e"}
    assert gens["v2"]["step_time_s"] > gens["v4"]["step_time_s"]
    assert 0 < gens["v5e"]["mxu_util"] <= 1


def test_every_op_leaves_a_cost_record():
    dev = gt.device("tpu:0")
    x = gt.ones((16, 16), device=dev)
    y = x.sum(axis=0)
    rec = gt.tpu.last_cost(dev)
    assert rec.op == "reduce_sum" and rec.kind == "reduce" and rec.shape == (16,)
    assert y.shape == (16,)
