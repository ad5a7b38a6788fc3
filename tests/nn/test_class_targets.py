"""The fused softmax cross-entropy path (gputensor/nn/class_targets.py) on every device whose
backend offers ``softmax_cross_entropy``: taken when it qualifies, equal to the composed path
in value, gradient and second derivative, and skipped when targets may be ignored."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import functional as F
from tests.helpers import FLOATS, assert_close, devices_where

FUSED = devices_where(lambda backend: hasattr(backend, "softmax_cross_entropy"))
pytestmark = pytest.mark.skipif(not FUSED, reason="no device with a fused softmax_cross_entropy")


@pytest.fixture(params=FUSED or ["none"])
def fused_device(request):
    return gt.device(request.param)


@pytest.fixture
def launches(fused_device, monkeypatch):
    """Counts calls of the backend's fused forward and backward."""
    counts = {"forward": 0, "backward": 0}
    backend = fused_device.backend
    forward, backward = backend.softmax_cross_entropy, backend.softmax_cross_entropy_backward

    def counted_forward(*args):
        counts["forward"] += 1
        return forward(*args)

    def counted_backward(*args):
        counts["backward"] += 1
        return backward(*args)

    monkeypatch.setattr(backend, "softmax_cross_entropy", counted_forward)
    monkeypatch.setattr(backend, "softmax_cross_entropy_backward", counted_backward)
    return counts


def _composed(logits, target, **kw):
    # class weights of one force the composed path and leave the values unchanged
    ones = gt.ones(logits.shape[kw.get("axis", -1)], dtype=logits.dtype, device=logits.device)
    return F.cross_entropy(logits, target, weight=ones, **kw)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_matches_composed(fused_device, launches, dtype, reduction):
    if dtype not in fused_device.backend.dtypes:
        pytest.skip(f"{fused_device} has no {dtype}")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 37)) * 4
    t = rng.integers(0, 37, 6)
    a = gt.asarray(x, dtype=dtype, device=fused_device).requires_grad_()
    b = gt.asarray(x, dtype=dtype, device=fused_device).requires_grad_()
    target = gt.asarray(t, device=fused_device)
    got = F.cross_entropy(a, target, reduction=reduction)
    assert launches["forward"] == 1
    want = _composed(b, target, reduction=reduction)
    assert launches["forward"] == 1  # the weighted call composes
    assert got.dtype is dtype and got.shape == want.shape
    assert_close(got, want.numpy().astype(np.float64), dtype, what="fused cross_entropy")
    (got.sum() * 3).backward()
    (want.sum() * 3).backward()
    assert launches["backward"] == 1
    assert_close(a.grad, b.grad.numpy().astype(np.float64), dtype, what="fused cross_entropy gradient")


def test_fused_class_axis_one_and_extra_axes(fused_device, launches):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 3, 4))
    t = rng.integers(0, 5, (2, 3, 4))
    a = gt.asarray(x, device=fused_device)
    target = gt.asarray(t, device=fused_device)
    got = F.cross_entropy(a, target, axis=1, reduction="none")
    assert launches["forward"] == 1 and got.shape == (2, 3, 4)
    assert_close(got, _composed(a, target, axis=1, reduction="none").numpy().astype(np.float64), gt.float32)


def test_fused_gradients_of_first_and_second_order(fused_device, launches):
    if gt.float64 not in fused_device.backend.dtypes:
        pytest.skip(f"{fused_device} has no float64")
    rng = np.random.default_rng(3)
    x = gt.asarray(rng.standard_normal((4, 6)), dtype=gt.float64, device=fused_device)
    target = gt.asarray([0, 5, 2, 2], device=fused_device)

    def fn(logits):
        return F.cross_entropy(logits, target)

    gt.testing.gradcheck(fn, [x], eps=1e-6, atol=1e-6, rtol=1e-4)
    gt.testing.gradgradcheck(fn, [x], eps=1e-6, atol=1e-6, rtol=1e-4)
    assert launches["forward"] > 0 and launches["backward"] > 0


def test_targets_equal_to_ignore_index_take_the_composed_path(fused_device, launches):
    x = gt.asarray([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]], device=fused_device)
    target = gt.asarray([2, -100], device=fused_device)
    got = F.cross_entropy(x, target)
    assert launches["forward"] == 0
    expected = np.log(np.exp([1.0, 2.0, 0.5]).sum()) - 0.5
    assert got.item() == pytest.approx(expected, rel=1e-6)
    # an ignore_index inside [0, C) may match a target: composed as well
    F.cross_entropy(x, gt.asarray([2, 1], device=fused_device), ignore_index=1)
    assert launches["forward"] == 0


def test_out_of_range_targets_raise_before_any_launch(fused_device, launches):
    x = gt.zeros((2, 3), device=fused_device)
    with pytest.raises(gt.errors.IndexOutOfRangeError, match="target class 3 is out of range for 3 classes"):
        F.cross_entropy(x, gt.asarray([0, 3], device=fused_device))
    assert launches["forward"] == 0
