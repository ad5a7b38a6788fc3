"""Stateless neural-network functions."""

from ..ops.activations import (
           elu,
           gelu,
           leaky_relu,
           log_softmax,
           relu,
           selu,
           silu,
           softmax,
           softplus,
           swish,
)
from ..ops.unary import sigmoid, tanh

__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "relu", "selu", "sigmoid", "silu", "softmax",
           "softplus", "swish", "tanh"]
