"""The backward walk shared by ``Tensor.backward`` and ``GradientTape.gradient``.

The walk is iterative (no recursion limit on deep graphs). Every node gets a sequence number
when it is recorded, and an op's inputs always exist before the op, so every consumer of a node
has a larger number than the node itself: running the reachable nodes in decreasing sequence
order runs each one after all its gradients have arrived. The order is deterministic, and each
node's saved tensors are released as soon as it has run unless the graph is retained.
"""

from __future__ import annotations

from ..errors import AutogradError
from ..tensor import Tensor
from .node import Node
from .state import state


class _Targets:
    """Where gradients are wanted: leaf tensors (by id) and (node, output index) pairs."""

    def __init__(self, sources):
        self.count = len(sources)
        self.leaves: dict[int, list[int]] = {}
        self.outputs: dict[tuple, list[int]] = {}
        self.nodes: set = set()
        for i, s in enumerate(sources):
            if s._node is None:
                self.leaves.setdefault(id(s), []).append(i)
            else:
                self.outputs.setdefault((s._node, s._idx), []).append(i)
                self.nodes.add(s._node)


def _reachable(root_nodes) -> list:
    """Every node reachable from ``root_nodes``, most recently recorded first."""
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        for edge in node.edges:
            if edge is not None:
                child = edge[0]
                if type(child) is Node and child not in seen:
                    seen.add(child)
                    stack.append(child)
    return sorted(seen, key=_seq_key, reverse=True)


def _seq_key(node) -> int:
    return node.seq


def _needed(order, targets: _Targets) -> set:
    """Nodes with a source at or below them (``order`` is newest first, so children come
    before parents when it is reversed)."""
    needed = set()
    for node in reversed(order):
        if node in targets.nodes:
            needed.add(node)
            continue
        for edge in node.edges:
            if edge is None:
                continue
            target = edge[0]
            if (type(target) is Node and target in needed) or id(target) in targets.leaves:
                needed.add(node)
                break
    return needed


def run_backward(roots, root_grads, sources=None, create_graph=False, retain_graph=False,
                 accumulate=True):
    """Propagate ``root_grads`` from ``roots`` through the recorded graph.

    Without ``sources`` (``backward()``): accumulates into ``.grad`` of every leaf that requires
    grad. With ``sources``: returns their gradients (None where unconnected) and, if
    ``accumulate``, also adds them to the sources' ``.grad``.
    """
    targets = _Targets(sources) if sources is not None else None
    results = [None] * (targets.count if targets else 0)
    walk = _Walk(targets, results, accumulate)

    grads: dict[Node, list] = {}
    root_nodes = set()
    for t, g in zip(roots, root_grads):
        if t._node is None:
            walk.deliver_leaf(t, g)
            continue
        buf = grads.setdefault(t._node, [None] * t._node.n_out)
        buf[t._idx] = g if buf[t._idx] is None else buf[t._idx] + g
        root_nodes.add(t._node)

    order = _reachable(root_nodes)
    needed = _needed(order, targets) if targets else None
    target_nodes = targets.nodes if targets is not None else ()
    prev_enabled = state.enabled
    state.enabled = create_graph
    try:
        for node in order:
            out_grads = grads.pop(node, None)
            if out_grads is None:
                continue
            if node.retain is not None or node in target_nodes:
                walk.capture(node, out_grads)
            if needed is not None and node not in needed:
                continue
            in_grads = _call(node, out_grads)
            if not retain_graph:
                node.saved = ()
                node.released = True
            for edge, g in zip(node.edges, in_grads):
                if edge is None or g is None:
                    continue
                target = edge[0]
                if type(target) is Node:
                    buf = grads.get(target)
                    if buf is None:
                        buf = grads[target] = [None] * target.n_out
                    idx = edge[1]
                    old = buf[idx]
                    buf[idx] = g if old is None else old + g
                else:
                    walk.deliver_leaf(target, g)
    finally:
        state.enabled = prev_enabled
    return results


class _Walk:
    __slots__ = ("targets", "results", "accumulate")

    def __init__(self, targets, results, accumulate):
        self.targets = targets
        self.results = results
        self.accumulate = accumulate

    def deliver_leaf(self, leaf: Tensor, g: Tensor) -> None:
        targets = self.targets
        if targets is None:
            if leaf._leaf_rg:
                _accumulate(leaf, g)
            return
        slots = targets.leaves.get(id(leaf))
        if not slots:
            return
        for i in slots:
            r = self.results[i]
            self.results[i] = g if r is None else r + g
        if self.accumulate:
            _accumulate(leaf, g)

    def capture(self, node: Node, out_grads: list) -> None:
        if node.retain is not None:
            for idx, ref in node.retain.items():
                t = ref()
                g = out_grads[idx]
                if t is not None and g is not None:
                    t.grad = g if t.grad is None else t.grad + g
        targets = self.targets
        if targets is not None and node in targets.nodes:
            for idx, g in enumerate(out_grads):
                for i in targets.outputs.get((node, idx), ()):
                    r = self.results[i]
                    self.results[i] = g if r is None else r + g


def _accumulate(leaf: Tensor, g: Tensor) -> None:
    if g._shape != leaf._shape:
        raise AutogradError(
            f"backward: gradient of shape {g._shape} arrived for a leaf of shape {leaf._shape}"
        )
    leaf.grad = g if leaf.grad is None else leaf.grad + g


def _call(node: Node, out_grads: list):
    if node.released:
        raise AutogradError(
            f"{node.name}: trying to run backward through the graph a second time (its saved "
            "tensors were freed); pass retain_graph=True to the first backward(), or use a "
            "persistent GradientTape"
        )
    if node.n_out == 1:
        if out_grads[0] is None:
            return (None,) * len(node.edges)
        result = node.backward_fn(node, out_grads[0])
    elif all(g is None for g in out_grads):
        return (None,) * len(node.edges)
    else:
        result = node.backward_fn(node, *out_grads)
    if type(result) is not tuple:
        result = (result,)
    if len(result) != len(node.edges):
        raise AutogradError(
            f"{node.name}: backward returned {len(result)} gradients for {len(node.edges)} inputs"
        )
    return result
