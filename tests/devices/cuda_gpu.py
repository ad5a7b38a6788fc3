"""Shared by the CUDA tests: which CUDA devices work here, and the skip that names what is
missing (CuPy, a driver, a GPU) where none does."""

from __future__ import annotations

import pytest

from gputensor.devices.cuda import probe

INFOS = probe.probe()
USABLE = [info.name for info in INFOS if info.usable]
WHY = "; ".join(info.reason for info in INFOS if not info.usable) or "no CUDA device"
needs_gpu = pytest.mark.skipif(not USABLE, reason=f"needs a working NVIDIA GPU with CuPy: {WHY}")
