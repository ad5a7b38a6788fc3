"""User mistakes across ops raise before any computation: the right exception type (also the
built-in one a Python user catches), a message naming the op and the offending shapes, axes,
dtypes or devices, and no primitive run on the device."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices.backend import PRIMITIVES
from gputensor.devices.numpy_backend import NumpyBackend
from gputensor.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    AxisError,
    DeviceError,
    DTypeError,
    IndexOutOfRangeError,
    ShapeError,
)
from tests.helpers import second_device

# primitives that move or allocate data rather than compute on it
_NOT_COMPUTE = {"empty", "from_host", "to_host", "view", "full"}
CALLS: list = []


def _counting_backend():
    if "cpucount" in gt.devices.backend_types():
        return gt.device("cpucount:0")

    def spy(name):
        original = getattr(NumpyBackend, name)

        def method(self, *args, **kwargs):
            CALLS.append(name)
            return original(self, *args, **kwargs)

        return method

    attrs = {"type": "cpucount"}
    for name in PRIMITIVES:
        if name not in _NOT_COMPUTE:
            attrs[name] = spy(name)
    gt.devices.register_backend("cpucount", type("CountingCPU", (NumpyBackend,), attrs))
    return gt.device("cpucount:0")


D = _counting_backend()


def _t(shape, dtype=gt.float32):
    return gt.ones(shape, dtype=dtype, device=D)


M = _t((2, 3))
V = _t((4,))
I = gt.asarray([1, 2, 3], device=D)
B = gt.asarray([True, False], device=D)

CASES = [
    # incompatible shapes
    (lambda: M + V, ShapeError, r"add: shapes \(2, 3\), \(4,\) cannot be broadcast"),
    (lambda: gt.maximum(M, V), ShapeError, r"maximum: shapes \(2, 3\), \(4,\)"),
    (
        lambda: M @ _t((4, 2)),
        ShapeError,
        r"matmul: inner dimensions differ: a.shape=\(2, 3\), b.shape=\(4, 2\)",
    ),
    (
        lambda: gt.concat([M, _t((2, 4)), _t((3, 3))]),
        ShapeError,
        r"concat: shapes .*\(3, 3\) differ outside axis 0",
    ),
    (lambda: gt.stack([M, V]), ShapeError, r"stack: all tensors need the same shape, got \(2, 3\), \(4,\)"),
    (lambda: M.reshape(4, 2), ShapeError, r"reshape: cannot reshape a tensor of shape \(2, 3\)"),
    (lambda: gt.broadcast_to(M, (3, 3)), ShapeError, r"broadcast_to: .*\(2, 3\).*\(3, 3\)"),
    (lambda: gt.where(B, M, M), ShapeError, r"where: shapes \(2,\), \(2, 3\), \(2, 3\)"),
    (
        lambda: gt.tensordot(M, M, axes=1),
        ShapeError,
        r"tensordot: axis 1 of x1 \(size 3\) and axis 0 of x2 \(size 2\)",
    ),
    (lambda: gt.vecdot(M, V), ShapeError, r"vecdot: axis -1 sizes differ: \(2, 3\) and \(4,\)"),
    (lambda: gt.einsum("ij,jk->ik", M, M), ShapeError, "einsum: index 'j' has sizes 3 and 2"),
    (lambda: gt.squeeze(M, axis=0), ShapeError, r"squeeze: axis 0 has size 2, not 1"),
    (lambda: gt.split(M, 2, axis=1), ShapeError, "split: axis 1 of size 3 cannot be split into 2"),
    (lambda: gt.topk(M, 4), ShapeError, "topk: k=4 is out of range for axis 1 of size 3"),
    (
        lambda: gt.take_along_axis(M, I, axis=1),
        ShapeError,
        r"take_along_axis: indices need 2 axes like x, got shape \(3,\)",
    ),
    (lambda: gt.outer(M, V), ShapeError, r"outer: needs 1-D tensors, got shapes \(2, 3\) and \(4,\)"),
    (lambda: gt.searchsorted(M, V), ShapeError, r"searchsorted: x1 must be 1-D, got shape \(2, 3\)"),
    (lambda: gt.tile(M, (-1, 1)), ShapeError, "tile: repetitions must be non-negative"),
    (lambda: gt.repeat(M, -2, axis=0), ShapeError, "repeat: repeats must be non-negative"),
    (lambda: gt.permute_dims(M, (1, 1)), ShapeError, r"permute_dims: axes \(1, 1\) are not a permutation"),
    (
        lambda: gt.max(_t((0, 2)), axis=0),
        ShapeError,
        r"max: cannot reduce over an empty axis \(shape \(0, 2\)",
    ),
    (lambda: gt.pad(M, ((1, 1),) * 3), ShapeError, "pad: pad_width must be non-negative .* for 2 axes"),
    # bad axes
    (lambda: gt.sum(M, axis=2), AxisError, "sum: axis 2 is out of range for a tensor with 2 axes"),
    (lambda: gt.mean(M, axis=(0, -3)), AxisError, "mean: axis -3 is out of range"),
    (lambda: gt.argmax(M, axis=5), AxisError, "argmax: axis 5"),
    (lambda: gt.softmax(M, axis=2), AxisError, "softmax: axis 2"),
    (lambda: gt.logsumexp(M, axis=-3), AxisError, "logsumexp: axis -3"),
    (lambda: gt.cumulative_sum(M, axis=2), AxisError, "cumulative_sum: axis 2"),
    (lambda: gt.concat([M, M], axis=3), AxisError, "concat: axis 3"),
    (lambda: gt.flip(M, axis=(0, 2)), AxisError, "flip: axis 2"),
    (lambda: gt.roll(M, 1, axis=2), AxisError, "roll: axis 2"),
    (lambda: gt.sort(M, axis=-3), AxisError, "sort: axis -3"),
    (lambda: gt.take(M, I, axis=2), AxisError, "take: axis 2"),
    (lambda: gt.moveaxis(M, 0, 2), AxisError, "moveaxis: axis 2"),
    (lambda: gt.expand_dims(M, axis=3), AxisError, "expand_dims: axis 3"),
    (lambda: gt.unstack(M, axis=2), AxisError, "unstack: axis 2"),
    (lambda: gt.var(M, axis=(1, 1)), AxisError, r"var: repeated axis in \(1, 1\)"),
    (lambda: gt.std(M, axis=2), AxisError, "std: axis 2"),
    (lambda: gt.diff(M, axis=2), AxisError, "diff: axis 2"),
    # unsupported dtypes
    (
        lambda: gt.bitwise_and(M, M),
        DTypeError,
        "bitwise_and: needs integer or bool operands, got gputensor.float32",
    ),
    (lambda: B - B, DTypeError, "subtract: not defined for two bool operands"),
    (lambda: gt.negative(B), DTypeError, "negative: not defined for bool tensors"),
    (
        lambda: gt.bitwise_invert(M),
        DTypeError,
        "bitwise_invert: needs an integer or bool tensor, got gputensor.float32",
    ),
    (lambda: gt.clip(B, 0, 1), DTypeError, "clip: not defined for bool tensors"),
    (
        lambda: gt.matmul(_t((2, 2), gt.bool), _t((2, 2), gt.bool)),
        DTypeError,
        "matmul: not defined for two bool tensors",
    ),
    (lambda: gt.astype(M, "complex64"), DTypeError, "unsupported dtype"),
    (lambda: _t((2,), gt.int8) + 1000, DTypeError, "add: the Python int 1000 does not fit gputensor.int8"),
    (lambda: gt.linspace(0, 1, 3, dtype=gt.int32, device=D), DTypeError, "linspace: needs a floating dtype"),
    (lambda: gt.rand(2, dtype=gt.int32, device=D), DTypeError, "random: needs a floating dtype"),
    # mixed devices
    (
        lambda: M + _t((2, 3)).to(second_device()),
        DeviceError,
        r"add: tensors are on different devices \(cpucount:0, cpu2:0\)",
    ),
    (lambda: gt.matmul(M, _t((3, 2)).to(second_device())), DeviceError, r"matmul: .*cpucount:0.*cpu2:0"),
    (lambda: gt.concat([M, M.to(second_device())]), DeviceError, r"concat: .*cpu2:0"),
    (lambda: gt.stack([M, M.to(second_device())]), DeviceError, r"stack: .*cpu2:0"),
    (lambda: gt.where(B.reshape(2, 1), M, M.to(second_device())), DeviceError, r"where: .*cpu2:0"),
    (lambda: gt.tensordot(M, M.T.to(second_device())), DeviceError, r"tensordot: .*cpu2:0"),
    (lambda: gt.vecdot(V, V.to(second_device())), DeviceError, r"vecdot: .*cpu2:0"),
    (lambda: gt.outer(V, V.to(second_device())), DeviceError, r"outer: .*cpu2:0"),
    (lambda: gt.einsum("i,i", V, V.to(second_device())), DeviceError, r"einsum: .*cpu2:0"),
    (lambda: gt.searchsorted(V, V.to(second_device())), DeviceError, r"searchsorted: .*cpu2:0"),
    (lambda: gt.broadcast_arrays(M, M.to(second_device())), DeviceError, r"broadcast_arrays: .*cpu2:0"),
    (lambda: gt.meshgrid(V, V.to(second_device())), DeviceError, r"meshgrid: .*cpu2:0"),
    (lambda: gt.logaddexp(V.to(second_device()), V), DeviceError, r"logaddexp: .*cpu2:0"),
    (lambda: gt.clip(V, V.to(second_device()), 2.0), DeviceError, r"cpu2:0"),
    # out-of-range basic indices
    (lambda: M[2], IndexOutOfRangeError, "getitem: index 2 is out of bounds for axis 0 with size 2"),
    (lambda: M[0, -4], IndexOutOfRangeError, "getitem: index -4 is out of bounds for axis 1 with size 3"),
    (lambda: M[0, 0, 0], IndexOutOfRangeError, r"getitem: too many indices for a tensor of shape \(2, 3\)"),
    (
        lambda: M[np.ones(3, dtype=bool)],
        IndexOutOfRangeError,
        r"boolean index of shape \(3,\) does not match",
    ),
    # wrong argument types
    (lambda: M[1.5], ArgumentTypeError, "getitem: unsupported index of type float"),
    (lambda: M["a"], ArgumentTypeError, "getitem: unsupported index of type str"),
    (lambda: gt.sum(M, axis="0"), ArgumentTypeError, "sum: axis must be an int, got str"),
    (lambda: gt.concat(M), ArgumentTypeError, "concat: expected a list or tuple of tensors"),
    (lambda: M.reshape("6"), ArgumentTypeError, "reshape: shape must be an int or a sequence of ints"),
    (lambda: gt.pad(M, 1, mode="mirror"), ArgumentValueError, "pad: unknown mode 'mirror'"),
    (
        lambda: gt.gelu(M, approximate="fast"),
        ArgumentValueError,
        "gelu: approximate must be 'none' or 'tanh'",
    ),
    (
        lambda: gt.searchsorted(V, V, side="up"),
        ArgumentValueError,
        "searchsorted: side must be 'left' or 'right'",
    ),
    (lambda: M + "a", ArgumentTypeError, "add: unsupported operand of type str"),
    (lambda: M * [[1, 2]], ShapeError, r"multiply: shapes \(2, 3\), \(1, 2\)"),
    (lambda: gt.where(B, None, 1.0), ArgumentTypeError, "where: unsupported operand of type NoneType"),
    (lambda: gt.arange("3", device=D), ArgumentTypeError, "arange: start, stop and step must be numbers"),
    (
        lambda: gt.zeros((2, 2.5), device=D),
        ArgumentTypeError,
        "full: shape must be an int or a sequence of ints",
    ),
    (
        lambda: gt.take(M, gt.asarray([0.5], device=D), axis=0),
        ArgumentTypeError,
        "take: index tensors must be integer",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[2][:60])
def test_mistake_raises_before_computing(case):
    fn, kind, pattern = case
    second_device()  # registered before counting starts
    CALLS.clear()
    with pytest.raises(kind, match=pattern):
        fn()
    computed = [c for c in CALLS if c not in _NOT_COMPUTE]
    assert computed == [], f"primitives ran before the error: {computed}"


def test_builtin_exception_bases():
    assert issubclass(ShapeError, ValueError)
    assert issubclass(AxisError, ValueError) and issubclass(AxisError, IndexError)
    assert issubclass(DTypeError, TypeError)
    assert issubclass(ArgumentTypeError, TypeError)
    assert issubclass(IndexOutOfRangeError, IndexError)
    assert issubclass(DeviceError, RuntimeError)


def test_data_dependent_index_errors_leave_tensors_unchanged():
    x = gt.zeros(4, device=D)
    with pytest.raises(
        IndexOutOfRangeError, match="setitem: index 7 is out of bounds for axis 0 with size 4"
    ):
        x[gt.asarray([0, 7], device=D)] = 1.0
    with pytest.raises(IndexOutOfRangeError, match="getitem: index -5"):
        x[[-5]]
    assert x.tolist() == [0.0] * 4
