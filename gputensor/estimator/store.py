"""The variables of an estimator, created by name the first time ``model_fn`` asks for them.

A ``model_fn`` runs once per batch, but its variables must live across calls: like
TensorFlow 1's ``get_variable``, ``gt.estimator.variable(name, shape)`` and
``gt.estimator.layer(name, factory, ...)`` return the estimator's existing variable or layer
of that name, creating it on the first call.
"""

from __future__ import annotations

import contextlib
import threading

from ..autograd.state import no_grad
from ..errors import ArgumentValueError
from ..tensor import Tensor


class VariableStore:
    """Named variables and layers of one estimator."""

    def __init__(self, generator=None):
        self._variables: dict[str, Tensor] = {}
        self._trainable: dict[str, bool] = {}
        self._layers: dict = {}
        self.generator = generator

    def variable(self, name: str, shape, initializer="glorot_uniform", dtype=None, trainable=True) -> Tensor:
        found = self._variables.get(name)
        if found is not None:
            if tuple(found.shape) != tuple(shape):
                raise ArgumentValueError(
                    f"variable {name!r}: exists with shape {found.shape}, asked for {shape}")
            return found
        from ..nn import initializers

        init = initializers.get(initializer)
        with no_grad():
            value = init(tuple(shape), dtype=dtype).detach()
        if trainable:
            value.requires_grad_()
        self._variables[name] = value
        self._trainable[name] = bool(trainable)
        return value

    def layer(self, name: str, factory, *args, **kwargs):
        found = self._layers.get(name)
        if found is None:
            kwargs.setdefault("name", name)
            found = self._layers[name] = factory(*args, **kwargs)
        return found

    def named(self) -> dict:
        """``{name: tensor}`` of every variable and layer weight, sorted by name."""
        out = dict(self._variables)
        for layer in self._layers.values():
            for name, w in layer.named_weights():
                out[name] = w
        return dict(sorted(out.items()))

    def trainable(self) -> dict:
        """``{name: tensor}`` of the variables training updates, sorted by name."""
        out = {k: v for k, v in self._variables.items() if self._trainable[k]}
        for layer in self._layers.values():
            trainable = {id(w) for w in layer.trainable_weights}
            for name, w in layer.named_weights():
                if id(w) in trainable:
                    out[name] = w
        return dict(sorted(out.items()))

    def assign(self, values: dict) -> list[str]:
        """Copy saved values into the variables; returns the names not found in ``values``."""
        missing = []
        with no_grad():
            for name, var in self.named().items():
                saved = values.get(name)
                if saved is None:
                    missing.append(name)
                    continue
                if tuple(saved.shape) != tuple(var.shape):
                    raise ArgumentValueError(
                        f"checkpoint: {name} has shape {saved.shape}, the model {var.shape}")
                var[...] = saved
        return missing

    def __len__(self) -> int:
        return len(self._variables) + len(self._layers)


class _Current(threading.local):
    def __init__(self):
        self.stack = []


_current = _Current()


@contextlib.contextmanager
def using(store: VariableStore):
    """Make ``store`` the one ``variable()`` and ``layer()`` use in this thread."""
    _current.stack.append(store)
    try:
        yield store
    finally:
        _current.stack.pop()


def _store(where: str) -> VariableStore:
    if not _current.stack:
        raise ArgumentValueError(f"{where}: call it inside a model_fn that an Estimator runs")
    return _current.stack[-1]


def variable(name: str, shape, initializer="glorot_uniform", dtype=None, trainable: bool = True) -> Tensor:
    """The estimator's variable ``name``, created with ``initializer`` on the first call.

    >>> import gputensor as gt
    >>> def model_fn(features, labels, mode):
    ...     w = gt.estimator.variable("w", (1,), "zeros")
    ...     loss = ((features["x"] * w - labels) ** 2).mean()
    ...     return gt.estimator.EstimatorSpec(mode, loss=loss, optimizer=gt.nn.optimizers.SGD(0.1),
    ...                                       predictions={"y": features["x"] * w})
    >>> est = gt.estimator.Estimator(model_fn)
    >>> data = lambda: ({"x": gt.tensor([1.0, 2.0])}, gt.tensor([2.0, 4.0]))
    >>> _ = est.train(data, steps=50)
    >>> round(float(est.get_variable_value("w")[0]), 3)
    2.0
    """
    return _store("variable").variable(name, shape, initializer, dtype, trainable)


def layer(name: str, factory, *args, **kwargs):
    """The estimator's layer ``name``: ``factory(*args, name=name, **kwargs)`` on the first
    call (``gt.estimator.layer("hidden", gt.nn.Dense, 10, activation="relu")(x)``)."""
    return _store("layer").layer(name, factory, *args, **kwargs)
