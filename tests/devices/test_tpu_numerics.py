"""TPU numerics: bf16 rounding (RNE + FTZ) bit for bit against ml_dtypes-based references, MXU
precision modes, int8 GEMMs, bf16 elementwise ops, and the x64 policy.

The references never call the emulator's rounding code: they round with ml_dtypes and flush
subnormals with their own bit masks.
"""

from __future__ import annotations

import warnings

import ml_dtypes
import numpy as np
import pytest

import gputensor as gt
from gputensor.devices.tpu import settings as tpu_settings

BF16 = ml_dtypes.bfloat16
TPU = "tpu:0"


def ref_bf16_bits(x32: np.ndarray) -> np.ndarray:
    """uint16 bits of the TPU's bf16 of float32 ``x32``: ml_dtypes' RNE, then subnormal
    results flushed to a zero of the same sign."""
    with np.errstate(invalid="ignore"):  # NumPy warns about casting NaN
        bits = np.asarray(x32, np.float32).astype(BF16).view(np.uint16).copy()
    exponent_zero = (bits & 0x7F80) == 0
    fraction = (bits & 0x007F) != 0
    bits[exponent_zero & fraction] &= 0x8000
    return bits


def ref_round(x32: np.ndarray) -> np.ndarray:
    """float32 values of the reference bf16 rounding."""
    return ref_bf16_bits(x32).view(BF16).astype(np.float32)


def tpu_bits(x32: np.ndarray) -> np.ndarray:
    """bf16 bits the device produces converting float32 ``x32`` (an on-device cast)."""
    t = gt.asarray(np.asarray(x32, np.float32), device=TPU).astype(gt.bfloat16)
    return t.numpy().view(np.uint16)


def from_bits(*words) -> np.ndarray:
    return np.array(words, np.uint32).view(np.float32)


CASES = {
    "normals": from_bits(0x3F800000, 0x3F80FFFF, 0x40490FDB, 0xC2F6E979, 0x12345678, 0x80812345),
    # low half exactly 0x8000: ties go to the even neighbour (down for even, up for odd)
    "ties": from_bits(0x3F808000, 0x3F818000, 0xBF808000, 0xBF818000, 0x00818000, 0x7F7E8000),
    "infinities": from_bits(0x7F800000, 0xFF800000),
    # the largest finite bf16 is 0x7F7F; halfway above it rounds (to odd -> up) to infinity
    "overflow_edge": from_bits(0x7F7F7FFF, 0x7F7F8000, 0x7F7FFFFF, 0xFF7F7FFF, 0xFF7F8000),
    # f32 subnormals, values rounding to bf16 subnormals, and ones rounding up to the smallest normal
    "subnormals": from_bits(0x00000001, 0x80000001, 0x00400000, 0x80400000, 0x007F0000, 0x807F8000,
                            0x007FFFFF, 0x807FFFFF, 0x00008000, 0x00000000, 0x80000000),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bf16_conversion_is_bit_exact(case):
    x = CASES[case]
    np.testing.assert_array_equal(tpu_bits(x), ref_bf16_bits(x))


def test_bf16_conversion_of_random_bit_patterns():
    rng = np.random.default_rng(7)
    words = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)
    x = words.view(np.float32)
    finite = x[np.isfinite(x)]
    np.testing.assert_array_equal(gt.tpu.round_to_bfloat16(finite).view(np.uint16), ref_bf16_bits(finite))


def test_subnormal_results_are_flushed_with_their_sign():
    x = from_bits(0x00400000, 0x80400000)  # +-2**-127: a bf16 subnormal without flushing
    bits = tpu_bits(x)
    assert list(bits) == [0x0000, 0x8000]
    assert list(x.astype(BF16).view(np.uint16)) == [0x0040, 0x8040], "ml_dtypes keeps subnormals"


def test_nan_stays_nan_with_its_sign():
    x = from_bits(0x7F800001, 0x7FFFFFFF, 0xFFC12345, 0x7FC00000)
    np.testing.assert_array_equal(tpu_bits(x), ref_bf16_bits(x))
    assert list(tpu_bits(x)) == [0x7FC0, 0x7FC0, 0xFFC0, 0x7FC0]


def test_bf16_to_f32_is_exact():
    bits = np.arange(0, 2**16, 7, dtype=np.uint16)
    b = bits.view(BF16)
    b = b[np.isfinite(b.astype(np.float32))]
    t = gt.asarray(b, device=TPU).astype(gt.float32)
    np.testing.assert_array_equal(t.numpy(), b.astype(np.float32))


# --- matmul precision --------------------------------------------------------------------------

def _operands(m=48, k=256, n=40, seed=1):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    return a, b, a.astype(np.float64) @ b.astype(np.float64)


def _rel_err(c, ref):
    return float(np.max(np.abs(np.asarray(c, np.float64) - ref)) / np.max(np.abs(ref)))


