"""Loss functions: cross_entropy, nll_loss, binary_cross_entropy(_with_logits), mse_loss,
l1_loss, huber_loss. All are composed from differentiable ops (gradients of every order) and
take ``reduction="mean" | "sum" | "none"``.
"""

from __future__ import annotations

from .. import dtypes as dt
from ..autograd.state import no_grad
from ..errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from ..ops.activations import log_softmax
from ..ops.binary import equal, logaddexp, logical_or, not_equal
from ..ops.core import Tensor, check_same_device, normalize_axis, to_tensor
from ..ops.creation import arange
from ..ops.elementwise import astype, clip, where
from ..ops.reduction import any as reduce_any
from ..ops.reduction import sum as reduce_sum
from ..ops.unary import abs as absolute
from ..ops.unary import log, log1p, negative
from ..ops.views import expand_dims, reshape
from .checks import check_reduction, float_tensor, number_in, optional_float_tensor, reduce_loss, same_shape
from .class_targets import check_classes, fused_cross_entropy


def cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    axis: int = -1,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between ``softmax(logits)`` along ``axis`` and ``target``, computed from
    ``log_softmax`` (no overflow for large logits).

    Parameters
    ----------
    logits : Tensor
        Floating scores, classes on ``axis`` (the last axis by default: ``(N, C)``; use
        ``axis=1`` for PyTorch's ``(N, C, d1, ...)`` layout).
    target : Tensor
        Either integer class indices, of ``logits``' shape without ``axis`` (values in
        ``[0, C)`` or ``ignore_index``), or floating class probabilities of ``logits``' shape.
    weight : Tensor, optional
        ``(C,)`` per-class weights. With class indices, ``"mean"`` divides by the summed weights
        of the non-ignored targets (as PyTorch).
    ignore_index : int
        Class-index targets equal to it contribute nothing (and do not count for the mean).
    reduction : ``"mean"``, ``"sum"`` or ``"none"``
    label_smoothing : float in [0, 1]
        Mix the target with the uniform distribution: ``(1 - s) * target + s / C``.

    Examples
    --------
    >>> import gputensor as gt
    >>> logits = gt.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> round(gt.nn.functional.cross_entropy(logits, gt.tensor([0, 2])).item(), 4)
    0.6691
    >>> probs = gt.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    >>> round(gt.nn.functional.cross_entropy(logits, probs).item(), 4)
    0.6691
    """
    op = "cross_entropy"
    logits = _scores(op, logits)
    axis = normalize_axis(axis, logits.ndim, op)
    check_reduction(op, reduction)
    smoothing = number_in(op, "label_smoothing", label_smoothing, 0.0, 1.0)
    weight = _class_weight(op, weight, logits, axis)
    target = target if isinstance(target, Tensor) else to_tensor(target, device=logits.device)
    check_same_device(op, logits, target)
    if target.dtype.kind != "f" and weight is None and smoothing == 0:
        per_item = fused_cross_entropy(op, logits, target, axis, ignore_index)
        if per_item is not None:
            return reduce_loss(per_item, reduction)
    log_p = log_softmax(logits, axis=axis)
    if target.dtype.kind == "f":
        return _soft_cross_entropy(log_p, target, axis, weight, reduction, smoothing)
    picked, valid, denominator = _nll_terms(op, log_p, target, axis, weight, ignore_index)
    loss = negative(picked)
    if smoothing > 0:
        weighted = log_p if weight is None else log_p * _along(weight, logits.ndim, axis)
        uniform = negative(reduce_sum(weighted, axis=axis))
        if valid is not None:
            uniform = where(valid, uniform, 0.0)
        loss = loss * (1 - smoothing) + uniform * (smoothing / logits.shape[axis])
    return reduce_loss(loss, reduction, denominator)


def _scores(op: str, x) -> Tensor:
    x = float_tensor(op, "logits" if op == "cross_entropy" else "log_probs", x)
    if x.ndim == 0:
        raise ShapeError(f"{op}: needs at least one (class) axis, got a 0-d tensor")
    return x


def _class_weight(op: str, weight, scores: Tensor, axis: int):
    weight = optional_float_tensor(op, "weight", weight, scores)
    n_classes = scores.shape[axis]
    if weight is not None and weight.shape != (n_classes,):
        raise ShapeError(f"{op}: weight must have shape ({n_classes},) (one per class), got {weight.shape}")
    return weight


def _along(weight: Tensor, ndim: int, axis: int) -> Tensor:
    shape = [1] * ndim
    shape[axis] = weight.shape[0]
    return reshape(weight, tuple(shape))


def _soft_cross_entropy(log_p, target, axis, weight, reduction, smoothing) -> Tensor:
    same_shape("cross_entropy", "logits", log_p, "target", target)
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / log_p.shape[axis]
    products = log_p * target
    if weight is not None:
        products = products * _along(weight, log_p.ndim, axis)
    return reduce_loss(negative(reduce_sum(products, axis=axis)), reduction)


def _nll_terms(op: str, log_p: Tensor, target: Tensor, axis: int, weight, ignore_index):
    """(weighted log-probability of each target, non-ignored mask, denominator for 'mean')."""
    if target.dtype.kind not in "iu":
        raise DTypeError(
            f"{op}: target must hold integer class indices or floating probabilities, got {target.dtype.name}"
        )
    expected = log_p.shape[:axis] + log_p.shape[axis + 1 :]
    if target.shape != expected:
        raise ShapeError(
            f"{op}: class-index target must have shape {expected} (the scores' shape without "
            f"axis {axis}), got {target.shape}"
        )
    if not isinstance(ignore_index, int) or isinstance(ignore_index, bool):
        raise ArgumentTypeError(f"{op}: ignore_index must be an int, got {ignore_index!r}")
    if target.dtype is not dt.int64:
        target = astype(target, dt.int64)  # compare with ignore_index (often -100) in a signed type
    n_classes = log_p.shape[axis]
    may_ignore = check_classes(op, target, n_classes, ignore_index)
    # Select each target's log-probability with a one-hot mask: three elementwise ops and a
    # sum, no gather (and no scatter in the gradient), on every device.
    classes = _along(arange(n_classes, device=log_p.device), log_p.ndim, axis)
    if not may_ignore:
        hit = equal(expand_dims(target, axis=axis), classes)
        picked = reduce_sum(where(hit, log_p, 0.0), axis=axis)
        count = target.size
        if weight is None:
            return picked, None, count
        chosen = reduce_sum(where(hit, _along(weight, log_p.ndim, axis), 0.0), axis=axis)
        return picked * chosen, None, reduce_sum(chosen)
    valid = not_equal(target, ignore_index)
    hit = equal(expand_dims(where(valid, target, -1), axis=axis), classes)
    picked = reduce_sum(where(hit, log_p, 0.0), axis=axis)
    if weight is None:
        return picked, valid, reduce_sum(astype(valid, log_p.dtype))
    chosen = reduce_sum(where(hit, _along(weight, log_p.ndim, axis), 0.0), axis=axis)
    return picked * chosen, valid, reduce_sum(chosen)


def nll_loss(
    log_probs: Tensor,
    target: Tensor,
    *,
    axis: int = -1,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of integer class ``target`` under ``log_probs`` (classes on
    ``axis``): ``-log_probs[target]``, weighted and reduced like :func:`cross_entropy`.

    Examples
    --------
    >>> import gputensor as gt
    >>> log_p = gt.log(gt.tensor([[0.5, 0.5], [0.25, 0.75]]))
    >>> round(gt.nn.functional.nll_loss(log_p, gt.tensor([0, 1]), reduction="sum").item(), 4)
    0.9808
    """
    op = "nll_loss"
    log_probs = _scores(op, log_probs)
    axis = normalize_axis(axis, log_probs.ndim, op)
    check_reduction(op, reduction)
    weight = _class_weight(op, weight, log_probs, axis)
    target = target if isinstance(target, Tensor) else to_tensor(target, device=log_probs.device)
    check_same_device(op, log_probs, target)
    picked, _, denominator = _nll_terms(op, log_probs, target, axis, weight, ignore_index)
    return reduce_loss(negative(picked), reduction, denominator)


