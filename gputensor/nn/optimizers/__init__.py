"""Optimizers with Keras' defaults: SGD, RMSprop, Adam, AdamW, Adagrad, and learning-rate
schedules. A device's fused ``optimizer_update`` primitive is used where it exists.

>>> import gputensor as gt
>>> opt = gt.nn.optimizers.get("rmsprop")
>>> opt.get_config()["rho"]
0.9
"""

from ...errors import ArgumentTypeError, ArgumentValueError
from . import schedules
from .base import Optimizer
from .rules import SGD, Adagrad, Adam, AdamW, RMSprop

_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad}
_CLASSES = {cls.__name__: cls for cls in _BY_NAME.values()}


def get(identifier) -> Optimizer:
    """An optimizer from a name (``"adam"``), a config dict, or an Optimizer (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ArgumentValueError(
                f"optimizers.get: unknown optimizer {identifier!r}; known: {', '.join(sorted(_BY_NAME))}"
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ArgumentTypeError(
        f"optimizers.get: expected a name or an Optimizer, got {type(identifier).__name__}"
    )


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": ..., "config": ...}`` of a built-in optimizer."""
    if type(optimizer).__name__ not in _CLASSES:
        raise ArgumentValueError(f"optimizers.serialize: {optimizer!r} is not a built-in optimizer")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict) -> Optimizer:
    """The optimizer described by :func:`serialize`'s output."""
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ArgumentValueError(f"optimizers.deserialize: unknown optimizer {config!r}")
    return cls.from_config(dict(config.get("config", {})))


__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
