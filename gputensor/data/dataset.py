"""``Dataset``: an input pipeline built from sources and transformations, as in ``tf.data``.

Each method returns a new dataset; nothing runs until you iterate. Elements come out as
gputensor tensors (on the current device, or where ``prefetch(device=...)`` puts them); text
comes out as ``str`` or a NumPy ``str_`` array. Inside, elements move in chunks, so the
stages cost NumPy operations rather than Python calls per element.

>>> import gputensor as gt
>>> ds = gt.data.Dataset.range(10).filter(lambda x: x % 2 == 0).map(lambda x: x * 10).batch(2)
>>> [b.tolist() for b in ds]
[[0, 20], [40, 60], [80]]
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

from .iterator import DatasetIterator

AUTOTUNE = -1
"""Let the pipeline pick a parallelism or buffer size (the number of CPU cores)."""


def resolve_parallelism(n, name: str) -> int:
    """``None`` → 1 (sequential), ``AUTOTUNE`` → the CPU count, else a positive int."""
    from ..errors import ArgumentValueError

    if n is None:
        return 1
    if n == AUTOTUNE:
        return max(1, os.cpu_count() or 1)
    if not isinstance(n, int) or n < 1:
        raise ArgumentValueError(f"{name}: must be a positive int, None or AUTOTUNE, got {n!r}")
    return n


class Dataset(ABC):
    """A sequence of elements and the steps that produce them.

    Build one from data (``from_tensor_slices``, ``from_generator``, ``range``,
    ``TextLineDataset``, ``CsvDataset``), chain transformations, and iterate it (many times:
    each iteration runs the pipeline again, reshuffling where ``shuffle`` asks to).

    >>> import gputensor as gt
    >>> ds = gt.data.Dataset.from_tensor_slices(({"x": [1.0, 2.0, 3.0]}, [0, 1, 0]))
    >>> features, label = next(iter(ds.batch(2)))
    >>> features["x"].tolist(), label.tolist()
    ([1.0, 2.0], [0, 1])
    """

    @abstractmethod
    def _stream(self, ctx):
        """The elements of one pass over the pipeline (``ctx``: the iteration's context)."""

    def __iter__(self) -> DatasetIterator:
        return DatasetIterator(self)

    def iterator(self, device=None) -> DatasetIterator:
        """An iterator delivering elements on ``device`` (default: the current device)."""
        return DatasetIterator(self, device=device)

    def as_numpy_iterator(self) -> DatasetIterator:
        """An iterator giving NumPy arrays instead of tensors.

        >>> import gputensor as gt
        >>> list(gt.data.Dataset.range(2).as_numpy_iterator())
        [np.int64(0), np.int64(1)]
        """
        return DatasetIterator(self, as_numpy=True)

    # --- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors) -> Dataset:
        """One element per row of ``tensors`` (arrays, tensors, lists; nested in tuples/dicts).

        >>> import gputensor as gt
        >>> [x.tolist() for x in gt.data.Dataset.from_tensor_slices([[1, 2], [3, 4]])]
        [[1, 2], [3, 4]]
        """
        from .sources import TensorSlices

        return TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors) -> Dataset:
        """A dataset of one element, ``tensors``."""
        from .sources import TensorSlices

        return TensorSlices(tensors, single=True)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None) -> Dataset:
        """Elements from ``generator()`` (called again at each iteration) — see
        :class:`gputensor.data.sources.FromGenerator`."""
        from .sources import FromGenerator

        return FromGenerator(generator, output_types, output_shapes, args)

    @staticmethod
    def range(*args, dtype=None) -> Dataset:
        """``range(stop)``, ``range(start, stop[, step])`` as int64 scalars.

        >>> import gputensor as gt
        >>> [int(x) for x in gt.data.Dataset.range(1, 7, 2)]
        [1, 3, 5]
        """
        from .sources import Range

        return Range(*args, dtype=dtype)

    @staticmethod
    def zip(datasets) -> Dataset:
        """Elements of several datasets side by side (a tuple or dict of datasets), ending
        with the shortest.

        >>> import gputensor as gt
        >>> a, b = gt.data.Dataset.range(3), gt.data.Dataset.range(10, 12)
        >>> [(int(x), int(y)) for x, y in gt.data.Dataset.zip((a, b))]
        [(0, 10), (1, 11)]
        """
        from .combine import Zip

        return Zip(datasets)

    # --- transformations ----------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None) -> Dataset:
        """Apply ``map_func`` to each element (a tuple element is passed as arguments).

        ``num_parallel_calls`` runs it on that many threads (``AUTOTUNE``: one per core);
        output order is input order unless ``deterministic=False``.

        >>> import gputensor as gt
        >>> [int(x) for x in gt.data.Dataset.range(3).map(lambda x: x * x, num_parallel_calls=2)]
        [0, 1, 4]
        """
        from .mapping import Map

        return Map(self, map_func, num_parallel_calls, deterministic)

    def filter(self, predicate) -> Dataset:
        """Keep the elements for which ``predicate`` is true."""
        from .mapping import Filter

        return Filter(self, predicate)

    def shuffle(self, buffer_size: int, seed=None, reshuffle_each_iteration: bool = True) -> Dataset:
        """Shuffle through a buffer of ``buffer_size`` elements — see
        :class:`gputensor.data.shuffle.Shuffle`.

        >>> import gputensor as gt
        >>> sorted(int(x) for x in gt.data.Dataset.range(5).shuffle(3, seed=1))
        [0, 1, 2, 3, 4]
        """
        from .shuffle import Shuffle

        return Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def repeat(self, count=None) -> Dataset:
        """Iterate the data ``count`` times (``None`` or -1: forever)."""
        from .slicing import Repeat

        return Repeat(self, count)

    def batch(self, batch_size: int, drop_remainder: bool = False) -> Dataset:
        """Stack consecutive elements into batches of ``batch_size``."""
        from .batching import Batch

        return Batch(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False) -> Dataset:
        """Batch elements of different shapes, padding each to the largest in its batch (or
        to ``padded_shapes``) with ``padding_values`` (default 0 / "").

        >>> import gputensor as gt
        >>> ds = gt.data.Dataset.range(1, 4).map(lambda n: gt.ones(int(n)))
        >>> next(iter(ds.padded_batch(3))).tolist()
        [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
        """
        from .batching import PaddedBatch

        return PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def unbatch(self) -> Dataset:
        """Split each element along its first axis into elements."""
        from .batching import Unbatch

        return Unbatch(self)

    def prefetch(self, buffer_size=AUTOTUNE, device=None) -> Dataset:
        """Produce elements on a background thread, up to ``buffer_size`` steps ahead, and
        convert them to tensors there — on ``device`` if given."""
        from .prefetch import Prefetch

        return Prefetch(self, buffer_size, device)

    def skip(self, count: int) -> Dataset:
        """Drop the first ``count`` elements (-1: all)."""
        from .slicing import Skip

        return Skip(self, count)

    def take(self, count: int) -> Dataset:
        """Keep only the first ``count`` elements (-1: all)."""
        from .slicing import Take

        return Take(self, count)

    def concatenate(self, dataset: Dataset) -> Dataset:
        """The elements of this dataset, then those of ``dataset`` (same structure)."""
        from .combine import Concatenate

        return Concatenate(self, dataset)

    def interleave(self, map_func, cycle_length=None, block_length: int = 1,
                   num_parallel_calls=None, deterministic=None) -> Dataset:
        """Map each element to a dataset and interleave their elements — see
        :class:`gputensor.data.combine.Interleave`."""
        from .combine import Interleave

        return Interleave(self, map_func, cycle_length, block_length, num_parallel_calls, deterministic)

    def flat_map(self, map_func) -> Dataset:
        """Map each element to a dataset and chain their elements."""
        from .combine import Interleave

        return Interleave(self, map_func, 1, 1, None, None)

    def cache(self, filename: str = "") -> Dataset:
        """Keep the elements after the first complete iteration, in memory or in ``filename``."""
        from .cache import Cache

        return Cache(self, filename)

    def enumerate(self, start: int = 0) -> Dataset:
        """Pair each element with its index: ``(i, element)``."""
        from .slicing import Enumerate

        return Enumerate(self, start)

    def ignore_errors(self, log_warning: bool = False) -> Dataset:
        """Skip elements that fail (bad CSV records, exceptions in ``map``); the dataset's
        ``error_count`` counts the records skipped."""
        from .errors import IgnoreErrors

        return IgnoreErrors(self, log_warning)

    def apply(self, transformation_func) -> Dataset:
        """``transformation_func(self)``, for chaining reusable transformations."""
        return transformation_func(self)
