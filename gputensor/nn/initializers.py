"""Weight initializers, Keras' set, drawing from gputensor's Philox generator.

An initializer is called with a shape (and optionally a dtype and device) and returns a new
tensor. Without a ``seed`` it draws from the default generator (``gt.manual_seed``); with one it
owns a generator seeded with it, so the same seed gives the same weights on every device.

Fans follow Keras: a ``(in, out)`` kernel has ``fan_in = in`` and ``fan_out = out``; a
convolution kernel ``(kh, kw, in, out)`` multiplies both by ``kh * kw``. ``*Normal`` variance
scaling initializers draw from a normal truncated at two standard deviations.

>>> import gputensor as gt
>>> w = gt.nn.initializers.get("glorot_uniform")((784, 512))
>>> bool(abs(w).max() <= (6 / (784 + 512)) ** 0.5)
True
>>> gt.nn.initializers.Constant(3.0)((2,)).tolist()
[3.0, 3.0]
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..devices.registry import device as get_device
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ..ops.random import Generator, default_generator
from ..tensor import Tensor

# The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape: tuple) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight of ``shape`` (Keras' rule)."""
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer(ABC):
    """Base class: subclasses implement ``draw(shape, dtype, device)``."""

    def __init__(self, seed: int | None = None):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ArgumentTypeError(f"{type(self).__name__}: seed must be an int or None, got {seed!r}")
        self.seed = seed
        self._generator = None if seed is None else Generator(seed)

    @property
    def generator(self) -> Generator:
        return default_generator if self._generator is None else self._generator

    def __call__(self, shape, dtype=None, device=None) -> Tensor:
        shape = tuple(int(n) for n in shape)
        dtype = dt.default_float if dtype is None else dt.get_dtype(dtype)
        return self.draw(shape, dtype, get_device(device))

    @abstractmethod
    def draw(self, shape: tuple, dtype, device) -> Tensor:
        """Values of ``shape`` and ``dtype`` on ``device``."""

    def get_config(self) -> dict:
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)


class Zeros(Initializer):
    """All zeros."""

    def draw(self, shape, dtype, device):
        return ops.zeros(shape, dtype=dtype, device=device)

    def get_config(self):
        return {}


class Ones(Initializer):
    """All ones."""

    def draw(self, shape, dtype, device):
        return ops.ones(shape, dtype=dtype, device=device)

    def get_config(self):
        return {}


class Constant(Initializer):
    """Every element ``value``."""

    def __init__(self, value: float = 0.0):
        super().__init__()
        self.value = float(value)

    def draw(self, shape, dtype, device):
        return ops.full(shape, self.value, dtype=dtype, device=device)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal with ``mean`` and ``stddev`` (Keras defaults 0 and 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def draw(self, shape, dtype, device):
        return self.generator.normal(shape, self.mean, self.stddev, dtype=dtype, device=device)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform in ``[minval, maxval)`` (Keras defaults -0.05 and 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval = float(minval)
        self.maxval = float(maxval)

    def draw(self, shape, dtype, device):
        return self.generator.uniform(self.minval, self.maxval, shape, dtype=dtype, device=device)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal with ``mean`` and ``stddev``, redrawn where it falls beyond two ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def draw(self, shape, dtype, device):
        z = truncated_unit_normal(self.generator, shape, dtype, device)
        return z * self.stddev + self.mean

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def truncated_unit_normal(generator: Generator, shape, dtype, device) -> Tensor:
    """Unit normals with every value beyond +-2 redrawn (a host check per round, at build
    time only; each round draws fresh numbers from ``generator``)."""
    z = generator.normal(shape, dtype=dtype, device=device)
    for _ in range(64):
        outside = ops.abs(z) > 2.0
        if not bool(ops.any(outside)):
            return z
        z = ops.where(outside, generator.normal(shape, dtype=dtype, device=device), z)
    return ops.clip(z, -2.0, 2.0)


class VarianceScaling(Initializer):
    """Draws with variance ``scale / n``, ``n`` being fan_in, fan_out or their mean (``mode``),
    from a truncated normal, a normal or a uniform (``distribution``)."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ):
        super().__init__(seed)
        if mode not in self._MODES:
            raise ArgumentValueError(f"VarianceScaling: mode must be one of {self._MODES}, got {mode!r}")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ArgumentValueError(
                f"VarianceScaling: distribution must be one of {self._DISTRIBUTIONS}, got {distribution!r}"
            )
        if scale <= 0:
            raise ArgumentValueError(f"VarianceScaling: scale must be positive, got {scale}")
        self.scale = float(scale)
        self.mode = mode
        self.distribution = distribution

    def draw(self, shape, dtype, device):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self.generator.uniform(-limit, limit, shape, dtype=dtype, device=device)
        if self.distribution == "untruncated_normal":
            return self.generator.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, device=device)
        z = truncated_unit_normal(self.generator, shape, dtype, device)
        return z * (math.sqrt(variance) / _TRUNCATED_STD)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _scaling(name: str, scale: float, mode: str, distribution: str, doc: str):
    def __init__(self, seed: int | None = None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _scaling(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "Uniform in +-sqrt(6 / (fan_in + fan_out)) (Keras' default kernel).",
)
GlorotNormal = _scaling(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).",
)
HeUniform = _scaling("HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in).")
HeNormal = _scaling(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal with stddev sqrt(2 / fan_in)."
)
LecunUniform = _scaling("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in).")
LecunNormal = _scaling(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal with stddev sqrt(1 / fan_in)."
)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``: the Q of the QR decomposition of a normal
    draw, sign-corrected so the distribution is uniform (the factorization runs on the host,
    once, at build time). Shapes with more than two axes are flattened to
    ``(prod(shape[:-1]), shape[-1])``."""

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        super().__init__(seed)
        self.gain = float(gain)

    def draw(self, shape, dtype, device):
        if len(shape) < 2:
            raise ShapeError(f"Orthogonal: needs a shape with at least 2 axes, got {shape}")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        z = self.generator.normal(flat, dtype=dt.float32, device="cpu").numpy().astype(np.float64)
        q, r = np.linalg.qr(z)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        values = (self.gain * q).reshape(shape).astype(dtype.np)
        return ops.asarray(values, device=device)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


_BY_NAME = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
}
_CLASSES = {cls.__name__: cls for cls in _BY_NAME.values()}


def get(identifier) -> Initializer:
    """An initializer from a name (``"he_normal"``), a config dict, or an initializer or
    callable (returned as is).

    >>> import gputensor as gt
    >>> type(gt.nn.initializers.get("he_normal")).__name__
    'HeNormal'
    """
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            known = ", ".join(sorted(_BY_NAME))
            raise ArgumentValueError(f"initializers.get: unknown initializer {identifier!r}; known: {known}")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ArgumentTypeError(
        f"initializers.get: expected a name, a config dict or a callable, got {type(identifier).__name__}"
    )


def serialize(init) -> dict:
    """``{"class_name": ..., "config": ...}`` for a built-in initializer."""
    if not isinstance(init, Initializer) or type(init).__name__ not in _CLASSES:
        raise ArgumentValueError(
            f"initializers.serialize: {init!r} is not a built-in initializer; a layer using it "
            "can be saved with save_weights, not save"
        )
    return {"class_name": type(init).__name__, "config": init.get_config()}


def deserialize(config: dict) -> Initializer:
    """The initializer described by :func:`serialize`'s output."""
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ArgumentValueError(f"initializers.deserialize: unknown initializer {config!r}")
    return cls.from_config(dict(config.get("config", {})))
