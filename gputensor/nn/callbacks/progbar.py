"""Keras-style progress output.

On a terminal the bar is redrawn in place (at most every 50 ms, reading the shown metrics
back from the device then)::

    Epoch 1/20
    469/469 [==============================] - 2s 4ms/step - loss: 0.5312 - accuracy: 0.8121

When output is not a terminal (a log file, CI), nothing is printed during an epoch and the
finished line is printed once. ``verbose=2`` prints one summary line per epoch.
"""

from __future__ import annotations

import sys
import time

from .base import Callback


def format_value(value: float) -> str:
    """Keras' number format: 4 decimals, scientific below 1e-3."""
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"


def format_duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(round(seconds))}s"


def format_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """A progress bar for ``target`` steps (None when unknown), written to ``stream``."""

    def __init__(
        self, target: int | None, width: int = 30, verbose: int = 1, stream=None, interval: float = 0.05
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.stream = sys.stdout if stream is None else stream
        self.interval = interval
        self.dynamic = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.drawn_width = 0

    def update(self, current: int, logs=None, finalize: bool = False) -> None:
        """Show step ``current`` with ``logs`` (read now, only when drawn)."""
        if self.verbose == 0:
            return
        now = time.perf_counter()
        if not finalize:
            if not self.dynamic or self.verbose != 1 or now - self.last_draw < self.interval:
                return
        self.last_draw = now
        line = self._line(current, logs or {}, now, finalize)
        if self.dynamic and self.verbose == 1:
            pad = max(self.drawn_width - len(line), 0)
            self.stream.write("\r" + line + " " * pad + ("\n" if finalize else ""))
            self.drawn_width = len(line)
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _line(self, current: int, logs, now: float, finalize: bool) -> str:
        elapsed = now - self.start
        per_step = elapsed / max(current, 1)
        if self.verbose == 2:
            parts = [f"{current}/{self.target}" if self.target else f"{current}", format_duration(elapsed)]
            parts.append(format_per_step(per_step))
        else:
            parts = [self._bar(current)]
            if finalize or self.target is None:
                parts.append(f"{format_duration(elapsed)} {format_per_step(per_step)}")
            else:
                parts.append(f"ETA: {format_duration(per_step * (self.target - current))}")
        for key in logs:
            parts.append(f"{key}: {format_value(logs[key])}")
        return " - ".join(parts)

    def _bar(self, current: int) -> str:
        if not self.target:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        done = int(self.width * current / self.target)
        if current >= self.target:
            body = "=" * self.width
        else:
            body = "=" * max(done - 1, 0) + (">" if done else "") + "." * (self.width - done)
        return f"{current:>{digits}}/{self.target} [{body}]"


class ProgbarLogger(Callback):
    """Prints ``Epoch i/N`` and a progress bar per epoch (``fit`` adds it for ``verbose > 0``)."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.bar = None
        self.seen = 0

    def _verbose(self) -> int:
        return self.params.get("verbose", 1)

    def on_epoch_begin(self, epoch, logs=None):
        if self._verbose():
            stream = sys.stdout if self.stream is None else self.stream
            stream.write(f"Epoch {epoch + 1}/{self.params.get('epochs')}\n")
            stream.flush()
        self._start()

    def _start(self):
        self.bar = Progbar(self.params.get("steps"), verbose=self._verbose(), stream=self.stream)
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        self.bar.update(self.seen, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.target = self.bar.target or self.seen
            self.bar.update(self.seen, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if self.params.get("mode") == "evaluate":
            self._start()

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("mode") == "evaluate":
            self.on_train_batch_end(batch, logs)

    def on_test_end(self, logs=None):
        if self.params.get("mode") == "evaluate" and self.bar is not None:
            self.bar.target = self.bar.target or self.seen
            self.bar.update(self.seen, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._start()

    def on_predict_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)

    def on_predict_end(self, logs=None):
        self.bar.target = self.bar.target or self.seen
        self.bar.update(self.seen, {}, finalize=True)
