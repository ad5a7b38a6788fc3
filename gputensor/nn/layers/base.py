"""The Layer: weights, lazy building from the first input shape, devices, and the call
protocol shared by every layer and model.

A layer creates its weights in ``build(input_shape)``, the first time it is called (or when a
model with a known input shape is assembled), on the layer's device: the one given to
``layer.to(device)``, else the device of the first input, else the current device. Floating
inputs are cast to the layer's dtype (float32 by default), as Keras does.

Calling a layer on a symbolic tensor (``gt.nn.Input``) records a node of a functional graph
instead of computing (see :mod:`gputensor.nn.graph`).
"""

from __future__ import annotations

import inspect
import re
import threading

import numpy as np

from ... import dtypes as dt
from ... import ops
from ...autograd.state import no_grad
from ...devices.registry import Device, current_device
from ...devices.registry import device as get_device
from ...errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ...tensor import Tensor
from .. import constraints, initializers, regularizers

_names_lock = threading.Lock()
_name_counts: dict[str, int] = {}


def unique_name(base: str) -> str:
    """``base``, then ``base_1``, ``base_2``, ... for each new object of that kind (Keras' rule)."""
    with _names_lock:
        n = _name_counts.get(base, 0)
        _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def snake_case(name: str) -> str:
    """``"MaxPool2D"`` -> ``"max_pool2d"``."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return text.lower()


class _Mode(threading.local):
    def __init__(self):
        self.training: list[bool] = []


_mode = _Mode()


class training_mode:  # noqa: N801  (a context used like a function)
    """Within the block, layers called without ``training=`` see this value (how a model's
    ``training`` flag reaches the layers it calls)."""

    def __init__(self, training: bool):
        self.training = bool(training)

    def __enter__(self):
        _mode.training.append(self.training)

    def __exit__(self, *exc):
        _mode.training.pop()


def current_training() -> bool:
    """The training flag of the innermost :class:`training_mode` (False outside any)."""
    return _mode.training[-1] if _mode.training else False


class Layer:
    """Base class of layers: subclasses implement ``build(input_shape)`` (creating weights with
    :meth:`add_weight`), ``call(inputs, training=None)`` and ``compute_output_shape``.

    Parameters
    ----------
    trainable : bool
        Whether the weights are updated by training.
    name : str, optional
        Unique by default (``dense``, ``dense_1``, ...).
    dtype : str or DType, optional
        The weights' dtype (float32 by default); floating inputs are cast to it.
    input_shape : tuple, optional
        The shape of one sample (no batch axis); lets a Sequential model build at once.
    activity_regularizer : regularizer, optional
        A penalty on the layer's outputs, added to ``layer.losses`` at each call (as Keras 3:
        not divided by the batch size).

    Layers with weights take ``<prefix>_regularizer`` and ``<prefix>_constraint`` for each
    prefix in their ``WEIGHT_OPTIONS`` (``kernel_regularizer``, ``bias_constraint``, ...): see
    :mod:`gputensor.nn.regularizers` and :mod:`gputensor.nn.constraints`.

    Examples
    --------
    >>> import gputensor as gt
    >>> class Scale(gt.nn.Layer):
    ...     def build(self, input_shape):
    ...         self.add_weight("scale", (input_shape[-1],), "ones")
    ...     def call(self, x):
    ...         return x * self.scale
    >>> Scale()(gt.ones((2, 3))).shape
    (2, 3)
    """

    # weight name -> the prefix of its ``<prefix>_regularizer`` / ``<prefix>_constraint`` options
    WEIGHT_OPTIONS: dict = {}

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype=None,
        input_shape=None,
        batch_input_shape=None,
        input_dim=None,
        activity_regularizer=None,
        **kwargs,
    ):
        options = {}
        for prefix in dict.fromkeys(self.WEIGHT_OPTIONS.values()):
            options[f"{prefix}_regularizer"] = regularizers.get(kwargs.pop(f"{prefix}_regularizer", None))
            options[f"{prefix}_constraint"] = constraints.get(kwargs.pop(f"{prefix}_constraint", None))
        if kwargs:
            raise ArgumentTypeError(f"{type(self).__name__}: unexpected keyword arguments {sorted(kwargs)}")
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_aliases", {})
        self._weights: dict[str, Tensor] = {}
        self._weight_trainable: dict[str, bool] = {}
        self._trainable = bool(trainable)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = dt.default_float if dtype is None else dt.get_dtype(dtype)
        self.built = False
        self._device: Device | None = None
        self._batch_input_shape = _batch_shape(input_shape, batch_input_shape, input_dim)
        self._inbound_nodes: list = []
        self._last_output_shape = None
        self._build_input_shape = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._weight_options = options
        self._penalized: dict[str, tuple] = {}  # weight name -> (regularizer, constraint)
        self._call_losses: list = []

    # --- attribute tracking ------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        layers = self.__dict__.get("_layers")
        if layers is not None and name != "_layers":
            for item in _layers_in(value):
                if item is not self and not any(item is known for known in layers):
                    layers.append(item)
        weights = self.__dict__.get("_weights")
        if isinstance(value, Tensor) and weights:
            # ``self.w = self.add_weight(...)``: keep only the name, so that ``to(device)``
            # (which replaces the tensor) is seen through the attribute too.
            for key, w in weights.items():
                if w is value:
                    self.__dict__.pop(name, None)
                    self._aliases[name] = key
                    return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        weights = self.__dict__.get("_weights")
        if weights is not None:
            key = self.__dict__["_aliases"].get(name, name)
            if key in weights:
                return weights[key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def layers(self) -> list:
        """Directly contained layers, in the order they were assigned."""
        return list(self._layers)

    # --- weights -----------------------------------------------------------------------
    def add_weight(
        self, name: str, shape, initializer="glorot_uniform", trainable: bool = True, dtype=None,
        regularizer=None, constraint=None,
    ) -> Tensor:
        """Create a weight on the layer's device, reachable as ``layer.<name>``. Its penalty and
        constraint default to the layer's ``<prefix>_regularizer`` / ``<prefix>_constraint``
        options for this weight name (``WEIGHT_OPTIONS``)."""
        if name in self._weights:
            raise ArgumentValueError(f"{self.name}: a weight named {name!r} already exists")
        init = initializers.get(initializer)
        dtype = self.dtype if dtype is None else dt.get_dtype(dtype)
        with no_grad():
            value = init(tuple(shape), dtype=dtype, device=self.device)
        value = value.detach()
        if trainable and self._trainable:
            value.requires_grad_()
        self._weights[name] = value
        self._weight_trainable[name] = bool(trainable)
        prefix = self.WEIGHT_OPTIONS.get(name)
        if prefix is not None:
            regularizer = regularizer or self._weight_options[f"{prefix}_regularizer"]
            constraint = constraint or self._weight_options[f"{prefix}_constraint"]
        regularizer, constraint = regularizers.get(regularizer), constraints.get(constraint)
        if regularizer is not None or constraint is not None:
            self._penalized[name] = (regularizer, constraint)
        return value

    # --- losses and constraints ----------------------------------------------------------
    def add_loss(self, value) -> None:
        """Add a scalar tensor to this layer's losses for the current call (``call`` may use
        it, e.g. for an auxiliary penalty); ``fit`` adds it to the loss it minimizes."""
        self._call_losses.append(value)

    @property
    def losses(self) -> list[Tensor]:
        """The penalties of this layer and its sublayers: each regularized weight's current
        penalty, then the losses added during the latest call (activity penalties,
        ``add_loss``)."""
        out = []
        seen = set()
        self._gather_losses(out, seen)
        return out

    def _gather_losses(self, out: list, seen: set) -> None:
        if id(self) in seen:
            return
        seen.add(id(self))
        for name, (regularizer, _) in self._penalized.items():
            if regularizer is not None:
                out.append(regularizer(self._weights[name]))
        out.extend(self._call_losses)
        for layer in self._layers:
            layer._gather_losses(out, seen)

    def apply_constraints(self) -> None:
        """Project every constrained weight (of this layer and its sublayers) in place; ``fit``
        calls it after each optimizer step."""
        for name, (_, constraint) in self._penalized.items():
            if constraint is not None:
                w = self._weights[name]
                with no_grad():
                    w[...] = constraint(w)
        for layer in self._layers:
            layer.apply_constraints()

    def _own_weights(self, which: str) -> list[Tensor]:
        out = []
        for name, w in self._weights.items():
            trainable = self._weight_trainable[name] and self.trainable
            if which == "all" or (which == "trainable") == trainable:
                out.append(w)
        return out

    def _collect(self, which: str) -> list[Tensor]:
        out = self._own_weights(which)
        for layer in self._layers:
            if which == "trainable" and not self.trainable:
                continue
            for w in layer._collect(which if self.trainable else "all"):
                if not any(w is seen for seen in out):
                    out.append(w)
        return out

    @property
    def weights(self) -> list[Tensor]:
        """Every weight: this layer's, then its sublayers', trainable ones first per layer."""
        return self._collect("all")

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights training updates."""
        return self._collect("trainable") if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights training leaves alone (frozen layers, moving statistics)."""
        if not self.trainable:
            return self.weights
        return self._collect("non_trainable")

    def named_weights(self, prefix: str = "") -> list[tuple[str, Tensor]]:
        """``("layer/sublayer/weight", tensor)`` for every weight, in :attr:`weights` order."""
        out = [(f"{prefix}{self.name}/{n}", w) for n, w in self._weights.items()]
        for layer in self._layers:
            out.extend(layer.named_weights(f"{prefix}{self.name}/"))
        return out

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for name, w in self._weights.items():
            w.requires_grad_(self._weight_trainable[name] and self._trainable)
        for layer in self._layers:
            layer.trainable = value

    def get_weights(self) -> list[np.ndarray]:
        """The weights' values as NumPy arrays (copies)."""
        return [np.array(w.numpy(), copy=True) for w in self.weights]

    def set_weights(self, values) -> None:
        """Overwrite the weights with ``values`` (same order and shapes as :meth:`get_weights`)."""
        weights = self.weights
        values = list(values)
        if len(values) != len(weights):
            raise ShapeError(
                f"{self.name}.set_weights: got {len(values)} arrays but the layer has {len(weights)} weights"
            )
        for (label, w), v in zip(self.named_weights(), values):
            v = np.asarray(v)
            if tuple(v.shape) != w.shape:
                raise ShapeError(
                    f"{self.name}.set_weights: {label} has shape {w.shape}, got {tuple(v.shape)}"
                )
        with no_grad():
            for w, v in zip(weights, values):
                w[...] = ops.asarray(np.asarray(v), dtype=w.dtype, device=w.device)

    def count_params(self) -> int:
        """Number of scalar weights."""
        return sum(w.size for w in self.weights)

    # --- devices -----------------------------------------------------------------------
    @property
    def device(self) -> Device:
        """Where the weights live (or will be built)."""
        return current_device() if self._device is None else self._device

    def to(self, device) -> Layer:
        """Move every weight (and sublayer) to ``device``; returns the layer."""
        dev = get_device(device)
        self._device = dev
        for name, w in list(self._weights.items()):
            moved = w.detach().to(dev)
            if moved is w:
                continue
            if w.requires_grad:
                moved.requires_grad_()
            self._weights[name] = moved
        for layer in self._layers:
            layer.to(dev)
        return self

    # --- building and calling ------------------------------------------------------------
    def build(self, input_shape) -> None:  # noqa: B027  (layers without weights keep it)
        """Create the weights for inputs of ``input_shape`` (batch axis first, may be None)."""

    def call(self, inputs, training=None):
        raise NotImplementedError(f"{type(self).__name__}: subclasses implement call(inputs)")

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (batch axis first; None where unknown)."""
        return input_shape

    def build_for(self, input_shape) -> None:
        """Build once, for ``input_shape`` (what ``__call__`` does before the first call)."""
        if not self.built:
            if self._device is None:
                self._device = current_device()
            self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    def __call__(self, inputs, *args, training=None, **kwargs):
        from ..graph import SymbolicTensor, call_symbolic

        if any(isinstance(t, SymbolicTensor) for t in _flatten(inputs)):
            return call_symbolic(self, inputs, args, kwargs)
        inputs = self._convert_inputs(inputs)
        self.build_for(_shape_of(inputs))
        if training is None:
            training = current_training()
        if self._call_losses:
            self._call_losses = []  # the losses of the latest call only
        with training_mode(training):
            if _accepts_training(type(self).call):
                out = self.call(inputs, *args, training=training, **kwargs)
            else:
                out = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            for item in _flatten(out):
                if isinstance(item, Tensor):
                    self._call_losses.append(self.activity_regularizer(item))
        self._last_output_shape = _shape_of(out)
        return out

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return type(inputs)(self._convert_one(x) for x in inputs)
        if isinstance(inputs, dict):
            return {k: self._convert_one(v) for k, v in inputs.items()}
        return self._convert_one(inputs)

    def _convert_one(self, x):
        if x is None:
            return x
        if self._device is None and isinstance(x, Tensor):
            self._device = x.device
        if not isinstance(x, Tensor):
            host = np.asarray(x)
            dtype = self.dtype if host.dtype.kind == "f" else None
            return ops.asarray(host, dtype=dtype, device=self.device)
        if x.dtype.kind == "f" and x.dtype is not self.dtype:
            return x.astype(self.dtype)
        return x

    # --- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments that rebuild this layer (without its weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        for key, value in self._weight_options.items():
            if value is not None:
                save = regularizers.serialize if key.endswith("_regularizer") else constraints.serialize
                config[key] = save(value)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def _batch_shape(input_shape, batch_input_shape, input_dim):
    if batch_input_shape is not None:
        return tuple(None if n is None else int(n) for n in batch_input_shape)
    if input_shape is not None:
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        return (None,) + tuple(None if n is None else int(n) for n in input_shape)
    if input_dim is not None:
        return (None, int(input_dim))
    return None


def _layers_in(value):
    if isinstance(value, Layer):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, Layer):
                yield item


def _flatten(x):
    if isinstance(x, (list, tuple)):
        for item in x:
            yield from _flatten(item)
    elif isinstance(x, dict):
        for item in x.values():
            yield from _flatten(item)
    else:
        yield x


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_shape_of(item) for item in x)
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return getattr(x, "shape", None)


_TRAINING_ARG: dict = {}


def _accepts_training(fn) -> bool:
    found = _TRAINING_ARG.get(fn)
    if found is None:
        params = inspect.signature(fn).parameters
        found = "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
        _TRAINING_ARG[fn] = found
    return found
