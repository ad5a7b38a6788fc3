"""Sequence layers: Embedding, and the recurrent SimpleRNN, GRU and LSTM."""

from __future__ import annotations

from abc import ABC, abstractmethod

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

    WEIGHT_OPTIONS = {"embeddings": "embeddings"}

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


class _Recurrent(Layer, ABC):
    """What the recurrent layers share: options, weights ``kernel (F, G * units)``,
    ``recurrent_kernel (units, G * units)`` and ``bias``, the loop over time, outputs and config.
    Subclasses set ``GATES`` and ``N_STATES`` and implement ``step(x_t, states) -> states``
    (the first state is the output ``h``)."""

    GATES = 1
    N_STATES = 1
    WEIGHT_OPTIONS = {"kernel": "kernel", "recurrent_kernel": "recurrent", "bias": "bias"}

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ArgumentValueError(f"{kind}: units must be a positive int, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)

    def bias_shape(self) -> tuple:
        return (self.GATES * self.units,)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ShapeError(f"{self.name}: expected inputs (batch, time, features), got {input_shape}")
        width = self.GATES * self.units
        self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", self.bias_shape(), self.bias_initializer)

    def input_projection(self, inputs):
        """``inputs @ kernel (+ bias)`` for every step at once: ``(N, T, G * units)``."""
        xw = inputs @ self._weights["kernel"]
        return xw + self._weights["bias"] if self.use_bias else xw

    def call(self, inputs, initial_state=None):
        if inputs.ndim != 3:
            raise ShapeError(f"{self.name}: expected inputs (batch, time, features), got {inputs.shape}")
        n, steps = inputs.shape[:2]
        xw = self.input_projection(inputs)
        if initial_state is None:
            zero = ops.zeros((n, self.units), dtype=inputs.dtype, device=inputs.device)
            states = [zero] * self.N_STATES
        else:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != self.N_STATES:
                raise ShapeError(
                    f"{self.name}: initial_state needs {self.N_STATES} tensor(s), got {len(states)}"
                )
        outputs = []
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        for t in order:
            states = self.step(xw[:, t, :], states)
            if self.return_sequences:
                outputs.append(states[0])
        out = ops.stack(outputs, axis=1) if self.return_sequences else states[0]
        return [out, *states] if self.return_state else out

    @abstractmethod
    def step(self, x_t, states):
        """The states after one time step, from ``x_t`` (the step's input projection)."""

    def compute_output_shape(self, input_shape):
        n, steps = input_shape[0], input_shape[1]
        out = (n, steps, self.units) if self.return_sequences else (n, self.units)
        if self.return_state:
            return [out] + [(n, self.units)] * self.N_STATES
        return out

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
        }


class SimpleRNN(_Recurrent):
    """The fully connected recurrence ``h = activation(x @ kernel + h @ recurrent_kernel + bias)``
    over ``(N, T, F)`` inputs (Keras' defaults: tanh, glorot_uniform kernel, orthogonal
    recurrent kernel, zero bias). Outputs as :class:`LSTM`; ``return_state`` adds ``h``.

    >>> import gputensor as gt
    >>> gt.nn.SimpleRNN(4)(gt.ones((2, 5, 3))).shape
    (2, 4)
    """

    def __init__(self, units: int, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def step(self, x_t, states):
        return [self.activation(x_t + states[0] @ self._weights["recurrent_kernel"])]

    def get_config(self):
        config = super().get_config()
        del config["recurrent_activation"]
        return config


class GRU(_Recurrent):
    """Gated recurrent unit over ``(N, T, F)`` inputs, Keras' gate order (update ``z``, reset
    ``r``, candidate) and defaults (tanh, sigmoid, glorot_uniform kernel, orthogonal recurrent
    kernel, zero bias, ``reset_after=True``)::

        z = sigmoid(x W_z + h U_z + b_z)         r = sigmoid(x W_r + h U_r + b_r)
        c = tanh(x W_c + b_c + r * (h U_c + b'_c))      (reset_after: the PyTorch/cuDNN form)
        c = tanh(x W_c + (r * h) U_c + b_c)              (reset_after=False)
        h = z * h + (1 - z) * c

    With ``reset_after`` the bias is ``(2, 3 * units)``: input biases, then recurrent ones.
    Outputs as :class:`LSTM`; ``return_state`` adds ``h``.

    >>> import gputensor as gt
    >>> out, h = gt.nn.GRU(4, return_state=True)(gt.ones((2, 5, 3)))
    >>> out.shape, h.shape
    ((2, 4), (2, 4))
    """

    GATES = 3

    def __init__(self, units: int, reset_after: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def input_projection(self, inputs):
        xw = inputs @ self._weights["kernel"]
        if not self.use_bias:
            return xw
        bias = self._weights["bias"]
        return xw + (bias[0] if self.reset_after else bias)

    def step(self, x_t, states):
        (h,) = states
        u = self.units
        rk = self._weights["recurrent_kernel"]
        if self.reset_after:
            hu = h @ rk
            if self.use_bias:
                hu = hu + self._weights["bias"][1]
            z = self.recurrent_activation(x_t[:, :u] + hu[:, :u])
            r = self.recurrent_activation(x_t[:, u : 2 * u] + hu[:, u : 2 * u])
            c = self.activation(x_t[:, 2 * u :] + r * hu[:, 2 * u :])
        else:
            hu = h @ rk[:, : 2 * u]
            z = self.recurrent_activation(x_t[:, :u] + hu[:, :u])
            r = self.recurrent_activation(x_t[:, u : 2 * u] + hu[:, u:])
            c = self.activation(x_t[:, 2 * u :] + (r * h) @ rk[:, 2 * u :])
        return [z * h + (1.0 - z) * c]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class LSTM(_Recurrent):
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

    GATES = 4
    N_STATES = 2

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def build(self, input_shape):
        super().build(input_shape)
        if self.use_bias and self.unit_forget_bias:
            with no_grad():
                self._weights["bias"][self.units : 2 * self.units] = 1.0

    def step(self, x_t, states):
        h, c = states
        u = self.units
        z = x_t + h @ self._weights["recurrent_kernel"]
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u : 2 * u])
        g = self.activation(z[:, 2 * u : 3 * u])
        o = self.recurrent_activation(z[:, 3 * u :])
        c = f * c + i * g
        return [o * self.activation(c), c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}
