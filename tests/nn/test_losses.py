"""Loss functions against NumPy float64 references and torch.nn.functional."""

import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    DTypeError,
    IndexOutOfRangeError,
    ShapeError,
)
from tests.helpers import LAYOUTS, check_op

F = gt.nn.functional
TF = torch.nn.functional


def log_softmax_ref(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def reduce_ref(loss, reduction, denominator=None):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.sum(loss)
    return np.sum(loss) / (loss.size if denominator is None else denominator)


def ce_index_ref(logits, target, axis=-1, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0):
    lp = np.moveaxis(log_softmax_ref(logits, axis), axis, -1)
    n_classes = lp.shape[-1]
    w = np.ones(n_classes) if weight is None else weight
    loss = np.zeros(target.shape)
    used = np.zeros(target.shape)
    for i in np.ndindex(*target.shape):
        t = target[i]
        if t == ignore_index:
            continue
        used[i] = w[t]
        loss[i] = -(1 - smoothing) * w[t] * lp[i][t] - smoothing / n_classes * np.sum(w * lp[i])
    return reduce_ref(loss, reduction, used.sum())


def ce_prob_ref(logits, target, axis=-1, weight=None, reduction="mean", smoothing=0.0):
    lp = np.moveaxis(log_softmax_ref(logits, axis), axis, -1)
    t = np.moveaxis(target, axis, -1)
    n_classes = lp.shape[-1]
    t = t * (1 - smoothing) + smoothing / n_classes
    w = np.ones(n_classes) if weight is None else weight
    return reduce_ref(-np.sum(w * t * lp, axis=-1), reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted,smoothing", [(False, 0.0), (True, 0.0), (False, 0.2), (True, 0.3)])
def test_cross_entropy_with_class_indices(device, reduction, weighted, smoothing):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((5, 4)) * 3
    target = np.array([0, 3, -100, 1, 3])
    weight = rng.random(4) + 0.5 if weighted else None
    expected = ce_index_ref(logits, target, -1, weight, -100, reduction, smoothing)
    theirs = TF.cross_entropy(
        torch.tensor(logits),
        torch.tensor(target),
        None if weight is None else torch.tensor(weight),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    np.testing.assert_allclose(theirs.numpy(), expected, rtol=1e-10)
    args = [logits, target] + ([weight] if weighted else [])

    def gt_fn(x, t, *w):
        return F.cross_entropy(
            x, t, weight=w[0] if w else None, reduction=reduction, label_smoothing=smoothing
        )

    check_op(
        gt_fn,
        lambda x, t, *w: ce_index_ref(x, t, -1, w[0] if w else None, -100, reduction, smoothing),
        args,
        device,
        wrt=[0],
    )


@pytest.mark.parametrize(
    "weighted,smoothing,reduction",
    [(False, 0.0, "mean"), (True, 0.2, "mean"), (True, 0.1, "sum"), (False, 0.25, "none")],
)
def test_cross_entropy_with_probabilities(device, weighted, smoothing, reduction):
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((3, 4))
    target = rng.random((3, 4))
    target /= target.sum(axis=1, keepdims=True)
    weight = rng.random(4) + 0.5 if weighted else None
    theirs = TF.cross_entropy(
        torch.tensor(logits),
        torch.tensor(target),
        None if weight is None else torch.tensor(weight),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    np.testing.assert_allclose(
        theirs.numpy(), ce_prob_ref(logits, target, -1, weight, reduction, smoothing), rtol=1e-10
    )
    args = [logits, target] + ([weight] if weighted else [])

    def gt_fn(x, t, *w):
        return F.cross_entropy(
            x, t, weight=w[0] if w else None, reduction=reduction, label_smoothing=smoothing
        )

    check_op(
        gt_fn,
        lambda x, t, *w: ce_prob_ref(x, t, -1, w[0] if w else None, reduction, smoothing),
        args,
        device,
        wrt=[0, 1],
    )


def test_cross_entropy_class_axis_one_matches_torch(device):
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((2, 3, 2, 2))
    target = rng.integers(0, 3, (2, 2, 2))
    target[0, 1, 1] = 7
    for reduction in ("mean", "none"):
        theirs = TF.cross_entropy(
            torch.tensor(logits),
            torch.tensor(target),
            ignore_index=7,
            reduction=reduction,
            label_smoothing=0.1,
        )
        mine = F.cross_entropy(
            gt.asarray(logits, device=device),
            gt.asarray(target, device=device),
            axis=1,
            ignore_index=7,
            reduction=reduction,
            label_smoothing=0.1,
        )
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-10)
    soft = rng.random((2, 3, 2, 2))
    theirs = TF.cross_entropy(torch.tensor(logits), torch.tensor(soft))
    mine = F.cross_entropy(gt.asarray(logits, device=device), gt.asarray(soft, device=device), axis=1)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-10)


def test_cross_entropy_is_stable_for_huge_logits(device):
    logits = gt.tensor([[1000.0, -1000.0, 0.0], [-5000.0, 5000.0, 0.0]], device=device).requires_grad_()
    loss = F.cross_entropy(logits, gt.tensor([1, 1], device=device))
    assert loss.item() == pytest.approx(1000.0)
    loss.backward()
    assert np.isfinite(logits.grad.numpy()).all()
    np.testing.assert_allclose(logits.grad.numpy(), [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-6)


def test_cross_entropy_unbatched_and_uint8_targets(device):
    logits = np.array([0.5, 1.5, -1.0])
    mine = F.cross_entropy(gt.asarray(logits, device=device), gt.tensor(1, device=device))
    assert mine.shape == ()
    assert mine.item() == pytest.approx(ce_index_ref(logits[None], np.array([1])))
    batch = np.array([[0.5, 1.5, -1.0], [0.0, 0.0, 2.0]])
    target = gt.asarray(np.array([2, 0], dtype=np.uint8), device=device)
    got = F.cross_entropy(gt.asarray(batch, device=device), target, reduction="sum").item()
    assert got == pytest.approx(ce_index_ref(batch, np.array([2, 0]), reduction="sum"))


def test_cross_entropy_all_targets_ignored_gives_nan_like_torch(device):
    loss = F.cross_entropy(gt.zeros((2, 3), device=device), gt.tensor([-100, -100], device=device))
    assert np.isnan(loss.item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss(device, reduction):
    rng = np.random.default_rng(3)
    log_p = log_softmax_ref(rng.standard_normal((4, 3)), -1)
    target = np.array([2, 0, 1, 1])
    weight = rng.random(3) + 0.5
    theirs = TF.nll_loss(torch.tensor(log_p), torch.tensor(target), torch.tensor(weight), reduction=reduction)

    def np_fn(lp, t, w):
        picked = w[t] * lp[np.arange(len(t)), t]
        return reduce_ref(-picked, reduction, w[t].sum())

    np.testing.assert_allclose(np_fn(log_p, target, weight), theirs.numpy(), rtol=1e-10)
    check_op(
        lambda lp, t, w: F.nll_loss(lp, t, weight=w, reduction=reduction),
        np_fn,
        [log_p, target, weight],
        device,
        wrt=[0, 2],
    )


def bce_logits_ref(x, t, weight=None, pos_weight=None, reduction="mean"):
    soft = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    pw = 1.0 if pos_weight is None else pos_weight
    loss = (1 - t) * x + (1 + (pw - 1) * t) * soft
    return reduce_ref(loss if weight is None else loss * weight, reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "weighted,pos_weighted", [(False, False), (True, False), (False, True), (True, True)]
)
def test_binary_cross_entropy_with_logits(device, reduction, weighted, pos_weighted):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4)) * 4
    x[0, 0] = 0.0  # zero logits (a zero-initialized layer) must get the exact gradient
    t = rng.random((3, 4))
    w = rng.random((1, 4)) if weighted else None
    pw = rng.random(4) * 3 if pos_weighted else None
    theirs = TF.binary_cross_entropy_with_logits(
        torch.tensor(x),
        torch.tensor(t),
        weight=None if w is None else torch.tensor(w),
        pos_weight=None if pw is None else torch.tensor(pw),
        reduction=reduction,
    )
    np.testing.assert_allclose(theirs.numpy(), bce_logits_ref(x, t, w, pw, reduction), rtol=1e-10)
    args = [x, t] + [a for a in (w, pw) if a is not None]

    def gt_fn(x_, t_, *extra):
        extra = list(extra)
        w_ = extra.pop(0) if weighted else None
        pw_ = extra.pop(0) if pos_weighted else None
        return F.binary_cross_entropy_with_logits(x_, t_, weight=w_, pos_weight=pw_, reduction=reduction)

    def np_fn(x_, t_, *extra):
        extra = list(extra)
        w_ = extra.pop(0) if weighted else None
        pw_ = extra.pop(0) if pos_weighted else None
        return bce_logits_ref(x_, t_, w_, pw_, reduction)

    check_op(gt_fn, np_fn, args, device)


def test_binary_cross_entropy_with_logits_is_stable(device):
    x = gt.tensor([1000.0, -1000.0, 80.0, -80.0], dtype=gt.float32, device=device).requires_grad_()
    t = gt.tensor([0.0, 1.0, 1.0, 0.0], dtype=gt.float32, device=device)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [1000.0, 1000.0, 0.0, 0.0], atol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0, 0.0, 0.0], atol=1e-6)
    ints = F.binary_cross_entropy_with_logits(gt.zeros(2, device=device), gt.tensor([0, 1], device=device))
    assert ints.item() == pytest.approx(np.log(2.0))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(device, reduction):
    rng = np.random.default_rng(5)
    p = rng.random((2, 3)) * 0.9 + 0.05
    t = rng.random((2, 3))
    w = rng.random(3)

    def np_fn(p_, t_, w_):
        return reduce_ref(-(t_ * np.log(p_) + (1 - t_) * np.log1p(-p_)) * w_, reduction)

    check_op(
        lambda p_, t_, w_: F.binary_cross_entropy(p_, t_, weight=w_, reduction=reduction),
        np_fn,
        [p, t, w],
        device,
    )
    theirs = TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t), torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(np_fn(p, t, w), theirs.numpy(), rtol=1e-10)


