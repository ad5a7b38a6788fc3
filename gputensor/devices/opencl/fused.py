"""Optional fused primitives (softmax.cl, optim.cl): ``softmax``, ``log_softmax``,
``softmax_cross_entropy`` (and its backward) and ``optimizer_update``, which the ops use when
a backend offers them."""

from __future__ import annotations

import math

from ... import dtypes as dt
from .array import CLArray
from .launch import ceil_to, linear
from .reduction import acc_dtype
from .runtime import INT, LONG


def softmax(b, x: CLArray, axis: int, log: bool) -> CLArray:
    x = b.as_contiguous(x)
    out = b.empty(x.shape, x.dtype)
    if out.size == 0:
        return out
    if x.ndim == 0:
        b.copy_into(out, 0.0 if log else 1.0)
        return out
    axis %= x.ndim
    outer = math.prod(x.shape[:axis])
    inner = math.prod(x.shape[axis + 1:])
    short = x.dtype.short
    name = f"{'log_softmax' if log else 'softmax'}_{short}"
    kernel = b.rt.kernel("softmax", short, name, (None, None, LONG, LONG, LONG))
    local = 64 if inner >= 64 else 1
    b.rt.launch(kernel, (ceil_to(inner, local), outer), (local, 1), out.buffer, x.buffer, x.offset,
                x.shape[axis], inner)
    return out


def softmax_cross_entropy(b, logits: CLArray, labels: CLArray):
    """(loss, lse) of floating ``logits`` (N, K) against int64 ``labels`` (N,) in [0, K), both
    (N,) in the accumulation dtype (float32 for the 16-bit floats); None for other inputs."""
    if logits.dtype.kind != "f" or logits.ndim != 2 or labels.dtype is not dt.int64:
        return None
    x = b.as_contiguous(logits)
    labels = b.as_contiguous(labels)
    n, k = x.shape
    acc = acc_dtype(x.dtype)
    loss = b.empty((n,), acc)
    lse = b.empty((n,), acc)
    if n and k:
        short = x.dtype.short
        types = (None, None, None, LONG, None, LONG, LONG)
        kernel = b.rt.kernel("softmax", short, f"softmax_cross_entropy_{short}", types)
        b.rt.launch(kernel, (n,), None, loss.buffer, lse.buffer, x.buffer, x.offset, labels.buffer,
                    labels.offset, k)
    return loss, lse


def softmax_cross_entropy_backward(b, logits: CLArray, labels: CLArray, lse: CLArray, gloss: CLArray):
    """d loss / d logits = (softmax(logits) - onehot(labels)) * gloss[:, None], in the logits'
    dtype."""
    x = b.as_contiguous(logits)
    labels = b.as_contiguous(labels)
    acc = acc_dtype(x.dtype)
    lse, gloss = (_whole(b, a if a.dtype is acc else b.cast(a, acc)) for a in (lse, gloss))
    n, k = x.shape
    grad = b.empty((n, k), x.dtype)
    if n and k:
        short = x.dtype.short
        kernel = b.rt.kernel("softmax", short, f"softmax_cross_entropy_{short}_backward",
                             (None, None, LONG, None, LONG, None, None, LONG))
        b.rt.launch(kernel, (n,), None, grad.buffer, x.buffer, x.offset, labels.buffer, labels.offset,
                    lse.buffer, gloss.buffer, k)
    return grad


def _whole(b, a: CLArray) -> CLArray:
    """``a`` contiguous and at the start of its buffer (kernels given no offset)."""
    return a if a.contiguous and a.offset == 0 else b.contiguous(a)


RULES = frozenset({"sgd", "rmsprop", "adam", "adagrad"})


def optimizer_update(b, rule: str, var: CLArray, grad: CLArray, slots: tuple, hyper: dict) -> bool:
    """Update ``var`` and its ``slots`` in place as the rule's composed ops would; False when
    this device has no fused kernel for the rule or dtype (the caller then composes)."""
    if rule not in RULES or var.dtype not in (dt.float32, dt.float64):
        return False
    arrays = (var, grad, *slots)
    if any(a.dtype is not var.dtype or not a.contiguous or a.shape != var.shape for a in arrays):
        return False
    n = var.size
    if n == 0:
        return True
    t = var.dtype.np.type
    short = var.dtype.short
    head = [var.buffer, var.offset, grad.buffer, grad.offset]
    if rule == "sgd":
        m = slots[0] if slots else var
        args = head + [m.buffer, m.offset, n, t(hyper["lr"]), t(hyper["momentum"]), int(bool(slots)),
                       int(bool(hyper["nesterov"]))]
        types = (None, LONG) * 3 + (LONG, t, t, INT, INT)
    elif rule == "rmsprop":
        centered = bool(hyper["centered"])
        momentum = hyper["momentum"] > 0
        v = slots[0]
        avg = slots[1] if centered else var
        m = slots[-1] if momentum else var
        args = head + [v.buffer, v.offset, avg.buffer, avg.offset, m.buffer, m.offset, n, t(hyper["lr"]),
                       t(hyper["rho"]), t(1.0 - hyper["rho"]), t(hyper["momentum"]), t(hyper["epsilon"]),
                       int(centered), int(momentum)]
        types = (None, LONG) * 5 + (LONG, t, t, t, t, t, INT, INT)
    elif rule == "adam":
        amsgrad = bool(hyper["amsgrad"])
        m, v = slots[0], slots[1]
        vhat = slots[2] if amsgrad else var
        args = head + [m.buffer, m.offset, v.buffer, v.offset, vhat.buffer, vhat.offset, n, t(hyper["lr"]),
                       t(1.0 - hyper["beta_1"]), t(1.0 - hyper["beta_2"]), t(hyper["epsilon"]), int(amsgrad)]
        types = (None, LONG) * 5 + (LONG, t, t, t, t, INT)
    else:
        acc = slots[0]
        args = head + [acc.buffer, acc.offset, n, t(hyper["lr"]), t(hyper["epsilon"])]
        types = (None, LONG) * 3 + (LONG, t, t)
    kernel = b.rt.kernel("optim", short, f"{rule}_{short}", types)
    linear(b.rt, kernel, n, *args)
    return True
