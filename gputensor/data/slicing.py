"""Counting transformations: ``skip``, ``take``, ``repeat``, ``enumerate``."""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentValueError
from .chunk import Chunk, Failed
from .dataset import Dataset
from .iterator import opened
from .structure import LEAF, TreeDef


def _count(count, op, allow_none=False) -> int:
    if count is None and allow_none:
        return -1
    if not isinstance(count, (int, np.integer)) or count < -1:
        raise ArgumentValueError(f"{op}: count must be an int >= -1, got {count!r}")
    return int(count)


class Skip(Dataset):
    """``dataset.skip(count)``: drop the first ``count`` elements (-1: all of them).

    >>> import gputensor as gt
    >>> [int(x) for x in gt.data.Dataset.range(5).skip(3)]
    [3, 4]
    """

    def __init__(self, dataset, count: int):
        self._input = dataset
        self._count = _count(count, "skip")

    def _stream(self, ctx):
        remaining = self._count
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield item
                    continue
                if remaining < 0:
                    continue
                if remaining >= item.n:
                    remaining -= item.n
                    continue
                yield item.slice(remaining, item.n) if remaining else item
                remaining = 0


class Take(Dataset):
    """``dataset.take(count)``: the first ``count`` elements (-1: all of them).

    >>> import gputensor as gt
    >>> [int(x) for x in gt.data.Dataset.range(10).repeat().take(3)]
    [0, 1, 2]
    """

    def __init__(self, dataset, count: int):
        self._input = dataset
        self._count = _count(count, "take")

    def _stream(self, ctx):
        remaining = self._count
        if remaining == 0:
            return
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed) or remaining < 0:
                    yield item
                    continue
                if item.n >= remaining:
                    yield item.slice(0, remaining)
                    return
                remaining -= item.n
                yield item


class Repeat(Dataset):
    """``dataset.repeat(count=None)``: the data ``count`` times (``None``/-1: forever; an empty
    dataset stays empty)."""

    def __init__(self, dataset, count=None):
        self._input = dataset
        self._count = _count(count, "repeat", allow_none=True)

    def _stream(self, ctx):
        epoch = 0
        while self._count < 0 or epoch < self._count:
            produced = False
            with opened(self._input, ctx) as items:
                for item in items:
                    produced = True
                    yield item
            if not produced:
                return
            epoch += 1


class Enumerate(Dataset):
    """``dataset.enumerate(start=0)``: elements ``(index, element)`` with int64 indices.

    >>> import gputensor as gt
    >>> [(int(i), int(x)) for i, x in gt.data.Dataset.range(5, 7).enumerate()]
    [(0, 5), (1, 6)]
    """

    def __init__(self, dataset, start: int = 0):
        self._input = dataset
        self._start = int(start)

    def _stream(self, ctx):
        index = self._start
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield item
                    continue
                counter = np.arange(index, index + item.n, dtype=np.int64)
                index += item.n
                tree = TreeDef("tuple", (), [LEAF, item.tree])
                yield Chunk(tree, [counter] + list(item.cols), item.n)
