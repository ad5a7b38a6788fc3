"""Symbolic tensors and the layer graph behind the functional ``Model(inputs, outputs)``.

``gt.nn.Input(shape)`` returns a :class:`SymbolicTensor`: a shape (batch axis ``None``) and a
dtype, no data. Calling a layer on symbolic tensors builds the layer for their shape and
returns symbolic outputs that remember the call (a :class:`Node`). A functional model walks
back from its outputs to its inputs, orders the nodes, and replays them on real tensors.

>>> import gputensor as gt
>>> x = gt.nn.Input(shape=(4,))
>>> y = gt.nn.Dense(3)(x)
>>> y.shape
(None, 3)
"""

from __future__ import annotations

from ..errors import ArgumentTypeError, ArgumentValueError
from .layers.base import Layer, _flatten


class SymbolicTensor:
    """A placeholder for a batch of values in a functional graph: ``shape`` and ``dtype``."""

    def __init__(self, shape: tuple, dtype, node: Node | None = None, index: int = 0, name: str = ""):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={self.shape} dtype={self.dtype.name} name={self.name!r}>"


class Node:
    """One call of ``layer`` on symbolic ``inputs`` with extra ``args``/``kwargs``."""

    def __init__(self, layer: Layer, inputs, args: tuple, kwargs: dict):
        self.layer = layer
        self.inputs = inputs
        self.args = args
        self.kwargs = kwargs
        self.outputs: list[SymbolicTensor] = []
        self.structure = None


class InputLayer(Layer):
    """The layer behind :func:`Input`: it holds the shape and passes values through."""

    def __init__(self, batch_input_shape=None, dtype=None, name=None, sparse=False, **kwargs):
        super().__init__(name=name, dtype=dtype, batch_input_shape=batch_input_shape, **kwargs)
        self.built = True
        node = Node(self, None, (), {})
        self.output = SymbolicTensor(self._batch_input_shape, self.dtype, node, 0, self.name)
        node.outputs = [self.output]
        node.structure = self.output
        self._inbound_nodes.append(node)

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype.name,
            "batch_input_shape": list(self._batch_input_shape),
        }


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None) -> SymbolicTensor:  # noqa: N802
    """A symbolic input of per-sample ``shape`` (Keras' ``Input``): start of a functional model.

    ``dtype`` defaults to float32; use an integer dtype for token ids fed to ``Embedding``.

    >>> import gputensor as gt
    >>> gt.nn.Input(shape=(28, 28, 1)).shape
    (None, 28, 28, 1)
    """
    if batch_shape is None:
        if shape is None:
            raise ArgumentValueError("Input: give shape (one sample's shape) or batch_shape")
        if isinstance(shape, int):
            shape = (shape,)
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, dtype=dtype, name=name)
    return layer.output


def call_symbolic(layer: Layer, inputs, args: tuple, kwargs: dict):
    """Record ``layer(inputs)`` in the graph: build the layer and return symbolic outputs."""
    shapes = _map(inputs, lambda t: t.shape)
    layer.build_for(shapes)
    out_shapes = layer.compute_output_shape(shapes)
    node = Node(layer, inputs, args, kwargs)
    layer._inbound_nodes.append(node)
    layer._last_output_shape = out_shapes
    first = next(iter(_flatten(inputs)))
    out_dtype = layer.dtype if layer.dtype.kind == "f" else first.dtype

    def make(shape):
        t = SymbolicTensor(shape, out_dtype, node, len(node.outputs), layer.name)
        node.outputs.append(t)
        return t

    if _is_shape(out_shapes):
        result = make(out_shapes)
    else:
        result = [make(s) for s in out_shapes]
    node.structure = result
    return result


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and all(n is None or isinstance(n, int) for n in value)


def _map(structure, fn):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(item, fn) for item in structure)
    if isinstance(structure, dict):
        return {k: _map(v, fn) for k, v in structure.items()}
    if not isinstance(structure, SymbolicTensor):
        raise ArgumentTypeError(
            f"functional model: a layer got {type(structure).__name__} mixed with symbolic tensors; "
            "every input of a layer call in a functional model must come from gt.nn.Input"
        )
    return fn(structure)


def topological_nodes(inputs: list, outputs: list) -> list[Node]:
    """The nodes between ``inputs`` and ``outputs``, each after the nodes it reads from."""
    input_ids = {id(t) for t in inputs}
    order: list[Node] = []
    seen: set[int] = set()
    stack = [(t.node, False) for t in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded or node.inputs is None:
            seen.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        for t in _flatten(node.inputs):
            if id(t) in input_ids or t.node is None:
                continue
            if id(t.node) not in seen:
                stack.append((t.node, False))
    _check_reachable(order, inputs, input_ids)
    return [n for n in order if n.inputs is not None]


def _check_reachable(order: list[Node], inputs: list, input_ids: set) -> None:
    for node in order:
        if node.inputs is None and not any(id(t) in input_ids for t in node.outputs):
            raise ArgumentValueError(
                f"functional model: the graph needs the input {node.outputs[0].name!r}, which is not "
                "in the model's inputs; pass every gt.nn.Input the outputs depend on"
            )


def run_nodes(nodes: list[Node], inputs: list, values: list, training):
    """Replay ``nodes`` with real ``values`` for the symbolic ``inputs``; returns a lookup
    from ``id(symbolic tensor)`` to its value."""
    env = {id(t): v for t, v in zip(inputs, values)}
    for node in nodes:
        args = _map(node.inputs, lambda t: env[id(t)])
        out = node.layer(args, *node.args, training=training, **node.kwargs)
        if isinstance(node.structure, SymbolicTensor):
            env[id(node.structure)] = out
        else:
            for t, v in zip(node.structure, out):
                env[id(t)] = v
    return env


def node_key(node: Node) -> tuple[str, int]:
    """(layer name, index of this call among the layer's calls) for saving the graph."""
    return node.layer.name, node.layer._inbound_nodes.index(node)
