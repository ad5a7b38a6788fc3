"""Numerical gradient checks: ``gradcheck`` (first order) and ``gradgradcheck`` (second).

Both compare the tape's gradients with central differences. Use float64 inputs: float32
differences are too coarse to check anything but the sign.

>>> import gputensor as gt
>>> x = gt.tensor([0.3, -1.2], dtype=gt.float64)
>>> gt.testing.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
True
"""

from __future__ import annotations

import numpy as np

from .autograd.engine import run_backward
from .autograd.state import enable_grad, no_grad
from .errors import AutogradError
from .tensor import Tensor


def _as_outputs(out):
    if isinstance(out, Tensor):
        return [out]
    return [o for o in out if isinstance(o, Tensor)]


def _flat_values(outputs):
    if not outputs:
        return np.zeros(0)
    return np.concatenate([np.asarray(o.numpy(), dtype=np.float64).reshape(-1) for o in outputs])


def _numerical_jacobian(fn, inputs, wrt, eps):
    """Rows: input elements of the inputs in ``wrt``; columns: output elements."""
    from .ops.creation import asarray

    base = [x.numpy().astype(np.float64).copy() for x in inputs]
    rows = []
    for i in wrt:
        flat = base[i].reshape(-1)
        for k in range(flat.size):
            values = []
            for sign in (1.0, -1.0):
                perturbed = [b.copy() for b in base]
                perturbed[i].reshape(-1)[k] += sign * eps
                args = [
                    asarray(p.astype(inputs[j].dtype.np), device=inputs[j].device)
                    for j, p in enumerate(perturbed)
                ]
                with no_grad():
                    values.append(_flat_values(_as_outputs(fn(*args))))
            rows.append((values[0] - values[1]) / (2 * eps))
    if not rows:
        # no input elements: a (0, outputs) Jacobian, the shape the analytic one has
        with no_grad():
            n_out = _flat_values(_as_outputs(fn(*inputs))).size
        return np.zeros((0, n_out))
    return np.array(rows)


def _analytic_jacobian(fn, inputs, wrt):
    from .ops.creation import asarray

    args = [x.detach() for x in inputs]
    for i in wrt:
        args[i].requires_grad_()
    with enable_grad():
        outputs = _as_outputs(fn(*args))
    n_out = sum(o.size for o in outputs)
    sizes = [args[i].size for i in wrt]
    jac = np.zeros((sum(sizes), n_out))
    col = 0
    for o in outputs:
        for k in range(o.size):
            if not o.requires_grad:
                col += 1
                continue
            seed = np.zeros(o.size, dtype=o.dtype.np)
            seed[k] = 1
            g = asarray(seed.reshape(o.shape), device=o.device)
            sources = [args[i] for i in wrt]
            grads = run_backward([o], [g], sources=sources, retain_graph=True, accumulate=False)
            row = 0
            for i, gi in zip(wrt, grads):
                n = args[i].size
                if gi is not None:
                    jac[row:row + n, col] = gi.numpy().astype(np.float64).reshape(-1)
                row += n
            col += 1
    return jac


def gradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              wrt=None, raise_exception: bool = True) -> bool:
    """Compare the tape's Jacobian of ``fn(*inputs)`` with central differences.

    ``wrt`` lists the indices of the inputs to differentiate (default: every floating input).
    Returns True, or raises AutogradError with the largest mismatch.
    """
    inputs = list(inputs)
    if wrt is None:
        wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.dtype.kind == "f"]
    numeric = _numerical_jacobian(fn, inputs, wrt, eps)
    analytic = _analytic_jacobian(fn, inputs, wrt)
    same = numeric.shape == analytic.shape
    if not same or not np.allclose(analytic, numeric, atol=atol, rtol=rtol, equal_nan=True):
        if not raise_exception:
            return False
        diff = np.abs(analytic - numeric) if numeric.shape == analytic.shape else None
        where = np.unravel_index(np.nanargmax(diff), diff.shape) if diff is not None and diff.size else None
        detail = (f"largest mismatch at (input element, output element) {where}: analytic "
                  f"{analytic[where]:.6g} vs numerical {numeric[where]:.6g}") if where else "shape mismatch"
        raise AutogradError(f"gradcheck failed: {detail}\nanalytic:\n{analytic}\nnumerical:\n{numeric}")
    return True


def gradgradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0, wrt=None) -> bool:
    """Check second derivatives: gradcheck of the vector-Jacobian product of ``fn`` with a
    fixed random vector, differentiated again through the tape."""
    from .ops.creation import asarray

    inputs = list(inputs)
    if wrt is None:
        wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.dtype.kind == "f"]
    with no_grad():
        outputs = _as_outputs(fn(*[x.detach() for x in inputs]))
    rng = np.random.default_rng(seed)
    vectors = [asarray(rng.standard_normal(o.shape).astype(o.dtype.np), device=o.device) for o in outputs]

    def vjp(*args):
        args = list(args)
        for i in wrt:
            if not args[i].requires_grad:
                args[i] = args[i].detach().requires_grad_()
        with enable_grad():
            outs = _as_outputs(fn(*args))
            roots = [o for o in outs if o.requires_grad]
            grads_v = [v for o, v in zip(outs, vectors) if o.requires_grad]
            if not roots:
                raise AutogradError("gradgradcheck: the function's outputs do not depend on its inputs")
            grads = run_backward(roots, grads_v, sources=[args[i] for i in wrt], create_graph=True,
                                 retain_graph=True, accumulate=False)
        from .ops.creation import zeros_like

        return [g if g is not None else zeros_like(args[i]) for i, g in zip(wrt, grads)]

    return gradcheck(vjp, inputs, eps=eps, atol=atol, rtol=rtol, wrt=wrt)
