"""Chunks: the unit that flows between pipeline stages.

A pipeline moves many elements at a time so that reading, parsing, shuffling and batching cost
NumPy operations, not Python calls per element. A ``Chunk`` holds ``n`` consecutive elements of
one structure, one column per leaf: either a NumPy array whose first axis has length ``n``
(uniform elements) or a Python list of ``n`` values (ragged elements, text, tensors).

``origin = (file, line)`` says that the chunk's records are consecutive lines of ``file``
starting at ``line``, so a bad record can be reported by file and line number. ``Failed`` is an
element that could not be produced; it travels in order with the chunks until ``ignore_errors``
drops it or the iterator raises its exception.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .structure import TreeDef


class Failed:
    """An element whose production raised ``error`` (``count`` records lost)."""

    __slots__ = ("error", "count")

    def __init__(self, error: BaseException, count: int = 1):
        self.error = error
        self.count = count


class Chunk:
    """``n`` elements of structure ``tree``, stored column by column."""

    __slots__ = ("tree", "cols", "n", "origin")

    def __init__(self, tree: TreeDef, cols: list, n: int, origin=None):
        self.tree = tree
        self.cols = cols
        self.n = n
        self.origin = origin

    @classmethod
    def single(cls, tree: TreeDef, leaves: list, origin=None) -> Chunk:
        """One element."""
        return cls(tree, [[v] for v in leaves], 1, origin)

    @classmethod
    def from_rows(cls, tree: TreeDef, rows: list, origin=None) -> Chunk:
        """Elements given as lists of leaves."""
        cols = [list(c) for c in zip(*rows)] if rows else [[] for _ in range(tree.n_leaves)]
        return cls(tree, cols, len(rows), origin)

    def row(self, i: int) -> list:
        """The leaves of element ``i``."""
        return [c[i] for c in self.cols]

    def rows(self):
        """Each element's leaves, in order."""
        if self.n == 1:
            yield [c[0] for c in self.cols]
            return
        columns = [c if isinstance(c, list) else list(c) for c in self.cols]
        yield from (list(r) for r in zip(*columns))

    def slice(self, start: int, stop: int) -> Chunk:
        """Elements ``start:stop`` (views where the columns are arrays)."""
        start = max(0, start)
        stop = min(self.n, stop)
        origin = None
        if self.origin is not None:
            origin = (self.origin[0], self.origin[1] + start)
        return Chunk(self.tree, [c[start:stop] for c in self.cols], max(0, stop - start), origin)

    def take(self, index: np.ndarray) -> Chunk:
        """Elements at ``index`` (an integer array), in that order."""
        cols = []
        for c in self.cols:
            if isinstance(c, list):
                cols.append([c[i] for i in index.tolist()])
            else:
                cols.append(c[index])
        return Chunk(self.tree, cols, len(index))

    def owned(self) -> Chunk:
        """A copy whose array columns own their memory and can be written in place."""
        cols = [list(c) if isinstance(c, list) else np.array(c) for c in self.cols]
        return Chunk(self.tree, cols, self.n, self.origin)

    def stacked(self, op: str) -> list:
        """Each column as one array with a leading axis of length ``n`` (for batching)."""
        return [stack_column(c, op, i) for i, c in enumerate(self.cols)]


def stack_column(col, op: str, leaf: int = 0) -> np.ndarray:
    """A column as one array; elements of different shapes are an error naming them."""
    if not isinstance(col, list):
        return np.ascontiguousarray(col)
    if col and type(col[0]) is str:
        return text_array(col)
    values = [v.numpy() if isinstance(v, Tensor) else v for v in col]
    if all(isinstance(v, np.ndarray) for v in values):
        shapes = {v.shape for v in values}
        if len(shapes) > 1:
            raise ShapeError(
                f"{op}: elements of component {leaf} have different shapes {sorted(shapes)[:4]}; "
                "use padded_batch to pad them to a common shape"
            )
        if values and len({v.dtype for v in values}) > 1:
            dtypes = sorted({str(v.dtype) for v in values})
            raise ShapeError(f"{op}: elements of component {leaf} have different dtypes {dtypes}")
        if not values:
            return np.empty((0,))
        out = np.array(values)  # much faster than np.stack for many small arrays
        if out.dtype != values[0].dtype or out.shape[1:] != values[0].shape:
            out = np.stack(values)
        return out
    if all(isinstance(v, (str, bytes)) for v in values):
        return text_array(values)
    return np.array(values)


def text_array(values: list) -> np.ndarray:
    """Strings as a NumPy object array (text of any length, no copy of the characters)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def concat(chunks: list) -> Chunk:
    """One chunk holding the elements of ``chunks`` in order (same structure)."""
    if len(chunks) == 1:
        return chunks[0]
    tree = chunks[0].tree
    cols = []
    for j in range(len(chunks[0].cols)):
        parts = [c.cols[j] for c in chunks]
        cols.append(_concat_column(parts))
    return Chunk(tree, cols, sum(c.n for c in chunks), _joined_origin(chunks))


def _concat_column(parts: list):
    arrays = all(isinstance(p, np.ndarray) for p in parts)
    if arrays and len({(p.dtype, p.shape[1:]) for p in parts}) == 1:
        return np.concatenate(parts)
    out = []
    for p in parts:
        out.extend(p if isinstance(p, list) else list(p))
    return out


def _joined_origin(chunks):
    first = chunks[0].origin
    if first is None:
        return None
    line = first[1]
    for c in chunks:
        if c.origin is None or c.origin[0] != first[0] or c.origin[1] != line:
            return None
        line += c.n
    return first


class RowReader:
    """Reads a stream of chunks by element counts: ``read(n)`` returns the next ``n`` elements
    (fewer at the end, ``None`` when done) or a ``Failed`` marker met on the way."""

    def __init__(self, stream):
        self._stream = stream
        self._head = None
        self.done = False

    def read(self, n: int, exact: bool = True):
        parts = []
        have = 0
        while have < n:
            item = self._head if self._head is not None else next(self._stream, None)
            self._head = None
            if item is None:
                self.done = True
                break
            if isinstance(item, Failed):
                if parts:
                    self._head = item
                    break
                return item
            if item.n == 0:
                continue
            if have + item.n > n:
                parts.append(item.slice(0, n - have))
                self._head = item.slice(n - have, item.n)
                have = n
                break
            parts.append(item)
            have += item.n
            if not exact:
                break
        if not parts:
            return None
        return concat(parts)
