"""shuffle: the chunked algorithm equals the element-by-element one; seeds and reshuffling."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.data import Dataset
from gputensor.data.chunk import Chunk
from gputensor.data.shuffle import _MIX, ShuffleBuffer
from gputensor.data.structure import LEAF, TreeDef

from . import reference as ref
from .reference import values


@settings(max_examples=40, deadline=None)
@given(buffer=st.integers(1, 12), n=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_shuffle_chunk_equals_element_by_element(buffer, n, seed):
    rng = np.random.default_rng(seed)
    slots = rng.integers(0, buffer, n)
    initial = list(range(1000, 1000 + buffer))
    incoming = list(range(n))
    tree = TreeDef("tuple", (), [LEAF, LEAF])
    buf = ShuffleBuffer(Chunk(tree, [np.array(initial), [str(v) for v in initial]], buffer))
    new = Chunk(tree, [np.array(incoming, dtype=np.int64), [str(v) for v in incoming]], n)
    out = buf.exchange(new, slots.astype(np.intp))
    expect = ref.shuffle(initial + incoming, buffer, slots.tolist(), [])
    assert list(out.cols[0]) == expect[:n]
    assert out.cols[1] == [str(v) for v in expect[:n]]
    remaining = ref.shuffle(initial + incoming, buffer, slots.tolist(), list(range(buffer)))[n:]
    assert list(buf.chunk().cols[0]) == remaining
    assert buf.chunk().cols[1] == [str(v) for v in remaining]


def _reference_order(n, buffer, seed, epoch):
    """What one iteration should give, with the draws the pipeline makes (one chunk input)."""
    gen = gt.Generator((seed * _MIX + epoch) % 2**64)
    fill = min(buffer, n)
    draws = []
    if n > fill:
        draws = gen.integers(0, buffer, (n - fill,), device="cpu").numpy().tolist()
    perm = gen.permutation(fill, device="cpu").numpy().tolist() if fill else []
    return ref.shuffle(list(range(n)), buffer, draws, perm)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 300), buffer=st.integers(1, 400), seed=st.integers(0, 2**40))
def test_shuffle_matches_reference_with_the_same_draws(n, buffer, seed):
    ds = Dataset.range(n).shuffle(buffer, seed=seed)
    assert values(ds) == _reference_order(n, buffer, seed, 0)
    assert values(ds) == _reference_order(n, buffer, seed, 1)


def test_shuffle_is_a_permutation_across_chunks():
    n = 20_000
    got = values(Dataset.range(n).shuffle(1000, seed=5))
    assert sorted(got) == list(range(n))
    assert got != list(range(n))
    positions = np.empty(n, int)
    positions[np.array(got)] = np.arange(n)
    assert (positions >= np.arange(n) - 1000).all(), "an element moved earlier than the buffer allows"


def test_buffer_of_one_keeps_order():
    assert values(Dataset.range(50).shuffle(1, seed=3)) == list(range(50))


def test_seed_determinism_and_reshuffling():
    a = Dataset.range(100).shuffle(100, seed=42)
    b = Dataset.range(100).shuffle(100, seed=42)
    first, second = values(a), values(a)
    assert first == values(b) and second == values(b)
    assert first != second, "reshuffle_each_iteration gives a new order each time"
    fixed = Dataset.range(100).shuffle(100, seed=42, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    repeated = values(Dataset.range(10).shuffle(10, seed=1).repeat(3))
    assert [sorted(repeated[i:i + 10]) for i in (0, 10, 20)] == [list(range(10))] * 3


def test_manual_seed_makes_unseeded_shuffles_reproducible():
    gt.manual_seed(7)
    a = values(Dataset.range(64).shuffle(16).batch(8))
    gt.manual_seed(7)
    b = values(Dataset.range(64).shuffle(16).batch(8))
    assert a == b


def test_shuffle_mixed_columns_and_structures():
    ds = Dataset.from_tensor_slices(({"x": np.arange(30.0)}, [str(i) for i in range(30)]))
    got = values(ds.shuffle(7, seed=0))
    assert sorted(int(e[0]["x"]) for e in got) == list(range(30))
    assert all(str(int(e[0]["x"])) == e[1] for e in got)
