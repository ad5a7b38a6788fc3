"""Parsing many CSV numbers at once with NumPy.

Python's ``float()`` per field, NumPy's string casts and ``np.loadtxt`` all cost 150–200 ns per
number, several times what ``pandas.read_csv`` needs. This module parses whole blocks of
records with whole-array operations instead:

1. the field boundaries are the positions of delimiter and newline bytes (``flatnonzero``);
2. each field's last 16 bytes are read as two little-endian 64-bit words (an unaligned,
   byte-strided view of the buffer, gathered at the field ends);
3. bytes before the field (and a sign) are replaced by ``'0'``, the decimal point is found with
   the classic "which byte is zero" bit trick and squeezed out, and the 8 ASCII digits of each
   word become an integer with three multiply-shift steps (SWAR: SIMD within a register);
4. ``mantissa / 10**fraction_digits`` is then correctly rounded, because the mantissa
   (< 2**53) and the power of ten (<= 10**16) are exact doubles: one IEEE division.

A field this fast path does not take (an exponent, more than 16 characters, ``nan``, spaces,
anything not a plain decimal) is marked, and the caller parses it with ``float()``; results
are identical either way.
"""

from __future__ import annotations

import numpy as np

_U = np.uint64
_Z8 = _U(0x3030303030303030)  # eight '0' characters
_S76 = _U(0x7676767676767676)
_DOT = _U(0x2E2E2E2E2E2E2E2E)
_L1 = _U(0x0101010101010101)
_H8 = _U(0x8080808080808080)
_BYTE_INDEX = _U(0x0001020304050607)
_BYTES_AFTER = _U(0x0706050403020100)
_M1 = _U(0x000000FF000000FF)
_K1 = _U(100 + (1000000 << 32))
_K2 = _U(1 + (10000 << 32))
_E8 = _U(100000000)
_EXACT = float(2**53)
_PAD = 16

# KEEP[k]: the top k bytes of a word (the last k characters of the field); FILL[k]: '0' elsewhere.
_KEEP = np.array([0] + [((1 << 64) - 1) & ~((1 << (8 * (8 - k))) - 1) for k in range(1, 9)], dtype=_U)
_FILL = _Z8 & ~_KEEP
_POW10 = np.array([10.0**k for k in range(17)])


def split_fields(data: bytes, delim: int, n_records: int):
    """``(starts, ends, n_fields)`` of every field of ``n_records`` newline-separated records,
    or ``None`` when the records do not all have the same number of fields. ``data`` holds
    ``_PAD`` bytes of padding before the records and one ``\\n`` after them."""
    first_nl = data.find(b"\n", _PAD)
    n_fields = data.count(bytes([delim]), _PAD, first_nl) + 1
    body = np.frombuffer(data, np.uint8)[_PAD:]
    ends = _separators(body, delim)
    if len(ends) != n_records * n_fields:
        return None
    if not (body[ends[n_fields - 1::n_fields]] == 10).all():
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    np.add(ends[:-1], 1, out=starts[1:])
    return starts, ends, n_fields


def _separators(body: np.ndarray, delim: int) -> np.ndarray:
    """Positions of the delimiter and newline bytes, found a cache-sized piece at a time."""
    step = 8 * SLICE
    if len(body) <= step:
        sep = body == delim
        sep |= body == 10
        return np.flatnonzero(sep)
    sep = np.empty(step, bool)
    other = np.empty(step, bool)
    parts = []
    for i in range(0, len(body), step):
        piece = body[i:i + step]
        n = len(piece)
        np.equal(piece, delim, out=sep[:n])
        np.equal(piece, 10, out=other[:n])
        sep[:n] |= other[:n]
        parts.append(np.flatnonzero(sep[:n]) + i)
    return np.concatenate(parts)


_PREFIX = "0" * (_PAD - 1)


def padded(records: list) -> bytes:
    """The records as one buffer in the layout ``split_fields`` and ``parse_numbers`` use:
    ``_PAD`` bytes of padding (ending in a newline), the records, a final newline."""
    return "\n".join([_PREFIX, *records, ""]).encode()


def _digits8(w: np.ndarray):
    """``(value, valid)``: the integer value of the 8 ASCII digits held in each word (first
    character lowest), and whether all 8 bytes are digits."""
    v = w - _Z8
    bad = v + _S76
    bad |= v
    bad &= _H8
    valid = bad == 0  # a byte below '0' borrows into its high bit, one above '9' carries into it
    v = v * _U(10) + (v >> _U(8))
    a = (v & _M1) * _K1
    b = ((v >> _U(16)) & _M1) * _K2
    a += b
    a >>= _U(32)
    return a, valid


def _dot_bit(w: np.ndarray) -> np.ndarray:
    """``1 << 8k`` where byte k of the word is the first '.', else 0."""
    x = w ^ _DOT
    t = (x - _L1) & ~x & _H8
    t >>= _U(7)
    t &= ~t + _U(1)  # the lowest marked byte is exact; later ones may be false positives
    return t


def _squeeze_dot(w: np.ndarray, bit: np.ndarray, carry: np.ndarray) -> np.ndarray:
    """Remove the byte marked by ``bit``: the characters before it move one byte right and
    ``carry`` (one byte) enters at the start."""
    before = w & (bit - _U(1))
    after = w & ~((bit << _U(8)) - _U(1))
    before <<= _U(8)
    before |= after
    before |= carry
    return before


SLICE = 16384


def parse_numbers(data: bytes, starts: np.ndarray, ends: np.ndarray):
    """``(values, ok)``: the float64 value of each field, and whether the fast path parsed it
    (fields with ``ok`` False must be parsed another way; empty fields are never ok).

    Fields are taken ``SLICE`` at a time: the temporaries then stay small enough to come from
    malloc's heap and the CPU caches instead of fresh zeroed pages (page faults)."""
    if len(starts) <= SLICE:
        return _parse_slice(data, starts, ends)
    values = np.empty(len(starts), np.float64)
    ok = np.empty(len(starts), bool)
    for i in range(0, len(starts), SLICE):
        values[i:i + SLICE], ok[i:i + SLICE] = _parse_slice(data, starts[i:i + SLICE], ends[i:i + SLICE])
    return values, ok


def _parse_slice(data: bytes, starts: np.ndarray, ends: np.ndarray):
    buf = np.frombuffer(data, np.uint8)
    words = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    end = ends + _PAD
    first = buf[starts + _PAD]
    neg = first == 45
    signed = neg | (first == 43)
    length = ends - starts
    digits_len = length - signed
    k_lo = np.minimum(digits_len, 8)
    lo = words[end - 8]
    lo &= _KEEP[k_lo]
    lo |= _FILL[k_lo]
    long = digits_len > 8
    n_long = int(np.count_nonzero(long))
    if n_long > len(lo) // 2:
        mantissa, frac, has_dot, ok = _two_words(lo, _high_words(words, end, digits_len))
    else:
        mantissa, frac, has_dot, ok = _one_word(lo)
        if n_long:
            idx = np.flatnonzero(long)
            hi = _high_words(words, end[idx], digits_len[idx])
            parts = _two_words(lo[idx], hi)
            for target, part in zip((mantissa, frac, has_dot, ok), parts):
                target[idx] = part
    ok &= (digits_len - has_dot) >= 1
    ok &= digits_len <= 16
    values = mantissa.astype(np.float64)
    ok &= values < _EXACT
    values /= _POW10[frac]
    sign = neg.astype(_U)
    sign <<= _U(63)
    values.view(_U)[...] |= sign
    return values, ok


def _high_words(words, end, digits_len):
    k_hi = np.clip(digits_len - 8, 0, 8)
    hi = words[end - 16]
    hi &= _KEEP[k_hi]
    hi |= _FILL[k_hi]
    return hi


def _one_word(lo):
    bit = _dot_bit(lo)
    has_dot = bit != 0
    frac = ((bit * _BYTES_AFTER) >> _U(56)).astype(np.intp)  # 7 - k for the dot at byte k, 0 without
    lo = np.where(has_dot, _squeeze_dot(lo, bit, _U(0x30)), lo)
    value, ok = _digits8(lo)
    return value, frac, has_dot, ok


def _two_words(lo, hi):
    bit_lo = _dot_bit(lo)
    bit_hi = _dot_bit(hi)
    in_lo = bit_lo != 0
    in_hi = (bit_hi != 0) & ~in_lo
    frac = np.where(in_lo, _U(7) - ((bit_lo * _BYTE_INDEX) >> _U(56)), _U(0))
    frac = np.where(in_hi, _U(15) - ((bit_hi * _BYTE_INDEX) >> _U(56)), frac).astype(np.intp)
    new_lo = np.where(in_lo, _squeeze_dot(lo, bit_lo, hi >> _U(56)), lo)
    shifted_hi = (hi << _U(8)) | _U(0x30)
    new_hi = np.where(in_lo, shifted_hi, hi)
    new_hi = np.where(in_hi, _squeeze_dot(hi, bit_hi, _U(0x30)), new_hi)
    mantissa, ok = _digits8(new_hi)
    low, low_ok = _digits8(new_lo)
    ok &= low_ok
    mantissa *= _E8
    mantissa += low
    return mantissa, frac, in_lo | in_hi, ok
