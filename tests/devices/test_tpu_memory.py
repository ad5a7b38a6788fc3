"""TPU memory: XLA's tiled padded sizes, per-device HBM accounting, and both out-of-memory
messages (a request that is too large; one that only padding makes too large)."""

from __future__ import annotations

import gc

import ml_dtypes
import numpy as np
import pytest

import gputensor as gt
from gputensor.tpu import layout_string, padded_bytes

BF16 = ml_dtypes.bfloat16


@pytest.mark.parametrize(("shape", "dtype", "expected"), [
    # the spec's examples
    ((3, 5), np.float32, 2_048),
    ((9, 5), np.float32, 8_192),
    ((1, 6144), BF16, 24_576),
    ((32, 6144), BF16, 393_216),
    ((2**26, 1), BF16, 16 * 2**30),
    # rank 1 and scalars: 128 elements of 32 bits, 1024 of 16 bits
    ((1,), np.float32, 512),
    ((129,), np.int32, 1_024),
    ((), np.float32, 512),
    ((1000,), BF16, 2_048),
    ((1025,), BF16, 4_096),
    # small second-minor dimensions tile by 2 and 4
    ((2, 128), np.float32, 1_024),
    ((4, 129), np.float32, 4_096),
    # leading dimensions multiply; bool takes 32 bits; 8-bit types tile 32 rows
    ((2, 9, 129), np.float32, 32_768),
    ((3, 3), np.bool_, 2_048),
    ((33, 130), np.int8, 16_384),
    ((128, 784), np.float32, 458_752),
])
def test_padded_sizes(shape, dtype, expected):
    assert padded_bytes(shape, dtype) == expected


def test_layout_strings():
    assert layout_string((320, 4096, 4096), np.float32) == "f32[320,4096,4096]{2,1,0:T(8,128)}"
    assert layout_string((2**26, 1), BF16) == "bf16[67108864,1]{1,0:T(8,128)(2,1)}"
    assert layout_string((3, 5), np.float32) == "f32[3,5]{1,0:T(4,128)}"
    assert layout_string((7,), np.int32) == "s32[7]{0:T(128)}"


def test_live_buffers_are_charged_their_padded_size_and_released():
    dev = gt.device("tpu:3", chip="v2-8")
    before = gt.tpu.memory_stats(dev)
    x = gt.zeros((9, 5), device=dev)
    y = gt.ones((1, 6144), dtype=gt.bfloat16, device=dev)
    stats = gt.tpu.memory_stats(dev)
    assert stats["bytes_in_use"] - before["bytes_in_use"] == 8_192 + 24_576
    assert stats["bytes_padding"] - before["bytes_padding"] == 8_192 - 180 + 24_576 - 12_288
    assert stats["bytes_limit"] == 8 * 2**30 - 2**29 and stats["bytes_reserved"] == 2**29
    assert stats["peak_bytes_in_use"] >= stats["bytes_in_use"]
    del x, y
    gc.collect()
    assert gt.tpu.memory_stats(dev)["bytes_in_use"] == before["bytes_in_use"]


def test_each_replica_has_its_own_hbm():
    a = gt.device("tpu:1", chip="v5e-4")
    b = gt.device("tpu:2", chip="v5e-4")
    base = gt.tpu.memory_stats(b)["bytes_in_use"]
    keep = gt.zeros((1024, 1024), device=a)
    assert gt.tpu.memory_stats(b)["bytes_in_use"] == base
    assert gt.tpu.memory_stats(a)["bytes_in_use"] >= keep.size * 4


def test_too_large_a_request_raises_in_xlas_words():
    dev = gt.device("tpu:0", chip="v5e")
    keep = gt.zeros((1024, 1024), device=dev)
    with pytest.raises(gt.tpu.ResourceExhaustedError) as info:
        gt.zeros((320, 4096, 4096), device=dev)
    err = info.value
    text = str(err)
    assert isinstance(err, MemoryError)
    assert text.startswith("RESOURCE_EXHAUSTED: ")
    assert ("Ran out of memory in memory space hbm. Used 20.00G of 15.50G hbm. "
            "Exceeded hbm capacity by 4.50G.") in text
    assert "f32[320,4096,4096]{2,1,0:T(8,128)}" in text
    assert "Extra memory due to padding" not in text
    assert "Largest live buffers:" in text and "f32[1024,1024]{1,0:T(8,128)}" in text
    assert err.capacity == 16 * 2**30 - 2**29
    assert err.used == 320 * 4096 * 4096 * 4 + gt.tpu.memory_stats(dev)["bytes_in_use"]
    assert err.exceeded == err.used - err.capacity
    assert err.request.shape == (320, 4096, 4096) and err.request.padded == 20 * 2**30
    del keep


def test_padding_driven_out_of_memory_names_the_padding():
    dev = gt.device("tpu:0", chip="v5e")
    with pytest.raises(gt.tpu.ResourceExhaustedError) as info:
        gt.zeros((2**26, 1), dtype=gt.bfloat16, device=dev)
    text = str(info.value)
    assert "bf16[67108864,1]{1,0:T(8,128)(2,1)}" in text
    assert "Unpadded size: 128.00M" in text
    assert "Extra memory due to padding: 15.88G (128.0x expansion)" in text
    assert "padding is 99.2% of this buffer" in text
    assert info.value.request.padding_share > 0.99
    # the same data with the long dimension last fits easily
    ok = gt.zeros((1, 2**26), dtype=gt.bfloat16, device=dev)
    assert gt.tpu.memory_stats(dev)["bytes_in_use"] >= 2 * 2**26 * 2
    del ok


def test_an_op_result_that_does_not_fit_is_refused_before_computing():
    dev = gt.device("tpu:0", chip="v2", reserved_bytes=0)
    col = gt.ones((65536, 1), device=dev)
    row = gt.ones((1, 65536), device=dev)
    with pytest.raises(gt.tpu.ResourceExhaustedError, match=r"Request \(matmul\): f32\[65536,65536\]"):
        col @ row
    assert gt.tpu.memory_stats(dev)["bytes_limit"] == 8 * 2**30
