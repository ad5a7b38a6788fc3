"""The dtypes and the one promotion table (array API rules, Python scalars weak)."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor.errors import DTypeError

ALL = (
    gt.bool,
    gt.int8,
    gt.int16,
    gt.int32,
    gt.int64,
    gt.uint8,
    gt.float16,
    gt.bfloat16,
    gt.float32,
    gt.float64,
)
SIGNED = (gt.int8, gt.int16, gt.int32, gt.int64)
FLOATS_BY_BITS = {gt.float16: 16, gt.bfloat16: 16, gt.float32: 32, gt.float64: 64}


def expected_promotion(a, b):
    """The array API table, written out independently of gputensor's construction."""
    if a is b:
        return a
    kind = {
        gt.bool: 0,
        gt.uint8: 1,
        gt.int8: 1,
        gt.int16: 1,
        gt.int32: 1,
        gt.int64: 1,
        gt.float16: 2,
        gt.bfloat16: 2,
        gt.float32: 2,
        gt.float64: 2,
    }
    if kind[a] != kind[b]:
        return a if kind[a] > kind[b] else b
    if kind[a] == 2:
        if {a, b} == {gt.float16, gt.bfloat16}:
            return gt.float32
        return a if FLOATS_BY_BITS[a] > FLOATS_BY_BITS[b] else b
    bits = {gt.int8: 8, gt.int16: 16, gt.int32: 32, gt.int64: 64, gt.uint8: 8}
    if gt.uint8 in (a, b):
        other = b if a is gt.uint8 else a
        return {gt.int8: gt.int16}.get(other, other)
    return a if bits[a] > bits[b] else b


@pytest.mark.parametrize("a", ALL, ids=str)
def test_promotion_table_matches_array_api(a):
    for b in ALL:
        assert gt.result_type(a, b) is expected_promotion(a, b), (a, b)
        assert gt.result_type(b, a) is expected_promotion(a, b), (b, a)


def test_promotion_agrees_with_numpy_where_numpy_follows_the_standard():
    numeric = [d for d in ALL if d is not gt.bfloat16]
    for a in numeric:
        for b in numeric:
            if a.kind != b.kind and gt.bool not in (a, b):
                continue  # mixed int/float: the standard leaves it open, NumPy widens
            assert gt.result_type(a, b).np == np.result_type(a.np, b.np), (a, b)


def test_promotion_agrees_with_torch_for_floats():
    by_name = {
        gt.float16: torch.float16,
        gt.bfloat16: torch.bfloat16,
        gt.float32: torch.float32,
        gt.float64: torch.float64,
    }
    for a, ta in by_name.items():
        for b, tb in by_name.items():
            assert str(torch.promote_types(ta, tb)).removeprefix("torch.") == gt.result_type(a, b).name


@pytest.mark.parametrize(
    "dtype, scalar, expected",
    [
        (gt.int8, 1, gt.int8),
        (gt.int8, 1.0, gt.float32),
        (gt.int8, True, gt.int8),
        (gt.float16, 1, gt.float16),
        (gt.float16, 1.0, gt.float16),
        (gt.bfloat16, 2.0, gt.bfloat16),
        (gt.bool, True, gt.bool),
        (gt.bool, 1, gt.int64),
        (gt.bool, 1.0, gt.float32),
        (gt.uint8, 7, gt.uint8),
        (gt.float64, 1.0, gt.float64),
    ],
)
def test_result_type_with_weak_scalars(dtype, scalar, expected):
    assert gt.result_type(dtype, scalar) is expected
    assert gt.result_type(scalar, dtype) is expected
    assert gt.result_type(gt.zeros(2, dtype=dtype), scalar) is expected


def test_result_type_of_scalars_only_and_many():
    assert gt.result_type(1) is gt.int64
    assert gt.result_type(1.0) is gt.float32
    assert gt.result_type(True) is gt.bool
    assert gt.result_type(1, 2.0) is gt.float32
    assert gt.result_type(gt.int8, gt.uint8, gt.float16) is gt.float16
    assert gt.result_type(gt.int8, gt.int16, 3) is gt.int16
    with pytest.raises(DTypeError, match="result_type"):
        gt.result_type()


