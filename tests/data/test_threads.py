"""Errors inside pipeline threads reach the caller with their traceback; threads shut down."""

from __future__ import annotations

import gc
import threading
import time
import traceback

import pytest

from gputensor.data import Dataset


def _pipeline_threads():
    return [t for t in threading.enumerate() if t.name.startswith("gputensor-data")]


def _wait_for_no_threads(timeout=5.0):
    deadline = time.monotonic() + timeout
    while _pipeline_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    return _pipeline_threads()


def broken_fn(x):
    if int(x) == 37:
        raise KeyError("element 37 is bad")
    return x


@pytest.mark.parametrize("parallel", [None, 4])
@pytest.mark.parametrize("prefetch", [False, True])
def test_map_exception_reaches_caller_with_traceback(parallel, prefetch):
    ds = Dataset.range(100).map(broken_fn, num_parallel_calls=parallel).batch(5)
    if prefetch:
        ds = ds.prefetch(2)
    seen = []
    with pytest.raises(KeyError, match="element 37 is bad") as info:
        for batch in ds:
            seen.extend(batch.tolist())
    assert seen == list(range(35))
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "broken_fn" in frames
    assert _wait_for_no_threads() == []


def test_generator_exception_through_prefetch_and_parallel_map():
    def gen():
        yield from range(10)
        raise OSError("sensor unplugged")

    ds = Dataset.from_generator(gen).map(lambda x: x + 1, num_parallel_calls=2).prefetch(3)
    with pytest.raises(OSError, match="sensor unplugged"):
        list(ds)
    assert _wait_for_no_threads() == []


def test_exception_in_a_source_under_prefetch():
    def bad_generator():
        raise ZeroDivisionError("no data")

    with pytest.raises(ZeroDivisionError):
        list(Dataset.from_generator(bad_generator).prefetch(1))
    assert _wait_for_no_threads() == []


def test_stopping_early_shuts_threads_down():
    ds = (Dataset.range(10**9).map(lambda x: x * 2, num_parallel_calls=3).batch(4).prefetch(2)
          .interleave(lambda b: Dataset.from_tensors(b), cycle_length=2, num_parallel_calls=2))
    it = iter(ds)
    assert next(it).tolist() == [0, 2, 4, 6]
    assert _pipeline_threads()
    it.close()
    assert _wait_for_no_threads() == []
    it = iter(ds)
    next(it)
    del it
    gc.collect()
    assert _wait_for_no_threads() == []


def test_iterator_context_manager_and_break():
    ds = Dataset.range(1000).prefetch(2)
    with iter(ds) as it:
        for x in it:
            if int(x) == 3:
                break
    assert _wait_for_no_threads() == []
