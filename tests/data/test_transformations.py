"""Each transformation against a plain-Python reference on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.data import AUTOTUNE, Dataset

from . import reference as ref
from .reference import values

sizes = st.integers(0, 60)


@settings(max_examples=25, deadline=None)
@given(n=sizes, size=st.integers(1, 9), drop=st.booleans())
def test_batch(n, size, drop):
    got = values(Dataset.range(n).batch(size, drop_remainder=drop))
    assert got == ref.batch(list(range(n)), size, drop)


def test_batch_structures_and_dtypes():
    ds = Dataset.from_tensor_slices(({"a": np.arange(5.0)}, np.arange(5))).batch(2)
    batches = list(ds)
    assert [b[0]["a"].tolist() for b in batches] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert batches[0][1].dtype == gt.int64 and batches[0][0]["a"].dtype == gt.float64


def test_batch_of_different_shapes_is_an_error():
    ds = Dataset.range(1, 3).map(lambda n: gt.ones(int(n))).batch(2)
    with pytest.raises(ValueError, match="padded_batch"):
        list(ds)


@settings(max_examples=20, deadline=None)
@given(n=sizes, skip=st.integers(-1, 70), take=st.integers(-1, 70))
def test_skip_take(n, skip, take):
    items = list(range(n))
    expect = [] if skip == -1 else items[skip:]
    expect = expect if take == -1 else expect[:take]
    assert values(Dataset.range(n).skip(skip).take(take)) == expect


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 10), count=st.integers(0, 4))
def test_repeat(n, count):
    assert values(Dataset.range(n).repeat(count)) == list(range(n)) * count


def test_repeat_forever_with_take_and_empty():
    assert values(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert values(Dataset.range(0).repeat()) == []


@pytest.mark.parametrize("parallel", [None, 1, 3, AUTOTUNE])
def test_map_keeps_order(parallel):
    got = values(Dataset.range(300).map(lambda x: x * 3 + 1, num_parallel_calls=parallel))
    assert got == [x * 3 + 1 for x in range(300)]


def test_map_unordered_has_every_element():
    got = values(Dataset.range(200).map(lambda x: x + 1, num_parallel_calls=4, deterministic=False))
    assert sorted(got) == list(range(1, 201))


def test_map_unpacks_tuples_and_passes_dicts():
    ds = Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    assert values(ds.map(lambda a, b: a + b)) == [0, 11, 22, 33]
    ds = Dataset.from_tensor_slices({"a": np.arange(3)})
    assert values(ds.map(lambda d: {"b": d["a"] * 2})) == [{"b": 0}, {"b": 2}, {"b": 4}]


def test_map_function_sees_host_tensors():
    seen = []

    def fn(x):
        seen.append((type(x), x.device, gt.ones(1).device))
        return x

    list(Dataset.range(2).map(fn))
    assert seen == [(gt.Tensor, gt.device("cpu"), gt.device("cpu"))] * 2


def test_filter():
    got = values(Dataset.range(50).filter(lambda x: x % 7 == 3))
    assert got == [x for x in range(50) if x % 7 == 3]
    ds = Dataset.from_tensor_slices(np.arange(20.0)).filter(lambda x: x > 15.0).batch(3)
    assert values(ds) == [[16.0, 17.0, 18.0], [19.0]]


def test_padded_batch_defaults_and_shapes():
    ds = Dataset.range(1, 5).map(lambda n: gt.arange(int(n)) + 1)
    assert values(ds.padded_batch(2)) == [[[1, 0], [1, 2]], [[1, 2, 3, 0], [1, 2, 3, 4]]]
    got = values(ds.padded_batch(4, padded_shapes=(5,), padding_values=-1))
    assert got == [[[1, -1, -1, -1, -1], [1, 2, -1, -1, -1], [1, 2, 3, -1, -1], [1, 2, 3, 4, -1]]]
    with pytest.raises(ValueError, match="more than the padded shape"):
        list(ds.padded_batch(4, padded_shapes=(2,)))


def test_padded_batch_tuple_components():
    ds = Dataset.range(1, 4).map(lambda n: (gt.ones((int(n), 2)), n))
    got = values(ds.padded_batch(3, padded_shapes=((None, 2), ()), drop_remainder=True))
    assert got[0][1] == [1, 2, 3]
    assert np.asarray(got[0][0]).shape == (3, 3, 2)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 40), size=st.integers(1, 7))
def test_unbatch_inverts_batch(n, size):
    assert values(Dataset.range(n).batch(size).unbatch()) == list(range(n))


def test_unbatch_tuples():
    ds = Dataset.from_tensors((np.arange(6).reshape(3, 2), np.array([7, 8, 9]))).unbatch()
    assert values(ds) == [([0, 1], 7), ([2, 3], 8), ([4, 5], 9)]


def test_zip_tuples_and_dicts_end_at_shortest():
    a, b = Dataset.range(5), Dataset.range(100, 103)
    assert values(Dataset.zip((a, b))) == [(0, 100), (1, 101), (2, 102)]
    assert values(Dataset.zip({"x": b, "y": a})) == [{"x": 100 + i, "y": i} for i in range(3)]
    big = Dataset.zip((Dataset.range(9000), Dataset.range(9000).batch(3).unbatch()))
    assert all(x == y for x, y in values(big))


def test_concatenate():
    assert values(Dataset.range(3).concatenate(Dataset.range(10, 12))) == [0, 1, 2, 10, 11]
    with pytest.raises(TypeError, match="structure"):
        list(Dataset.range(2).concatenate(Dataset.range(2).map(lambda x: (x, x))))


@pytest.mark.parametrize("cycle,block,parallel", [(2, 4, None), (3, 1, None), (1, 2, None), (2, 3, 2)])
def test_interleave_matches_reference(cycle, block, parallel):
    ds = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6), cycle_length=cycle,
                                        block_length=block, num_parallel_calls=parallel)
    expect = ref.interleave(list(range(1, 6)), lambda x: [x] * 6, cycle, block)
    assert values(ds) == expect


def test_interleave_tf_documented_order():
    ds = Dataset.range(1, 6).interleave(lambda x: Dataset.from_tensors(x).repeat(6), cycle_length=2,
                                        block_length=4)
    assert values(ds) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4,
                          5, 5, 5, 5, 5, 5]


def test_flat_map():
    ds = Dataset.range(4).flat_map(lambda n: Dataset.range(int(n)))
    assert values(ds) == [0, 0, 1, 0, 1, 2]


def test_enumerate():
    assert values(Dataset.range(10, 13).enumerate(start=5)) == [(5, 10), (6, 11), (7, 12)]


def test_apply():
    assert values(Dataset.range(4).apply(lambda d: d.skip(2))) == [2, 3]


def test_cache_in_memory_runs_the_pipeline_once():
    calls = []
    ds = Dataset.range(5).map(lambda x: calls.append(1) or x * 2).cache()
    assert values(ds) == values(ds) == [0, 2, 4, 6, 8]
    assert len(calls) == 5


def test_cache_partial_iteration_is_not_kept():
    calls = []
    ds = Dataset.range(5).map(lambda x: calls.append(1) or x).cache()
    assert values(ds.take(2)) == [0, 1]
    assert values(ds) == [0, 1, 2, 3, 4]
    after_full = len(calls)
    assert after_full >= 2 + 5, "the partial first iteration must not have been replayed"
    assert values(ds) == [0, 1, 2, 3, 4]
    assert len(calls) == after_full


def test_cache_file_is_reused_and_atomic(tmp_path):
    path = tmp_path / "cache.bin"
    calls = []
    pipeline = Dataset.from_tensor_slices((["a", "bb", "ccc"], np.arange(3.0))).map(
        lambda s, x: (s, x * 2, calls.append(1) or gt.ones(len(s))))
    first = values(pipeline.cache(str(path)).take(1))
    assert first and not path.exists(), "an interrupted iteration must not leave a cache file"
    expect = [("a", 0.0, [1.0]), ("bb", 2.0, [1.0, 1.0]), ("ccc", 4.0, [1.0, 1.0, 1.0])]
    assert values(pipeline.cache(str(path))) == expect
    assert path.exists()
    before = len(calls)
    assert values(pipeline.cache(str(path))) == expect
    assert len(calls) == before
    assert not list(tmp_path.glob("*.tmp-*"))


def test_prefetch_onto_a_device_and_order():
    ds = Dataset.range(50).batch(4).prefetch(2, device="cpu")
    assert values(ds) == ref.batch(list(range(50)), 4)
    assert next(iter(ds)).device == gt.device("cpu")
    assert values(Dataset.range(7).prefetch(0)) == list(range(7))
    assert values(Dataset.range(3000).prefetch(1)) == list(range(3000))


def test_long_chain_against_reference():
    ds = (Dataset.range(100).filter(lambda x: x % 3 != 0).map(lambda x: x * 2, num_parallel_calls=2)
          .skip(5).take(40).batch(6).unbatch().enumerate().prefetch(2))
    items = [x * 2 for x in range(100) if x % 3 != 0][5:45]
    assert values(ds) == list(enumerate(items))
