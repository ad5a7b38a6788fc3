"""``Model``: a layer you can train. Three ways to make one, as in Keras:

- functional: ``Model(inputs, outputs)`` over a graph of layers called on ``gt.nn.Input``;
- subclassed: a ``Model`` subclass that creates layers in ``__init__`` and uses them in ``call``;
- :class:`~gputensor.nn.sequential.Sequential`: a stack of layers.

All get ``compile``, ``fit``, ``evaluate``, ``predict``, ``train_on_batch``, ``summary``,
``save`` and weight saving.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentTypeError, ArgumentValueError
from . import training
from .graph import InputLayer, SymbolicTensor, node_key, run_nodes, topological_nodes
from .layers.base import Layer, _flatten, training_mode


class Model(Layer):
    """A trainable stack or graph of layers.

    Examples
    --------
    Functional:

    >>> import gputensor as gt
    >>> inputs = gt.nn.Input(shape=(4,))
    >>> hidden = gt.nn.Dense(8, activation="relu")(inputs)
    >>> model = gt.nn.Model(inputs, gt.nn.Dense(3, activation="softmax")(hidden))
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(gt.randn(32, 4).numpy(), np.arange(32) % 3, epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2

    Subclassed:

    >>> class TwoLayer(gt.nn.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = gt.nn.Dense(8, activation="relu")
    ...         self.out = gt.nn.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> TwoLayer()(gt.ones((2, 4))).shape
    (2, 1)
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        super().__init__(**kwargs)
        self._compiled = None
        self.stop_training = False
        self._graph = None
        if inputs is not None or outputs is not None:
            self._init_graph(inputs, outputs)

    # --- the functional graph ------------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        self._input_structure = inputs
        self._output_structure = outputs
        self.inputs = [t for t in _flatten(inputs)]
        self.outputs = [t for t in _flatten(outputs)]
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise ArgumentTypeError(
                    f"Model: inputs and outputs must be symbolic tensors (from gt.nn.Input and layer calls), "
                    f"got {type(t).__name__}"
                )
        nodes = topological_nodes(self.inputs, self.outputs)
        self._graph = nodes
        layers = []
        for node in nodes:
            if not any(node.layer is known for known in layers):
                layers.append(node.layer)
        self._input_layers = [t.node.layer for t in self.inputs]
        self._graph_layers = layers
        for layer in layers:
            if not any(layer is known for known in self._layers):
                self._layers.append(layer)
        self.built = True
        self._device = layers[0]._device if layers else None

    @property
    def output_names(self) -> list[str]:
        """Names of the output layers (metric names are prefixed with them for several outputs)."""
        if self._graph is not None:
            return [t.node.layer.name for t in self.outputs]
        return ["output"]

    @property
    def layers(self) -> list:
        """The model's layers (for a functional model, in graph order, inputs first)."""
        if self._graph is not None:
            return self._input_layers + [lay for lay in self._graph_layers if lay not in self._input_layers]
        return list(self._layers)

    def call(self, inputs, training=None):
        if self._graph is None:
            raise NotImplementedError(f"{type(self).__name__}: a subclassed Model must define call(inputs)")
        values = list(_flatten(inputs)) if isinstance(inputs, (list, tuple, dict)) else [inputs]
        if len(values) != len(self.inputs):
            raise ArgumentValueError(f"{self.name}: expected {len(self.inputs)} inputs, got {len(values)}")
        env = run_nodes(self._graph, self.inputs, values, training)
        results = [env[id(t)] for t in self.outputs]
        return results[0] if not isinstance(self._output_structure, (list, tuple)) else results

    def compute_output_shape(self, input_shape):
        if self._graph is not None:
            shapes = [t.shape for t in self.outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return self._last_output_shape

    def build(self, input_shape) -> None:
        """Subclassed models build by running ``call`` once on zeros of ``input_shape``."""
        if self._graph is not None or input_shape is None:
            return
        shape = tuple(1 if n is None else n for n in input_shape)
        with no_grad(), training_mode(False):
            self.built = True
            self.call(ops.zeros(shape, dtype=self.dtype, device=self.device))

    # --- devices -------------------------------------------------------------------------------
    def to(self, device) -> Model:
        """Move every weight, and the optimizer's state, to ``device``."""
        before = self.weights
        super().to(device)
        state = self._compiled
        if state is not None:
            state.optimizer.move_variables(zip(before, self.weights))
        return self

    # --- training API ----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None) -> None:
        """Choose the optimizer, loss and metrics (names or objects), as Keras' ``compile``."""
        n_outputs = len(self.outputs) if self._graph is not None else 1
        self._compiled = training.CompiledState(optimizer, loss, metrics, loss_weights, n_outputs)
        self._compile_spec = {
            "optimizer": optimizer,
            "loss": loss,
            "metrics": metrics,
            "loss_weights": loss_weights,
        }

    @property
    def optimizer(self):
        return None if self._compiled is None else self._compiled.optimizer

    @property
    def metrics(self) -> list:
        """The loss tracker and the compiled metrics (built at the first batch)."""
        return [] if self._compiled is None else list(self._compiled.metric_map().values())

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Train for ``epochs`` over ``x``/``y`` (arrays, tensors, or a generator/iterable of
        ``(x, y[, sample_weight])`` batches). Returns a History.

        ``batch_size`` defaults to 32; ``validation_split`` holds out the last fraction of the
        arrays; ``validation_data`` is ``(x, y)`` or a generator; ``class_weight`` maps class
        ids to loss weights; ``verbose`` 0 (silent), 1 (progress bar) or 2 (a line per epoch).
        """
        return training.fit(
            self,
            x,
            y,
            batch_size,
            epochs,
            verbose,
            callbacks,
            validation_split,
            validation_data,
            shuffle,
            class_weight,
            sample_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        """The loss (and the metrics, as a list or a dict) over ``x``/``y`` in inference mode."""
        return training.evaluate(
            self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict
        )

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The outputs for ``x`` in inference mode, as NumPy arrays."""
        return training.predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(
        self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True, return_dict=False
    ):
        """One update on one batch; returns the loss (and metrics) on it."""
        return training.on_batch(
            self, "train_on_batch", x, y, sample_weight, class_weight, return_dict, reset_metrics
        )

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        """The loss (and metrics) of one batch in inference mode."""
        return training.on_batch(self, "test_on_batch", x, y, sample_weight, None, return_dict, reset_metrics)

    def predict_on_batch(self, x):
        """The outputs for one batch, as NumPy arrays."""
        with no_grad():
            out = self(x, training=False)
        if isinstance(out, (list, tuple)):
            return [np.array(o.numpy(), copy=True) for o in out]
        return np.array(out.numpy(), copy=True)

    def reset_metrics(self) -> None:
        if self._compiled is not None:
            self._compiled.reset_metrics()

    # --- summary and saving ----------------------------------------------------------------
    def summary(self, print_fn=None, line_length: int = 65) -> None:
        """Print a Keras-style table of layers, output shapes and parameter counts."""
        from .summary import summary_text

        (print_fn or print)(summary_text(self, line_length))

    def save(self, path) -> None:
        """Save architecture, compile settings, weights and optimizer state to one safetensors
        file (JSON in its metadata; no pickle), atomically. Reload with ``gt.nn.load_model``."""
        from .saving import save_model

        save_model(self, path)

    def save_weights(self, path) -> None:
        """Save the weights to a safetensors file, atomically."""
        from .saving import save_weights

        save_weights(self, path)

    def load_weights(self, path) -> None:
        """Load weights saved by :meth:`save_weights` (or :meth:`save`) into this model; a file
        that does not fit names the first mismatching layer and shapes."""
        from .saving import load_weights

        load_weights(self, path)

    def get_config(self) -> dict:
        if self._graph is None:
            return {"name": self.name}
        layers = []
        for layer in self.layers:
            inbound = []
            for node in layer._inbound_nodes:
                if node in self._graph:
                    inbound.append(_node_refs(node.inputs))
            layers.append(
                {
                    "class_name": type(layer).__name__,
                    "name": layer.name,
                    "config": layer.get_config(),
                    "inbound_nodes": inbound,
                }
            )
        return {
            "name": self.name,
            "layers": layers,
            "input_layers": [_ref(t) for t in self.inputs],
            "output_layers": [_ref(t) for t in self.outputs],
            "single_output": not isinstance(self._output_structure, (list, tuple)),
        }


def _ref(t: SymbolicTensor) -> list:
    layer_name, node_index = node_key(t.node)
    return [layer_name, node_index, t.index]


def _node_refs(inputs):
    if isinstance(inputs, (list, tuple)):
        return [_node_refs(item) for item in inputs]
    return {"ref": _ref(inputs)}


def is_input_layer(layer) -> bool:
    return isinstance(layer, InputLayer)
