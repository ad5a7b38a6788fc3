"""Weight and activity regularizers (Keras' ``keras.regularizers``): penalties added to the
training loss.

A regularizer is a callable ``penalty(x) -> scalar tensor``. Give one to a layer as
``kernel_regularizer=``, ``bias_regularizer=``, ``activity_regularizer=`` (and the
recurrent/embedding variants); ``layer.losses`` / ``model.losses`` hold the current penalties
and ``fit``/``evaluate`` add them to the loss they minimize and report, as Keras does.

>>> import gputensor as gt
>>> round(gt.nn.regularizers.L2(0.5)(gt.tensor([1.0, 2.0])).item(), 6)
2.5
>>> gt.nn.regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}}).get_config()
{'l1': 0.1, 'l2': 0.0}
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

from .. import ops
from ..errors import ArgumentValueError
from ..tensor import Tensor
from .catalog import Catalog


class Regularizer(ABC):
    """Base class: subclasses implement ``__call__(x)`` and, to be saved, ``get_config()``."""

    @abstractmethod
    def __call__(self, x: Tensor) -> Tensor:
        """The penalty of ``x``: a scalar tensor."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _factor(name: str, value) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
        raise ArgumentValueError(f"regularizer: {name} must be a non-negative number, got {value!r}")
    return float(value)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _factor("l1", l1)
        self.l2 = _factor("l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        total = None
        if self.l1:
            total = ops.sum(ops.abs(x)) * self.l1
        if self.l2:
            term = ops.sum(x * x) * self.l2
            total = term if total is None else total + term
        return total if total is not None else ops.zeros((), dtype=x.dtype, device=x.device)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)`` (Keras' default factor 0.01)."""

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x ** 2)`` (Keras' default factor 0.01; no 1/2 in front)."""

    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor * mean of |<r_i, r_j>|`` over distinct pairs of the kernel's rows (``mode="rows"``)
    or columns (``"columns"``), each normalized to unit length: pushes them towards
    orthogonality."""

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _factor("factor", factor)
        if mode not in ("rows", "columns"):
            raise ArgumentValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got {mode!r}")
        self.mode = mode

    def __call__(self, x: Tensor) -> Tensor:
        if x.ndim != 2:
            raise ArgumentValueError(f"OrthogonalRegularizer: needs a 2-D kernel, got shape {x.shape}")
        m = x if self.mode == "rows" else ops.matrix_transpose(x)
        n = m.shape[0]
        if n < 2:
            return ops.zeros((), dtype=x.dtype, device=x.device)
        unit = m / ops.sqrt(ops.sum(m * m, axis=1, keepdims=True) + 1e-12)
        products = ops.abs(unit @ ops.matrix_transpose(unit))
        off_diagonal = ops.sum(products) - ops.sum(ops.abs(ops.sum(unit * unit, axis=1)))
        return off_diagonal * (self.factor / (n * (n - 1)))

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1(l1: float = 0.01) -> L1:
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1, l2)


_CATALOG = Catalog("regularizer", "gt.nn.regularizers", Regularizer, {
    "l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer,
})


def get(identifier):
    """A regularizer from None, a name (``"l1"``, ``"l2"``, ``"l1_l2"``), a serialized dict, a
    Regularizer or any callable."""
    return _CATALOG.get(identifier)


def serialize(regularizer):
    """``{"class_name", "config"}`` of a built-in regularizer (None stays None)."""
    return _CATALOG.serialize(regularizer)
