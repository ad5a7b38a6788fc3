"""Keras-style activation functions, looked up by name (``Dense(64, activation="relu")``).

Every activation is a plain function of one tensor built from differentiable ops, so its
gradient (of any order) comes from autograd. The seeds' names are all here: ``linear``,
``step`` (Heaviside), ``ramp`` (ReLU), ``sigmoid``, ``tanh`` and ``gaussian``; plus
``softmax``, ``gelu``, ``elu``, ``selu``, ``softplus``, ``swish`` and ``leaky_relu``.

``softmax`` and ``sigmoid`` leave their input (the logits) with an open
:func:`logits_capture`, so a cross-entropy loss on probabilities can be computed from the
logits instead (exact and stable, as Keras does for TensorFlow's graphs).

>>> import gputensor as gt
>>> gt.nn.activations.get("ramp")(gt.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
>>> gt.nn.activations.gaussian(gt.tensor([0.0])).tolist()
[1.0]
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor

__all__ = [
    "elu",
    "exponential",
    "gaussian",
    "gelu",
    "get",
    "hard_sigmoid",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logits_capture",
    "ramp",
    "relu",
    "selu",
    "serialize",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "step",
    "swish",
    "tanh",
]


class _Capture(threading.local):
    def __init__(self):
        self.stack: list[dict] = []


_capture = _Capture()


class logits_capture:  # noqa: N801  (used like a function: ``with logits_capture() as found``)
    """Within the block, ``softmax`` and ``sigmoid`` record ``{id(output): (output, logits)}``.

    The training step opens one around the forward pass; a probability loss then asks
    :func:`logits_of` for the logits of its prediction. The dict holds the tensors, so the ids
    stay valid for the block.

    >>> import gputensor as gt
    >>> with gt.nn.activations.logits_capture() as found:
    ...     p = gt.nn.activations.softmax(gt.zeros((1, 2)))
    >>> len(found)
    1
    """

    def __enter__(self) -> dict:
        self.found: dict = {}
        _capture.stack.append(self.found)
        return self.found

    def __exit__(self, *exc) -> None:
        _capture.stack.pop()


def logits_of(probs: Tensor, kind: str):
    """The logits that produced ``probs`` through ``kind`` ("softmax" or "sigmoid") inside
    the innermost open :class:`logits_capture`, else None."""
    if not _capture.stack:
        return None
    entry = _capture.stack[-1].get(id(probs))
    if entry is None or entry[0] is not probs or entry[2] != kind:
        return None
    return entry[1]


def _remember(out: Tensor, logits: Tensor, kind: str) -> Tensor:
    if _capture.stack:
        _capture.stack[-1][id(out)] = (out, logits, kind)
    return out


def linear(x: Tensor) -> Tensor:
    """The identity: ``x``."""
    return x


def step(x: Tensor) -> Tensor:
    """Heaviside step: 1 where ``x > 0``, else 0 (its gradient is 0 everywhere).

    >>> import gputensor as gt
    >>> gt.nn.activations.step(gt.tensor([-1.0, 0.0, 3.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    return ops.astype(x > 0, x.dtype)


def relu(
    x: Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Tensor:
    """Rectified linear unit ``max(x, 0)``; with options, Keras' generalized form: ``x`` above
    ``threshold`` (capped at ``max_value``), else ``negative_slope * (x - threshold)``."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    y = ops.where(x > threshold, x, (x - threshold) * negative_slope)
    if max_value is not None:
        y = ops.minimum(y, float(max_value))
    return y


ramp = relu


def sigmoid(x: Tensor) -> Tensor:
    """Logistic function ``1 / (1 + exp(-x))``."""
    return _remember(ops.sigmoid(x), x, "sigmoid")


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return ops.tanh(x)


def gaussian(x: Tensor) -> Tensor:
    """Gaussian bump ``exp(-x ** 2)``."""
    return ops.exp(-(x * x))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``.

    >>> import gputensor as gt
    >>> gt.nn.activations.softmax(gt.tensor([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    return _remember(ops.softmax(x, axis=axis), x, "softmax" if axis in (-1, x.ndim - 1) else "")


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    return ops.log_softmax(x, axis=axis)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit (the tanh approximation when ``approximate``)."""
    return ops.gelu(x, approximate="tanh" if approximate else "none")


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``."""
    return ops.elu(x, alpha)


def selu(x: Tensor) -> Tensor:
    """Scaled ELU (self-normalizing)."""
    return ops.selu(x)


def softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))``, computed without overflow."""
    return ops.softplus(x)


def softsign(x: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return x / (ops.abs(x) + 1.0)


def swish(x: Tensor) -> Tensor:
    """``x * sigmoid(x)`` (also called SiLU)."""
    return ops.silu(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """``x`` for x > 0, else ``negative_slope * x`` (Keras' default slope 0.2)."""
    return ops.leaky_relu(x, negative_slope)


def hard_sigmoid(x: Tensor) -> Tensor:
    """Piecewise-linear sigmoid: ``clip(x / 6 + 0.5, 0, 1)``."""
    return ops.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0)


def exponential(x: Tensor) -> Tensor:
    """``exp(x)``."""
    return ops.exp(x)


_BY_NAME: dict[str, Callable] = {
    "linear": linear,
    "step": step,
    "heaviside": step,
    "relu": relu,
    "ramp": ramp,
    "sigmoid": sigmoid,
    "logistic": sigmoid,
    "tanh": tanh,
    "gaussian": gaussian,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "gelu": gelu,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "softsign": softsign,
    "swish": swish,
    "silu": swish,
    "leaky_relu": leaky_relu,
    "hard_sigmoid": hard_sigmoid,
    "exponential": exponential,
}


def get(identifier) -> Callable:
    """The activation for a name (``"relu"``), a callable (returned as is) or None (linear).

    >>> import gputensor as gt
    >>> gt.nn.activations.get(None) is gt.nn.activations.linear
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier.lower())
        if fn is None:
            known = ", ".join(sorted(_BY_NAME))
            raise ArgumentValueError(f"activations.get: unknown activation {identifier!r}; known: {known}")
        return fn
    if callable(identifier):
        return identifier
    raise ArgumentTypeError(
        f"activations.get: expected a name, a callable or None, got {type(identifier).__name__}"
    )


def serialize(fn: Callable) -> str:
    """The name under which :func:`get` finds ``fn`` (for saving a layer's config)."""
    for name, candidate in _BY_NAME.items():
        if candidate is fn:
            return name
    raise ArgumentValueError(
        f"activations.serialize: {getattr(fn, '__name__', fn)!r} is not a built-in activation; "
        "a model using it can be saved with save_weights, not save"
    )
