"""Turning what ``fit``/``evaluate``/``predict`` receive into batches on the model's device.

Arrays (NumPy arrays, tensors, or lists/dicts of them for several inputs) are copied to the
device once; each epoch shuffles them with one gather (one small host read per epoch) and
hands out contiguous slices, so a training step reads nothing back. Python generators and
other iterables yield ``(x, y)`` or ``(x, y, sample_weight)`` batches that are moved as they
come.
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as dt
from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ..tensor import Tensor


def map_structure(fn, x):
    if isinstance(x, (list, tuple)):
        return type(x)(map_structure(fn, item) for item in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return None if x is None else fn(x)


def flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item)]
    if isinstance(x, dict):
        return [leaf for key in x for leaf in flatten(x[key])]
    return [] if x is None else [x]


def to_device(x, device, float_dtype):
    """``x`` (a structure of arrays or tensors) as tensors on ``device``, floats as
    ``float_dtype``."""

    def one(a):
        if isinstance(a, Tensor):
            if a.dtype.kind == "f" and a.dtype is not float_dtype:
                a = a.astype(float_dtype)
            return a.to(device)
        host = np.asarray(a)
        if host.dtype.kind == "f" or host.dtype == np.float64:
            return ops.asarray(host, dtype=float_dtype, device=device)
        if host.dtype.kind not in "biu":
            raise ArgumentTypeError(f"fit: cannot use data of dtype {host.dtype} (need numbers)")
        return ops.asarray(host, device=device)

    return map_structure(one, x)


def _is_array(a) -> bool:
    return isinstance(a, (np.ndarray, Tensor))


def is_array_like(x) -> bool:
    """An array or tensor, a list/tuple/dict of them (several inputs), or a nested list of
    numbers; a list of ``(x, y)`` tuples is an iterable of batches instead."""
    if _is_array(x):
        return True
    if isinstance(x, dict):
        return bool(x) and all(_is_array(v) for v in x.values())
    if isinstance(x, (list, tuple)) and x:
        if all(_is_array(item) for item in x):
            return True
        return isinstance(x, list) and all(np.isscalar(item) or isinstance(item, list) for item in x)
    return False


def _length(*parts) -> int:
    sizes = {len(a) for part in parts for a in flatten(part)}
    if len(sizes) != 1:
        raise ShapeError(
            f"fit: x, y and sample_weight must have the same number of samples, got {sorted(sizes)}"
        )
    return sizes.pop()


def split_validation(x, y, sample_weight, fraction: float):
    """Keras' ``validation_split``: the last ``fraction`` of the samples (before shuffling)."""
    if not 0.0 < fraction < 1.0:
        raise ArgumentValueError(f"fit: validation_split must be in (0, 1), got {fraction}")
    n = _length(x, y, sample_weight)
    cut = int(math.floor(n * (1.0 - fraction)))
    if cut == 0 or cut == n:
        raise ArgumentValueError(f"fit: validation_split={fraction} leaves no samples on one side of {n}")

    def head(a):
        return a[:cut]

    def tail(a):
        return a[cut:]

    train = tuple(map_structure(head, part) for part in (x, y, sample_weight))
    val = tuple(map_structure(tail, part) for part in (x, y, sample_weight))
    return train, val


def class_weights_for(y, class_weight: dict) -> np.ndarray:
    """Per-sample weights from a ``{class: weight}`` map (classes read from integer or one-hot
    labels on the host, once)."""
    labels = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
    if labels.ndim >= 2 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    labels = labels.reshape(len(labels), -1)[:, 0].astype(np.int64)
    table = np.ones(int(max(labels.max(initial=0), max(class_weight, default=0))) + 1, np.float32)
    for cls, weight in class_weight.items():
        table[int(cls)] = float(weight)
    return table[labels]


class ArrayBatches:
    """Batches of in-memory arrays, moved to ``device`` once and sliced per step."""

    def __init__(
        self,
        x,
        y=None,
        sample_weight=None,
        batch_size: int = 32,
        shuffle: bool = False,
        device=None,
        float_dtype=dt.float32,
    ):
        if isinstance(x, list) and not all(_is_array(item) for item in x):
            x = np.asarray(x)
        self.n = _length(x, y, sample_weight)
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ArgumentValueError(f"batch_size must be a positive int, got {batch_size}")
        self.shuffle = bool(shuffle)
        self.x = to_device(x, device, float_dtype)
        self.y = to_device(y, device, float_dtype)
        self.sample_weight = to_device(sample_weight, device, float_dtype)
        self.device = device
        self.steps = math.ceil(self.n / self.batch_size)

    def __iter__(self):
        x, y, sw = self.x, self.y, self.sample_weight
        if self.shuffle and self.n > 1:
            order = ops.permutation(self.n, device=self.device)
            x, y, sw = (map_structure(lambda a, o=order: ops.take(a, o, axis=0), part) for part in (x, y, sw))
        for start in range(0, self.n, self.batch_size):
            stop = min(start + self.batch_size, self.n)
            yield tuple(map_structure(lambda a, i=start, j=stop: a[i:j], part) for part in (x, y, sw))


class IterableBatches:
    """Batches drawn from a generator or iterable: ``steps`` per epoch, or until it ends."""

    def __init__(self, data, steps: int | None, device, float_dtype=dt.float32):
        self.data = data
        self.steps = steps
        self.device = device
        self.float_dtype = float_dtype
        self.reiterable = iter(data) is not data
        self._iterator = None
        self.exhausted = False

    def __iter__(self):
        if self.reiterable or self._iterator is None:
            self._iterator = iter(self.data)
        count = 0
        while self.steps is None or count < self.steps:
            try:
                item = next(self._iterator)
            except StopIteration:
                self.exhausted = not self.reiterable
                return
            yield self._unpack(item)
            count += 1

    def _unpack(self, item):
        if isinstance(item, tuple) and 1 <= len(item) <= 3:
            parts = list(item) + [None] * (3 - len(item))
        else:
            parts = [item, None, None]
        return tuple(to_device(p, self.device, self.float_dtype) for p in parts)


def make_batches(
    x, y, sample_weight, batch_size, shuffle, steps, device, float_dtype=dt.float32, class_weight=None
):
    """ArrayBatches for arrays, IterableBatches for generators and iterables."""
    if is_array_like(x):
        if class_weight:
            if y is None:
                raise ArgumentValueError("fit: class_weight needs labels y")
            weights = class_weights_for(y, class_weight)
            if sample_weight is not None:
                weights = weights * np.asarray(sample_weight, dtype=np.float32).reshape(len(weights))
            sample_weight = weights
        return ArrayBatches(x, y, sample_weight, batch_size or 32, shuffle, device, float_dtype)
    if y is not None:
        raise ArgumentValueError("fit: when x is a generator or dataset, it yields the labels; pass y=None")
    if class_weight:
        raise ArgumentValueError("fit: class_weight works with arrays; a generator can yield sample weights")
    if not hasattr(x, "__iter__"):
        raise ArgumentTypeError(
            f"fit: x must be arrays, tensors, a generator or an iterable of batches, got {type(x).__name__}"
        )
    return IterableBatches(x, steps, device, float_dtype)
