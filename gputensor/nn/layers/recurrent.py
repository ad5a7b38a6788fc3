"""Sequence layers: Embedding and LSTM."""

from __future__ import annotations

from ... import ops
from ...autograd.state import no_grad
from ...errors import ArgumentValueError, DTypeError, ShapeError
from .. import activations, initializers
from ..sparse import embedding
from .base import Layer


class Embedding(Layer):
    """Maps integer ids in ``[0, input_dim)`` to rows of an ``(input_dim, output_dim)`` table
    (uniform in +-0.05 by default): ``(N, T) -> (N, T, output_dim)``.

    >>> import gputensor as gt
    >>> gt.nn.Embedding(10, 4)(gt.tensor([[1, 2, 3]])).shape
    (1, 3, 4)
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        if input_dim < 1 or output_dim < 1:
            raise ArgumentValueError(
                f"Embedding: input_dim and output_dim must be positive, got {input_dim}, {output_dim}"
            )
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer)

    def _convert_one(self, x):
        x = super()._convert_one(x)
        if x.dtype.kind == "f":
            # Keras accepts float ids (e.g. from a float32 data array); they must be whole numbers
            x = x.astype("int64")
        elif x.dtype.kind not in "iu":
            raise DTypeError(f"{self.name}: ids must be integers, got {x.dtype.name}")
        return x

    def call(self, inputs):
        return embedding(inputs, self._weights["embeddings"])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
        }


class LSTM(Layer):
    """Long short-term memory over ``(N, T, F)`` inputs, Keras' gate order (input, forget,
    cell, output) and defaults: glorot_uniform ``kernel (F, 4 * units)``, orthogonal
    ``recurrent_kernel (units, 4 * units)``, zero ``bias`` with the forget gate's part set to 1
    (``unit_forget_bias``).

    Returns the last output ``(N, units)``, or every step's ``(N, T, units)`` with
    ``return_sequences``; ``return_state`` adds the final ``h`` and ``c``.

    Examples
    --------
    >>> import gputensor as gt
    >>> out, h, c = gt.nn.LSTM(5, return_sequences=True, return_state=True)(gt.ones((2, 7, 3)))
    >>> out.shape, h.shape, c.shape
    ((2, 7, 5), (2, 5), (2, 5))
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ArgumentValueError(f"LSTM: units must be a positive int, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ShapeError(f"{self.name}: expected inputs (batch, time, features), got {input_shape}")
        u = self.units
        self.add_weight("kernel", (input_shape[-1], 4 * u), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (u, 4 * u), self.recurrent_initializer)
        if self.use_bias:
            bias = self.add_weight("bias", (4 * u,), self.bias_initializer)
            if self.unit_forget_bias:
                with no_grad():
                    bias[u : 2 * u] = 1.0

    def call(self, inputs, initial_state=None):
        if inputs.ndim != 3:
            raise ShapeError(f"{self.name}: expected inputs (batch, time, features), got {inputs.shape}")
        n, steps = inputs.shape[:2]
        u = self.units
        w = self._weights
        xw = inputs @ w["kernel"]
        if self.use_bias:
            xw = xw + w["bias"]
        if initial_state is None:
            h = ops.zeros((n, u), dtype=inputs.dtype, device=inputs.device)
            c = h
        else:
            h, c = initial_state
        outputs = []
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        for t in order:
            z = xw[:, t, :] + h @ w["recurrent_kernel"]
            i = self.recurrent_activation(z[:, :u])
            f = self.recurrent_activation(z[:, u : 2 * u])
            g = self.activation(z[:, 2 * u : 3 * u])
            o = self.recurrent_activation(z[:, 3 * u :])
            c = f * c + i * g
            h = o * self.activation(c)
            if self.return_sequences:
                outputs.append(h)
        out = ops.stack(outputs, axis=1) if self.return_sequences else h
        return [out, h, c] if self.return_state else out

    def compute_output_shape(self, input_shape):
        n, steps = input_shape[0], input_shape[1]
        out = (n, steps, self.units) if self.return_sequences else (n, self.units)
        if self.return_state:
            return [out, (n, self.units), (n, self.units)]
        return out

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
        }
