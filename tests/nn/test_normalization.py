"""batch_norm and layer_norm against NumPy float64 references and torch."""

import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, AxisError, DTypeError, ShapeError
from tests.helpers import LAYOUTS, check_op

F = gt.nn.functional


def bn_ref(x, mean, var, weight, bias, axis, eps):
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def batch_stats(x, axis):
    axes = tuple(a for a in range(x.ndim) if a != axis)
    return x.mean(axis=axes), x.var(axis=axes), x.var(axis=axes, ddof=1)


@pytest.mark.parametrize("shape,axis", [((6, 3), 1), ((2, 3, 4, 5), 1), ((2, 4, 5, 3), -1), ((4, 3, 5), 1)])
def test_batch_norm_training_normalizes_and_updates_running_stats(device, shape, axis):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    c = shape[axis]
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    mean, biased, unbiased = batch_stats(x, axis % x.ndim)
    expected = bn_ref(x, mean, biased, w, b, axis, 1e-5)
    run_mean, run_var = gt.asarray(rm.copy(), device=device), gt.asarray(rv.copy(), device=device)
    y = F.batch_norm(
        gt.asarray(x, device=device),
        run_mean,
        run_var,
        gt.asarray(w, device=device),
        gt.asarray(b, device=device),
        training=True,
        momentum=0.3,
        axis=axis,
    )
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(run_mean.numpy(), 0.7 * rm + 0.3 * mean, rtol=1e-12)
    np.testing.assert_allclose(run_var.numpy(), 0.7 * rv + 0.3 * unbiased, rtol=1e-12)


def test_batch_norm_matches_torch_in_both_modes(device):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2, 2))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    rm, rv = gt.zeros(3, dtype=gt.float64, device=device), gt.ones(3, dtype=gt.float64, device=device)
    for training in (True, True, False):
        expected = torch.nn.functional.batch_norm(
            torch.tensor(x),
            trm,
            trv,
            torch.tensor(w),
            torch.tensor(b),
            training=training,
            momentum=0.2,
            eps=1e-3,
        )
        got = F.batch_norm(
            gt.asarray(x, device=device),
            rm,
            rv,
            gt.asarray(w, device=device),
            gt.asarray(b, device=device),
            training=training,
            momentum=0.2,
            eps=1e-3,
        )
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-12)
        np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-12)


def test_batch_norm_eval_uses_running_stats(device):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 2))
    rm, rv, w, b = rng.standard_normal(4), rng.random(4) + 0.1, rng.standard_normal(4), rng.standard_normal(4)

    def gt_fn(x_, rm_, rv_, w_, b_):
        return F.batch_norm(x_, rm_, rv_, w_, b_, training=False, eps=1e-3)

    check_op(gt_fn, lambda *a: bn_ref(*a, 1, 1e-3), [x, rm, rv, w, b], device)


def test_batch_norm_training_gradients_and_second_order(device):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 2))
    w, b = rng.standard_normal(2), rng.standard_normal(2)

    def gt_fn(x_, w_, b_):
        return F.batch_norm(x_, None, None, w_, b_, training=True, eps=1e-3)

    def np_fn(x_, w_, b_):
        mean, biased, _ = batch_stats(x_, 1)
        return bn_ref(x_, mean, biased, w_, b_, 1, 1e-3)

    check_op(gt_fn, np_fn, [x, w, b], device)


def test_batch_norm_running_update_records_no_gradient(device):
    x = gt.asarray(np.random.default_rng(4).standard_normal((5, 2)), device=device).requires_grad_()
    rm, rv = gt.zeros(2, dtype=gt.float64, device=device), gt.ones(2, dtype=gt.float64, device=device)
    y = F.batch_norm(x, rm, rv, training=True)
    assert y.requires_grad and not rm.requires_grad and not rv.requires_grad
    (y * y).sum().backward()
    assert x.grad.shape == (5, 2)


