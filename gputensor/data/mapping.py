"""``map`` (optionally on a thread pool, in order) and ``filter``: your functions per element.

Your function sees the element as tensors on the host (``cpu``): it runs inside
``with gt.device("cpu")``, so tensors it creates are host tensors too, like ``tf.data``
functions that run on the CPU. Exceptions it raises become failed elements: they reach the
iterating code with their original traceback, or ``ignore_errors`` skips them.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf

from ..devices.registry import device as get_device
from ..errors import ArgumentTypeError
from .chunk import Chunk, Failed
from .dataset import Dataset, resolve_parallelism
from .errors import CsvRecordError
from .iterator import opened
from .structure import flatten, to_host, to_user

THREAD_PREFIX = "gputensor-data"
_GROUP = 256


def call_user(fn, leaves, tree, origin, row: int):
    """``fn(element)`` with the element's leaves as host tensors; returns its output's
    ``(leaves, tree)`` or a ``Failed`` carrying the exception."""
    host = get_device("cpu")
    try:
        with host:
            element = tree.unflatten([to_user(v, host) for v in leaves])
            if isinstance(element, tuple):
                out = fn(*element)
            else:
                out = fn(element)
            out_leaves, out_tree = flatten(out)
            return [to_host(v, "map") for v in out_leaves], out_tree
    except CsvRecordError as exc:
        if origin is not None:
            return Failed(exc.located(origin[0], origin[1] + row))
        return Failed(exc)
    except Exception as exc:
        return Failed(exc)


class _Grouper:
    """Collects output rows into chunks; flushes at input-chunk boundaries and failures."""

    def __init__(self):
        self.rows = []
        self.tree = None

    def add(self, leaves, tree) -> list:
        out = []
        if self.tree is not None and tree != self.tree:
            out = self.flush()
        self.tree = tree
        self.rows.append(leaves)
        if len(self.rows) >= _GROUP:
            out += self.flush()
        return out

    def flush(self) -> list:
        if not self.rows:
            return []
        if len(self.rows) == 1:
            chunk = Chunk.single(self.tree, self.rows[0])
        else:
            chunk = Chunk.from_rows(self.tree, self.rows)
        self.rows = []
        return [chunk]


def _emit(grouper: _Grouper, result) -> list:
    """Chunks (and failures) to yield after adding one result."""
    if isinstance(result, Failed):
        return grouper.flush() + [result]
    return grouper.add(*result)


class Map(Dataset):
    """``dataset.map(fn, num_parallel_calls=None, deterministic=None)``."""

    def __init__(self, dataset, fn, num_parallel_calls=None, deterministic=None):
        if not callable(fn):
            raise ArgumentTypeError(f"map: map_func must be callable, got {type(fn).__name__}")
        self._input = dataset
        self._fn = fn
        self._parallel = resolve_parallelism(num_parallel_calls, "map: num_parallel_calls")
        self._ordered = deterministic is not False

    def _stream(self, ctx):
        if self._parallel == 1:
            yield from self._sequential(ctx)
        else:
            yield from self._threaded(ctx)

    def _sequential(self, ctx):
        grouper = _Grouper()
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield from _emit(grouper, item)
                    continue
                for j, leaves in enumerate(item.rows()):
                    yield from _emit(grouper, call_user(self._fn, leaves, item.tree, item.origin, j))
                yield from grouper.flush()

    def _threaded(self, ctx):
        pool = cf.ThreadPoolExecutor(self._parallel, thread_name_prefix=f"{THREAD_PREFIX}-map")
        window = collections.deque()
        limit = 2 * self._parallel
        grouper = _Grouper()
        try:
            with opened(self._input, ctx) as items:
                for task in self._tasks(items, pool):
                    window.append(task)
                    while len(window) >= limit:
                        yield from self._drain_one(window, grouper)
                while window:
                    yield from self._drain_one(window, grouper)
            yield from grouper.flush()
        finally:
            for pending in window:
                if isinstance(pending, cf.Future):
                    pending.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def _tasks(self, items, pool):
        for item in items:
            if isinstance(item, Failed):
                yield item
                continue
            for j, leaves in enumerate(item.rows()):
                yield pool.submit(call_user, self._fn, leaves, item.tree, item.origin, j)

    def _drain_one(self, window, grouper):
        if not self._ordered:
            done = next((t for t in window if not isinstance(t, cf.Future) or t.done()), None)
            if done is None:
                cf.wait([t for t in window], return_when=cf.FIRST_COMPLETED)
                done = next(t for t in window if not isinstance(t, cf.Future) or t.done())
            window.remove(done)
            task = done
        else:
            task = window.popleft()
        result = task.result() if isinstance(task, cf.Future) else task
        return _emit(grouper, result)


class Filter(Dataset):
    """``dataset.filter(predicate)``: keep the elements where ``predicate`` is true.

    >>> import gputensor as gt
    >>> [int(x) for x in gt.data.Dataset.range(6).filter(lambda x: x % 3 == 0)]
    [0, 3]
    """

    def __init__(self, dataset, predicate):
        if not callable(predicate):
            raise ArgumentTypeError(f"filter: predicate must be callable, got {type(predicate).__name__}")
        self._input = dataset
        self._predicate = predicate

    def _stream(self, ctx):
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield item
                    continue
                yield from self._filter_chunk(item)

    def _filter_chunk(self, chunk):
        keep = []
        for j, leaves in enumerate(chunk.rows()):
            result = call_user(self._predicate, leaves, chunk.tree, chunk.origin, j)
            if isinstance(result, Failed):
                if keep:
                    yield chunk.take(_index(keep))
                keep = []
                yield result
                continue
            if _truth(result):
                keep.append(j)
        if keep:
            yield chunk.take(_index(keep))


def _index(rows):
    import numpy as np

    return np.asarray(rows, dtype=np.intp)


def _truth(result) -> bool:
    leaves, _ = result
    if len(leaves) != 1:
        raise ArgumentTypeError(f"filter: the predicate must return one boolean, got {len(leaves)} values")
    value = leaves[0]
    return bool(value)
