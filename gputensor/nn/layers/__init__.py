"""Keras-style layers (also exported as ``gt.nn.Dense``, ``gt.nn.Conv2D``, ...).

>>> import gputensor as gt
>>> gt.nn.layers.Dense(4)(gt.ones((1, 2))).shape
(1, 4)
"""

from ..graph import Input, InputLayer
from .base import Layer
from .convolutional import (
    AveragePooling2D,
    AvgPool2D,
    Conv2D,
    GlobalAveragePooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from .core import Activation, Add, Concatenate, Dense, Dropout, Flatten, Reshape
from .normalization import BatchNormalization, LayerNormalization
from .recurrent import GRU, LSTM, Embedding, SimpleRNN

__all__ = [
    "GRU",
    "LSTM",
    "SimpleRNN",
    "Activation",
    "Add",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Concatenate",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalAveragePooling2D",
    "Input",
    "InputLayer",
    "Layer",
    "LayerNormalization",
    "MaxPool2D",
    "MaxPooling2D",
    "Reshape",
]
