"""The optional fused ``conv2d`` primitive (gputensor/nn/conv.py): a test-only backend whose
``conv2d`` is a NumPy reference stands in for a GPU kernel, so that the hook and the composed
gradients written out for it are checked on any machine (the CUDA kernel itself is checked
by tests/nn/test_conv.py on cuda:0)."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import functional as F
from tests.nn.fused_reference import FusedReferenceCPU, fused_reference_device


@pytest.fixture(scope="module")
def fused():
    return fused_reference_device()


CASES = [
    dict(stride=1, padding=0, dilation=1, groups=1),
    dict(stride=2, padding=1, dilation=1, groups=1),
    dict(stride=1, padding="same", dilation=2, groups=1),
    dict(stride=(2, 1), padding=((1, 0), (2, 1)), dilation=1, groups=2),
    dict(stride=3, padding=2, dilation=(1, 2), groups=4),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fused_forward_and_gradients_match_the_composed_path(fused, case):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((8, 4 // case["groups"], 3, 3))
    cpu = gt.device("cpu")
    outs = {}
    for dev in (cpu, fused):
        xt = gt.asarray(x, device=dev).requires_grad_()
        wt = gt.asarray(w, device=dev).requires_grad_()
        before = FusedReferenceCPU.calls
        y = F.conv2d(xt, wt, **case)
        assert (FusedReferenceCPU.calls - before) == (1 if dev is fused else 0)
        (y * gt.asarray(np.linspace(-1, 1, y.size).reshape(y.shape), device=dev)).sum().backward()
        outs[dev.type] = (y.numpy(), xt.grad.numpy(), wt.grad.numpy())
    for got, want in zip(outs["cpuconv"], outs["cpu"]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES[1:4], ids=str)
def test_fused_second_derivatives(fused, case):
    rng = np.random.default_rng(1)
    x = gt.asarray(rng.standard_normal((1, 4, 6, 5)), device=fused)
    w = gt.asarray(rng.standard_normal((4, 4 // case["groups"], 2, 3)), device=fused)

    def fn(x, w):
        return F.conv2d(x, w, **case)

    gt.testing.gradcheck(fn, [x, w], eps=1e-6, atol=1e-5, rtol=1e-4)
    gt.testing.gradgradcheck(fn, [x, w], eps=1e-6, atol=1e-5, rtol=1e-4)


def test_gradient_of_only_one_operand(fused):
    x = gt.asarray(np.ones((1, 2, 4, 4)), device=fused)
    w = gt.asarray(np.ones((3, 2, 3, 3)), device=fused).requires_grad_()
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad is None
    # each weight tap sees the 16 input cells shifted by its offset, less those in the padding
    assert w.grad.numpy()[0, 0].tolist() == [[9.0, 12.0, 9.0], [12.0, 16.0, 12.0], [9.0, 12.0, 9.0]]


def test_a_declining_primitive_composes(fused, monkeypatch):
    monkeypatch.setattr(FusedReferenceCPU, "conv2d", lambda self, *args: None)
    y = F.conv2d(gt.ones((1, 1, 3, 3), device=fused), gt.ones((1, 1, 2, 2), device=fused))
    assert y.numpy().tolist() == [[[[4.0, 4.0], [4.0, 4.0]]]]
