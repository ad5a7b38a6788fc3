"""``python -m gputensor info`` and ``demo``."""

from __future__ import annotations

import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "gputensor", *args], capture_output=True, text=True,
                          check=True).stdout


def test_info_lists_backends_and_default_device():
    out = _run("info")
    assert "cpu:" in out and "usable" in out
    assert "Default device:" in out


def test_info_says_why_a_backend_is_unusable(monkeypatch):
    from gputensor.devices import registry
    from gputensor.devices.info import report

    monkeypatch.setitem(registry._BUILTIN, "broken", "gputensor_no_such_module:Backend")
    text = report()
    assert "broken:" in text and "unusable" in text and "No module named 'gputensor_no_such_module'" in text


def test_demo_fits_the_line():
    out = _run("demo")
    assert "fitted y = 3.0" in out
