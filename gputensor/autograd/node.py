"""Graph nodes: what an op records so that its gradient can be computed later.

A node holds the op's backward function, one *edge* per input (the producing node and output
index, the leaf tensor itself, or None for inputs that need no gradient), the tensors the
backward needs (with the version each had when saved) and any non-tensor context.

Outputs saved for backward (``exp`` keeps its result) are stored without their link to the node,
so that a node and its output never form a reference cycle; unpacking re-attaches them, which
keeps gradients of gradients correct.
"""

from __future__ import annotations

import itertools

from ..errors import AutogradError
from ..tensor import Tensor, _make_view_of

_seq = itertools.count()


class _SavedOutput:
    __slots__ = ("tensor", "index")

    def __init__(self, tensor: Tensor, index: int):
        self.tensor = tensor
        self.index = index


class Node:
    """One recorded op application (``tensor.grad_fn``)."""

    __slots__ = ("name", "backward_fn", "edges", "saved", "versions", "ctx", "n_out", "seq",
                 "released", "retain", "__weakref__")

    def __init__(self, name, backward_fn, edges, n_out):
        self.name = name
        self.backward_fn = backward_fn
        self.edges = edges
        self.saved = ()
        self.versions = ()
        self.ctx = None
        self.n_out = n_out
        self.seq = next(_seq)
        self.released = False
        self.retain = None

    def __repr__(self) -> str:
        return f"<{self.name} backward>"

    @property
    def saved_tensors(self) -> tuple:
        """The tensors saved for backward, checked against in-place writes since saving."""
        if self.released:
            raise AutogradError(
                f"{self.name}: trying to run backward through the graph a second time (its saved "
                "tensors were freed); pass retain_graph=True to the first backward(), or use a "
                "persistent GradientTape"
            )
        out = []
        for item, version in zip(self.saved, self.versions):
            t = item.tensor if type(item) is _SavedOutput else item
            now = t._vc[0] if t._vc is not None else 0
            if now != version:
                raise AutogradError(
                    f"{self.name}: a tensor of shape {t._shape} and dtype {t._dtype} that this op "
                    f"saved for its gradient was modified in place after it was saved (version "
                    f"{now}, expected {version}); compute the gradient before writing to it, or "
                    "write to a copy (x = x.copy())"
                )
            if type(item) is _SavedOutput:
                t = _attached(t, self, item.index)
            out.append(t)
        return tuple(out)

    @property
    def next_functions(self) -> tuple:
        """(node or leaf tensor, output index) for each input, as PyTorch names it."""
        return self.edges


def _attached(t: Tensor, node: Node, index: int) -> Tensor:
    a = _make_view_of(t, t._data, t._shape, t._strides, t._offset)
    a._node = node
    a._idx = index
    a._rg = True
    return a


def edge_of(x):
    """The edge for input ``x``: (producer node, index), (leaf tensor, 0) or None."""
    if type(x) is Tensor and x._rg:
        node = x._node
        if node is None:
            return (x, 0)
        return (node, x._idx)
    return None


def record(name, backward_fn, inputs, outputs, save=(), ctx=None) -> Node:
    """Record one op: link ``outputs`` to a new node over ``inputs``.

    ``outputs`` is a tensor or a tuple of tensors; ``save`` lists tensors (inputs or outputs)
    the backward function reads through ``node.saved_tensors``; ``ctx`` is anything else it needs.
    The backward function is called as ``backward_fn(node, *output_grads)`` and returns one
    gradient (or None) per input.
    """
    edges = tuple([edge_of(x) for x in inputs])
    single = type(outputs) is Tensor
    node = Node(name, backward_fn, edges, 1 if single else len(outputs))
    if single:
        outputs._node = node
        outputs._idx = 0
        outputs._rg = True
    else:
        for i, out in enumerate(outputs):
            if out is not None:
                out._node = node
                out._idx = i
                out._rg = True
    if save:
        saved = []
        versions = []
        for t in save:
            if t._node is node:
                item = _SavedOutput(_make_view_of(t, t._data, t._shape, t._strides, t._offset), t._idx)
                vc = t._vc
            else:
                item = t
                vc = t._vc
            saved.append(item)
            versions.append(vc[0] if vc is not None else 0)
        node.saved = tuple(saved)
        node.versions = tuple(versions)
    node.ctx = ctx
    return node
