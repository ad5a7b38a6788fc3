"""Weight constraints (Keras' ``keras.constraints``): projections applied to a weight after each
optimizer step (``kernel_constraint=``, ``bias_constraint=``, ...).

A constraint is a callable ``project(w) -> tensor of w's shape``; ``fit`` (and
``train_on_batch``) write the projection back into the weight after every update.

>>> import gputensor as gt
>>> gt.nn.constraints.NonNeg()(gt.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor
from .catalog import Catalog

_EPSILON = 1e-7  # Keras' backend epsilon, keeping norms away from zero


class Constraint(ABC):
    """Base class: subclasses implement ``__call__(w)`` and, to be saved, ``get_config()``."""

    @abstractmethod
    def __call__(self, w: Tensor) -> Tensor:
        """``w`` projected onto the constraint's set (a tensor of ``w``'s shape)."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)


def _axes(axis):
    if isinstance(axis, numbers.Integral):
        return int(axis)
    if isinstance(axis, (list, tuple)) and all(isinstance(a, numbers.Integral) for a in axis):
        return tuple(int(a) for a in axis)
    raise ArgumentTypeError(f"constraint: axis must be an int or a tuple of ints, got {axis!r}")


def _norms(w: Tensor, axis) -> Tensor:
    return ops.sqrt(ops.sum(w * w, axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales each slice along ``axis`` (the incoming weights of a unit: axis 0 of a Dense
    kernel, ``(0, 1, 2)`` of a channels-last Conv2D kernel) to a norm of at most ``max_value``."""

    def __init__(self, max_value: float = 2.0, axis=0):
        if not isinstance(max_value, numbers.Real) or max_value <= 0:
            raise ArgumentValueError(f"MaxNorm: max_value must be positive, got {max_value!r}")
        self.max_value = float(max_value)
        self.axis = _axes(axis)

    def __call__(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        return w * (ops.clip(norms, 0.0, self.max_value) / (norms + _EPSILON))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's norm ``n`` into ``[min_value, max_value]`` at ``rate``:
    ``n' = rate * clip(n) + (1 - rate) * n``."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0):
        if not 0 <= min_value <= max_value:
            raise ArgumentValueError(
                f"MinMaxNorm: need 0 <= min_value <= max_value, got {min_value!r}, {max_value!r}"
            )
        if not 0 <= rate <= 1:
            raise ArgumentValueError(f"MinMaxNorm: rate must be in [0, 1], got {rate!r}")
        self.min_value, self.max_value, self.rate = float(min_value), float(max_value), float(rate)
        self.axis = _axes(axis)

    def __call__(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        wanted = ops.clip(norms, self.min_value, self.max_value) * self.rate + norms * (1.0 - self.rate)
        return w * (wanted / (norms + _EPSILON))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w: Tensor) -> Tensor:
        return ops.maximum(w, 0.0)


class UnitNorm(Constraint):
    """Scales each slice along ``axis`` to norm 1."""

    def __init__(self, axis=0):
        self.axis = _axes(axis)

    def __call__(self, w: Tensor) -> Tensor:
        return w / (_norms(w, self.axis) + _EPSILON)

    def get_config(self) -> dict:
        return {"axis": self.axis}


_CATALOG = Catalog("constraint", "gt.nn.constraints", Constraint, {
    "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
})


def get(identifier):
    """A constraint from None, a name (``"max_norm"``, ``"non_neg"``, ...), a serialized dict, a
    Constraint or any callable."""
    if isinstance(identifier, dict) and isinstance(identifier.get("config", {}).get("axis"), list):
        config = {**identifier["config"], "axis": tuple(identifier["config"]["axis"])}  # JSON lists
        identifier = {**identifier, "config": config}
    return _CATALOG.get(identifier)


def serialize(constraint):
    """``{"class_name", "config"}`` of a built-in constraint (None stays None)."""
    return _CATALOG.serialize(constraint)
