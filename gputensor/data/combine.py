"""Datasets from several datasets: ``zip``, ``concatenate``, ``interleave`` / ``flat_map``."""

from __future__ import annotations

import contextlib

from ..devices.registry import device as get_device
from ..errors import ArgumentTypeError
from .chunk import Chunk, Failed, RowReader
from .dataset import AUTOTUNE, Dataset, resolve_parallelism
from .iterator import opened
from .structure import TreeDef, to_user

_STEP = 4096


class Zip(Dataset):
    """``Dataset.zip((a, b, ...))`` or ``Dataset.zip({"a": a, ...})``."""

    def __init__(self, datasets):
        if isinstance(datasets, dict):
            self._keys = list(datasets.keys())
            self._inputs = [datasets[k] for k in self._keys]
            self._kind = "dict"
        elif isinstance(datasets, (tuple, list)):
            self._keys = []
            self._inputs = list(datasets)
            self._kind = "tuple"
        else:
            raise ArgumentTypeError("zip: datasets must be a tuple or dict of datasets")
        if not all(isinstance(d, Dataset) for d in self._inputs):
            raise ArgumentTypeError("zip: every component must be a Dataset")

    def _stream(self, ctx):
        with contextlib.ExitStack() as stack:
            readers = [RowReader(stack.enter_context(opened(d, ctx))) for d in self._inputs]
            if not readers:
                return
            while True:
                first = readers[0].read(_STEP, exact=False)
                if first is None:
                    return
                if isinstance(first, Failed):
                    yield first
                    continue
                parts = [first] + [r.read(first.n) for r in readers[1:]]
                failed = next((p for p in parts if isinstance(p, Failed)), None)
                if failed is not None:
                    yield failed
                    continue
                if any(p is None for p in parts):
                    return
                n = min(p.n for p in parts)
                yield self._joined([p.slice(0, n) for p in parts])
                if n < first.n:
                    return

    def _joined(self, parts):
        tree = TreeDef(self._kind, self._keys, [p.tree for p in parts])
        cols = []
        for p in parts:
            cols.extend(p.cols)
        return Chunk(tree, cols, parts[0].n)


class Concatenate(Dataset):
    """``a.concatenate(b)``: the elements of ``a``, then of ``b``; they must have the same
    structure."""

    def __init__(self, first: Dataset, second: Dataset):
        if not isinstance(second, Dataset):
            raise ArgumentTypeError("concatenate: the argument must be a Dataset")
        self._inputs = (first, second)

    def _stream(self, ctx):
        tree = None
        for dataset in self._inputs:
            with opened(dataset, ctx) as items:
                for item in items:
                    if isinstance(item, Chunk):
                        if tree is not None and item.tree != tree:
                            raise ArgumentTypeError(
                                f"concatenate: the datasets' elements differ in structure: "
                                f"{tree.describe()} and {item.tree.describe()}"
                            )
                        tree = item.tree
                    yield item


class Interleave(Dataset):
    """``dataset.interleave(map_func, cycle_length=None, block_length=1,
    num_parallel_calls=None, deterministic=None)``.

    ``map_func`` turns each element into a dataset. ``cycle_length`` of those are open at
    once (default: the CPU count); ``block_length`` elements are taken from each in turn,
    and an exhausted one is replaced by the dataset of the next input element. With
    ``num_parallel_calls`` the open datasets are produced ahead on background threads; the
    output order stays the same.

    >>> import gputensor as gt
    >>> ds = gt.data.Dataset.range(1, 4).interleave(
    ...     lambda n: gt.data.Dataset.from_tensors(n).repeat(int(n)), cycle_length=2)
    >>> [int(x) for x in ds]
    [1, 2, 3, 2, 3, 3]
    """

    def __init__(self, dataset, map_func, cycle_length=None, block_length=1,
                 num_parallel_calls=None, deterministic=None):
        if not callable(map_func):
            raise ArgumentTypeError("interleave: map_func must be callable")
        self._input = dataset
        self._fn = map_func
        self._cycle = resolve_parallelism(AUTOTUNE if cycle_length is None else cycle_length,
                                          "interleave: cycle_length")
        self._block = resolve_parallelism(block_length, "interleave: block_length")
        self._parallel = resolve_parallelism(num_parallel_calls, "interleave: num_parallel_calls")

    def _open(self, leaves, tree, stack, ctx):
        host = get_device("cpu")
        with host:
            element = tree.unflatten([to_user(v, host) for v in leaves])
            sub = self._fn(*element) if isinstance(element, tuple) else self._fn(element)
        if not isinstance(sub, Dataset):
            raise ArgumentTypeError(f"interleave: map_func must return a Dataset, got {type(sub).__name__}")
        if self._parallel > 1:
            from .prefetch import Prefetch

            sub = Prefetch(sub, max(2, self._block))
        inner = contextlib.ExitStack()
        stack.callback(inner.close)
        return RowReader(inner.enter_context(opened(sub, ctx))), inner

    def _stream(self, ctx):
        with contextlib.ExitStack() as stack:
            elements = self._elements(stack.enter_context(opened(self._input, ctx)))
            slots = [None] * self._cycle
            live = True
            while live or any(s is not None for s in slots):
                live_before = live
                for i in range(self._cycle):
                    for out in self._turn(slots, i, elements, stack, ctx):
                        if out is _EXHAUSTED:
                            live = False
                        else:
                            yield out
                if not live_before and all(s is None for s in slots):
                    return

    def _elements(self, items):
        for item in items:
            if isinstance(item, Failed):
                yield item
                continue
            for leaves in item.rows():
                yield leaves, item.tree

    def _turn(self, slots, i, elements, stack, ctx):
        """Take one block from slot ``i``, opening the next input's dataset when it is empty."""
        while True:
            if slots[i] is None:
                nxt = next(elements, None)
                if nxt is None:
                    yield _EXHAUSTED
                    return
                if isinstance(nxt, Failed):
                    yield nxt
                    continue
                try:
                    slots[i] = self._open(nxt[0], nxt[1], stack, ctx)
                except Exception as exc:
                    yield Failed(exc)
                    continue
            reader, inner = slots[i]
            got = reader.read(self._block)
            if got is None:
                inner.close()
                slots[i] = None
                continue
            yield got
            return


_EXHAUSTED = object()
