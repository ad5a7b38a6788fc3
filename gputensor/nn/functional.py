"""Stateless neural-network functions (``gt.nn.functional``, the ``torch.nn.functional`` of
gputensor): activations, losses, convolution, pooling, normalization, dropout, embeddings.

Every function is composed from differentiable ops, so gradients of any order work.

>>> import gputensor as gt
>>> F = gt.nn.functional
>>> x = gt.ones((1, 1, 4, 4))
>>> F.max_pool2d(F.relu(F.conv2d(x, gt.ones((2, 1, 3, 3)), padding=1)), 2).shape
(1, 2, 2, 2)
"""

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
from .conv import conv2d
from .dropout import dropout
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .normalization import batch_norm, layer_norm
from .pooling import avg_pool2d, max_pool2d
from .sparse import embedding, one_hot

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "huber_loss",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "swish",
    "tanh",
]
