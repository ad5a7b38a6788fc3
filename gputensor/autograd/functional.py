"""Function transforms over the tape: ``grad`` and ``value_and_grad`` (JAX style).

>>> import gputensor as gt
>>> f = lambda x: (x ** 3).sum()
>>> gt.grad(f)(gt.tensor([2.0])).tolist()
[12.0]
>>> gt.grad(gt.grad(lambda x: x ** 3))(gt.tensor(2.0)).item()
12.0
"""

from __future__ import annotations

import functools

from ..errors import ArgumentTypeError, AutogradError
from ..tensor import Tensor
from .engine import run_backward
from .state import state


def value_and_grad(fn, argnums=0, has_aux=False):
    """A function returning ``(fn(*args), d fn / d args[argnums])``; ``fn`` must return a
    one-element tensor (or ``(value, aux)`` with ``has_aux``)."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        if max(nums) >= len(args):
            raise ArgumentTypeError(
                f"grad: argnums {argnums} out of range for {len(args)} positional "
                "arguments"
            )
        watched = []
        sources = []
        outer = state.enabled and (bool(state.tapes) or any(
            isinstance(args[i], Tensor) and args[i]._rg for i in nums))
        for i in nums:
            x = args[i]
            if not isinstance(x, Tensor):
                raise ArgumentTypeError(f"grad: argument {i} must be a Tensor, got {type(x).__name__}")
            if x._dtype.kind != "f":
                raise AutogradError(f"grad: argument {i} has dtype {x._dtype}; gradients need floating point")
            x._watch += 1
            x._rg = True
            watched.append(x)
            sources.append(x)
        prev = state.enabled
        state.enabled = True
        # while fn runs, this transform counts as an open tape: a GradientTape.gradient inside
        # fn must build a differentiable result for the gradient taken here
        state.tapes.append(wrapped)
        try:
            out = fn(*args, **kwargs)
        finally:
            state.enabled = prev
            state.tapes.remove(wrapped)
            for x in watched:
                x._watch -= 1
                x._rg = x._leaf_rg or x._watch > 0 or x._node is not None
        value, aux = (out if has_aux else (out, None))
        if not isinstance(value, Tensor) or value.size != 1:
            shape = getattr(value, "shape", type(value).__name__)
            raise AutogradError(f"grad: the function must return a one-element tensor, got {shape}")
        if value._rg:
            from ..ops.creation import ones

            grads = run_backward([value], [ones(value._shape, dtype=value._dtype, device=value._device)],
                                 sources=sources, create_graph=outer, retain_graph=outer, accumulate=False)
        else:
            grads = [None] * len(sources)
        from ..ops.creation import zeros_like

        grads = [zeros_like(s) if g is None else g for s, g in zip(sources, grads)]
        result = grads[0] if single else tuple(grads)
        if has_aux:
            return (value, aux), result
        return value, result

    return wrapped


def grad(fn, argnums=0, has_aux=False):
    """A function returning the gradient of the scalar function ``fn`` at its arguments."""
    vg = value_and_grad(fn, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapped
