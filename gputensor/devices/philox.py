"""Philox-4x32-10 on the host, vectorized with NumPy: the reference for every backend's kernel.

Stream layout, shared by all backends: the generator's key is two uint32 words; block ``i`` of a
call starting at counter ``c`` encrypts the 128-bit counter ``(c + i) mod 2**64`` as the words
``(lo32, hi32, 0, 0)`` and yields four uint32 words. Output element ``j`` of a call reads the
words it needs in order: one word for 8-, 16- and 32-bit values, two for 64-bit ones. A call
consumes ``ceil(words / 4)`` blocks.

Derived distributions:

- uniform floats in [0, 1): the top ``p`` bits of a word times ``2**-p``, ``p`` the precision
  of the dtype (8 bfloat16, 11 float16, 24 float32, 53 float64 from two words, high first);
- normal: Box-Muller on pairs of uniform doubles built from 32-bit words ``u1 = 1 - w0 * 2**-32``
  and ``u2 = w1 * 2**-32``; each pair of words gives two normals (float64 outputs use two
  words per uniform);
- integers in [low, high): the 64-bit value ``(w_hi << 32 | w_lo) mod (high - low)`` plus low.
"""

from __future__ import annotations

import numpy as np

M0 = np.uint64(0xD2511F53)
M1 = np.uint64(0xCD9E8D57)
W0 = 0x9E3779B9
W1 = 0xBB67AE85
ROUNDS = 10
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


def philox_4x32(c0, c1, c2, c3, k0: int, k1: int):
    """Ten Philox rounds on uint64 arrays holding 32-bit counter words; returns four arrays."""
    k0 &= 0xFFFFFFFF
    k1 &= 0xFFFFFFFF
    for _ in range(ROUNDS):
        p0 = c0 * M0
        p1 = c2 * M1
        hi0 = p0 >> _SHIFT32
        lo0 = p0 & _MASK32
        hi1 = p1 >> _SHIFT32
        lo1 = p1 & _MASK32
        c0 = hi1 ^ c1 ^ np.uint64(k0)
        c1 = lo1
        c2 = hi0 ^ c3 ^ np.uint64(k1)
        c3 = lo0
        k0 = (k0 + W0) & 0xFFFFFFFF
        k1 = (k1 + W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def philox_blocks(key: tuple[int, int], counter: int, n_blocks: int) -> np.ndarray:
    """Encrypt ``n_blocks`` consecutive counters; returns uint32 words of shape (n_blocks, 4)."""
    blocks = np.arange(n_blocks, dtype=np.uint64) + np.uint64(counter % 2**64)
    zeros = np.zeros(n_blocks, np.uint64)
    c = philox_4x32(blocks & _MASK32, blocks >> _SHIFT32, zeros, zeros, key[0], key[1])
    out = np.empty((n_blocks, 4), np.uint32)
    for i in range(4):
        out[:, i] = c[i]
    return out


def blocks_needed(n_words: int) -> int:
    return (n_words + 3) // 4


def words(key, counter: int, n_words: int) -> np.ndarray:
    """The first ``n_words`` uint32 words of the stream at ``counter``."""
    return philox_blocks(key, counter, blocks_needed(n_words)).reshape(-1)[:n_words]


def words_per_value(kind: str, itemsize: int) -> int:
    """How many stream words one output value of this kind and size consumes."""
    if kind == "integers":
        return 2
    return 2 if itemsize == 8 else 1




def uniform(key, counter: int, n: int, np_dtype) -> np.ndarray:
    """``n`` uniform numbers in [0, 1) of a floating NumPy dtype."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.itemsize == 8:
        w = words(key, counter, 2 * n).astype(np.uint64).reshape(n, 2)
        mant = ((w[:, 0] << _SHIFT32) | w[:, 1]) >> np.uint64(11)
        return mant.astype(np.float64) * 2.0**-53
    w = words(key, counter, n)
    bits = _mantissa_bits(np_dtype)
    return ((w >> np.uint32(32 - bits)).astype(np.float64) * 2.0**-bits).astype(np_dtype)


def _mantissa_bits(np_dtype: np.dtype) -> int:
    if np_dtype.itemsize == 4:
        return 24
    if np_dtype == np.float16:
        return 11
    return 8  # bfloat16


def normal(key, counter: int, n: int, np_dtype) -> np.ndarray:
    """``n`` standard normal numbers (Box-Muller), computed in float64 and rounded."""
    np_dtype = np.dtype(np_dtype)
    pairs = (n + 1) // 2
    if np_dtype.itemsize == 8:
        u = uniform(key, counter, 2 * pairs, np.float64).reshape(pairs, 2)
        u1 = 1.0 - u[:, 0]
        u2 = u[:, 1]
    else:
        w = words(key, counter, 2 * pairs).astype(np.float64).reshape(pairs, 2)
        u1 = 1.0 - w[:, 0] * 2.0**-32
        u2 = w[:, 1] * 2.0**-32
    r = np.sqrt(-2.0 * np.log(u1))
    theta = 2.0 * np.pi * u2
    z = np.empty((pairs, 2), np.float64)
    z[:, 0] = r * np.cos(theta)
    z[:, 1] = r * np.sin(theta)
    return z.reshape(-1)[:n].astype(np_dtype)


def integers(key, counter: int, n: int, low: int, high: int, np_dtype) -> np.ndarray:
    """``n`` integers uniform in [low, high) (64-bit modulo; bias below 2**-32 for any range)."""
    w = words(key, counter, 2 * n).astype(np.uint64).reshape(n, 2)
    value = (w[:, 0] << _SHIFT32) | w[:, 1]
    span = np.uint64(high - low)
    return ((value % span).astype(np.int64) + low).astype(np_dtype)


def n_words(kind: str, n: int, itemsize: int) -> int:
    """Stream words a call of ``kind`` with ``n`` outputs consumes."""
    if kind == "normal":
        pairs = (n + 1) // 2
        return 2 * pairs * (2 if itemsize == 8 else 1)
    return n * words_per_value(kind, itemsize)
