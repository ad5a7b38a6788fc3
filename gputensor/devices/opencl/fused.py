"""Optional fused primitives (softmax.cl, optim.cl): ``softmax``, ``log_softmax`` and
``optimizer_update``, which the ops use when a backend offers them."""

from __future__ import annotations

import math

from ... import dtypes as dt
from .array import CLArray
from .launch import ceil_to, linear
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
