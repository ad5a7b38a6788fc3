"""Random numbers from the counter-based Philox-4x32-10 generator.

Every backend implements the same stream (see :mod:`gputensor.devices.philox`), so one seed
gives the same numbers on every device: bit for bit for uniform integers and floats, to
rounding for normals. A generator is a 64-bit key plus a block counter; each call reserves the
blocks it uses, so calls never overlap.

>>> import gputensor as gt
>>> gt.manual_seed(0)
>>> a = gt.rand(3)
>>> gt.manual_seed(0)
>>> bool((gt.rand(3) == a).all())
True
"""

from __future__ import annotations

import secrets
import threading

from .. import dtypes as dt
from ..devices import philox
from ..devices.registry import current_device
from ..devices.registry import device as get_device
from ..errors import ArgumentTypeError, DTypeError, ShapeError
from ..tensor import set_bounds
from .core import Tensor, make, shape_arg
from .elementwise import _check_device_dtype


class Generator:
    """A Philox random-number generator with its own seed and position.

    >>> import gputensor as gt
    >>> g = gt.Generator(42)
    >>> g.normal((2, 2)).shape
    (2, 2)
    """

    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self.manual_seed(secrets.randbits(63) if seed is None else seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (any int; taken modulo 2**64)."""
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ArgumentTypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        self._seed = seed % 2**64
        self.key = (self._seed & 0xFFFFFFFF, self._seed >> 32)
        self.counter = 0
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> tuple:
        """(seed, counter): restore with ``set_state``."""
        return (self._seed, self.counter)

    def set_state(self, state) -> None:
        seed, counter = state
        self.manual_seed(seed)
        self.counter = int(counter)

    def _reserve(self, kind: str, n: int, itemsize: int) -> int:
        blocks = philox.blocks_needed(philox.n_words(kind, n, itemsize))
        with self._lock:
            start = self.counter
            self.counter += blocks
        return start

    def _draw(self, kind, shape, dtype, device, low=0, high=1) -> Tensor:
        shape = shape_arg(shape, kind)
        dev = current_device() if device is None else get_device(device)
        _check_device_dtype(kind, dev, dtype)
        n = 1
        for s in shape:
            n *= s
        start = self._reserve(kind, n, dtype.itemsize)
        data = dev.backend.random(kind, shape, dtype, self.key, start, low, high)
        return make(data, shape, dtype, dev)

    def random(self, shape=(), *, dtype=None, device=None) -> Tensor:
        """Uniform floats in [0, 1)."""
        dtype = _float_dtype(dtype, "random")
        return self._draw("uniform", shape, dtype, device)

    def uniform(self, low=0.0, high=1.0, shape=(), *, dtype=None, device=None) -> Tensor:
        """Uniform floats in [low, high)."""
        u = self.random(shape, dtype=dtype, device=device)
        return u * (high - low) + low if (low, high) != (0.0, 1.0) else u

    def normal(self, shape=(), mean=0.0, std=1.0, *, dtype=None, device=None) -> Tensor:
        """Normal floats with the given mean and standard deviation."""
        dtype = _float_dtype(dtype, "normal")
        z = self._draw("normal", shape, dtype, device)
        if std != 1.0:
            z = z * std
        if mean != 0.0:
            z = z + mean
        return z

    def integers(self, low: int, high=None, shape=(), *, dtype=None, device=None) -> Tensor:
        """Uniform integers in [low, high) (``integers(n)`` draws from [0, n))."""
        if high is None:
            low, high = 0, low
        if not isinstance(low, int) or not isinstance(high, int):
            raise ArgumentTypeError(f"randint: low and high must be ints, got {low!r} and {high!r}")
        if high <= low:
            raise ShapeError(f"randint: high ({high}) must be greater than low ({low})")
        if high - low > 2**63:
            raise ShapeError(f"randint: the range [{low}, {high}) is wider than 2**63")
        dtype = dt.get_dtype(dtype) if dtype is not None else dt.default_int
        if dtype.kind not in "iu":
            raise DTypeError(f"randint: needs an integer dtype, got {dtype}")
        info = dt.iinfo(dtype)
        if low < info.min or high - 1 > info.max:
            raise DTypeError(f"randint: [{low}, {high}) does not fit {dtype}")
        return self._draw("integers", shape, dtype, device, low, high)

    def permutation(self, n, *, device=None) -> Tensor:
        """A random permutation of ``range(n)``, or of the rows of a tensor."""
        from .indexing import take
        from .search import argsort

        if isinstance(n, Tensor):
            order = self.permutation(n._shape[0], device=n._device)
            return take(n, order, axis=0)
        keys = self._draw("uniform", (int(n),), dt.float64 if _has_f64(device) else dt.float32, device)
        order = argsort(keys)
        if n:
            set_bounds(order, 0, int(n) - 1)  # its indices need no range check on the host
        return order


def _has_f64(device) -> bool:
    dev = current_device() if device is None else get_device(device)
    return dt.float64 in dev.backend.dtypes


def _float_dtype(dtype, op):
    dtype = dt.get_dtype(dtype) if dtype is not None else dt.default_float
    if dtype.kind != "f":
        raise DTypeError(f"{op}: needs a floating dtype, got {dtype}")
    return dtype


default_generator = Generator()


def manual_seed(seed: int) -> None:
    """Seed the default generator (used by every random function without ``generator=``)."""
    default_generator.manual_seed(seed)


def _gen(generator, seed) -> Generator:
    if seed is not None:
        return Generator(seed)
    return default_generator if generator is None else generator


def _shape_from(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def rand(*shape, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """Uniform floats in [0, 1) of the given shape (``rand(2, 3)`` or ``rand((2, 3))``)."""
    return _gen(generator, seed).random(_shape_from(shape), dtype=dtype, device=device)


def randn(*shape, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """Standard normal floats of the given shape."""
    return _gen(generator, seed).normal(_shape_from(shape), dtype=dtype, device=device)


def randint(low: int, high=None, size=(), *, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """Uniform integers in [low, high) (or [0, low) with one bound)."""
    return _gen(generator, seed).integers(low, high, size, dtype=dtype, device=device)


def uniform(low=0.0, high=1.0, size=(), *, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """Uniform floats in [low, high)."""
    return _gen(generator, seed).uniform(low, high, size, dtype=dtype, device=device)


def normal(mean=0.0, std=1.0, size=(), *, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """Normal floats with the given mean and standard deviation."""
    return _gen(generator, seed).normal(size, mean, std, dtype=dtype, device=device)


def permutation(n, *, device=None, generator=None, seed=None) -> Tensor:
    """A random permutation of ``range(n)`` (int64), or of the rows of a tensor."""
    return _gen(generator, seed).permutation(n, device=device)


def bernoulli(p, size=(), *, dtype=None, device=None, generator=None, seed=None) -> Tensor:
    """1 with probability ``p`` (a float), else 0."""
    u = _gen(generator, seed).random(size, dtype=dt.float32, device=device)
    mask = u < p
    return mask if dtype is None else mask.astype(dtype)
