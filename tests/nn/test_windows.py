"""The window view and its adjoint fold, the two ops conv2d and pooling are built from."""

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn.windows import fold_windows, sliding_windows, window_counts

# (spatial shape, kernel, stride, dilation): overlapping, gapped and dilated windows
CASES = [
    ((5,), (2,), (1,), (1,)),
    ((7,), (3,), (2,), (2,)),
    ((4, 5), (2, 3), (1, 1), (1, 1)),
    ((5, 6), (3, 2), (2, 3), (1, 2)),
    ((6, 4), (2, 2), (3, 1), (2, 1)),
]


def windows_ref(x, kernel, stride, dilation):
    d = len(kernel)
    counts = window_counts(x.shape[-d:], kernel, stride, dilation)
    out = np.zeros(x.shape[:-d] + counts + kernel)
    for o in np.ndindex(*counts):
        for k in np.ndindex(*kernel):
            src = tuple(oi * s + ki * dl for oi, ki, s, dl in zip(o, k, stride, dilation))
            out[(Ellipsis,) + o + k] = x[(Ellipsis,) + src]
    return out


@pytest.mark.parametrize("sizes,kernel,stride,dilation", CASES)
def test_sliding_windows_forward_and_gradients(device, sizes, kernel, stride, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2,) + sizes)
    y = sliding_windows(gt.asarray(x, device=device), kernel, stride, dilation)
    np.testing.assert_array_equal(y.numpy(), windows_ref(x, kernel, stride, dilation))
    xt = gt.asarray(x, device=device)
    fn = lambda t: sliding_windows(t, kernel, stride, dilation)  # noqa: E731
    gt.testing.gradcheck(fn, [xt])
    gt.testing.gradgradcheck(fn, [xt])


@pytest.mark.parametrize("sizes,kernel,stride,dilation", CASES)
def test_fold_is_the_adjoint_of_the_window_view(device, sizes, kernel, stride, dilation):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3,) + sizes)
    counts = window_counts(sizes, kernel, stride, dilation)
    g = rng.standard_normal((3,) + counts + kernel)
    windows = sliding_windows(gt.asarray(x, device=device), kernel, stride, dilation).numpy()
    folded = fold_windows(gt.asarray(g, device=device), sizes, kernel, stride, dilation).numpy()
    assert folded.shape == x.shape
    np.testing.assert_allclose(np.sum(windows * g), np.sum(x * folded), rtol=1e-12)
    gt_g = gt.asarray(g, device=device)
    fn = lambda t: fold_windows(t, sizes, kernel, stride, dilation)  # noqa: E731
    gt.testing.gradcheck(fn, [gt_g])
    gt.testing.gradgradcheck(fn, [gt_g])


def test_overlapping_windows_add_their_gradients(device):
    x = gt.zeros((1, 5), device=device, dtype=gt.float64).requires_grad_()
    sliding_windows(x, (3,), (1,), (1,)).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0, 2.0, 1.0]]


def test_windows_of_a_non_contiguous_view(device):
    base = np.arange(30.0).reshape(5, 6)
    x = gt.asarray(base, device=device).T[:, ::2]
    assert not x.is_contiguous
    got = sliding_windows(x, (2,), (1,), (1,)).numpy()
    np.testing.assert_array_equal(got, windows_ref(base.T[:, ::2], (2,), (1,), (1,)))


def test_fold_of_a_non_contiguous_gradient(device):
    g = np.arange(24.0).reshape(2, 3, 4)
    gt_g = gt.asarray(g, device=device).mT  # (2, 4, 3): 4 windows of 3 taps
    got = fold_windows(gt_g, (6,), (3,), (1,), (1,)).numpy()
    expected = np.zeros((2, 6))
    for o in range(4):
        expected[:, o : o + 3] += g.transpose(0, 2, 1)[:, o]
    np.testing.assert_array_equal(got, expected)
