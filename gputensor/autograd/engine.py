"""The backward walk shared by ``Tensor.backward`` and ``GradientTape.gradient``.

The walk is iterative (no recursion limit on deep graphs). It first counts, for every node
reachable from the roots, how many consumers will send it a gradient; then it runs nodes whose
gradients are complete, most recently recorded first (a deterministic order), and releases each
node's saved tensors as soon as it has run unless the graph is retained.
"""

from __future__ import annotations

import heapq

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


def _dependencies(root_nodes):
    """Consumer counts of every node reachable from ``root_nodes``, and the nodes in DFS order."""
    deps: dict[Node, int] = {}
    seen = set()
    order = []
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for edge in node.edges:
            if edge is not None and type(edge[0]) is Node:
                child = edge[0]
                deps[child] = deps.get(child, 0) + 1
                if child not in seen:
                    stack.append(child)
    return deps, order


def _needed(order, targets: _Targets) -> set:
    """Nodes with a source at or below them; children have smaller ``seq`` than parents."""
    needed = set()
    for node in sorted(order, key=lambda n: n.seq):
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

    deps, order = _dependencies(root_nodes)
    needed = _needed(order, targets) if targets else None
    ready = [(-n.seq, n) for n in root_nodes if deps.get(n, 0) == 0]
    heapq.heapify(ready)
    prev_enabled = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            _, node = heapq.heappop(ready)
            out_grads = grads.pop(node)
            walk.capture(node, out_grads)
            if needed is not None and node not in needed:
                in_grads = (None,) * len(node.edges)
            else:
                in_grads = _call(node, out_grads)
                if not retain_graph:
                    node.saved = ()
                    node.released = True
            for edge, g in zip(node.edges, in_grads):
                if edge is None:
                    continue
                target, idx = edge
                if type(target) is Tensor:
                    if g is not None:
                        walk.deliver_leaf(target, g)
                    continue
                buf = grads.get(target)
                if buf is None:
                    buf = grads[target] = [None] * target.n_out
                if g is not None:
                    buf[idx] = g if buf[idx] is None else buf[idx] + g
                remaining = deps[target] - 1
                deps[target] = remaining
                if remaining == 0:
                    heapq.heappush(ready, (-target.seq, target))
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
    if all(g is None for g in out_grads):
        return (None,) * len(node.edges)
    result = node.backward_fn(node, *out_grads)
    if type(result) is not tuple:
        result = (result,)
    if len(result) != len(node.edges):
        raise AutogradError(
            f"{node.name}: backward returned {len(result)} gradients for {len(node.edges)} inputs"
        )
    return result