def test_can_cast():
    assert gt.can_cast(gt.int8, gt.int16)
    assert gt.can_cast(gt.uint8, gt.int16)
    assert not gt.can_cast(gt.int16, gt.int8)
    assert not gt.can_cast(gt.float32, gt.int64)
    assert gt.can_cast(gt.bool, gt.float16)
    assert not gt.can_cast(gt.float16, gt.bfloat16)
    assert gt.can_cast(gt.zeros(1, dtype=gt.int32), gt.float64)
    for a in ALL:
        assert gt.can_cast(a, a)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("float32", gt.float32),
        (np.float16, gt.float16),
        (np.dtype("int8"), gt.int8),
        (float, gt.float32),
        (int, gt.int64),
        (bool, gt.bool),
        ("bool", gt.bool),
        (ml_dtypes.bfloat16, gt.bfloat16),
        (torch.bfloat16, gt.bfloat16),
        (torch.int16, gt.int16),
        (np.dtype(">f8"), gt.float64),
    ],
)
def test_dtype_specs(spec, expected):
    from gputensor.dtypes import get_dtype

    assert get_dtype(spec) is expected
    assert gt.zeros(1, dtype=spec).dtype is expected


@pytest.mark.parametrize("spec", ["complex64", np.complex128, np.uint16, "float8", object])
def test_unsupported_dtypes_raise_naming_supported(spec):
    with pytest.raises(DTypeError, match="supports bool, int8"):
        gt.zeros(2, dtype=spec)


def test_dtype_objects():
    assert repr(gt.float32) == "gputensor.float32"
    assert gt.float16.is_floating and not gt.int8.is_floating
    assert gt.uint8.is_integer and not gt.bool.is_integer
    assert gt.bfloat16.itemsize == 2
    import pickle

    assert pickle.loads(pickle.dumps(gt.bfloat16)) is gt.bfloat16


def test_finfo():
    for dtype, ref in [
        (gt.float16, np.finfo(np.float16)),
        (gt.float32, np.finfo(np.float32)),
        (gt.float64, np.finfo(np.float64)),
        (gt.bfloat16, ml_dtypes.finfo(ml_dtypes.bfloat16)),
    ]:
        info = gt.finfo(dtype)
        assert info.bits == ref.bits
        assert info.eps == float(ref.eps)
        assert info.max == float(ref.max)
        assert info.min == float(ref.min)
        assert info.smallest_normal == float(ref.smallest_normal)
        assert info.dtype is dtype
    assert gt.finfo(gt.zeros(1)).dtype is gt.float32
    with pytest.raises(DTypeError, match="finfo"):
        gt.finfo(gt.int32)


def test_iinfo():
    for dtype in (gt.int8, gt.int16, gt.int32, gt.int64, gt.uint8):
        ref = np.iinfo(dtype.np)
        info = gt.iinfo(dtype)
        assert (info.bits, info.min, info.max) == (ref.bits, ref.min, ref.max)
    with pytest.raises(DTypeError, match="iinfo"):
        gt.iinfo(gt.float32)


def test_isdtype():
    assert gt.isdtype(gt.float16, "real floating")
    assert gt.isdtype(gt.bfloat16, "numeric")
    assert gt.isdtype(gt.uint8, "unsigned integer")
    assert not gt.isdtype(gt.uint8, "signed integer")
    assert gt.isdtype(gt.int8, ("bool", "integral"))
    assert gt.isdtype(gt.bool, "bool")
    assert not gt.isdtype(gt.bool, "numeric")
    assert not gt.isdtype(gt.float32, "complex floating")
    assert gt.isdtype(gt.int32, gt.int32)
    with pytest.raises(DTypeError, match="unknown kind"):
        gt.isdtype(gt.int8, "whole")


def test_astype_between_all_dtypes():
    values = np.array([0, 1, 2, 100, -3])
    for src in ALL:
        source = values.astype(src.np) if src is not gt.uint8 else np.abs(values).astype(src.np)
        x = gt.asarray(source)
        for dst in ALL:
            out = gt.astype(x, dst)
            assert out.dtype is dst
            np.testing.assert_array_equal(out.numpy(), source.astype(dst.np), err_msg=f"{src}->{dst}")


def test_float_to_int_truncates_and_bfloat16_rounds_to_nearest_even():
    x = gt.asarray([1.7, -1.7, 2.5, -0.5])
    assert gt.astype(x, gt.int32).tolist() == [1, -1, 2, 0]
    # 1 + 2**-8 is halfway between two bfloat16 values: ties go to the even one (1.0)
    y = gt.asarray([1 + 2**-8, 1 + 3 * 2**-8], dtype=gt.float64)
    assert gt.astype(y, gt.bfloat16).tolist() == [1.0, 1 + 2**-6]
