"""``batch``, ``padded_batch`` and ``unbatch``."""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentValueError, ShapeError
from .chunk import Chunk, Failed, RowReader, stack_column
from .dataset import Dataset
from .iterator import opened


def _check_size(batch_size, op):
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ArgumentValueError(f"{op}: batch_size must be a positive int, got {batch_size!r}")
    return int(batch_size)


def batches(dataset, ctx, batch_size: int, drop_remainder: bool):
    """Chunks of exactly ``batch_size`` elements (the last may be short), and failures. A
    failure inside a batch drops the elements gathered for that batch, as ``tf.data`` does."""
    with opened(dataset, ctx) as items:
        reader = RowReader(items)
        while True:
            got = reader.read(batch_size)
            if got is None:
                return
            if isinstance(got, Failed):
                yield got
                continue
            if got.n < batch_size and (drop_remainder or not reader.done):
                continue
            yield got


class Batch(Dataset):
    """``dataset.batch(batch_size, drop_remainder=False)``: consecutive elements stacked on a
    new first axis. Elements of different shapes are an error (see ``padded_batch``)."""

    def __init__(self, dataset, batch_size: int, drop_remainder: bool = False):
        self._input = dataset
        self._size = _check_size(batch_size, "batch")
        self._drop = bool(drop_remainder)

    def _stream(self, ctx):
        for got in batches(self._input, ctx, self._size, self._drop):
            if isinstance(got, Failed):
                yield got
                continue
            try:
                stacked = [_owned(stack_column(c, "batch", i)) for i, c in enumerate(got.cols)]
            except ShapeError as exc:
                yield Failed(exc, got.n)
                continue
            yield Chunk.single(got.tree, stacked, got.origin)


def _owned(array: np.ndarray) -> np.ndarray:
    return array.copy() if array.base is not None else array


class PaddedBatch(Dataset):
    """``dataset.padded_batch(batch_size, padded_shapes=None, padding_values=None,
    drop_remainder=False)``.

    Each component is padded at the end of every axis to ``padded_shapes`` (a structure like
    the elements; ``None`` or -1 dimensions, or no shape at all, mean the largest in the batch)
    with ``padding_values`` (default 0, or "" for text).
    """

    def __init__(self, dataset, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False):
        self._input = dataset
        self._size = _check_size(batch_size, "padded_batch")
        self._shapes = padded_shapes
        self._values = padding_values
        self._drop = bool(drop_remainder)

    def _stream(self, ctx):
        from .sources import _per_leaf

        for got in batches(self._input, ctx, self._size, self._drop):
            if isinstance(got, Failed):
                yield got
                continue
            shapes = _per_leaf(self._shapes, got.tree, "output_shapes") or [None] * len(got.cols)
            values = _per_leaf(self._values, got.tree, "output_types") or [None] * len(got.cols)
            try:
                padded = [_pad(c, s, v, i) for i, (c, s, v) in enumerate(zip(got.cols, shapes, values))]
            except ShapeError as exc:
                yield Failed(exc, got.n)
                continue
            yield Chunk.single(got.tree, padded, got.origin)


def _pad(col, shape, value, leaf) -> np.ndarray:
    items = [np.asarray(v) for v in col]
    ranks = {a.ndim for a in items}
    if len(ranks) > 1:
        raise ShapeError(f"padded_batch: component {leaf} has elements of different ranks {sorted(ranks)}")
    rank = ranks.pop()
    biggest = [max(a.shape[k] for a in items) for k in range(rank)]
    if shape is not None:
        if len(shape) != rank:
            raise ShapeError(f"padded_batch: padded shape {tuple(shape)} for component {leaf} has the "
                             f"wrong rank for elements of rank {rank}")
        for k, want in enumerate(shape):
            if want is not None and want >= 0:
                if biggest[k] > want:
                    raise ShapeError(f"padded_batch: component {leaf} has size {biggest[k]} on axis {k}, "
                                     f"more than the padded shape {tuple(shape)}")
                biggest[k] = want
    dtype = np.result_type(*items) if items[0].dtype.kind != "U" else np.dtype(str)
    if value is None:
        value = "" if dtype.kind == "U" else 0
    out = np.full([len(items)] + biggest, value, dtype=dtype)
    for i, a in enumerate(items):
        out[(i,) + tuple(slice(0, d) for d in a.shape)] = a
    return out


class Unbatch(Dataset):
    """``dataset.unbatch()``: each element's rows become elements."""

    def __init__(self, dataset):
        self._input = dataset

    def _stream(self, ctx):
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield item
                    continue
                if all(isinstance(c, np.ndarray) for c in item.cols) and item.n > 1:
                    yield self._flat(item)
                    continue
                for leaves in item.rows():
                    yield self._split(item, leaves)

    @staticmethod
    def _flat(item):
        cols = []
        for c in item.cols:
            if c.ndim < 2:
                raise ShapeError("unbatch: elements must have at least one axis")
            cols.append(c.reshape((-1,) + c.shape[2:]))
        return Chunk(item.tree, cols, len(cols[0]) if cols else 0)

    @staticmethod
    def _split(item, leaves):
        arrays = [v if isinstance(v, np.ndarray) else np.asarray(v) for v in leaves]
        sizes = {a.shape[0] if a.ndim else None for a in arrays}
        if None in sizes:
            raise ShapeError("unbatch: elements must have at least one axis; got a scalar component")
        if len(sizes) > 1:
            raise ShapeError(f"unbatch: components have different first dimensions {sorted(sizes)}")
        n = sizes.pop() if sizes else 0
        return Chunk(item.tree, arrays, n, item.origin if item.n == 1 else None)
