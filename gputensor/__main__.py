"""Command line: ``python -m gputensor info`` lists devices; ``python -m gputensor demo`` runs a
short computation on the default device."""

from __future__ import annotations

import argparse
import sys
import time


def info() -> str:
    """Devices of every backend, the default device and the runtime settings."""
    import gputensor as gt
    from gputensor.config import settings
    from gputensor.devices.info import report

    header = f"gputensor {gt.__version__} (array API {gt.__array_api_version__})"
    lines = [header, "", "Devices:", report(), ""]
    lines.append(f"Default device: {gt.default_device()}")
    lines.append(f"Settings: sync={settings.sync} numpy_pool={settings.numpy_pool} "
                 f"log_device_placement={settings.log_placement}")
    return "\n".join(lines)


def demo() -> str:
    """Fit a least-squares line with GradientTape on the default device and report it."""
    import gputensor as gt

    dev = gt.default_device()
    gt.manual_seed(0)
    with dev:
        x = gt.rand(256, 1)
        y = x * 3.0 + 0.5 + gt.randn(256, 1) * 0.01
        w = gt.zeros((1, 1), dtype=gt.float32).requires_grad_()
        b = gt.zeros((1,), dtype=gt.float32).requires_grad_()
    start = time.perf_counter()
    for _ in range(300):
        with gt.GradientTape() as tape:
            loss = gt.mean((x @ w + b - y) ** 2)
        gw, gb = tape.gradient(loss, [w, b])
        with gt.no_grad():
            w -= gw * 0.5
            b -= gb * 0.5
    seconds = time.perf_counter() - start
    return (f"demo on {dev}: fitted y = {w.item():.3f} x + {b.item():.3f} (true 3.000 x + 0.500), "
            f"final loss {loss.item():.2e}, 300 steps in {seconds:.2f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gputensor", description=__doc__)
    parser.add_argument("command", choices=["info", "demo"], nargs="?", default="info")
    args = parser.parse_args(argv)
    print(info() if args.command == "info" else demo())
    return 0


if __name__ == "__main__":
    sys.exit(main())
