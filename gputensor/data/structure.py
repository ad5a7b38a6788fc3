"""Nested element structures (tuples, dicts, namedtuples of leaves) and the two
conversions every value goes through: into the pipeline (host NumPy values) and out of it
(gputensor tensors).

Inside a pipeline, values live on the host as NumPy arrays, as ``tf.data`` keeps them on the
CPU; they become gputensor tensors when they leave it (iteration) or enter your functions
(``map``, ``filter``, ...). Text stays text: a Python ``str`` for one value, a NumPy ``str_``
array for several, because gputensor has no string dtype.

>>> from gputensor.data.structure import flatten
>>> leaves, tree = flatten(({"a": 1, "b": 2}, 3))
>>> leaves, tree.unflatten([10, 20, 30])
([1, 2, 3], ({'a': 10, 'b': 20}, 30))
"""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentTypeError
from ..ops.creation import asarray
from ..tensor import Tensor

_LEAF = "leaf"


class TreeDef:
    """The shape of a nested structure without its leaves; equal trees compare equal."""

    __slots__ = ("kind", "keys", "children", "cls", "n_leaves")

    def __init__(self, kind: str, keys=(), children=(), cls=None):
        self.kind = kind
        self.keys = tuple(keys)
        self.children = tuple(children)
        self.cls = cls
        self.n_leaves = 1 if kind == _LEAF else sum(c.n_leaves for c in self.children)

    def __eq__(self, other) -> bool:
        if not isinstance(other, TreeDef):
            return NotImplemented
        return (self.kind, self.keys, self.cls, self.children) == (
            other.kind, other.keys, other.cls, other.children)

    def __hash__(self) -> int:
        return hash((self.kind, self.keys, self.children))

    def __repr__(self) -> str:
        return f"TreeDef({self.describe()})"

    def describe(self) -> str:
        """A short text form, ``({'a': *, 'b': *}, *)``, for error messages."""
        if self.kind == _LEAF:
            return "*"
        inner = [c.describe() for c in self.children]
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.keys, inner)) + "}"
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"

    def unflatten(self, leaves):
        """Rebuild the structure from a flat sequence of leaves."""
        it = iter(leaves)
        out = self._build(it)
        return out

    def _build(self, it):
        if self.kind == _LEAF:
            return next(it)
        values = [c._build(it) for c in self.children]
        if self.kind == "dict":
            return dict(zip(self.keys, values))
        if self.kind == "namedtuple":
            return self.cls(*values)
        return tuple(values)


LEAF = TreeDef(_LEAF)


def flatten(obj, lists_are_leaves: bool = False):
    """``(leaves, treedef)`` of a nested structure. Dict keys are kept in insertion order.

    With ``lists_are_leaves`` a Python list is one value (``from_tensor_slices([1, 2, 3])``),
    otherwise it is a tuple of components (a ``map`` function returning ``[x, y]``).
    """
    leaves = []
    tree = _flatten(obj, leaves, lists_are_leaves)
    return leaves, tree


def _flatten(obj, leaves, lists_are_leaves):
    if isinstance(obj, dict):
        keys = list(obj.keys())
        children = [_flatten(obj[k], leaves, lists_are_leaves) for k in keys]
        return TreeDef("dict", keys, children)
    if isinstance(obj, tuple):
        children = [_flatten(v, leaves, lists_are_leaves) for v in obj]
        if hasattr(obj, "_fields"):
            return TreeDef("namedtuple", obj._fields, children, cls=type(obj))
        return TreeDef("tuple", (), children)
    if isinstance(obj, list) and not lists_are_leaves:
        # as in tf.data, a list a function returns is a tuple of components
        return TreeDef("tuple", (), [_flatten(v, leaves, lists_are_leaves) for v in obj])
    leaves.append(obj)
    return LEAF


# --- values into the pipeline ---------------------------------------------------------------

def to_host(value, where: str = "dataset"):
    """A pipeline value: NumPy array (numeric or text), ``str``, or ``bytes``."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Tensor):
        return value.numpy()
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, bool):
        return np.asarray(value, dtype=np.bool_)
    if isinstance(value, int):
        return np.asarray(value, dtype=np.int64)
    if isinstance(value, float):
        return np.asarray(value, dtype=np.float32)
    if isinstance(value, (list, tuple)):
        return _list_to_host(value, where)
    raise ArgumentTypeError(
        f"{where}: cannot hold a value of type {type(value).__name__}; elements are tensors, "
        "NumPy arrays, Python numbers or strings, in tuples, lists and dicts"
    )


def _list_to_host(value, where):
    if any(isinstance(v, Tensor) for v in value):
        value = [v.numpy() if isinstance(v, Tensor) else v for v in value]
    arr = np.asarray(value)
    if arr.dtype == np.float64 and not _has_strong_float64(value):
        arr = arr.astype(np.float32)
    if arr.dtype.kind == "O":
        raise ArgumentTypeError(f"{where}: the list {value!r:.60} is ragged or mixes types")
    return arr


def _has_strong_float64(value) -> bool:
    for v in value:
        if isinstance(v, np.ndarray) and v.dtype == np.float64:
            return True
        if isinstance(v, np.float64):
            return True
        if isinstance(v, (list, tuple)) and _has_strong_float64(v):
            return True
    return False


def is_text(value) -> bool:
    """True for strings and NumPy text arrays (which stay NumPy outside the pipeline)."""
    if isinstance(value, (str, bytes)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "USO"


# --- values out of the pipeline ---------------------------------------------------------------

def to_user(value, device):
    """A value as your code sees it: a tensor on ``device``; text stays ``str`` / NumPy text."""
    if isinstance(value, Tensor):
        return value
    if is_text(value):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return value.item()
        if isinstance(value, np.str_):
            return str(value)
        return value
    return asarray(value, device=device)


def to_numpy(value):
    """A value as ``as_numpy_iterator`` gives it."""
    if isinstance(value, Tensor):
        return value.numpy()
    return value