def test_batch_norm_errors(device):
    x = gt.zeros((4, 3), device=device)
    rm, rv = gt.zeros(3, device=device), gt.ones(3, device=device)
    with pytest.raises(ShapeError, match=r"batch_norm: running_mean must have shape \(3,\)"):
        F.batch_norm(x, gt.zeros(4, device=device), rv)
    with pytest.raises(ShapeError, match=r"batch_norm: weight must have shape \(3,\)"):
        F.batch_norm(x, rm, rv, gt.ones((3, 1), device=device))
    with pytest.raises(ShapeError, match="batch_norm: x needs at least 2 axes"):
        F.batch_norm(gt.zeros(3, device=device), rm, rv)
    with pytest.raises(ShapeError, match="batch_norm: training needs more than one value per channel"):
        F.batch_norm(gt.zeros((1, 3), device=device), rm, rv, training=True)
    with pytest.raises(
        ArgumentValueError, match="batch_norm: evaluation .* needs running_mean and running_var"
    ):
        F.batch_norm(x, None, None)
    with pytest.raises(ArgumentValueError, match=r"batch_norm: momentum must be in \[0.0, 1.0\]"):
        F.batch_norm(x, rm, rv, training=True, momentum=1.5)
    with pytest.raises(ArgumentValueError, match="batch_norm: eps must be in"):
        F.batch_norm(x, rm, rv, eps=-1.0)
    with pytest.raises(ArgumentTypeError, match="batch_norm: training must be a bool"):
        F.batch_norm(x, rm, rv, training=1)
    with pytest.raises(AxisError, match="batch_norm: axis 2 is out of range"):
        F.batch_norm(x, rm, rv, axis=2)
    with pytest.raises(DTypeError, match="batch_norm: x must be a floating-point tensor, got int64"):
        F.batch_norm(gt.zeros((4, 3), dtype=gt.int64, device=device), rm, rv)


@pytest.mark.parametrize("shape,normalized", [((3, 4), 4), ((2, 3, 4), (3, 4)), ((2, 5), [5])])
def test_layer_norm_forward_gradients_and_second_order(device, shape, normalized):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape)
    norm_shape = (normalized,) if isinstance(normalized, int) else tuple(normalized)
    w, b = rng.standard_normal(norm_shape), rng.standard_normal(norm_shape)
    axes = tuple(range(x.ndim - len(norm_shape), x.ndim))

    def np_fn(x_, w_, b_):
        mu = x_.mean(axis=axes, keepdims=True)
        sd = np.sqrt(x_.var(axis=axes, keepdims=True) + 1e-5)
        return (x_ - mu) / sd * w_ + b_

    check_op(lambda x_, w_, b_: F.layer_norm(x_, normalized, w_, b_), np_fn, [x, w, b], device)
    theirs = torch.nn.functional.layer_norm(torch.tensor(x), norm_shape, torch.tensor(w), torch.tensor(b))
    mine = F.layer_norm(
        gt.asarray(x, device=device), normalized, gt.asarray(w, device=device), gt.asarray(b, device=device)
    )
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_without_affine(device):
    x = np.random.default_rng(6).standard_normal((3, 6))
    y = F.layer_norm(gt.asarray(x, device=device), 6, eps=0.0).numpy()
    np.testing.assert_allclose(y, (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True), rtol=1e-10)


def test_layer_norm_errors(device):
    x = gt.zeros((2, 3), device=device)
    with pytest.raises(
        ShapeError, match=r"layer_norm: normalized_shape \(4,\) must match the last axes of x"
    ):
        F.layer_norm(x, 4)
    with pytest.raises(ShapeError, match=r"layer_norm: normalized_shape \(1, 2, 3\) must match"):
        F.layer_norm(x, (1, 2, 3))
    with pytest.raises(ShapeError, match=r"layer_norm: weight must have shape \(3,\)"):
        F.layer_norm(x, 3, gt.ones(2, device=device))
    with pytest.raises(ShapeError, match=r"layer_norm: bias must have shape \(3,\)"):
        F.layer_norm(x, 3, None, gt.ones((1, 3), device=device))
    with pytest.raises(ShapeError, match="layer_norm: normalized_shape must name at least one axis"):
        F.layer_norm(x, ())
    with pytest.raises(ArgumentTypeError, match="layer_norm: normalized_shape must be an int or a tuple"):
        F.layer_norm(x, 3.0)
    with pytest.raises(ArgumentTypeError, match="layer_norm: eps must be a number"):
        F.layer_norm(x, 3, eps="small")
    with pytest.raises(DTypeError, match="layer_norm: weight must be a floating-point tensor"):
        F.layer_norm(x, 3, gt.ones(3, dtype=gt.int32, device=device))


def test_normalization_on_non_contiguous_views(device):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 2, 4))
    w, b = rng.standard_normal(4), rng.standard_normal(4)

    def np_layer(x_, w_, b_):
        return (x_ - x_.mean(-1, keepdims=True)) / np.sqrt(x_.var(-1, keepdims=True) + 1e-5) * w_ + b_

    check_op(lambda x_, w_, b_: F.layer_norm(x_, 4, w_, b_), np_layer, [x, w, b], device, layouts=LAYOUTS)

    def np_batch(x_, w_, b_):
        mean, biased, _ = batch_stats(x_, 2)
        return bn_ref(x_, mean, biased, w_, b_, -1, 1e-5)

    check_op(
        lambda x_, w_, b_: F.batch_norm(x_, None, None, w_, b_, training=True, axis=-1),
        np_batch,
        [x, w, b],
        device,
        layouts=LAYOUTS,
    )
