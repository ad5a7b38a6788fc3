"""Philox streams on OpenCL equal the NumPy backend's: bit for bit for uniform floats and
integers, to rounding for normals (Box-Muller through the device's log, cos and sin)."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt

pytest.importorskip("pyopencl", reason="the OpenCL backend needs pyopencl")
from gputensor.devices.opencl import probe  # noqa: E402

USABLE = [info.name for info in probe.probe() if info.usable]
pytestmark = pytest.mark.skipif(not USABLE, reason="no usable OpenCL device")
KEYS = [(0, 0), (1234, 5678), (0xFFFFFFFF, 0x9E3779B9)]
COUNTERS = [0, 7, 2**32 - 3, 2**64 - 2]


def _both(kind, shape, dtype, key, counter, low=0, high=1):
    ocl = gt.device(USABLE[0]).backend
    cpu = gt.device("cpu").backend
    got = ocl.to_host(ocl.random(kind, shape, dtype, key, counter, low, high))
    want = cpu.random(kind, shape, dtype, key, counter, low, high)
    return got, want


@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.float16, gt.bfloat16])
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("counter", COUNTERS)
def test_uniform_is_bit_identical(dtype, key, counter):
    got, want = _both("uniform", (3, 67), dtype, key, counter)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("dtype,low,high", [
    (gt.int64, 0, 10), (gt.int64, -(2**62), 2**62), (gt.int32, -5, 1000), (gt.int8, -128, 128),
    (gt.uint8, 0, 256), (gt.int16, 3, 4),
])
@pytest.mark.parametrize("counter", COUNTERS)
def test_integers_are_bit_identical(dtype, low, high, counter):
    got, want = _both("integers", (101,), dtype, (99, 1), counter, low, high)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.float16, gt.bfloat16])
@pytest.mark.parametrize("counter", [0, 2**32 - 1])
def test_normals_match_to_rounding(dtype, counter):
    got, want = _both("normal", (1001,), dtype, (5, 6), counter)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
    # Box-Muller in double on both sides: float results agree to the last bit almost always
    if dtype is gt.float64:
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    else:
        same = np.mean(got.view(np.uint8) == want.view(np.uint8))
        assert same > 0.99
        rtol = {gt.float32: 2.4e-7, gt.float16: 9.8e-4, gt.bfloat16: 7.9e-3}[dtype]
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=rtol)


def test_front_end_draws_match_the_cpu_device():
    dev = gt.device(USABLE[0])
    np.testing.assert_array_equal(gt.rand(4, 5, seed=3, device=dev).numpy(), gt.rand(4, 5, seed=3).numpy())
    np.testing.assert_array_equal(gt.randint(0, 7, (50,), seed=4, device=dev).numpy(),
                                  gt.randint(0, 7, (50,), seed=4).numpy())
    gen_a = gt.Generator(11)
    gen_b = gt.Generator(11)
    for _ in range(3):
        np.testing.assert_allclose(gen_a.normal((9,), device=dev).numpy(), gen_b.normal((9,)).numpy(),
                                   rtol=1e-6, atol=1e-7)