def test_precision_modes_have_their_error_levels():
    a, b, ref = _operands()
    ta, tb = gt.asarray(a, device=TPU), gt.asarray(b, device=TPU)
    f32 = _rel_err(a @ b, ref)
    default = _rel_err(gt.matmul(ta, tb, precision="default").numpy(), ref)
    high = _rel_err(gt.matmul(ta, tb, precision="high").numpy(), ref)
    highest = _rel_err(gt.matmul(ta, tb, precision="highest").numpy(), ref)
    assert default > 1e-4 and default > 300 * f32, (default, f32)
    assert highest < high < default / 50, (highest, high, default)
    assert highest <= 4 * f32, (highest, f32)


def test_default_precision_is_one_pass_of_bf16_inputs():
    a, b, _ = _operands()
    expected = ref_round(a) @ ref_round(b)
    got = (gt.asarray(a, device=TPU) @ gt.asarray(b, device=TPU)).numpy()
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-5)


def test_high_precision_is_three_bf16_passes():
    a, b, _ = _operands(seed=3)
    a_hi, b_hi = ref_round(a), ref_round(b)
    a_lo, b_lo = ref_round(a - a_hi), ref_round(b - b_hi)
    expected = (a_lo @ b_hi + a_hi @ b_lo) + a_hi @ b_hi
    got = gt.matmul(gt.asarray(a, device=TPU), gt.asarray(b, device=TPU), precision="high").numpy()
    np.testing.assert_allclose(got, expected, rtol=2e-6, atol=1e-5)


def test_precision_from_context_device_option_and_global_default():
    a, b, ref = _operands(seed=4)
    ta, tb = gt.asarray(a, device=TPU), gt.asarray(b, device=TPU)
    with gt.tpu.precision(gt.tpu.Precision.HIGHEST):
        assert _rel_err((ta @ tb).numpy(), ref) < 1e-6
        assert _rel_err(gt.matmul(ta, tb, precision="default").numpy(), ref) > 1e-4
    dev = gt.device("tpu:0", precision="highest")
    assert _rel_err((gt.asarray(a, device=dev) @ gt.asarray(b, device=dev)).numpy(), ref) < 1e-6
    gt.tpu.set_default_precision("float32")
    try:
        assert gt.tpu.current_precision("tpu:0") == "highest"
        assert _rel_err((ta @ tb).numpy(), ref) < 1e-6
    finally:
        gt.tpu.set_default_precision("default")
    assert _rel_err((ta @ tb).numpy(), ref) > 1e-4


def test_gradients_use_the_forward_precision():
    a, b, _ = _operands(m=16, k=64, n=8, seed=5)
    g = np.ones((16, 8))
    ta = gt.asarray(a, device=TPU).requires_grad_()
    tb = gt.asarray(b, device=TPU)
    gt.matmul(ta, tb, precision="highest").sum().backward()
    np.testing.assert_allclose(ta.grad.numpy(), g @ b.astype(np.float64).T, rtol=1e-6, atol=1e-5)


def test_bf16_inputs_round_once_at_the_end_or_keep_float32():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((32, 100)).astype(BF16)
    b = rng.standard_normal((100, 24)).astype(BF16)
    exact = a.astype(np.float32) @ b.astype(np.float32)
    ta, tb = gt.asarray(a, device=TPU), gt.asarray(b, device=TPU)
    out = ta @ tb
    assert out.dtype is gt.bfloat16
    np.testing.assert_array_equal(out.numpy().view(np.uint16), ref_bf16_bits(exact))
    wide = gt.matmul(ta, tb, preferred_element_type=gt.float32)
    assert wide.dtype is gt.float32
    np.testing.assert_allclose(wide.numpy(), exact, rtol=1e-6, atol=1e-5)


def test_int8_matmul_accumulates_exactly_in_int32():
    rng = np.random.default_rng(8)
    a = rng.integers(-128, 128, (20, 300)).astype(np.int8)
    b = rng.integers(-128, 128, (300, 12)).astype(np.int8)
    out = gt.matmul(gt.asarray(a, device=TPU), gt.asarray(b, device=TPU), preferred_element_type=gt.int32)
    assert out.dtype is gt.int32
    assert gt.tpu.last_cost(TPU).kind == "gemm"
    np.testing.assert_array_equal(out.numpy(), a.astype(np.int64) @ b.astype(np.int64))


def test_conv2d_takes_a_precision():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    ref = gt.nn.functional.conv2d(gt.asarray(x.astype(np.float64)), gt.asarray(w.astype(np.float64))).numpy()
    tx, tw = gt.asarray(x, device=TPU), gt.asarray(w, device=TPU)
    default = gt.nn.functional.conv2d(tx, tw).numpy()
    highest = gt.nn.functional.conv2d(tx, tw, precision="highest").numpy()
    assert _rel_err(highest, ref) < 1e-6 < 1e-4 < _rel_err(default, ref)


