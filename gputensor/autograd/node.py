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
from ..tensor import Tensor

_seq = itertools.count()
_new = object.__new__


class Node:
    """One recorded op application (``tensor.grad_fn``)."""

    __slots__ = ("name", "backward_fn", "edges", "saved", "versions", "ctx", "n_out", "seq",
                 "released", "retain", "__weakref__")

    def __init__(self, name, backward_fn, edges, n_out, ctx):
        self.name = name
        self.backward_fn = backward_fn
        self.edges = edges
        self.saved = ()
        self.versions = ()
        self.ctx = ctx
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
            if type(item) is tuple:
                vc = item[7]
                now = vc[0]
            else:
                vc = item._vc
                now = vc[0] if vc is not None else 0
            if now != version:
                shape, dtype = (item[2], item[5]) if type(item) is tuple else (item._shape, item._dtype)
                raise AutogradError(
                    f"{self.name}: a tensor of shape {shape} and dtype {dtype} that this op "
                    f"saved for its gradient was modified in place after it was saved (version "
                    f"{now}, expected {version}); compute the gradient before writing to it, or "
                    "write to a copy (x = x.copy())"
                )
            out.append(_attached(item, self) if type(item) is tuple else item)
        return tuple(out)

    @property
    def next_functions(self) -> tuple:
        """(node or leaf tensor, output index) for each input, as PyTorch names it."""
        return self.edges


def _saved_output(t: Tensor) -> tuple:
    """An op's own output, kept without the Tensor object (which points back at the node)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return (t._data, t._root, t._shape, t._strides, t._offset, t._dtype, t._device, vc, t._idx)


def _attached(item: tuple, node: Node) -> Tensor:
    """Rebuild a saved output as a tensor linked to ``node``, so its uses are differentiable."""
    t = _new(Tensor)
    t._data, t._root, t._shape, t._strides, t._offset, t._dtype, t._device, t._vc, t._idx = item
    t._node = node
    t._rg = True
    t._leaf_rg = False
    t._watch = 0
    t._retain = False
    t._bounds = None
    t.grad = None
    return t


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
    edges = []
    for x in inputs:
        if type(x) is Tensor and x._rg:
            edges.append((x, 0) if x._node is None else (x._node, x._idx))
        else:
            edges.append(None)
    edges = tuple(edges)
    if type(outputs) is Tensor:
        node = Node(name, backward_fn, edges, 1, ctx)
        outputs._node = node
        outputs._idx = 0
        outputs._rg = True
    else:
        node = Node(name, backward_fn, edges, len(outputs), ctx)
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
                item = _saved_output(t)
                versions.append(item[7][0])
            else:
                item = t
                vc = t._vc
                versions.append(vc[0] if vc is not None else 0)
            saved.append(item)
        node.saved = tuple(saved)
        node.versions = tuple(versions)
    return node
