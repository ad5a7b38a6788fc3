"""A toy backend package, installed out of tree, arrives through the ``gputensor.devices``
entry point and runs ops (forward and backward) without any change to gputensor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices import registry

PLUGIN = Path(__file__).resolve().parent / "toy_plugin"


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q",
         "--target", str(site), str(PLUGIN)],
        check=True, cwd=site,
    )
    sys.path.insert(0, str(site))
    registry.rescan_entry_points()
    yield site
    sys.path.remove(str(site))
    for key in [k for k in registry._devices if k[0] == "toy"]:
        del registry._devices[key]
    registry._classes.pop("toy", None)
    registry._BUILTIN.pop("toy", None)
    for name in [m for m in sys.modules if m.startswith("gputensor_toy")]:
        del sys.modules[name]


def test_entry_point_registers_the_backend(toy_site):
    assert "toy" in registry.backend_types()
    dev = gt.device("toy:0")
    assert type(dev.backend).__name__ == "ToyBackend"
    assert "toy:0" in [str(d) for d in gt.devices.info.available_devices()]


def test_ops_and_gradients_run_on_the_toy_device(toy_site):
    calls = type(gt.device("toy:0").backend).calls
    calls.clear()
    with gt.device("toy:0"):
        x = gt.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
        w = gt.ones((2, 3))
    y = gt.relu(x @ w).sum(axis=1)
    z = (y * y)[::-1].sum()
    z.backward()
    assert x.device == "toy:0" and x.grad.device == "toy:0"
    hidden = np.array([[1.0, -2.0], [3.0, 4.0]]) @ np.ones((2, 3))
    expected_y = np.maximum(hidden, 0).sum(axis=1)
    np.testing.assert_allclose(y.numpy(), expected_y)
    grad_ref = 2 * expected_y[:, None] * (hidden > 0).astype(float) @ np.ones((3, 2))
    np.testing.assert_allclose(x.grad.numpy(), grad_ref)
    for primitive in ("matmul", "binary", "reduce", "from_host", "to_host"):
        assert calls.get(primitive, 0) > 0, f"{primitive} did not go through the toy backend"


def test_mixing_the_toy_device_with_cpu_is_an_error(toy_site):
    a = gt.ones(2, device="toy:0")
    b = gt.ones(2, device="cpu")
    with pytest.raises(gt.errors.DeviceError, match="toy:0.*cpu"):
        a + b
    assert (a.to("cpu") + b).tolist() == [2.0, 2.0]
