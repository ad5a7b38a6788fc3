"""The optional fused ``pool2d`` and ``pool2d_backward`` primitives (gputensor/nn/pooling.py):
through the reference backend of tests/nn/fused_reference.py, and on every device whose
backend has them (OpenCL here, CUDA on a GPU), the same values and gradients as the composed
path on the CPU (ties split evenly, padding, ceil mode, dilation, NaN), integers, and
declining."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import functional as F
from tests.helpers import devices_where
from tests.nn.fused_reference import FusedReferenceCPU, fused_reference_device

KERNELS = devices_where(lambda backend: hasattr(backend, "pool2d_backward"))


@pytest.fixture(scope="module")
def fused():
    return fused_reference_device()


CASES = [
    ("max", dict(kernel_size=2)),
    ("max", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max", dict(kernel_size=(2, 3), stride=1, dilation=(2, 1))),
    ("avg", dict(kernel_size=2)),
    ("avg", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg", dict(kernel_size=(3, 2), stride=(1, 2), padding="same")),
]


@pytest.mark.parametrize("kind, options", CASES, ids=str)
def test_fused_pooling_matches_the_composed_path(fused, kind, options):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 7, 8))
    x[0, 0, :2, :2] = 1.5  # a tied maximum
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    outs = {}
    for dev in (gt.device("cpu"), fused):
        before = FusedReferenceCPU.pool_calls
        xt = gt.asarray(x, device=dev).requires_grad_()
        y = fn(xt, **options)
        assert FusedReferenceCPU.pool_calls - before == (1 if dev is fused else 0)
        (y * gt.asarray(np.linspace(-1, 2, y.size).reshape(y.shape), device=dev)).sum().backward()
        outs[dev.type] = (y.numpy(), xt.grad.numpy())
    for got, want in zip(outs["cpuconv"], outs["cpu"]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind, options", [CASES[1], CASES[4]], ids=str)
def test_fused_pooling_second_derivatives(fused, kind, options):
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    x = gt.asarray(np.random.default_rng(3).standard_normal((1, 2, 5, 6)), device=fused)
    gt.testing.gradcheck(lambda t: fn(t, **options) ** 2, [x], eps=1e-6, atol=1e-6, rtol=1e-4)
    gt.testing.gradgradcheck(lambda t: fn(t, **options) ** 2, [x], eps=1e-6, atol=1e-6, rtol=1e-4)


def test_fused_integer_max_pool_and_indices(fused):
    x = np.arange(32, dtype=np.int32).reshape(1, 2, 4, 4)[:, :, ::-1]
    y, index = F.max_pool2d(gt.asarray(x.copy(), device=fused), 2, return_indices=True)
    assert y.dtype is gt.int32
    assert y.numpy().tolist() == F.max_pool2d(gt.asarray(x.copy()), 2).numpy().tolist()
    assert index.numpy()[0, 0].tolist() == [[1, 3], [9, 11]]  # rows reversed: the maxima sit on top


def test_a_declining_primitive_composes(fused, monkeypatch):
    monkeypatch.setattr(FusedReferenceCPU, "pool2d", lambda self, *args: None)
    y = F.avg_pool2d(gt.ones((1, 1, 4, 4), device=fused), 2)
    assert y.numpy().tolist() == [[[[1.0, 1.0], [1.0, 1.0]]]]


@pytest.mark.skipif(not KERNELS, reason="no device with pooling kernels (opencl, cuda)")
@pytest.mark.parametrize("name", KERNELS or ["none"])
@pytest.mark.parametrize("kind, options", CASES, ids=str)
def test_pooling_kernels_match_the_composed_path(name, kind, options):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    x[0, 0, :2, :2] = 1.5  # a tied maximum
    x[1, 2, 3, 3] = np.nan  # NaN windows: NaN values and gradients, as the composed path gives
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    weights = np.linspace(-1, 2, 2 * 3 * 8 * 8).astype(np.float32)
    outs = []
    for dev in (gt.device("cpu"), gt.device(name)):
        xt = gt.asarray(x, device=dev).requires_grad_()
        y = fn(xt, **options)
        (y * gt.asarray(weights[: y.size].reshape(y.shape), device=dev)).sum().backward()
        outs.append((y.numpy(), xt.grad.numpy()))
    for got, want in zip(outs[1], outs[0]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
