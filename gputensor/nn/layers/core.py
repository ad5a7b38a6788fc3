"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, and the merges Add and Concatenate."""

from __future__ import annotations

import math

from ... import ops
from ...errors import ArgumentValueError, ShapeError
from ...ops.random import Generator
from .. import activations, initializers
from ..dropout import dropout
from .base import Layer


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    The kernel has shape ``(input_dim, units)`` (glorot_uniform by default), the bias ``(units,)``
    (zeros). Inputs of more than two axes are multiplied along their last axis.

    Examples
    --------
    >>> import gputensor as gt
    >>> layer = gt.nn.Dense(3, activation="relu")
    >>> layer(gt.ones((2, 4))).shape, layer.kernel.shape
    ((2, 3), (4, 3))
    """

    WEIGHT_OPTIONS = {"kernel": "kernel", "bias": "bias"}

    def __init__(
        self,
        units: int,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ArgumentValueError(f"Dense: units must be a positive int, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        last = input_shape[-1]
        if last is None:
            raise ShapeError(f"{self.name}: the last axis of the input must be known, got {input_shape}")
        self.add_weight("kernel", (last, self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)

    def call(self, inputs):
        kernel = self._weights["kernel"]
        if inputs.shape[-1] != kernel.shape[0]:
            raise ShapeError(
                f"{self.name}: expected inputs with last axis {kernel.shape[0]}, got shape {inputs.shape}"
            )
        y = inputs @ kernel
        if self.use_bias:
            y = y + self._weights["bias"]
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


class Activation(Layer):
    """Applies an activation function (a name from :mod:`gputensor.nn.activations`).

    >>> import gputensor as gt
    >>> gt.nn.Activation("step")(gt.tensor([[-1.0, 1.0]])).tolist()
    [[0.0, 1.0]]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs in training and scales the rest by
    ``1 / (1 - rate)``; the identity in inference. Masks come from the Philox generator
    (``seed`` gives this layer its own).

    >>> import gputensor as gt
    >>> gt.nn.Dropout(0.5)(gt.ones((2, 2)), training=False).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ArgumentValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self._generator = None if seed is None else Generator(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        return dropout(inputs, self.rate, True, generator=self._generator)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """Flattens every axis but the batch axis: ``(N, d1, d2, ...) -> (N, d1 * d2 * ...)``.

    >>> import gputensor as gt
    >>> gt.nn.Flatten()(gt.ones((2, 3, 4))).shape
    (2, 12)
    """

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(n is None for n in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1).

    >>> import gputensor as gt
    >>> gt.nn.Reshape((3, 2))(gt.ones((5, 6))).shape
    (5, 3, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(n) for n in target_shape)
        if sum(1 for n in self.target_shape if n == -1) > 1:
            raise ArgumentValueError(f"Reshape: at most one -1 in target_shape, got {self.target_shape}")

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        shape = list(self.target_shape)
        if -1 in shape:
            rest = input_shape[1:]
            known = math.prod(n for n in shape if n != -1)
            shape[shape.index(-1)] = None if None in rest else math.prod(rest) // known
        return (input_shape[0],) + tuple(shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Add(Layer):
    """Elementwise sum of a list of inputs of one shape (a merge for functional models).

    >>> import gputensor as gt
    >>> gt.nn.Add()([gt.ones(2), gt.ones(2)]).tolist()
    [2.0, 2.0]
    """

    def call(self, inputs):
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])


class Concatenate(Layer):
    """Joins a list of inputs along ``axis`` (the last by default).

    >>> import gputensor as gt
    >>> gt.nn.Concatenate()([gt.ones((2, 1)), gt.ones((2, 3))]).shape
    (2, 4)
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs):
        return ops.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        out = shapes[0]
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
