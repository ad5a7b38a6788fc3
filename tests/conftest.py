"""Shared fixtures: ``device`` runs a test on every available device (narrowed by
``GPUTENSOR_DEVICES``).

Emulated devices (``tpu:N``) compute in bfloat16 and 32 bits on purpose, so they join the
generic suite only when named, e.g. ``GPUTENSOR_DEVICES=cpu,tpu:0``; their own tests live in
tests/devices/test_tpu_*.py."""

from __future__ import annotations

import pytest

import gputensor as gt
from gputensor.config import devices_under_test
from gputensor.devices.info import available_devices


def _device_names() -> list[str]:
    wanted = devices_under_test()
    if wanted:
        return wanted
    return [d.name for d in available_devices()]


DEVICES = _device_names()


@pytest.fixture(params=DEVICES)
def device(request):
    """Each available device in turn (``GPUTENSOR_DEVICES=cpu,opencl:0`` narrows the list)."""
    return gt.device(request.param)


@pytest.fixture(autouse=True)
def _fresh_seed():
    gt.manual_seed(1234)
    yield
