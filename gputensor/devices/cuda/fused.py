"""Optional fused primitives (softmax.cu, optim.cu): ``softmax``, ``log_softmax``, the fused
softmax cross-entropy, ``optimizer_update`` and its multi-tensor form."""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from .array import CudaArray
from .launch import BLOCK, INT, LONG, acc_dtype, blocks, linear, slabs

FLOATS = (dt.float16, dt.bfloat16, dt.float32, dt.float64)


def _row_block(k: int) -> int:
    """Threads per row of the row kernels: a warp for short rows, up to 256 for long ones."""
    return min(BLOCK, max(32, 1 << max(5, (k // 16 - 1).bit_length())))


def softmax(b, x: CudaArray, axis: int, log: bool) -> CudaArray:
    x = b.as_contiguous(x)
    out = b.empty(x.shape, x.dtype)
    if out.size == 0:
        return out
    outer = math.prod(x.shape[:axis])
    inner = math.prod(x.shape[axis + 1 :])
    k = x.shape[axis]
    short = x.dtype.short
    kernel = b.rt.kernel("softmax", short, f"{'log_softmax' if log else 'softmax'}_{short}")
    if inner == 1:
        b.rt.launch(
            kernel, (outer,), (_row_block(k),), (out.buffer, x.buffer, LONG(x.offset), LONG(k), LONG(1))
        )
        return out
    item = x.itemsize
    for first, count in slabs(outer):
        at = first * k * inner
        b.rt.launch(
            kernel,
            (blocks(inner), count),
            (BLOCK,),
            (np.uint64(out.address + at * item), x.buffer, LONG(x.offset + at), LONG(k), LONG(inner)),
        )
    return out


def softmax_cross_entropy(b, logits: CudaArray, labels: CudaArray):
    """(loss, lse) of ``logits`` (N, K) against int64 ``labels`` (N,), both (N,) in the
    accumulation dtype (float32 for the 16-bit floats); None for other dtypes."""
    if logits.dtype not in FLOATS or logits.ndim != 2:
        return None
    x = b.as_contiguous(logits)
    labels = b.as_contiguous(labels if labels.dtype is dt.int64 else b.cast(labels, dt.int64))
    n, k = x.shape
    acc = acc_dtype(x.dtype)
    loss = b.empty((n,), acc)
    lse = b.empty((n,), acc)
    if n and k:
        short = x.dtype.short
        kernel = b.rt.kernel("softmax", short, f"softmax_cross_entropy_{short}")
        b.rt.launch(
            kernel,
            (n,),
            (_row_block(k),),
            (loss.buffer, lse.buffer, x.buffer, LONG(x.offset), labels.buffer, LONG(labels.offset), LONG(k)),
        )
    return loss, lse


def softmax_cross_entropy_backward(b, logits: CudaArray, labels: CudaArray, lse: CudaArray, gloss: CudaArray):
    """d loss / d logits = (softmax(logits) - onehot(labels)) * gloss[:, None]."""
    x = b.as_contiguous(logits)
    labels = b.as_contiguous(labels if labels.dtype is dt.int64 else b.cast(labels, dt.int64))
    acc = acc_dtype(x.dtype)
    lse = b.as_contiguous(lse if lse.dtype is acc else b.cast(lse, acc))
    gloss = b.as_contiguous(gloss if gloss.dtype is acc else b.cast(gloss, acc))
    n, k = x.shape
    grad = b.empty((n, k), x.dtype)
    if n and k:
        short = x.dtype.short
        kernel = b.rt.kernel("softmax", short, f"softmax_cross_entropy_{short}_backward")
        b.rt.launch(
            kernel,
            (n,),
            (_row_block(k),),
            (
                grad.buffer,
                x.buffer,
                LONG(x.offset),
                labels.buffer,
                LONG(labels.offset),
                np.uint64(lse.address),
                np.uint64(gloss.address),
                LONG(k),
            ),
        )
    return grad


RULES = frozenset({"sgd", "rmsprop", "adam", "adagrad"})


def _scalars(rule: str, hyper: dict, t, has_slot: bool) -> tuple:
    """The rule's scalar kernel arguments (after n / chunk), in optim.cu's order."""
    if rule == "sgd":
        return (t(hyper["lr"]), t(hyper["momentum"]), INT(has_slot), INT(bool(hyper["nesterov"])))
    if rule == "rmsprop":
        return (
            t(hyper["lr"]),
            t(hyper["rho"]),
            t(1.0 - hyper["rho"]),
            t(hyper["momentum"]),
            t(hyper["epsilon"]),
            INT(bool(hyper["centered"])),
            INT(hyper["momentum"] > 0),
        )
    if rule == "adam":
        return (
            t(hyper["lr"]),
            t(1.0 - hyper["beta_1"]),
            t(1.0 - hyper["beta_2"]),
            t(hyper["epsilon"]),
            INT(bool(hyper["amsgrad"])),
        )
    return (t(hyper["lr"]), t(hyper["epsilon"]))


def _slot_views(rule: str, var: CudaArray, slots: tuple, hyper: dict) -> tuple:
    """The three slot arrays a kernel takes (unused ones stand in as ``var``)."""
    if rule == "sgd":
        return (slots[0] if slots else var, var, var)
    if rule == "rmsprop":
        centered = bool(hyper["centered"])
        momentum = hyper["momentum"] > 0
        return (slots[0], slots[1] if centered else var, slots[-1] if momentum else var)
    if rule == "adam":
        return (slots[0], slots[1], slots[2] if hyper["amsgrad"] else var)
    return (slots[0], var, var)


def _supported(rule: str, var: CudaArray, grad: CudaArray, slots: tuple) -> bool:
    if rule not in RULES or var.dtype not in (dt.float32, dt.float64):
        return False
    arrays = (var, grad, *slots)
    return all(a.dtype is var.dtype and a.contiguous and a.shape == var.shape for a in arrays)


def optimizer_update(b, rule: str, var: CudaArray, grad: CudaArray, slots: tuple, hyper: dict) -> bool:
    """Update ``var`` and its ``slots`` in place as the rule's composed ops would; False when
    this device has no fused kernel for the rule or dtype (the caller then composes)."""
    if not _supported(rule, var, grad, slots):
        return False
    n = var.size
    if n == 0:
        return True
    t = var.dtype.np.type
    views = _slot_views(rule, var, slots, hyper)
    used = {"sgd": 1, "rmsprop": 3, "adam": 3, "adagrad": 1}[rule]
    args = [var.buffer, LONG(var.offset), grad.buffer, LONG(grad.offset)]
    for s in views[:used]:
        args += [s.buffer, LONG(s.offset)]
    scalars = _scalars(rule, hyper, t, bool(slots))
    kernel = b.rt.kernel("optim", var.dtype.short, f"{rule}_{var.dtype.short}")
    linear(b.rt, kernel, n, *args, LONG(n), *scalars)
    return True


MULTI_CHUNK = 4096  # elements per block of the multi-tensor kernels


def optimizer_update_many(b, rule: str, variables: list, grads: list, slots: list, hyper: dict) -> bool:
    """One launch updating every variable of ``variables`` (same rule, dtype and hyper
    parameters; the multi-tensor form of :func:`optimizer_update`). False when any of them
    is unsupported (nothing is updated then)."""
    if not variables or not all(_supported(rule, v, g, s) for v, g, s in zip(variables, grads, slots)):
        return False
    dtype = variables[0].dtype
    if any(v.dtype is not dtype for v in variables):
        return False
    table = np.zeros((len(variables), 8), np.int64)
    first = 0
    for row, (var, grad, own) in enumerate(zip(variables, grads, slots)):
        views = _slot_views(rule, var, own, hyper)
        table[row] = [
            var.size,
            var.address,
            grad.address,
            views[0].address,
            views[1].address,
            views[2].address,
            first,
            0,
        ]
        first += -(-var.size // MULTI_CHUNK)
    if first == 0:
        return True
    device_table = b.from_host(table)
    t = dtype.np.type
    scalars = _scalars(rule, hyper, t, bool(slots[0]))
    kernel = b.rt.kernel("optim", dtype.short, f"{rule}_{dtype.short}_multi")
    # the table's memory may return to the pool at once: later work on the stream runs after this
    b.rt.launch(
        kernel, (first,), (BLOCK,), (device_table.buffer, INT(len(variables)), LONG(MULTI_CHUNK), *scalars)
    )
    return True
