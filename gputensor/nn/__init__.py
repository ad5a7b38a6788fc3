"""Neural networks, Keras style: layers, activations, initializers, losses (``objectives``),
metrics, optimizers, ``Sequential`` / functional / subclassed ``Model`` with ``compile``,
``fit``, ``evaluate`` and ``predict``, callbacks, and safetensors saving. Stateless functions
live in ``gputensor.nn.functional``.

>>> import gputensor as gt
>>> model = gt.nn.Sequential()
>>> model.add(gt.nn.Dense(16, activation="relu", input_shape=(8,)))
>>> model.add(gt.nn.Dense(2, activation="softmax"))
>>> model.compile(loss="categorical_crossentropy", optimizer=gt.nn.optimizers.RMSprop(), metrics=["accuracy"])
>>> model.predict(gt.ones((3, 8)), verbose=0).shape
(3, 2)
"""

from . import (
    activations,
    callbacks,
    constraints,
    functional,
    initializers,
    layers,
    metrics,
    objectives,
    optimizers,
    regularizers,
)
from .graph import Input, InputLayer, SymbolicTensor
from .layers import (
    GRU,
    LSTM,
    Activation,
    Add,
    AveragePooling2D,
    AvgPool2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePooling2D,
    Layer,
    LayerNormalization,
    MaxPool2D,
    MaxPooling2D,
    Reshape,
    SimpleRNN,
)
from .model import Model
from .saving import load_model, register_serializable
from .sequential import Sequential

__all__ = [
    "GRU", "LSTM", "SimpleRNN", "constraints", "regularizers",
    "Activation", "Add", "AveragePooling2D", "AvgPool2D", "BatchNormalization", "Concatenate",
    "Conv2D", "Dense", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling2D", "Input", "InputLayer",
    "Layer", "LayerNormalization", "MaxPool2D", "MaxPooling2D", "Model", "Reshape", "Sequential",
    "SymbolicTensor", "activations", "callbacks", "functional", "initializers", "layers", "load_model",
    "metrics", "objectives", "optimizers", "register_serializable",
]
