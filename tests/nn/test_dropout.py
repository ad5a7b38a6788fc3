"""Inverted dropout drawn from the Philox generator."""

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, DTypeError

F = gt.nn.functional


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_each_element_with_probability_one_minus_p(device, p):
    x = gt.ones(20000, device=device)
    y = F.dropout(x, p, generator=gt.Generator(7)).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    # 5 standard deviations of a binomial proportion
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / x.size)
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / x.size)


def test_dropout_mask_is_the_generators_uniforms(device):
    x = np.random.default_rng(0).standard_normal((4, 5))
    y = F.dropout(gt.asarray(x, device=device), 0.3, generator=gt.Generator(11))
    u = gt.Generator(11).random((4, 5), dtype=gt.float32, device=device).numpy()
    np.testing.assert_allclose(y.numpy(), np.where(u >= 0.3, x / 0.7, 0.0), rtol=1e-12)


def test_dropout_same_seed_same_mask_for_every_dtype(device):
    masks = []
    for dtype in (gt.float32, gt.float64):
        gt.manual_seed(5)
        masks.append(F.dropout(gt.ones((3, 7), dtype=dtype, device=device), 0.5).numpy() != 0)
    np.testing.assert_array_equal(masks[0], masks[1])
    gt.manual_seed(5)
    again = F.dropout(gt.ones((3, 7), device=device), 0.5).numpy() != 0
    np.testing.assert_array_equal(again, masks[0])
    assert not np.array_equal(F.dropout(gt.ones((3, 7), device=device), 0.5).numpy() != 0, masks[0])


def test_dropout_gradient_is_the_scaled_mask(device):
    x = gt.asarray(np.random.default_rng(1).standard_normal(50), device=device).requires_grad_()
    y = F.dropout(x, 0.4, generator=gt.Generator(3))
    y.sum().backward()
    mask = y.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(mask, 1 / 0.6, 0.0), rtol=1e-12)
    gt.testing.gradcheck(lambda t: F.dropout(t, 0.4, generator=gt.Generator(3)), [x.detach()])
    gt.testing.gradgradcheck(lambda t: F.dropout(t, 0.4, generator=gt.Generator(3)) ** 2, [x.detach()])


def test_dropout_edge_cases(device):
    x = gt.asarray(np.arange(1.0, 7.0), device=device)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    w = x.detach().requires_grad_()
    y = F.dropout(w, 1.0)
    assert y.tolist() == [0.0] * 6
    y.sum().backward()
    assert w.grad.tolist() == [0.0] * 6
    half = F.dropout(gt.ones(8, dtype=gt.float16, device=device), 0.5, generator=gt.Generator(0))
    assert half.dtype is gt.float16
    assert set(half.tolist()) <= {0.0, 2.0}


def test_dropout_errors(device):
    x = gt.ones(3, device=device)
    with pytest.raises(ArgumentValueError, match=r"dropout: p must be in \[0.0, 1.0\], got 1.5"):
        F.dropout(x, 1.5)
    with pytest.raises(ArgumentValueError, match=r"dropout: p must be in \[0.0, 1.0\], got -0.1"):
        F.dropout(x, -0.1)
    with pytest.raises(ArgumentTypeError, match="dropout: p must be a number, got str"):
        F.dropout(x, "0.5")
    with pytest.raises(ArgumentTypeError, match="dropout: training must be a bool"):
        F.dropout(x, 0.5, training="yes")
    with pytest.raises(ArgumentTypeError, match="dropout: generator must be a gt.Generator or None, got int"):
        F.dropout(x, 0.5, generator=42)
    with pytest.raises(DTypeError, match="dropout: x must be a floating-point tensor, got int64"):
        F.dropout(gt.ones(3, dtype=gt.int64, device=device), 0.5)