def test_binary_cross_entropy_clamps_saturated_probabilities_like_torch(device):
    p = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([0.0, 1.0, 1.0, 0.0])
    theirs = TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t), reduction="none")
    gp = gt.asarray(p, device=device).requires_grad_()
    mine = F.binary_cross_entropy(gp, gt.asarray(t, device=device), reduction="none")
    np.testing.assert_allclose(mine.numpy(), theirs.numpy())
    mine.sum().backward()
    assert np.isfinite(gp.grad.numpy()).all()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(device, reduction):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4)) * 2
    t = rng.standard_normal((3, 4))
    d = x - t
    check_op(
        lambda a, b: F.mse_loss(a, b, reduction=reduction),
        lambda a, b: reduce_ref((a - b) ** 2, reduction),
        [x, t],
        device,
    )
    check_op(
        lambda a, b: F.l1_loss(a, b, reduction=reduction),
        lambda a, b: reduce_ref(np.abs(a - b), reduction),
        [x, t],
        device,
    )

    def huber_ref(a, b):
        r = np.abs(a - b)
        return reduce_ref(np.where(r < 1.5, 0.5 * r * r, 1.5 * (r - 0.75)), reduction)

    check_op(lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=1.5), huber_ref, [x, t], device)
    tx, tt = torch.tensor(x), torch.tensor(t)
    np.testing.assert_allclose(TF.mse_loss(tx, tt, reduction=reduction).numpy(), reduce_ref(d * d, reduction))
    np.testing.assert_allclose(TF.huber_loss(tx, tt, reduction=reduction, delta=1.5).numpy(), huber_ref(x, t))


