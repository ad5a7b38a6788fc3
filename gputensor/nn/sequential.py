"""``Sequential``: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from ..errors import ArgumentTypeError, ArgumentValueError
from .graph import InputLayer, SymbolicTensor
from .layers.base import Layer
from .model import Model


class Sequential(Model):
    """A model that calls its layers one after the other.

    Give the input shape on the first layer (``input_shape=(784,)``) or start with
    ``gt.nn.Input(shape)`` to build the weights at once; otherwise they are built at the first
    call, from the first batch.

    Examples
    --------
    >>> import gputensor as gt
    >>> model = gt.nn.Sequential()
    >>> model.add(gt.nn.Dense(512, activation="relu", input_shape=(784,)))
    >>> model.add(gt.nn.Dropout(0.2))
    >>> model.add(gt.nn.Dense(10, activation="softmax"))
    >>> model.count_params()
    407050
    >>> gt.nn.Sequential([gt.nn.Dense(2)])(gt.ones((3, 5))).shape
    (3, 2)
    """

    def __init__(self, layers=None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input_batch_shape = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or a ``gt.nn.Input`` to fix the input shape first)."""
        if isinstance(layer, SymbolicTensor):
            if self._stack:
                raise ArgumentValueError(f"{self.name}: an Input can only come first")
            self._input_batch_shape = layer.shape
            self._try_build()
            return
        if isinstance(layer, InputLayer):
            self.add(layer.output)
            return
        if not isinstance(layer, Layer):
            raise ArgumentTypeError(f"{self.name}.add: expected a layer, got {type(layer).__name__}")
        if not self._stack and self._input_batch_shape is None and layer._batch_input_shape is not None:
            self._input_batch_shape = layer._batch_input_shape
        self._stack.append(layer)
        self._layers.append(layer)
        self.built = False
        self._try_build()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise ArgumentValueError(f"{self.name}.pop: there are no layers")
        layer = self._stack.pop()
        self._layers.remove(layer)
        return layer

    @property
    def layers(self) -> list:
        return list(self._stack)

    @property
    def input_shape(self):
        return self._input_batch_shape

    def _try_build(self) -> None:
        if self._input_batch_shape is not None:
            self.build_for(self._input_batch_shape)

    def build(self, input_shape=None) -> None:
        """Build every layer for ``input_shape`` (batch axis first), layer by layer."""
        shape = tuple(input_shape if input_shape is not None else self._input_batch_shape)
        self._input_batch_shape = shape
        for layer in self._stack:
            if layer._device is None and self._device is not None:
                layer._device = self._device
            layer.build_for(shape)
            shape = layer.compute_output_shape(shape)
            layer._last_output_shape = shape
        self.built = True

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "layers": [
                {"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._stack
            ],
        }
        if self._input_batch_shape is not None:
            config["batch_input_shape"] = list(self._input_batch_shape)
        return config
