"""EarlyStopping, ModelCheckpoint, ReduceLROnPlateau and CSVLogger, with Keras' arguments."""

from __future__ import annotations

import csv
import math
import os
import sys

from ...errors import ArgumentValueError
from .base import Callback


class _Monitor:
    """Tracks the best value of a logged quantity (``mode`` "min", "max" or "auto")."""

    def __init__(self, owner: str, monitor: str, mode: str, min_delta: float):
        if mode not in ("auto", "min", "max"):
            raise ArgumentValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) else "min"
        self.owner = owner
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(float(min_delta))
        self.best = math.inf if mode == "min" else -math.inf

    def value(self, logs):
        logs = logs or {}
        if self.monitor not in logs:
            available = ", ".join(sorted(logs))
            sys.stderr.write(f"{self.owner}: '{self.monitor}' is not in the logs (available: {available})\n")
            return None
        return float(logs[self.monitor])

    def improved(self, value: float, reference: float | None = None) -> bool:
        reference = self.best if reference is None else reference
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by ``min_delta`` for ``patience``
    epochs; ``restore_best_weights`` puts back the weights of the best epoch.

    >>> import gputensor as gt
    >>> stop = gt.nn.callbacks.EarlyStopping(monitor="loss", patience=2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ):
        super().__init__()
        self.tracker = _Monitor("EarlyStopping", monitor, mode, min_delta)
        self.monitor = monitor
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0
        self.tracker.best = math.inf if self.tracker.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = self.tracker.value(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.tracker.improved(value):
            self.tracker.best = value
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.tracker.improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping (best epoch {self.best_epoch + 1})")


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) after every epoch, or only when ``monitor``
    improves (``save_best_only``). ``filepath`` may hold ``{epoch}`` and any logged value:
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"``. Every write is atomic."""

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
    ):
        super().__init__()
        if save_freq != "epoch":
            raise ArgumentValueError(
                f"ModelCheckpoint: only save_freq='epoch' is supported, got {save_freq!r}"
            )
        self.filepath = os.fspath(filepath)
        self.tracker = _Monitor("ModelCheckpoint", monitor, mode, 0.0)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.save_best_only:
            value = self.tracker.value(logs)
            if value is None or not self.tracker.improved(value):
                return
            self.tracker.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved to {path}")


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` has not improved for
    ``patience`` epochs (not below ``min_lr``; then waits ``cooldown`` epochs)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise ArgumentValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        self.tracker = _Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        self.factor = float(factor)
        self.patience = int(patience)
        self.verbose = verbose
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        value = self.tracker.value(logs)
        if value is None:
            return
        if isinstance(logs, dict):
            logs["learning_rate"] = self.model.optimizer.current_learning_rate()
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.tracker.improved(value):
            self.tracker.best = value
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            optimizer = self.model.optimizer
            old = optimizer.current_learning_rate()
            new = max(old * self.factor, self.min_lr)
            if new < old:
                optimizer.learning_rate = new
                if self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:g}")
                self.cooldown_counter = self.cooldown
                self.wait = 0


class CSVLogger(Callback):
    """Writes one row per epoch (``epoch`` and every logged value) to ``filename``."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self.keys = None
        self.file = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self.file = open(self.filename, "a" if self.append else "w", newline="")
        self.keys = None
        self._header_written = exists

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.DictWriter(
                self.file, fieldnames=["epoch", *self.keys], delimiter=self.separator
            )
            if not self._header_written:
                self.writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs=None):
        if self.file is not None:
            self.file.close()
            self.file = None
