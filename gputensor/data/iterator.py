"""Iterating a dataset: chunks in, elements out as gputensor tensors.

The iterator owns the pipeline's generators and threads. It shuts them down when the data
runs out, when an element fails (the failure's exception is raised here, with the traceback
of the thread it happened in), when ``close()`` is called, and when it is garbage-collected.
"""

from __future__ import annotations

import contextlib

from ..devices.registry import current_device
from ..devices.registry import device as get_device
from .chunk import Failed
from .structure import to_numpy, to_user


class Context:
    """What every stage of one iteration shares: the device elements are delivered on."""

    __slots__ = ("device",)

    def __init__(self, device):
        self.device = device


@contextlib.contextmanager
def opened(dataset, ctx: Context):
    """The chunk stream of ``dataset``, closed (threads stopped) when the block exits."""
    stream = dataset._stream(ctx)
    try:
        yield stream
    finally:
        stream.close()


class DatasetIterator:
    """Yields the elements of a dataset (``iter(dataset)``).

    >>> import gputensor as gt
    >>> it = iter(gt.data.Dataset.range(3))
    >>> [int(x) for x in it]
    [0, 1, 2]
    """

    def __init__(self, dataset, device=None, as_numpy: bool = False):
        dev = current_device() if device is None else get_device(device)
        self._ctx = Context(dev)
        self._as_numpy = as_numpy
        self._stream = dataset._stream(self._ctx)
        self._rows = None
        self._tree = None
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._closed:
            raise StopIteration
        while True:
            if self._rows is not None:
                leaves = next(self._rows, None)
                if leaves is not None:
                    return self._deliver(leaves)
                self._rows = None
            item = self._pull()
            self._tree = item.tree
            self._rows = item.rows()

    def _pull(self):
        try:
            item = next(self._stream)
        except StopIteration:
            self.close()
            raise
        except BaseException:
            self.close()
            raise
        if isinstance(item, Failed):
            self.close()
            raise item.error
        return item

    def _deliver(self, leaves):
        if self._as_numpy:
            return self._tree.unflatten([to_numpy(v) for v in leaves])
        device = self._ctx.device
        return self._tree.unflatten([to_user(v, device) for v in leaves])

    def get_next(self):
        """The next element (``next(iterator)``)."""
        return next(self)

    def close(self) -> None:
        """Stop the pipeline and its threads now."""
        if not self._closed:
            self._closed = True
            self._rows = None
            self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to stop
            pass
