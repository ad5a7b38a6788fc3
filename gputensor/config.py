"""Runtime settings: every ``GPUTENSOR_*`` environment variable is read here and nowhere else.

The README has the same list as a table. Values are read once, at import; the functions below
change them at run time.

>>> import gputensor as gt
>>> gt.config.log_device_placement(False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# name -> (default, meaning); the README's table is written from this.
VARIABLES: dict[str, tuple[str, str]] = {
    "GPUTENSOR_DEVICE": (
        "",
        "Default device for new tensors (`cpu`, `cuda:0`, `opencl:0`, `tpu:0`). Empty: the first "
        "working CUDA GPU, else `cpu`.",
    ),
    "GPUTENSOR_DEVICES": (
        "",
        "Comma-separated devices the test suite runs device tests on (e.g. `cpu,opencl:0`). "
        "Empty: every available device except emulated ones (`tpu:N`), which run only when "
        "named here.",
    ),
    "GPUTENSOR_SYNC": (
        "0",
        "`1`: wait for every kernel launch to finish and name the kernel that failed (debugging).",
    ),
    "GPUTENSOR_NUMPY_POOL": (
        "1",
        "`0`: turn off the CPU backend's buffer pool (large temporaries then come from malloc).",
    ),
    "GPUTENSOR_LOG_DEVICE_PLACEMENT": (
        "0",
        "`1`: print each primitive an op runs with its device (same as "
        "`gt.config.log_device_placement(True)`).",
    ),
    "GPUTENSOR_TPU_CHIP": (
        "v2",
        "Chip generation (`v2`, `v3`, `v4`, `v5e`) or slice (`v2-8`, `v5e-16`) of the emulated "
        "`tpu:N` devices when `gt.device(\"tpu:0\", chip=...)` names none.",
    ),
}


def _env(name: str) -> str:
    return os.environ.get(name, VARIABLES[name][0]).strip()


def _flag(name: str) -> bool:
    return _env(name).lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    """The live values; change them through the functions of this module."""

    device: str = field(default_factory=lambda: _env("GPUTENSOR_DEVICE"))
    devices_under_test: str = field(default_factory=lambda: _env("GPUTENSOR_DEVICES"))
    sync: bool = field(default_factory=lambda: _flag("GPUTENSOR_SYNC"))
    numpy_pool: bool = field(default_factory=lambda: _env("GPUTENSOR_NUMPY_POOL") != "0")
    log_placement: bool = field(default_factory=lambda: _flag("GPUTENSOR_LOG_DEVICE_PLACEMENT"))
    tpu_chip: str = field(default_factory=lambda: _env("GPUTENSOR_TPU_CHIP"))


settings = Settings()


def log_device_placement(enabled: bool = True, stream=None) -> None:
    """Print every primitive an op runs with the device it runs on (to ``stream``, default
    stderr), like TensorFlow's ``log_device_placement``."""
    from .devices import placement_log, registry

    settings.log_placement = bool(enabled)
    placement_log.apply(list(registry._devices.values()), settings.log_placement, stream)


def set_sync(enabled: bool = True) -> None:
    """Wait after every kernel launch (``GPUTENSOR_SYNC=1``)."""
    settings.sync = bool(enabled)


def devices_under_test() -> list[str]:
    """The devices named by ``GPUTENSOR_DEVICES`` (empty list: all available)."""
    return [d.strip() for d in settings.devices_under_test.split(",") if d.strip()]


def readme_table() -> str:
    """The Markdown table of environment variables that the README carries."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, (default, meaning) in VARIABLES.items():
        shown = f"`{default}`" if default else "(empty)"
        lines.append(f"| `{name}` | {shown} | {meaning} |")
    return "\n".join(lines)
