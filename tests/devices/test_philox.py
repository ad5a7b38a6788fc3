"""Philox-4x32-10 against the Random123 known-answer vectors, and the stream helpers."""

from __future__ import annotations

import numpy as np
import pytest

from gputensor.devices import philox
from tests.ops.test_random import philox as reference_philox

KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF, 0xFFFFFFFF), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("counter, key, expected", KAT, ids=["zeros", "ones", "pi"])
def test_known_answers(counter, key, expected):
    words = [np.array([c], dtype=np.uint64) for c in counter]
    out = philox.philox_4x32(*words, key[0], key[1])
    assert tuple(int(o[0]) for o in out) == expected


@pytest.mark.parametrize("counter, key, expected", KAT, ids=["zeros", "ones", "pi"])
def test_independent_reference_passes_the_known_answers(counter, key, expected):
    # the plain-Python Philox that the random-stream tests recompute numbers with
    assert tuple(reference_philox(counter, key)) == expected


def test_blocks_encrypt_consecutive_64_bit_counters():
    key = (0x12345678, 0x9ABCDEF0)
    start = 2**32 - 2  # crosses into the high counter word
    out = philox.philox_blocks(key, start, 4)
    assert out.shape == (4, 4) and out.dtype == np.uint32
    for i in range(4):
        assert out[i].tolist() == reference_philox(start + i, key)
    wrapped = philox.philox_blocks(key, 2**64 + 3, 1)
    assert wrapped[0].tolist() == reference_philox(3, key)


def test_words_and_sizes():
    key = (1, 2)
    w = philox.words(key, 5, 7)
    assert w.tolist() == (reference_philox(5, key) + reference_philox(6, key))[:7]
    assert philox.blocks_needed(0) == 0 and philox.blocks_needed(1) == 1 and philox.blocks_needed(8) == 2
    assert philox.n_words("uniform", 5, 4) == 5
    assert philox.n_words("uniform", 5, 8) == 10
    assert philox.n_words("integers", 3, 1) == 6
    assert philox.n_words("normal", 3, 4) == 4
    assert philox.n_words("normal", 3, 8) == 8


def test_uniform_and_integer_helpers():
    key = (3, 4)
    w = philox.words(key, 0, 8)
    u = philox.uniform(key, 0, 8, np.float32)
    assert u.dtype == np.float32
    np.testing.assert_array_equal(u, (w >> 8).astype(np.float64) * 2.0**-24)
    i = philox.integers(key, 0, 4, -2, 5, np.int8)
    pairs = w.astype(np.uint64).reshape(4, 2)
    np.testing.assert_array_equal(
        i, (((pairs[:, 0] << np.uint64(32)) | pairs[:, 1]) % np.uint64(7)).astype(np.int64) - 2
    )
