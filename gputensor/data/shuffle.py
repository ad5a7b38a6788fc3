"""``shuffle``: the buffered shuffle of ``tf.data``, computed a chunk at a time.

The element-by-element algorithm: fill a buffer with ``buffer_size`` elements; then for each
new element draw a slot ``r`` uniformly, emit the element in slot ``r`` and put the new one
there; at the end emit what is left in a random order. For a chunk of ``m`` new elements with
slots ``r[0..m)`` the same result is a few array operations: element ``t`` emits the new
element ``p`` that last went into slot ``r[t]`` before ``t`` (found by sorting the slots), or
the buffer's old content when there is none; each touched slot keeps the last new element
that went into it. Random numbers come from gputensor's Philox generator, so a seed (or
``gt.manual_seed`` before the dataset is built) fixes the order on every device.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import ArgumentValueError
from ..ops.random import Generator, default_generator
from .chunk import Chunk, Failed, concat
from .dataset import Dataset
from .iterator import opened

_MIX = 0x9E3779B97F4A7C15


def _exchange_plan(slots: np.ndarray):
    """For slots ``r[0..m)``: ``prev[t]`` (the new element that last went into slot ``r[t]``
    before ``t``, or -1), the positions that take such an element, and the final writer of each
    touched slot."""
    m = len(slots)
    keys = slots.astype(np.uint16) if len(slots) and slots.max() < 2**16 else slots
    order = np.argsort(keys, kind="stable")  # a radix sort for 16-bit keys
    sorted_slots = slots[order]
    same = sorted_slots[1:] == sorted_slots[:-1]
    prev = np.full(m, -1, dtype=np.intp)
    prev[order[1:][same]] = order[:-1][same]
    last = np.ones(m, dtype=bool)
    last[:-1] = ~same
    return prev, np.flatnonzero(prev >= 0), sorted_slots[last], order[last]


class ShuffleBuffer:
    """The shuffle buffer: a chunk whose columns are owned and updated in place."""

    def __init__(self, chunk: Chunk):
        self.tree = chunk.tree
        self.n = chunk.n
        self.cols = [list(c) if isinstance(c, list) else np.array(c) for c in chunk.cols]

    def chunk(self) -> Chunk:
        """The buffer's elements as a chunk."""
        return Chunk(self.tree, self.cols, self.n)

    def exchange(self, incoming: Chunk, slots: np.ndarray) -> Chunk:
        """Emit ``incoming.n`` elements for the drawn ``slots`` and take the new ones in."""
        prev, refill, written_slots, written_from = _exchange_plan(slots)
        cols = []
        for j, new in enumerate(incoming.cols):
            store = self.cols[j]
            if _fits(store, new):
                out = store[slots]
                out[refill] = new[prev[refill]]
                store[written_slots] = new[written_from]
            else:
                store = self.cols[j] = store if isinstance(store, list) else list(store)
                out = [store[s] if p < 0 else new[p] for s, p in zip(slots.tolist(), prev.tolist())]
                for s, src in zip(written_slots.tolist(), written_from.tolist()):
                    store[s] = new[src]
            cols.append(out)
        return Chunk(incoming.tree, cols, len(slots))


def _fits(store, new) -> bool:
    return (isinstance(store, np.ndarray) and isinstance(new, np.ndarray)
            and store.dtype == new.dtype and store.shape[1:] == new.shape[1:])


class Shuffle(Dataset):
    """``dataset.shuffle(buffer_size, seed=None, reshuffle_each_iteration=True)``.

    A buffer as large as the dataset gives a uniformly random permutation; smaller buffers
    shuffle locally (an element moves at most ``buffer_size`` places earlier). With
    ``reshuffle_each_iteration`` every iteration (each ``repeat``) has a new order; ``seed``
    fixes the sequence of orders. Without a seed the seed is drawn from the default generator
    when the dataset is built, so ``gt.manual_seed(s)`` beforehand makes it reproducible.

    >>> import gputensor as gt
    >>> ds = gt.data.Dataset.range(6).shuffle(6, seed=3, reshuffle_each_iteration=False)
    >>> [int(x) for x in ds] == [int(x) for x in ds]
    True
    """

    def __init__(self, dataset, buffer_size: int, seed=None, reshuffle_each_iteration: bool = True):
        if not isinstance(buffer_size, (int, np.integer)) or buffer_size < 1:
            raise ArgumentValueError(f"shuffle: buffer_size must be a positive int, got {buffer_size!r}")
        self._input = dataset
        self._size = int(buffer_size)
        if seed is None:
            seed = int(default_generator.integers(0, 2**62, (), device="cpu").item())
        self._seed = int(seed)
        self._reshuffle = bool(reshuffle_each_iteration)
        self._epoch = 0
        self._lock = threading.Lock()

    def _generator(self) -> Generator:
        with self._lock:
            epoch = self._epoch
            self._epoch += 1
        if not self._reshuffle:
            epoch = 0
        return Generator((self._seed * _MIX + epoch) % 2**64)

    def _stream(self, ctx):
        gen = self._generator()
        size = self._size
        buffer = []
        filled = 0
        full = None
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    yield item
                    continue
                if full is None:
                    take = min(size - filled, item.n)
                    buffer.append(item.slice(0, take))
                    filled += take
                    if filled < size:
                        continue
                    full = ShuffleBuffer(concat(buffer))
                    item = item.slice(take, item.n)
                    if item.n == 0:
                        continue
                slots = gen.integers(0, size, (item.n,), device="cpu").numpy().astype(np.intp)
                yield full.exchange(item, slots)
        rest = full.chunk() if full is not None else (concat(buffer) if buffer else None)
        if rest is not None and rest.n:
            order = gen.permutation(rest.n, device="cpu").numpy()
            yield rest.take(order)