def test_precision_is_validated_and_ignored_by_exact_devices():
    a, b, _ = _operands(m=4, k=8, n=3)
    ta, tb = gt.asarray(a), gt.asarray(b)
    np.testing.assert_array_equal(gt.matmul(ta, tb, precision="highest").numpy(), (ta @ tb).numpy())
    np.testing.assert_array_equal(gt.einsum("ij,jk->ik", ta, tb, precision="high").numpy(), (ta @ tb).numpy())
    with pytest.raises(TypeError, match="precision must be"):
        gt.matmul(ta, tb, precision="extreme")
    with pytest.raises(TypeError, match="preferred_element_type"):
        gt.matmul(ta, tb, preferred_element_type=gt.bfloat16)
    i8 = gt.ones((2, 3), dtype=gt.int8)
    assert gt.matmul(i8, i8.T, preferred_element_type=gt.int32).dtype is gt.int32


# --- elementwise, reductions -------------------------------------------------------------------

def test_bf16_elementwise_computes_in_f32_and_rounds_once():
    rng = np.random.default_rng(10)
    a = (rng.standard_normal(4096) * 3).astype(BF16)
    b = (rng.standard_normal(4096) * 3).astype(BF16)
    ta, tb = gt.asarray(a, device=TPU), gt.asarray(b, device=TPU)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_array_equal((ta * tb).numpy().view(np.uint16), ref_bf16_bits(a32 * b32))
    np.testing.assert_array_equal(gt.exp(ta).numpy().view(np.uint16), ref_bf16_bits(np.exp(a32)))
    total = gt.sum(ta).numpy().view(np.uint16)
    np.testing.assert_array_equal(total, ref_bf16_bits(np.add.reduce(a32, dtype=np.float32)))


def test_bf16_products_that_underflow_are_flushed():
    tiny = np.array([1e-30, -1e-30], np.float32).astype(BF16)
    small = np.array([1e-10, 1e-10], np.float32).astype(BF16)
    on_tpu = gt.asarray(tiny, device=TPU) * gt.asarray(small, device=TPU)
    assert list(on_tpu.numpy().view(np.uint16)) == [0x0000, 0x8000]
    on_cpu = gt.asarray(tiny) * gt.asarray(small)
    assert np.all(on_cpu.numpy().astype(np.float32) != 0), "the CPU device keeps subnormals"


# --- x64 policy --------------------------------------------------------------------------------

def test_x64_downcast_warns_once_and_stores_32_bits(monkeypatch):
    monkeypatch.setattr(tpu_settings, "_warned", set())
    with pytest.warns(UserWarning, match="float64 is not available on tpu:0 .TPU v2."):
        x = gt.zeros(3, dtype=gt.float64, device=TPU)
    assert x.dtype is gt.float32 and x.numpy().dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = gt.ones(2, dtype=gt.float64, device=TPU)
        idx = gt.argmax(gt.asarray([1.0, 3.0, 2.0], device=TPU))
        ints = gt.asarray([1, 2], dtype=gt.int32, device=TPU).astype(gt.int64)
        steps = gt.arange(3, device=TPU)
        logits = gt.asarray([[1.0, 2.0], [0.5, 0.1]], device=TPU)
        loss = gt.nn.functional.cross_entropy(logits, gt.asarray(np.array([1, 0], np.int32), device=TPU))
    assert y.dtype is gt.float32 and idx.dtype is gt.int32 and idx.item() == 1 and ints.dtype is gt.int32
    assert steps.dtype is gt.int32 and loss.dtype is gt.float32
    host = gt.asarray(np.arange(4.0), device=TPU)
    assert host.dtype is gt.float32


def test_x64_error_names_the_chip_and_the_fix():
    dev = gt.device("tpu:0", chip="v5e", x64="error")
    expected = r"tpu:0 \(TPU v5e\) has no 64-bit hardware.*convert to gputensor.float32"
    with pytest.raises(TypeError, match=expected):
        gt.zeros(3, dtype=gt.float64, device=dev)
    with pytest.raises(TypeError, match="int32"):
        gt.asarray(np.arange(3), device=dev)
    labels = gt.asarray(np.arange(3, dtype=np.int32), device=dev)
    assert labels.astype(gt.int64).dtype is gt.int32
    logits = gt.ones((3, 4), device=dev)
    assert gt.nn.functional.cross_entropy(logits, labels).dtype is gt.float32  # int64 inside: fine


@pytest.mark.filterwarnings("ignore:asarray. gputensor.int64 is not available")
def test_64_bit_integers_out_of_int32_range_are_refused():
    with pytest.raises(TypeError, match="int32 range"):
        gt.asarray(np.array([2**40]), device=TPU)
