"""Random numbers: reproducibility, generator independence, dtypes, ranges, rough statistics,
and the documented Philox stream layout re-computed here independently of gputensor's code."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, DTypeError, ShapeError

MASK = 0xFFFFFFFF


def philox(counter, key: tuple[int, int]) -> list[int]:
    """Philox-4x32-10 in plain Python integers, of four counter words or of the block number
    ``counter`` laid out as (lo32, hi32, 0, 0)."""
    c = list(counter) if isinstance(counter, tuple) else [counter & MASK, (counter >> 32) & MASK, 0, 0]
    k0, k1 = key
    for _ in range(10):
        p0 = c[0] * 0xD2511F53
        p1 = c[2] * 0xCD9E8D57
        c = [(p1 >> 32) ^ c[1] ^ k0, p1 & MASK, (p0 >> 32) ^ c[3] ^ k1, p0 & MASK]
        k0 = (k0 + 0x9E3779B9) & MASK
        k1 = (k1 + 0xBB67AE85) & MASK
    return c


def stream(seed: int, first_block: int, n_words: int) -> list[int]:
    key = (seed & MASK, (seed >> 32) & MASK)
    words = []
    block = first_block
    while len(words) < n_words:
        words.extend(philox(block, key))
        block += 1
    return words[:n_words]


def blocks(n_words: int) -> int:
    return (n_words + 3) // 4


# --- the stream layout -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype, bits", [(gt.float32, 24), (gt.float16, 11), (gt.bfloat16, 8)])
def test_uniform_floats_are_top_bits_of_one_word(dtype, bits, device):
    seed = 0x1234_5678_9ABC
    gt.manual_seed(seed)
    x = gt.rand(11, dtype=dtype, device=device)
    words = stream(seed, 0, 11)
    expected = np.array([(w >> (32 - bits)) * 2.0**-bits for w in words])
    np.testing.assert_array_equal(x.numpy().astype(np.float64), expected)


def test_uniform_float64_takes_53_bits_from_two_words_high_first(device):
    seed = 99
    gt.manual_seed(seed)
    x = gt.rand(5, dtype=gt.float64, device=device)
    w = stream(seed, 0, 10)
    expected = [((w[2 * i] << 32 | w[2 * i + 1]) >> 11) * 2.0**-53 for i in range(5)]
    assert x.tolist() == expected


def test_consecutive_calls_continue_at_the_next_block(device):
    seed = 7
    g = gt.Generator(seed)
    a = g.random((5,), device=device)  # 5 words -> 2 blocks
    b = g.random((3,), device=device)  # starts at block 2
    c = g.random((1,), dtype=gt.float64, device=device)  # 2 words, block 3
    assert a.tolist() == [np.float32((w >> 8) * 2.0**-24) for w in stream(seed, 0, 5)]
    assert b.tolist() == [np.float32((w >> 8) * 2.0**-24) for w in stream(seed, 2, 3)]
    w = stream(seed, 3, 2)
    assert c.tolist() == [((w[0] << 32 | w[1]) >> 11) * 2.0**-53]
    assert g.get_state() == (seed, 4)


@pytest.mark.parametrize("dtype", [gt.float32, gt.float64])
def test_normal_is_box_muller(dtype, device):
    seed = 2024
    gt.manual_seed(seed)
    n = 7
    z = gt.randn(n, dtype=dtype, device=device).numpy().astype(np.float64)
    pairs = (n + 1) // 2
    if dtype is gt.float64:
        w = stream(seed, 0, 4 * pairs)
        u = [((w[2 * i] << 32 | w[2 * i + 1]) >> 11) * 2.0**-53 for i in range(2 * pairs)]
        firsts = [1.0 - u[2 * p] for p in range(pairs)]
        seconds = [u[2 * p + 1] for p in range(pairs)]
    else:
        w = stream(seed, 0, 2 * pairs)
        firsts = [1.0 - w[2 * p] * 2.0**-32 for p in range(pairs)]
        seconds = [w[2 * p + 1] * 2.0**-32 for p in range(pairs)]
    expected = []
    for u1, u2 in zip(firsts, seconds):
        r = math.sqrt(-2.0 * math.log(u1))
        expected += [r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)]
    rtol = 1e-12 if dtype is gt.float64 else 1e-6
    np.testing.assert_allclose(z, expected[:n], rtol=rtol, atol=rtol)


@pytest.mark.parametrize(
    "low, high, dtype",
    [
        (0, 10, gt.int64),
        (-5, 5, gt.int8),
        (3, 2**40, gt.int64),
        (0, 256, gt.uint8),
        (-(2**62), 2**62, gt.int64),
    ],
)
def test_integers_are_64_bit_modulo(low, high, dtype, device):
    seed = 31337
    gt.manual_seed(seed)
    x = gt.randint(low, high, (6,), dtype=dtype, device=device)
    w = stream(seed, 0, 12)
    expected = [((w[2 * i] << 32 | w[2 * i + 1]) % (high - low)) + low for i in range(6)]
    assert x.dtype is dtype
    assert x.tolist() == expected


def test_key_is_seed_low_and_high_words(device):
    seed = (0xDEADBEEF << 32) | 0x01234567
    gt.manual_seed(seed)
    x = gt.randint(0, 2**32, (2,), device=device)
    w = stream(seed, 0, 4)
    assert x.tolist() == [(w[0] << 32 | w[1]) % 2**32, (w[2] << 32 | w[3]) % 2**32]
    gt.manual_seed(seed + 2**64)  # seeds are taken modulo 2**64
    assert gt.randint(0, 2**32, (2,), device=device).tolist() == x.tolist()


# --- reproducibility and independence -------------------------------------------------------------


def test_manual_seed_reproducibility(device):
    gt.manual_seed(5)
    a = [
        gt.rand(3, device=device),
        gt.randn(2, 2, device=device),
        gt.randint(0, 9, (4,), device=device),
        gt.permutation(6, device=device),
        gt.bernoulli(0.5, (5,), device=device),
    ]
    gt.manual_seed(5)
    b = [
        gt.rand(3, device=device),
        gt.randn(2, 2, device=device),
        gt.randint(0, 9, (4,), device=device),
        gt.permutation(6, device=device),
        gt.bernoulli(0.5, (5,), device=device),
    ]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    gt.manual_seed(6)
    assert not np.array_equal(gt.rand(3, device=device).numpy(), a[0].numpy())


def test_generators_are_independent(device):
    g1 = gt.Generator(11)
    g2 = gt.Generator(11)
    gt.manual_seed(0)
    first_default = gt.rand(4, device=device)
    gt.manual_seed(0)
    a1 = g1.random((4,), device=device)
    g1.random((100,), device=device)  # advancing g1 does not move g2 or the default
    a2 = g2.random((4,), device=device)
    np.testing.assert_array_equal(a1.numpy(), a2.numpy())
    np.testing.assert_array_equal(gt.rand(4, device=device).numpy(), first_default.numpy())
    # generator= and seed= keyword forms
    g3 = gt.Generator(11)
    np.testing.assert_array_equal(gt.rand(4, generator=g3, device=device).numpy(), a1.numpy())
    np.testing.assert_array_equal(gt.rand(4, seed=11, device=device).numpy(), a1.numpy())
    assert gt.Generator().initial_seed() != gt.Generator().initial_seed()


def test_generator_state_roundtrip(device):
    g = gt.Generator(3)
    g.random((10,), device=device)
    state = g.get_state()
    a = g.normal((5,), device=device)
    g.set_state(state)
    np.testing.assert_array_equal(g.normal((5,), device=device).numpy(), a.numpy())
    assert g.initial_seed() == 3


# --- dtypes, ranges, statistics -------------------------------------------------------------------

N = 100_000


@pytest.mark.parametrize("dtype", [gt.float16, gt.bfloat16, gt.float32, gt.float64])
def test_rand_range_and_statistics(dtype, device):
    x = gt.rand(N, dtype=dtype, device=device)
    assert x.dtype is dtype and x.shape == (N,)
    v = x.numpy().astype(np.float64)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.01
    assert abs(v.std() - math.sqrt(1 / 12)) < 0.01
    assert gt.rand(2, 3, device=device).shape == (2, 3)
    assert gt.rand((2, 3), device=device).shape == (2, 3)
    assert gt.rand(device=device).shape == ()


@pytest.mark.parametrize("dtype", [gt.float16, gt.bfloat16, gt.float32, gt.float64])
def test_randn_statistics(dtype, device):
    x = gt.randn(N, dtype=dtype, device=device)
    assert x.dtype is dtype
    v = x.numpy().astype(np.float64)
    assert np.isfinite(v).all()
    assert abs(v.mean()) < 0.02
    assert abs(v.std() - 1.0) < 0.02
    assert abs(np.mean(np.abs(v) < 1.0) - 0.6827) < 0.01


def test_uniform_and_normal_parameters(device):
    u = gt.uniform(-2.0, 3.0, (N,), device=device).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0
    assert abs(u.mean() - 0.5) < 0.05
    n = gt.normal(10.0, 0.5, (N,), device=device).numpy()
    assert abs(n.mean() - 10.0) < 0.01
    assert abs(n.std() - 0.5) < 0.01
    assert gt.normal(size=(3,), dtype=gt.float64, device=device).dtype is gt.float64


@pytest.mark.parametrize("dtype", [gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8])
def test_randint_range_and_uniformity(dtype, device):
    x = gt.randint(-3 if dtype is not gt.uint8 else 0, 7, (N,), dtype=dtype, device=device)
    assert x.dtype is dtype
    v = x.numpy()
    low = -3 if dtype is not gt.uint8 else 0
    assert v.min() == low and v.max() == 6
    counts = np.bincount(v.astype(np.int64) - low)
    expected = N / (7 - low)
    assert np.all(np.abs(counts - expected) < 5 * math.sqrt(expected))
    assert gt.randint(5, size=(3,), device=device).dtype is gt.int64
    assert set(gt.randint(5, size=(1000,), device=device).tolist()) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_bernoulli(p, device):
    x = gt.bernoulli(p, (N,), device=device)
    assert x.dtype is gt.bool
    assert abs(x.numpy().mean() - p) < 0.01
    f = gt.bernoulli(p, (10,), dtype=gt.float32, device=device)
    assert f.dtype is gt.float32 and set(f.tolist()) <= {0.0, 1.0}


def test_permutation(device):
    p = gt.permutation(50, device=device)
    assert p.dtype is gt.int64
    assert sorted(p.tolist()) == list(range(50))
    assert p.tolist() != list(range(50))
    rows = gt.asarray(np.arange(12).reshape(6, 2), device=device)
    shuffled = gt.permutation(rows)
    assert sorted(map(tuple, shuffled.tolist())) == sorted(map(tuple, rows.tolist()))
    assert gt.permutation(0, device=device).shape == (0,)
    # every position is equally likely to receive each value (rough check)
    firsts = [gt.permutation(4, seed=s, device=device).tolist()[0] for s in range(400)]
    assert all(60 < firsts.count(v) < 140 for v in range(4))


def test_random_errors(device):
    with pytest.raises(DTypeError, match="random: needs a floating dtype, got gputensor.int32"):
        gt.rand(3, dtype=gt.int32, device=device)
    with pytest.raises(DTypeError, match="normal: needs a floating dtype"):
        gt.randn(3, dtype=gt.int64, device=device)
    with pytest.raises(DTypeError, match="randint: needs an integer dtype"):
        gt.randint(0, 3, (2,), dtype=gt.float32, device=device)
    with pytest.raises(ShapeError, match=r"randint: high \(3\) must be greater than low \(3\)"):
        gt.randint(3, 3, (2,), device=device)
    with pytest.raises(DTypeError, match=r"randint: \[0, 300\) does not fit gputensor.uint8"):
        gt.randint(0, 300, (2,), dtype=gt.uint8, device=device)
    with pytest.raises(ArgumentTypeError, match="randint: low and high must be ints"):
        gt.randint(0.5, 3, (2,), device=device)
    with pytest.raises(ArgumentTypeError, match="manual_seed: seed must be an int"):
        gt.manual_seed(1.5)
    with pytest.raises(ShapeError, match="negative dimension"):
        gt.rand(-1, device=device)


def test_default_generator_is_what_manual_seed_seeds(device):
    gt.manual_seed(77)
    assert gt.default_generator.initial_seed() == 77
    a = gt.rand(3, device=device)
    assert gt.default_generator.get_state() == (77, 1)
    gt.default_generator.manual_seed(77)
    np.testing.assert_array_equal(gt.rand(3, device=device).numpy(), a.numpy())


def test_same_seed_same_numbers_on_every_device(device):
    cpu = gt.device("cpu")
    for dtype in (gt.float16, gt.float32, gt.float64):
        if dtype not in device.backend.dtypes:
            continue
        a = gt.rand(1000, dtype=dtype, seed=9, device=device).numpy()
        b = gt.rand(1000, dtype=dtype, seed=9, device=cpu).numpy()
        np.testing.assert_array_equal(a, b)  # bit for bit
        n = gt.randn(1000, dtype=dtype, seed=9, device=device).numpy().astype(np.float64)
        m = gt.randn(1000, dtype=dtype, seed=9, device=cpu).numpy().astype(np.float64)
        tol = {gt.float16: 1e-3, gt.float32: 1e-6, gt.float64: 1e-12}[dtype]
        np.testing.assert_allclose(n, m, rtol=tol, atol=tol)  # to rounding
    i = gt.randint(-1000, 1000, (1000,), seed=9, device=device).numpy()
    np.testing.assert_array_equal(i, gt.randint(-1000, 1000, (1000,), seed=9, device=cpu).numpy())