def test_loss_errors(device):
    logits = gt.zeros((2, 3), device=device)
    target = gt.tensor([0, 2], device=device)
    with pytest.raises(
        ArgumentValueError, match="cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"
    ):
        F.cross_entropy(logits, target, reduction="avg")
    with pytest.raises(
        IndexOutOfRangeError, match=r"cross_entropy: target class 3 is out of range for 3 classes"
    ):
        F.cross_entropy(logits, gt.tensor([0, 3], device=device))
    with pytest.raises(IndexOutOfRangeError, match=r"cross_entropy: target class -1 is out of range"):
        F.cross_entropy(logits, gt.tensor([-1, 0], device=device))
    with pytest.raises(ShapeError, match=r"cross_entropy: class-index target must have shape \(2,\)"):
        F.cross_entropy(logits, gt.tensor([[0], [2]], device=device))
    with pytest.raises(
        ShapeError, match=r"cross_entropy: target.shape=\(2, 4\) must equal logits.shape=\(2, 3\)"
    ):
        F.cross_entropy(logits, gt.zeros((2, 4), device=device))
    with pytest.raises(DTypeError, match="cross_entropy: target must hold integer class indices or floating"):
        F.cross_entropy(logits, gt.tensor([True, False], device=device))
    with pytest.raises(DTypeError, match="cross_entropy: logits must be a floating-point tensor"):
        F.cross_entropy(gt.zeros((2, 3), dtype=gt.int64, device=device), target)
    with pytest.raises(ShapeError, match=r"cross_entropy: weight must have shape \(3,\)"):
        F.cross_entropy(logits, target, weight=gt.ones(2, device=device))
    with pytest.raises(ArgumentValueError, match=r"cross_entropy: label_smoothing must be in \[0.0, 1.0\]"):
        F.cross_entropy(logits, target, label_smoothing=1.5)
    with pytest.raises(ArgumentTypeError, match="cross_entropy: ignore_index must be an int"):
        F.cross_entropy(logits, target, ignore_index=None)
    with pytest.raises(ShapeError, match="cross_entropy: needs at least one .class. axis"):
        F.cross_entropy(gt.tensor(1.0, device=device), target)
    with pytest.raises(ArgumentValueError, match="nll_loss: reduction must be"):
        F.nll_loss(logits, target, reduction=None)
    with pytest.raises(ShapeError, match=r"mse_loss: target.shape=\(2, 1\) must equal input.shape=\(2,\)"):
        F.mse_loss(gt.zeros(2, device=device), gt.zeros((2, 1), device=device))
    with pytest.raises(ArgumentValueError, match="l1_loss: reduction must be"):
        F.l1_loss(logits, logits, reduction="mean ")
    with pytest.raises(ArgumentValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(logits, logits, delta=0)
    with pytest.raises(ShapeError, match=r"binary_cross_entropy_with_logits: target.shape=\(3,\) must equal"):
        F.binary_cross_entropy_with_logits(gt.zeros(2, device=device), gt.zeros(3, device=device))
    with pytest.raises(
        ShapeError, match=r"binary_cross_entropy_with_logits: pos_weight.shape=\(2,\) must broadcast"
    ):
        F.binary_cross_entropy_with_logits(logits, logits, pos_weight=gt.ones(2, device=device))
    with pytest.raises(
        ArgumentValueError, match=r"binary_cross_entropy: every element of probs must be in \[0, 1\]"
    ):
        F.binary_cross_entropy(gt.tensor([0.5, 1.5], device=device), gt.zeros(2, device=device))


def test_losses_on_non_contiguous_views(device):
    rng = np.random.default_rng(9)
    logits = rng.standard_normal((4, 3))
    target = np.array([2, 0, 1, 2])
    probs = rng.random((4, 3))
    check_op(
        lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
        lambda x, t: ce_index_ref(x, t, smoothing=0.1),
        [logits, target],
        device,
        layouts=LAYOUTS,
    )
    check_op(F.cross_entropy, lambda x, t: ce_prob_ref(x, t), [logits, probs], device, layouts=LAYOUTS)
    check_op(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t),
        lambda x, t: bce_logits_ref(x, t),
        [logits, probs],
        device,
        layouts=LAYOUTS,
    )
