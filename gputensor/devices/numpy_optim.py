"""The CPU backend's fused ``optimizer_update``: each rule as in-place NumPy ufuncs on the
parameter and its slots, with one pooled scratch buffer and no other temporaries.

The arithmetic follows the composed reference in :mod:`gputensor.nn.optimizers.rules`
operation for operation, so both give the same float32 numbers.
"""

from __future__ import annotations

import numpy as np


def optimizer_update(pool, rule: str, param, grad, slots: tuple, hyper: dict) -> bool:
    """Update ``param`` and ``slots`` in place; False for a rule or dtype this backend leaves
    to the composed ops."""
    update = _RULES.get(rule)
    if update is None or param.dtype.kind != "f" or param.dtype.itemsize < 4:
        return False
    scratch = pool.empty(param.shape, param.dtype)
    update(param, grad, slots, hyper, scratch)
    return True


def _sgd(p, g, slots, h, buf):
    lr = h["lr"]
    if not slots:
        np.multiply(g, lr, out=buf)
        np.subtract(p, buf, out=p)
        return
    (m,) = slots
    momentum = h["momentum"]
    np.multiply(m, momentum, out=m)
    np.multiply(g, lr, out=buf)
    np.subtract(m, buf, out=m)
    if h["nesterov"]:
        # var += momentum * m - lr * g, as var -= lr * g (in buf), then var += momentum * m
        np.subtract(p, buf, out=p)
        np.multiply(m, momentum, out=buf)
        np.add(p, buf, out=p)
    else:
        np.add(p, m, out=p)


def _rmsprop(p, g, slots, h, buf):
    rho = h["rho"]
    v = slots[0]
    np.multiply(v, rho, out=v)
    np.multiply(g, g, out=buf)
    np.multiply(buf, 1.0 - rho, out=buf)
    np.add(v, buf, out=v)
    if h["centered"]:
        a = slots[1]
        np.multiply(a, rho, out=a)
        np.multiply(g, 1.0 - rho, out=buf)
        np.add(a, buf, out=a)
        np.multiply(a, a, out=buf)
        np.subtract(v, buf, out=buf)
        np.add(buf, h["epsilon"], out=buf)
    else:
        np.add(v, h["epsilon"], out=buf)
    np.sqrt(buf, out=buf)
    np.divide(g, buf, out=buf)
    np.multiply(buf, h["lr"], out=buf)
    if h["momentum"] > 0:
        m = slots[-1]
        np.multiply(m, h["momentum"], out=m)
        np.add(m, buf, out=m)
        np.subtract(p, m, out=p)
    else:
        np.subtract(p, buf, out=p)


def _adam(p, g, slots, h, buf):
    m, v = slots[0], slots[1]
    np.subtract(g, m, out=buf)
    np.multiply(buf, 1.0 - h["beta_1"], out=buf)
    np.add(m, buf, out=m)
    np.multiply(g, g, out=buf)
    np.subtract(buf, v, out=buf)
    np.multiply(buf, 1.0 - h["beta_2"], out=buf)
    np.add(v, buf, out=v)
    if h["amsgrad"]:
        v_hat = slots[2]
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    np.sqrt(v, out=buf)
    np.add(buf, h["epsilon"], out=buf)
    np.divide(m, buf, out=buf)
    np.multiply(buf, h["lr"], out=buf)
    np.subtract(p, buf, out=p)


def _adagrad(p, g, slots, h, buf):
    (acc,) = slots
    np.multiply(g, g, out=buf)
    np.add(acc, buf, out=acc)
    np.add(acc, h["epsilon"], out=buf)
    np.sqrt(buf, out=buf)
    np.divide(g, buf, out=buf)
    np.multiply(buf, h["lr"], out=buf)
    np.subtract(p, buf, out=p)


_RULES = {"sgd": _sgd, "rmsprop": _rmsprop, "adam": _adam, "adagrad": _adagrad}
