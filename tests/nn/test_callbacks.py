"""Callbacks: one test each, the progress bar on and off a terminal, and TensorBoard files read
back with TensorBoard's own reader."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import callbacks
from gputensor.nn.callbacks.progbar import Progbar
from gputensor.nn.callbacks.tensorboard import crc32c, masked_crc32c


def _data(n=96):
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 2, n)
    x = (rng.standard_normal((n, 4)) + labels[:, None] * 2).astype(np.float32)
    return x, labels


def _model(lr=0.05):
    model = gt.nn.Sequential([gt.nn.Dense(2, activation="softmax", input_shape=(4,))])
    model.compile(
        optimizer=gt.nn.optimizers.SGD(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


class _Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin", self.params["epochs"], self.params["steps"]))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, sorted(logs)))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch", batch))


def test_callback_hooks_and_history():
    x, y = _data()
    rec = _Recorder()
    history = _model().fit(x, y, batch_size=32, epochs=2, callbacks=[rec], verbose=0, validation_split=0.25)
    assert rec.events[0] == ("train_begin", 2, 3)
    assert ("epoch_end", 1, ["accuracy", "loss", "val_accuracy", "val_loss"]) in rec.events
    assert sum(1 for e in rec.events if e[0] == "batch") == 6
    assert history.epoch == [0, 1] and len(history.history["val_loss"]) == 2


def test_lambda_callback():
    x, y = _data()
    seen = []
    cb = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 6))),
        on_batch_end=lambda batch, logs: seen.append(batch),
    )
    _model().fit(x, y, batch_size=48, epochs=2, callbacks=[cb], verbose=0)
    assert [s for s in seen if isinstance(s, int)] == [0, 1, 0, 1] and len(seen) == 6
    with pytest.raises(TypeError, match="unknown hook"):
        callbacks.LambdaCallback(on_epoch_finish=print)


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _model(lr=0.0)  # nothing improves
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, callbacks=[stop], verbose=0)
    assert len(history.epoch) == 3 and stop.stopped_epoch == 2
    rising = iter([1.0, 0.5, 0.7, 0.8, 0.9, 1.0])

    class Fake(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["loss"] = next(rising)

    model = _model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=6, callbacks=[Fake(), stop], verbose=0)
    assert stop.best_epoch == 1 and stop.stopped_epoch == 3


def test_model_checkpoint_best_only(tmp_path):
    x, y = _data()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{loss:.3f}.safetensors")
    cb = callbacks.ModelCheckpoint(pattern, monitor="loss", save_best_only=True)
    model = _model()
    model.fit(x, y, epochs=3, callbacks=[cb], verbose=0)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 and files[0].startswith("ckpt-01-")
    reloaded = gt.nn.load_model(tmp_path / files[-1])
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    weights_only = callbacks.ModelCheckpoint(tmp_path / "w.safetensors", save_weights_only=True)
    model.fit(x, y, epochs=1, callbacks=[weights_only], verbose=0)
    fresh = _model()
    fresh.load_weights(tmp_path / "w.safetensors")
    np.testing.assert_array_equal(fresh.get_weights()[0], model.get_weights()[0])


def test_reduce_lr_on_plateau():
    x, y = _data()
    model = _model(lr=0.0)
    model.optimizer.learning_rate = 0.0
    cb = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.0)
    model.optimizer.learning_rate = 1e-12
    model.fit(x, y, epochs=4, callbacks=[cb], verbose=0)
    assert model.optimizer.learning_rate < 1e-12
    model = _model(lr=0.4)
    cb = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.1)
    model.optimizer.learning_rate = 0.4
    model.fit(x, y, epochs=1, callbacks=[cb], verbose=0)
    assert model.optimizer.learning_rate == 0.4


def test_csv_logger(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    _model().fit(x, y, epochs=2, callbacks=[callbacks.CSVLogger(path)], verbose=0)
    _model().fit(x, y, epochs=1, callbacks=[callbacks.CSVLogger(path, append=True)], verbose=0)
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["0", "1", "0"]
    assert set(rows[0]) == {"epoch", "loss", "accuracy"} and float(rows[1]["loss"]) > 0


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_terminal_and_file_output():
    logs = {"loss": 0.123456, "accuracy": 0.5}
    plain = io.StringIO()
    bar = Progbar(469, stream=plain)
    bar.update(100, logs)
    assert plain.getvalue() == ""
    bar.update(469, logs, finalize=True)
    line = plain.getvalue()
    assert line.count("\n") == 1
    assert line.startswith("469/469 [==============================] - ")
    assert "ms/step" in line or "us/step" in line
    assert line.rstrip().endswith("- loss: 0.1235 - accuracy: 0.5000")
    tty = _Tty()
    bar = Progbar(469, stream=tty, interval=0.0)
    bar.update(100, logs)
    assert tty.getvalue().startswith("\r100/469 [=====>.") and "ETA:" in tty.getvalue()


def test_fit_prints_epoch_lines(capsys):
    x, y = _data()
    _model().fit(x, y, batch_size=32, epochs=2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[1].startswith("3/3 [==============================] - ")
    assert "loss: " in out[1] and "accuracy: " in out[1] and len(out) == 4


def test_tensorboard_event_files_read_by_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    assert crc32c(b"123456789") == 0xE3069283
    assert masked_crc32c(b"") == 0xA282EAD8
    x, y = _data()
    board = callbacks.TensorBoard(log_dir=tmp_path, update_freq=2)
    history = _model().fit(x, y, epochs=3, batch_size=32, validation_split=0.25, callbacks=[board], verbose=0)
    train = EventAccumulator(str(tmp_path / "train"))
    train.Reload()
    scalars = train.Tags()["scalars"]
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss"} <= set(scalars)
    losses = train.Scalars("epoch_loss")
    assert [e.step for e in losses] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in losses], history.history["loss"], rtol=1e-6)
    val = EventAccumulator(str(tmp_path / "validation"))
    val.Reload()
    np.testing.assert_allclose(
        [e.value for e in val.Scalars("epoch_accuracy")], history.history["val_accuracy"], rtol=1e-6
    )
