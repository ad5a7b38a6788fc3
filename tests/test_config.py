"""Runtime settings: the environment-variable table and log_device_placement."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import gputensor as gt
from gputensor.config import VARIABLES, devices_under_test, settings


def test_log_device_placement_prints_primitives_with_their_device():
    buf = io.StringIO()
    gt.config.log_device_placement(True, stream=buf)
    try:
        x = gt.ones(3, device="cpu")
        gt.exp(x) + 1
    finally:
        gt.config.log_device_placement(False)
    lines = buf.getvalue().splitlines()
    assert "gputensor: unary(exp) -> cpu" in lines
    assert "gputensor: binary(add) -> cpu" in lines
    before = buf.getvalue()
    gt.ones(3) * 2
    assert buf.getvalue() == before, "logging must stop when turned off"


def test_environment_variables_are_read_at_import():
    env = {**os.environ, "GPUTENSOR_LOG_DEVICE_PLACEMENT": "1", "GPUTENSOR_NUMPY_POOL": "0",
           "GPUTENSOR_DEVICES": "cpu, cpu"}
    code = ("import gputensor as gt; from gputensor.config import settings, devices_under_test; "
            "print(settings.log_placement, settings.numpy_pool, devices_under_test()); gt.ones(2) + 1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[0] == "True False ['cpu', 'cpu']"
    assert "binary(add) -> cpu" in out.stderr


def test_every_variable_has_a_default_and_meaning():
    for name, (default, meaning) in VARIABLES.items():
        assert name.startswith("GPUTENSOR_") and meaning
        assert isinstance(default, str)
    assert isinstance(settings.sync, bool)
    assert isinstance(devices_under_test(), list)
