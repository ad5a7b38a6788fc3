"""Functions of integer indices: ``one_hot`` and ``embedding`` (a row gather whose gradient
is a scatter-add into the table)."""

from __future__ import annotations

import numbers

from .. import dtypes as dt
from ..dtypes import DType
from ..errors import ArgumentTypeError, IndexOutOfRangeError, ShapeError
from ..ops.binary import equal, not_equal
from ..ops.core import Tensor
from ..ops.creation import arange
from ..ops.elementwise import astype, where
from ..ops.indexing import take, value_range
from ..ops.views import expand_dims
from .checks import float_tensor, int_tensor


def _index_range(indices: Tensor, exact: bool = False):
    """(smallest, largest) index as Python ints: bounds known from the host, else one small
    device-to-host read (exact: always the read)."""
    return value_range(indices, exact)


def one_hot(indices: Tensor, num_classes: int = -1, *, dtype: DType | str | None = None) -> Tensor:
    """``indices`` (integers in ``[0, num_classes)``) encoded along a new last axis.

    The result is int64 by default, as PyTorch's ``one_hot`` returns; pass ``dtype=gt.float32``
    for a float encoding (what Keras' ``to_categorical`` gives). ``num_classes=-1`` uses
    ``max(indices) + 1``.

    Examples
    --------
    >>> import gputensor as gt
    >>> gt.nn.functional.one_hot(gt.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    >>> gt.nn.functional.one_hot(gt.tensor([1]), dtype=gt.float32).tolist()
    [[0.0, 1.0]]
    """
    op = "one_hot"
    indices = int_tensor(op, "indices", indices)
    dtype = dt.default_int if dtype is None else dt.get_dtype(dtype)
    if not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool):
        raise ArgumentTypeError(f"{op}: num_classes must be an int, got {num_classes!r}")
    num_classes = int(num_classes)
    if num_classes < -1:
        raise ShapeError(f"{op}: num_classes must be non-negative (or -1 to infer it), got {num_classes}")
    if indices.size:
        low, high = _index_range(indices, exact=num_classes == -1)
        if low < 0 or high >= num_classes != -1:
            low, high = _index_range(indices, exact=True)  # bounds need not be attained
        if low < 0:
            raise IndexOutOfRangeError(f"{op}: indices must be non-negative, got {low}")
        if num_classes == -1:
            num_classes = high + 1
        elif high >= num_classes:
            raise IndexOutOfRangeError(f"{op}: index {high} is out of range for num_classes={num_classes}")
    elif num_classes == -1:
        raise ShapeError(f"{op}: cannot infer num_classes from empty indices; pass num_classes")
    classes = arange(num_classes, device=indices.device, dtype=indices.dtype)
    return astype(equal(expand_dims(indices, axis=-1), classes), dtype)


def embedding(indices: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of the table ``weight`` (``(num_embeddings, dim)``) picked by integer ``indices``:
    the result has shape ``indices.shape + (dim,)``. The gradient scatter-adds into ``weight``
    (repeated indices accumulate). Rows picked by ``padding_idx`` get no gradient.

    Examples
    --------
    >>> import gputensor as gt
    >>> table = gt.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> gt.nn.functional.embedding(gt.tensor([[2, 1]]), table).tolist()
    [[[3.0, 4.0], [1.0, 2.0]]]
    """
    op = "embedding"
    weight = float_tensor(op, "weight", weight)
    if weight.ndim != 2:
        raise ShapeError(f"{op}: weight must have shape (num_embeddings, dim), got shape {weight.shape}")
    indices = int_tensor(op, "indices", indices, like=weight)
    rows = weight.shape[0]
    if indices.size:
        low, high = _index_range(indices)
        if low < 0 or high >= rows:
            low, high = _index_range(indices, exact=True)  # bounds need not be attained
        if low < 0 or high >= rows:
            bad = low if low < 0 else high
            raise IndexOutOfRangeError(
                f"{op}: index {bad} is out of range for {rows} embeddings (weight.shape={weight.shape})"
            )
    if padding_idx is not None:
        padding_idx = _padding_index(op, padding_idx, rows)
    out = take(weight, indices, axis=0)
    if padding_idx is None or not out.requires_grad:
        return out
    keep = expand_dims(not_equal(indices, padding_idx), axis=-1)
    return where(keep, out, take(weight.detach(), indices, axis=0))


def _padding_index(op: str, padding_idx, rows: int) -> int:
    if not isinstance(padding_idx, numbers.Integral) or isinstance(padding_idx, bool):
        raise ArgumentTypeError(f"{op}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -rows <= padding_idx < rows:
        raise IndexOutOfRangeError(f"{op}: padding_idx {padding_idx} is out of range for {rows} embeddings")
    return padding_idx % rows
