"""The two front doors to autograd: ``GradientTape`` (TensorFlow style) and ``backward()``
(PyTorch style). Both record into the same graph and run the same walk."""

from __future__ import annotations

import weakref

from ..errors import ArgumentTypeError, ArgumentValueError, AutogradError
from ..tensor import Tensor
from .engine import run_backward
from .state import state


def _check_differentiable(op: str, t: Tensor, what: str) -> None:
    if t._dtype.kind != "f":
        raise AutogradError(
            f"{op}: cannot take gradients with respect to {what} of dtype {t._dtype} (shape "
            f"{t._shape}); only floating-point tensors have gradients: convert with .astype(gt.float32)"
        )


def _ones_like(t: Tensor) -> Tensor:
    from ..ops.creation import ones

    return ones(t._shape, dtype=t._dtype, device=t._device)


def _zeros_like(t: Tensor) -> Tensor:
    from ..ops.creation import zeros

    return zeros(t._shape, dtype=t._dtype, device=t._device)


def backward(tensor: Tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    A non-scalar ``tensor`` needs ``gradient`` (the vector of the vector-Jacobian product).

    >>> import gputensor as gt
    >>> x = gt.tensor([1.0, 2.0]).requires_grad_()
    >>> (x ** 2).sum().backward()
    >>> x.grad.tolist()
    [2.0, 4.0]
    """
    if not tensor._rg:
        raise AutogradError(
            "backward: the tensor does not require gradients and has no recorded history; "
            "mark an input with requires_grad_() (outside gt.no_grad()) before computing it"
        )
    _check_differentiable("backward", tensor, "an output")
    if gradient is None:
        if tensor.size != 1:
            raise AutogradError(
                f"backward: the tensor has shape {tensor._shape}; backward() without a gradient "
                "argument needs a one-element tensor (reduce it, e.g. loss.sum(), or pass "
                "gradient=gt.ones_like(y))"
            )
        gradient = _ones_like(tensor)
    else:
        gradient = _as_grad(gradient, tensor, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    sources = None
    if inputs is not None:
        sources = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        for s in sources:
            _check_differentiable("backward", s, "an input")
    run_backward([tensor], [gradient], sources=sources, create_graph=create_graph,
                 retain_graph=retain_graph, accumulate=True)


def _as_grad(g, like: Tensor, op: str) -> Tensor:
    from ..ops.creation import asarray

    g = asarray(g, dtype=like._dtype, device=like._device)
    if g._shape != like._shape:
        raise AutogradError(f"{op}: gradient has shape {g._shape} but the output has shape {like._shape}")
    return g


class GradientTape:
    """Record ops to differentiate them, TensorFlow style.

    Tensors that require grad are always recorded; ``tape.watch(x)`` makes a plain tensor
    recorded while the tape is open. Nest tapes for higher-order gradients.

    >>> import gputensor as gt
    >>> x = gt.tensor(3.0)
    >>> with gt.GradientTape() as outer:
    ...     outer.watch(x)
    ...     with gt.GradientTape() as inner:
    ...         inner.watch(x)
    ...         y = x ** 3
    ...     dy = inner.gradient(y, x)
    >>> dy.item(), outer.gradient(dy, x).item()
    (27.0, 18.0)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched: list[Tensor] = []
        self._seen: list[Tensor] = []  # what watched_variables() reports, also after the block
        self._active = False
        self._used = False

    def __enter__(self) -> GradientTape:
        if self._active:
            raise AutogradError("GradientTape: this tape is already open")
        self._active = True
        state.tapes.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._active = False
        if state.tapes and state.tapes[-1] is self:
            state.tapes.pop()
        else:
            state.tapes.remove(self)
        for t in self._watched:
            t._watch -= 1
            t._rg = t._leaf_rg or t._watch > 0 or t._node is not None
        self._watched = []

    def watch(self, tensor) -> None:
        """Record ops on ``tensor`` (or each tensor of a list/tuple/dict) while the tape is open."""
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise ArgumentTypeError(f"GradientTape.watch: expected tensors, got {type(t).__name__}")
            _check_differentiable("GradientTape.watch", t, "a tensor")
            if not self._active:
                raise AutogradError("GradientTape.watch: call it inside 'with GradientTape() as tape:'")
            t._watch += 1
            t._rg = True
            self._watched.append(t)
            if not any(s is t for s in self._seen):
                self._seen.append(t)

    def watched_variables(self) -> tuple:
        """The tensors explicitly watched by this tape (also once the tape is closed, so that
        ``tape.gradient(loss, tape.watched_variables())`` works after the ``with`` block)."""
        return tuple(self._seen)

    def stop_recording(self):
        """A context in which ops are not recorded (on any tape)."""
        from .state import no_grad

        return no_grad()

    def reset(self) -> None:
        """Forget what was watched (the recorded graph itself lives on the tensors)."""
        for t in self._watched:
            t._watch -= 1
            t._rg = t._leaf_rg or t._watch > 0 or t._node is not None
        self._watched = []
        self._seen = []

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(target)/d(sources), with ``sources`` a tensor or a nested list/tuple/dict of them.

        Non-scalar targets are summed (or weighted by ``output_gradients``). Unconnected sources
        give None, or zeros with ``unconnected_gradients="zero"``.
        """
        if self._used and not self.persistent:
            raise AutogradError(
                "GradientTape.gradient: a non-persistent tape can compute gradients only once; "
                "use GradientTape(persistent=True)"
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ArgumentValueError(
                "GradientTape.gradient: unconnected_gradients must be 'none' or 'zero', got "
                f"{unconnected_gradients!r}"
            )
        self._used = True
        targets = list(_flatten(target))
        flat_sources = list(_flatten(sources))
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise ArgumentTypeError(
                    "GradientTape.gradient: sources must be tensors, got "
                    f"{type(s).__name__}"
                )
            _check_differentiable("GradientTape.gradient", s, "a source")
        if output_gradients is None:
            out_grads = [None] * len(targets)
        else:
            out_grads = list(_flatten(output_gradients))
        roots, root_grads = [], []
        for t, g in zip(targets, out_grads):
            _check_differentiable("GradientTape.gradient", t, "a target")
            if not t._rg:
                continue
            roots.append(t)
            root_grads.append(_ones_like(t) if g is None else _as_grad(g, t, "GradientTape.gradient"))
        create_graph = state.enabled and bool(state.tapes)
        grads = run_backward(roots, root_grads, sources=flat_sources, create_graph=create_graph,
                             retain_graph=True, accumulate=False) if roots else [None] * len(flat_sources)
        if unconnected_gradients == "zero":
            grads = [_zeros_like(s) if g is None else g for s, g in zip(flat_sources, grads)]
        return _unflatten(sources, iter(grads))

    def jacobian(self, target: Tensor, sources):
        """The full Jacobian: shape ``target.shape + source.shape`` for each source."""
        from ..ops.manipulation import reshape, stack

        flat_sources = list(_flatten(sources))
        rows = []
        n = target.size
        flat_target = reshape(target, (n,))
        persistent = self.persistent
        self.persistent = True
        try:
            for i in range(n):
                grads = self.gradient(flat_target[i], flat_sources, unconnected_gradients="zero")
                rows.append(grads)
        finally:
            self.persistent = persistent
        result = []
        for j, s in enumerate(flat_sources):
            jac = stack([r[j] for r in rows]) if rows else _zeros_like(s)
            result.append(reshape(jac, target._shape + s._shape))
        return _unflatten(sources, iter(result))


def _flatten(structure):
    if isinstance(structure, (list, tuple)):
        for item in structure:
            yield from _flatten(item)
    elif isinstance(structure, dict):
        for key in sorted(structure, key=str):
            yield from _flatten(structure[key])
    else:
        yield structure


def _unflatten(structure, values):
    if isinstance(structure, (list, tuple)):
        items = [_unflatten(s, values) for s in structure]
        return type(structure)(items) if isinstance(structure, tuple) else items
    if isinstance(structure, dict):
        return {k: _unflatten(structure[k], values) for k in sorted(structure, key=str)}
    return next(values)


def retain_grad(t: Tensor) -> None:
    """Implementation of ``Tensor.retain_grad`` for non-leaf tensors."""
    if t._node is None:
        return
    if t._node.retain is None:
        t._node.retain = {}
    t._node.retain[t._idx] = weakref.ref(t)