def _binary_pair(op: str, first: str, x, target):
    x = float_tensor(op, first, x)
    target = target if isinstance(target, Tensor) else to_tensor(target, device=x.device)
    check_same_device(op, x, target)
    if target.dtype.kind != "f":
        target = astype(target, x.dtype)
    same_shape(op, first, x, "target", target)
    return x, target


def _broadcast_weight(op: str, name: str, w, like: Tensor):
    w = optional_float_tensor(op, name, w, like)
    if w is not None and not _broadcasts_to(w.shape, like.shape):
        raise ShapeError(f"{op}: {name}.shape={w.shape} must broadcast to the input shape {like.shape}")
    return w


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    if len(shape) > len(target):
        return False
    return all(n in (1, m) for n, m in zip(shape[::-1], target[::-1]))


def binary_cross_entropy_with_logits(
    logits: Tensor,
    target: Tensor,
    *,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``target`` in [0, 1], computed
    stably as ``(1 - t) * x + log(1 + exp(-x))`` (``log1p(exp(-|x|)) + max(-x, 0)``).

    ``weight`` scales each element; ``pos_weight`` (e.g. ``(C,)``, broadcast against the
    input) scales the positive term: ``(1 - t) * x + (1 + (pos_weight - 1) * t) * log(1 + exp(-x))``.
    Integer or bool targets are cast to the logits' dtype.

    Examples
    --------
    >>> import gputensor as gt
    >>> F = gt.nn.functional
    >>> loss = F.binary_cross_entropy_with_logits(gt.tensor([0.0, 100.0]), gt.tensor([1.0, 1.0]))
    >>> round(loss.item(), 4)
    0.3466
    """
    op = "binary_cross_entropy_with_logits"
    check_reduction(op, reduction)
    x, t = _binary_pair(op, "logits", logits, target)
    weight = _broadcast_weight(op, "weight", weight, x)
    pos_weight = _broadcast_weight(op, "pos_weight", pos_weight, x)
    log_one_plus = logaddexp(negative(x), 0.0)
    if pos_weight is None:
        loss = (1 - t) * x + log_one_plus
    else:
        loss = (1 - t) * x + ((pos_weight - 1) * t + 1) * log_one_plus
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def binary_cross_entropy(
    probs: Tensor, target: Tensor, *, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities ``probs`` (each in [0, 1]) against ``target``:
    ``-(t * log(p) + (1 - t) * log(1 - p))``, each log clamped at -100 as PyTorch does, so that
    ``p`` of exactly 0 or 1 gives a finite loss. Prefer
    :func:`binary_cross_entropy_with_logits`, which is stable for saturated inputs.

    Examples
    --------
    >>> import gputensor as gt
    >>> round(gt.nn.functional.binary_cross_entropy(gt.tensor([0.5]), gt.tensor([1.0])).item(), 4)
    0.6931
    """
    op = "binary_cross_entropy"
    check_reduction(op, reduction)
    p, t = _binary_pair(op, "probs", probs, target)
    weight = _broadcast_weight(op, "weight", weight, p)
    with no_grad():
        if p.size and reduce_any(logical_or(p < 0, p > 1)).item():
            raise ArgumentValueError(
                f"{op}: every element of probs must be in [0, 1]; use "
                "binary_cross_entropy_with_logits for raw scores"
            )
    loss = negative(t * _clamped_log(p, False) + (1 - t) * _clamped_log(p, True))
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def _clamped_log(p: Tensor, complement: bool) -> Tensor:
    """max(log(p), -100) (or of 1 - p), with a zero rather than NaN gradient where clamped."""
    inside = (p < 1) if complement else (p > 0)
    safe = where(inside, p, 0.5)
    value = log1p(negative(safe)) if complement else log(safe)
    return where(inside, clip(value, min=-100.0), -100.0)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target) ** 2``, reduced. Shapes must be equal.

    Examples
    --------
    >>> import gputensor as gt
    >>> gt.nn.functional.mse_loss(gt.tensor([1.0, 2.0]), gt.tensor([1.0, 4.0])).item()
    2.0
    """
    op = "mse_loss"
    check_reduction(op, reduction)
    x, t = _binary_pair(op, "input", input, target)
    diff = x - t
    return reduce_loss(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ``|input - target|``, reduced. Shapes must be equal.

    Examples
    --------
    >>> import gputensor as gt
    >>> gt.nn.functional.l1_loss(gt.tensor([1.0, 2.0]), gt.tensor([1.0, 4.0])).item()
    1.0
    """
    op = "l1_loss"
    check_reduction(op, reduction)
    x, t = _binary_pair(op, "input", input, target)
    return reduce_loss(absolute(x - t), reduction)


def huber_loss(input: Tensor, target: Tensor, *, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: ``0.5 * d ** 2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``,
    with ``d = input - target``.

    Examples
    --------
    >>> import gputensor as gt
    >>> gt.nn.functional.huber_loss(gt.tensor([0.5, 3.0]), gt.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    op = "huber_loss"
    check_reduction(op, reduction)
    delta = number_in(op, "delta", delta, 0.0, float("inf"))
    if delta == 0:
        raise ArgumentValueError(f"{op}: delta must be positive, got {delta}")
    x, t = _binary_pair(op, "input", input, target)
    d = x - t
    size = absolute(d)
    loss = where(size < delta, d * d * 0.5, (size - 0.5 * delta) * delta)
    return reduce_loss(loss, reduction)
