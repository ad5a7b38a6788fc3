"""Moving tensors between devices (differentiable), dtype conversion with ``.to``, and what a
device that lacks a dtype says."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import DeviceError, UnsupportedDTypeError
from tests.helpers import limited_device, second_device


def test_to_another_device_copies_values_and_dtype(device):
    other = second_device()
    x = gt.asarray(np.arange(6, dtype=np.int16).reshape(2, 3), device=device)
    y = x.to(other)
    assert y.device == other and y.dtype is gt.int16
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    x[0, 0] = 100  # a copy, not a view
    assert y[0, 0].item() == 0
    back = gt.to_device(y, device)
    assert back.device == device
    np.testing.assert_array_equal(back.numpy(), np.arange(6).reshape(2, 3))
    # non-contiguous views move with their logical values
    v = gt.asarray(np.arange(12.0).reshape(3, 4), device=device).T[::2]
    np.testing.assert_array_equal(v.to(other).numpy(), np.arange(12.0).reshape(3, 4).T[::2])


def test_same_device_returns_the_tensor(device):
    x = gt.ones(2, device=device)
    assert x.to(device) is x
    assert x.to(device.name) is x
    assert gt.to_device(x, device) is x
    assert x.to_device(device) is x


def test_to_dtype_and_cpu(device):
    x = gt.asarray([1.5, -2.5], device=device)
    assert x.to(dtype=gt.int32).tolist() == [1, -2]
    assert x.to(dtype=gt.float64).dtype is gt.float64
    c = x.cpu()
    assert c.device == gt.device("cpu")
    assert c.tolist() == [1.5, -2.5]
    other = second_device()
    z = x.to(other, dtype=gt.float16)
    assert z.device == other and z.dtype is gt.float16


def test_gradient_flows_back_across_devices(device):
    other = second_device()
    x = gt.asarray([1.0, 2.0, 3.0], device=device).requires_grad_()
    y = (x.to(other) ** 2).sum()
    assert y.device == other
    y.backward()
    assert x.grad.device == device
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    g = gt.grad(lambda t: (t.to(other) * 3.0).to(device).sum())(gt.asarray([1.0], device=device))
    assert g.device == device and g.tolist() == [3.0]


def test_device_lacking_a_dtype_says_so():
    limited = limited_device()
    with pytest.raises(
        UnsupportedDTypeError, match="full: device cpulimited:0 does not support gputensor.float64"
    ):
        gt.zeros(2, dtype=gt.float64, device=limited)
    with pytest.raises(
        UnsupportedDTypeError, match="to: device cpulimited:0 does not support gputensor.float64"
    ):
        gt.ones(2, dtype=gt.float64).to(limited)
    x = gt.ones(2, device=limited)
    with pytest.raises(UnsupportedDTypeError, match="astype: .*bfloat16"):
        x.astype(gt.bfloat16)
    with pytest.raises(UnsupportedDTypeError, match="asarray"):
        gt.asarray(np.zeros(2), device=limited)
    with pytest.raises(
        UnsupportedDTypeError, match="uniform: device cpulimited:0 does not support gputensor.float64"
    ):
        gt.rand(2, dtype=gt.float64, device=limited)
    with pytest.raises(TypeError):  # a DTypeError is a TypeError
        gt.arange(3, dtype=gt.float64, device=limited)
    # what the device has works, and is listed by the namespace inspection
    assert (x + 1).tolist() == [2.0, 2.0]
    assert sorted(gt.permutation(5, device=limited).tolist()) == [0, 1, 2, 3, 4]
    assert gt.mean(gt.arange(4, device=limited)).dtype is gt.float32
    assert "float64" not in gt.__array_namespace_info__().dtypes(device=limited)


def test_unknown_devices():
    with pytest.raises(DeviceError, match="unknown device type 'nosuch'"):
        gt.ones(1).to("nosuch:0")
    with pytest.raises(DeviceError, match="cpu:1 does not exist"):
        gt.device("cpu:1")
