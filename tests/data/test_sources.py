"""Dataset sources: tensor slices, tensors, generators, ranges."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.data import Dataset

from .reference import values


def test_from_tensor_slices_arrays_tuples_dicts():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = Dataset.from_tensor_slices(({"x": x, "t": gt.asarray(x[:, 0])}, y))
    got = values(ds)
    assert got == [({"x": x[i].tolist(), "t": float(x[i, 0])}, i) for i in range(6)]
    element = next(iter(ds))
    assert isinstance(element[0]["x"], gt.Tensor) and element[0]["x"].dtype == gt.float32
    assert element[1].dtype == gt.int64


def test_from_tensor_slices_python_lists_and_strings():
    assert values(Dataset.from_tensor_slices([1.5, 2.5])) == [1.5, 2.5]
    assert next(iter(Dataset.from_tensor_slices([1.5]))).dtype == gt.float32
    assert values(Dataset.from_tensor_slices(["a", "bc"])) == ["a", "bc"]
    assert values(Dataset.from_tensor_slices([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]


def test_from_tensor_slices_spans_many_chunks():
    n = 10_000
    assert [int(v) for v in Dataset.from_tensor_slices(np.arange(n)).as_numpy_iterator()] == list(range(n))


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match="different first dimensions"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices(np.float32(1))


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors((np.zeros((2, 3)), "text"))
    got = values(ds)
    assert got == [([[0.0] * 3] * 2, "text")]


def test_range():
    assert values(Dataset.range(5)) == list(range(5))
    assert values(Dataset.range(2, 11, 3)) == list(range(2, 11, 3))
    assert values(Dataset.range(10, 0, -4)) == list(range(10, 0, -4))
    assert values(Dataset.range(9000)) == list(range(9000))
    assert next(iter(Dataset.range(3, dtype=gt.int32))).dtype == gt.int32
    with pytest.raises(TypeError):
        Dataset.range(1.5)


def test_from_generator_types_shapes_and_reiteration():
    def gen():
        for i in range(3):
            yield i, [float(i)] * (i + 1)

    ds = Dataset.from_generator(gen, output_types=(gt.int32, gt.float64), output_shapes=((), (None,)))
    first = values(ds)
    assert first == [(0, [0.0]), (1, [1.0, 1.0]), (2, [2.0, 2.0, 2.0])]
    assert values(ds) == first
    a, b = next(iter(ds))
    assert a.dtype == gt.int32 and b.dtype == gt.float64


def test_from_generator_args_and_shape_errors():
    ds = Dataset.from_generator(lambda n: iter(range(n)), args=(4,))
    assert values(ds) == [0, 1, 2, 3]
    bad = Dataset.from_generator(lambda: iter([[1, 2, 3]]), output_shapes=(2,))
    with pytest.raises(ValueError, match="shape"):
        list(bad)


def test_from_generator_exception_reaches_caller():
    def gen():
        yield 1
        raise RuntimeError("generator broke")

    it = iter(Dataset.from_generator(gen))
    assert int(next(it)) == 1
    with pytest.raises(RuntimeError, match="generator broke"):
        next(it)


def test_elements_land_on_the_current_device():
    ds = Dataset.range(3)
    with gt.device("cpu"):
        assert next(iter(ds)).device == gt.device("cpu")
    assert next(ds.iterator(device="cpu")).device == gt.device("cpu")
