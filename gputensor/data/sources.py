"""Datasets made from data in memory: tensor slices, a Python generator, a range of integers."""

from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, ArgumentValueError, ShapeError
from .chunk import Chunk, Failed
from .dataset import Dataset
from .structure import LEAF, flatten, to_host

CHUNK = 4096


def numpy_dtype(spec, where: str):
    """A NumPy dtype from a gputensor dtype, a NumPy dtype or a name; ``str`` for text."""
    if spec is str or spec == "string":
        return np.dtype(str)
    if isinstance(spec, dt.DType):
        return spec.np
    try:
        return dt.get_dtype(spec).np
    except Exception:
        pass
    try:
        return np.dtype(spec)
    except TypeError:
        raise ArgumentTypeError(f"{where}: {spec!r} is not a dtype") from None


class TensorSlices(Dataset):
    """``Dataset.from_tensor_slices`` (each row an element) and ``Dataset.from_tensors``
    (``single=True``: the whole structure is one element)."""

    def __init__(self, tensors, single: bool = False):
        where = "from_tensors" if single else "from_tensor_slices"
        leaves, self._tree = flatten(tensors, lists_are_leaves=True)
        self._cols = [to_host(v, where) for v in leaves]
        self._single = single
        if single:
            self._n = 1
            return
        lengths = set()
        for c in self._cols:
            if isinstance(c, (str, bytes)) or np.ndim(c) == 0:
                raise ShapeError(f"{where}: every component needs a first axis to slice; got a scalar")
            lengths.add(len(c))
        if len(lengths) > 1:
            raise ShapeError(f"{where}: components have different first dimensions {sorted(lengths)}")
        self._n = lengths.pop() if lengths else 0

    def _stream(self, ctx):
        if self._single:
            yield Chunk.single(self._tree, list(self._cols))
            return
        for start in range(0, self._n, CHUNK):
            stop = min(start + CHUNK, self._n)
            yield Chunk(self._tree, [c[start:stop] for c in self._cols], stop - start)


class Range(Dataset):
    """``Dataset.range``: int64 (or ``dtype``) scalars."""

    def __init__(self, *args, dtype=None):
        if not 1 <= len(args) <= 3 or not all(isinstance(a, (int, np.integer)) for a in args):
            raise ArgumentTypeError(f"range: expected 1 to 3 ints, got {args!r}")
        self._range = range(*(int(a) for a in args))
        self._dtype = np.int64 if dtype is None else numpy_dtype(dtype, "range")

    def _stream(self, ctx):
        r = self._range
        step = r.step * CHUNK
        for first in range(r.start, r.stop, step):
            part = range(first, first + step, r.step)
            last = min(part.stop, r.stop) if r.step > 0 else max(part.stop, r.stop)
            values = np.arange(first, last, r.step, dtype=self._dtype)
            yield Chunk(LEAF, [values], len(values))


class FromGenerator(Dataset):
    """``Dataset.from_generator(generator, output_types=None, output_shapes=None, args=None)``.

    ``generator`` is a callable returning an iterable; it is called anew for each iteration,
    with ``args`` if given. ``output_types`` / ``output_shapes`` (a structure like the elements,
    or one value for every component) cast and check each element; a ``None`` dimension
    matches any size. An exception inside the generator ends the data and reaches the caller
    (or is skipped by ``ignore_errors``).

    >>> import gputensor as gt
    >>> def gen():
    ...     yield 1, [1.0]
    ...     yield 2, [2.0, 3.0]
    >>> ds = gt.data.Dataset.from_generator(gen, output_types=(gt.int32, gt.float32))
    >>> [(int(a), b.tolist()) for a, b in ds]
    [(1, [1.0]), (2, [2.0, 3.0])]
    """

    def __init__(self, generator, output_types=None, output_shapes=None, args=None):
        if not callable(generator):
            raise ArgumentTypeError("from_generator: generator must be a callable returning an iterable")
        self._generator = generator
        self._args = tuple(args) if args is not None else ()
        self._types = output_types
        self._shapes = output_shapes

    def _stream(self, ctx):
        iterable = iter(self._generator(*self._args))
        try:
            while True:
                try:
                    element = next(iterable)
                    leaves, tree = flatten(element, lists_are_leaves=True)
                    leaves = [to_host(v, "from_generator") for v in leaves]
                    leaves = self._conform(leaves, tree)
                except StopIteration:
                    return
                except Exception as exc:
                    yield Failed(exc)
                    return
                yield Chunk.single(tree, leaves)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def _conform(self, leaves, tree):
        types = _per_leaf(self._types, tree, "output_types")
        shapes = _per_leaf(self._shapes, tree, "output_shapes")
        out = []
        for i, value in enumerate(leaves):
            if types is not None:
                value = np.asarray(value).astype(numpy_dtype(types[i], "from_generator"), copy=False)
            if shapes is not None and shapes[i] is not None:
                _check_shape(np.shape(value), tuple(shapes[i]), i)
            out.append(value)
        return out


def _per_leaf(spec, tree, name):
    """One entry of ``spec`` (output_types or output_shapes) per leaf of the elements."""
    if spec is None:
        return None
    is_leaf = _is_shape if name == "output_shapes" else _is_type
    if is_leaf(spec):
        return [spec] * tree.n_leaves
    leaves = []
    _spec_walk(spec, is_leaf, leaves)
    if len(leaves) != tree.n_leaves:
        raise ArgumentValueError(
            f"from_generator: {name} has {len(leaves)} components, the elements have "
            f"{tree.n_leaves} ({tree.describe()})"
        )
    return leaves


def _is_type(spec) -> bool:
    return not isinstance(spec, (tuple, list, dict))


def _is_shape(spec) -> bool:
    if spec is None:
        return True
    return isinstance(spec, (tuple, list)) and all(v is None or isinstance(v, int) for v in spec)


def _spec_walk(spec, is_leaf, out):
    if is_leaf(spec):
        out.append(spec)
    elif isinstance(spec, dict):
        for v in spec.values():
            _spec_walk(v, is_leaf, out)
    else:
        for v in spec:
            _spec_walk(v, is_leaf, out)


def _check_shape(actual, expected, leaf):
    ok = len(actual) == len(expected) and all(e is None or e == a for a, e in zip(actual, expected))
    if not ok:
        raise ShapeError(f"from_generator: component {leaf} has shape {actual}, expected {expected}")
