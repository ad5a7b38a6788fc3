"""``prefetch``: run the pipeline on a background thread, converting to tensors there.

The producer thread owns the upstream stages (it creates and closes their generators). It
puts chunks into a bounded queue; an exception it meets travels through the queue and is
raised in the iterating thread, traceback included. Closing the iterator — or an error —
sets a stop flag, empties the queue and joins the thread, which closes everything upstream,
so no pipeline thread outlives its iterator.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

from ..devices.registry import device as get_device
from ..errors import ArgumentValueError
from .chunk import Chunk, Failed
from .dataset import AUTOTUNE, Dataset
from .structure import to_user

_END = object()
_POLL = 0.05


class _Raised:
    __slots__ = ("error",)

    def __init__(self, error):
        self.error = error


def _to_device(item, device):
    if isinstance(item, Failed):
        return item
    cols = []
    for c in item.cols:
        if isinstance(c, list):
            cols.append([to_user(v, device) for v in c])
        elif item.n == 1 and c.dtype.kind not in "USO":
            cols.append([to_user(c[0], device)])
        else:
            cols.append(c)
    return Chunk(item.tree, cols, item.n, item.origin)


class Prefetch(Dataset):
    """``dataset.prefetch(buffer_size=AUTOTUNE, device=None)``: keep up to ``buffer_size``
    pipeline steps (a batch, or a chunk of elements) ready ahead of the consumer, made on a
    background thread; tensors are created there, on ``device`` (default: the device the
    iterating code is on). ``buffer_size=0`` turns prefetching off.

    >>> import gputensor as gt
    >>> [b.tolist() for b in gt.data.Dataset.range(4).batch(2).prefetch(1, device="cpu")]
    [[0, 1], [2, 3]]
    """

    def __init__(self, dataset, buffer_size=AUTOTUNE, device=None):
        if buffer_size == AUTOTUNE:
            buffer_size = 2
        if not isinstance(buffer_size, (int, np.integer)) or buffer_size < 0:
            raise ArgumentValueError(f"prefetch: buffer_size must be >= 0 or AUTOTUNE, got {buffer_size!r}")
        self._input = dataset
        self._size = int(buffer_size)
        self._device = None if device is None else get_device(device)

    def _stream(self, ctx):
        if self._size == 0:
            yield from self._input._stream(ctx)
            return
        device = self._device or ctx.device
        q = queue.Queue(self._size)
        stop = threading.Event()
        thread = threading.Thread(target=self._produce, args=(ctx, device, q, stop),
                                  name="gputensor-data-prefetch", daemon=True)
        thread.start()
        try:
            while True:
                item = q.get()
                if item is _END:
                    return
                if isinstance(item, _Raised):
                    raise item.error
                yield item
        finally:
            stop.set()
            _drain(q)
            thread.join()

    def _produce(self, ctx, device, q, stop):
        stream = None
        try:
            stream = self._input._stream(ctx)
            for item in stream:
                if not _put(q, _to_device(item, device), stop):
                    return
            _put(q, _END, stop)
        except BaseException as exc:
            _put(q, _Raised(exc), stop)
        finally:
            if stream is not None:
                stream.close()


def _put(q: queue.Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            q.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def _drain(q: queue.Queue):
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return
