"""A toy out-of-tree backend: keeps its data in its own array type and counts primitive calls.

It wraps NumPy arrays in ``ToyArray`` so that any path that hands a toy array to NumPy
without going through a primitive fails loudly.
"""

from __future__ import annotations

import numpy as np

from gputensor.devices.backend import DeviceInfo
from gputensor.devices.numpy_backend import NumpyBackend


class ToyArray:
    __slots__ = ("a",)

    def __init__(self, a):
        self.a = a

    @property
    def shape(self):
        return self.a.shape


def _unwrap(x):
    return x.a if isinstance(x, ToyArray) else x


def _wrap(x):
    if isinstance(x, tuple):
        return tuple(_wrap(i) for i in x)
    return ToyArray(x) if isinstance(x, np.ndarray) else x


class ToyBackend(NumpyBackend):
    type = "toy"
    host_memory = False
    calls: dict = {}

    def __init__(self, index=0, **options):
        super().__init__(0, **options)
        self.index = index

    @classmethod
    def probe(cls):
        return [DeviceInfo("toy:0", True, "toy backend (NumPy inside)")]

    def from_host(self, array, copy=True):
        self._count("from_host")
        return ToyArray(np.array(array, copy=True, order="C"))

    def to_host(self, x):
        self._count("to_host")
        return x.a

    def view(self, root, shape, strides, offset):
        return ToyArray(super().view(root.a, shape, strides, offset))

    def copy_into(self, dst, src):
        self._count("copy_into")
        super().copy_into(dst.a, _unwrap(src))

    def scatter(self, dst, index, values, axis):
        self._count("scatter")
        super().scatter(dst.a, _unwrap(index), _unwrap(values), axis)

    def _count(self, name):
        type(self).calls[name] = type(self).calls.get(name, 0) + 1


def _forward(name):
    def method(self, *args, **kwargs):
        self._count(name)
        args = [_unwrap(a) for a in args]
        kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
        return _wrap(getattr(NumpyBackend, name)(self, *args, **kwargs))

    method.__name__ = name
    return method


for _name in ("empty", "contiguous", "full", "arange", "unary", "binary", "where", "cast", "reduce",
              "arg_reduce", "scan", "matmul", "gather", "scatter_add", "random", "sort",
              "searchsorted", "nonzero"):
    setattr(ToyBackend, _name, _forward(_name))
