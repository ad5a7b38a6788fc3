"""TensorBoard event files, written without TensorFlow: TFRecord framing (with masked CRC-32C
checksums) around ``Event`` protocol buffers encoded by hand, holding scalar summaries.

The files are what ``tensorboard --logdir`` reads: the layout is Keras' (``<log_dir>/train``
and ``<log_dir>/validation``, tags ``epoch_loss``, ``epoch_accuracy``, ...).

>>> import tempfile
>>> from gputensor.nn.callbacks.tensorboard import EventWriter
>>> with EventWriter(tempfile.mkdtemp()) as w:
...     w.scalar("loss", 0.5, step=0)
"""

from __future__ import annotations

import os
import socket
import struct
import time

from .base import Callback


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum of TFRecord files."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        bits = n & 0x7F
        n >>= 7
        if n:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint((number << 3) | 2) + _varint(len(payload)) + payload


def encode_event(
    wall_time: float, step: int = 0, file_version: str | None = None, scalars: dict | None = None
) -> bytes:
    """An ``Event`` message: wall_time (1), step (2), file_version (3) or a summary (5) of
    ``Summary.Value{tag (1), simple_value (2)}`` entries."""
    out = _varint((1 << 3) | 1) + struct.pack("<d", wall_time)
    out += _varint(2 << 3) + _varint(int(step))
    if file_version is not None:
        out += _field_bytes(3, file_version.encode())
    if scalars:
        summary = b""
        for tag, value in scalars.items():
            entry = _field_bytes(1, tag.encode()) + _varint((2 << 3) | 5) + struct.pack("<f", float(value))
            summary += _field_bytes(1, entry)
        out += _field_bytes(5, summary)
    return out


class EventWriter:
    """Appends events to a new ``events.out.tfevents.*`` file in ``log_dir``."""

    _count = 0

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        EventWriter._count += 1
        stamp = f"{int(time.time())}.{socket.gethostname()}.{os.getpid()}.{EventWriter._count}"
        name = f"events.out.tfevents.{stamp}.v2"
        self.path = os.path.join(log_dir, name)
        self.file = open(self.path, "wb")
        self._write(encode_event(time.time(), 0, file_version="brain.Event:2"))

    def _write(self, record: bytes) -> None:
        header = struct.pack("<Q", len(record))
        self.file.write(header + struct.pack("<I", masked_crc32c(header)))
        self.file.write(record + struct.pack("<I", masked_crc32c(record)))

    def scalar(self, tag: str, value: float, step: int) -> None:
        self._write(encode_event(time.time(), step, scalars={tag: value}))

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class TensorBoard(Callback):
    """Logs every epoch's metrics (``epoch_loss``, ``epoch_accuracy``, ``epoch_learning_rate``)
    under ``log_dir/train`` and ``log_dir/validation``; with ``update_freq="batch"`` (or every
    N batches) also ``batch_*`` values (each such write reads the metrics back).

    >>> import gputensor as gt, tempfile
    >>> tb = gt.nn.callbacks.TensorBoard(log_dir=tempfile.mkdtemp())
    """

    def __init__(self, log_dir="logs", update_freq="epoch"):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(
                f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive int, got {update_freq!r}"
            )
        self.update_freq = update_freq
        self.writers: dict[str, EventWriter] = {}
        self.train_step = 0

    def _writer(self, kind: str) -> EventWriter:
        if kind not in self.writers:
            self.writers[kind] = EventWriter(os.path.join(self.log_dir, kind))
        return self.writers[kind]

    def on_train_begin(self, logs=None):
        self.train_step = 0

    def on_train_batch_end(self, batch, logs=None):
        self.train_step += 1
        if self.update_freq == "epoch" or self.train_step % self.update_freq:
            return
        writer = self._writer("train")
        for key in logs or {}:
            writer.scalar(f"batch_{key}", logs[key], self.train_step)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        train = self._writer("train")
        for key, value in logs.items():
            if key.startswith("val_"):
                self._writer("validation").scalar(f"epoch_{key[4:]}", value, epoch)
            else:
                train.scalar(f"epoch_{key}", value, epoch)
        if self.model is not None and getattr(self.model, "optimizer", None) is not None:
            train.scalar("epoch_learning_rate", self.model.optimizer.current_learning_rate(), epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()
        self.writers = {}
