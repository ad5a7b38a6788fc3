"""Saving: save -> load gives identical predictions (Sequential, functional, registered
subclass), optimizer state survives, writes are atomic, damage and mismatches raise clear
errors, and the files are real safetensors."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import safetensors_format
from gputensor.nn.safetensors_format import CorruptFileError

RNG = np.random.default_rng(6)
X = RNG.standard_normal((40, 6)).astype(np.float32)
Y = RNG.integers(0, 3, 40)


def _sequential():
    model = gt.nn.Sequential(
        [
            gt.nn.Dense(8, activation="relu", input_shape=(6,)),
            gt.nn.BatchNormalization(),
            gt.nn.Dropout(0.1),
            gt.nn.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=gt.nn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    return model


def test_save_load_identical_predictions_and_training_continues(tmp_path):
    model = _sequential()
    path = tmp_path / "model.safetensors"
    model.save(path)
    loaded = gt.nn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "Dense",
        "BatchNormalization",
        "Dropout",
        "Dense",
    ]
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10
    assert isinstance(loaded.optimizer, gt.nn.optimizers.Adam) and loaded.optimizer.learning_rate == 0.01
    for a, b in zip(model.optimizer.variables(), loaded.optimizer.variables()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    gt.manual_seed(9)
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    gt.manual_seed(9)
    loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_functional_model_round_trip(tmp_path):
    inputs = gt.nn.Input(shape=(6,))
    shared = gt.nn.Dense(5, activation="tanh")
    a = shared(inputs)
    b = shared(gt.nn.Dense(6)(inputs))
    merged = gt.nn.Concatenate()([a, b])
    model = gt.nn.Model(inputs, gt.nn.Dense(2)(merged))
    path = tmp_path / "functional.safetensors"
    model.save(path)
    loaded = gt.nn.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


@gt.nn.register_serializable
class Scaled(gt.nn.Model):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.dense = gt.nn.Dense(3)

    def call(self, x):
        return self.dense(x) * self.factor

    def get_config(self):
        return {"factor": self.factor, "name": self.name}


def test_registered_subclass_round_trip(tmp_path):
    model = Scaled(3.0)
    model(X[:2])
    path = tmp_path / "sub.safetensors"
    model.save(path)
    loaded = gt.nn.load_model(path)
    assert isinstance(loaded, Scaled) and loaded.factor == 3.0
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_unregistered_subclass_needs_save_weights(tmp_path):
    class Plain(gt.nn.Model):
        def __init__(self):
            super().__init__()
            self.dense = gt.nn.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Plain()
    model(X[:1])
    with pytest.raises(ValueError, match="register_serializable"):
        model.save(tmp_path / "x.safetensors")
    model.save_weights(tmp_path / "w.safetensors")
    other = Plain()
    other(X[:1])
    other.load_weights(tmp_path / "w.safetensors")
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))


def test_files_are_real_safetensors_and_never_pickle(tmp_path):
    from safetensors.numpy import load_file

    model = _sequential()
    path = tmp_path / "m.safetensors"
    model.save(path)
    tensors = load_file(str(path))
    assert np.array_equal(tensors["weights/0000"], model.get_weights()[0])
    raw = path.read_bytes()
    assert b"pickle" not in raw and b"\x80\x04" not in raw[:16]
    header, _, _ = safetensors_format.read_header(path)
    config = json.loads(header["__metadata__"]["model_config"])
    assert config["class_name"] == "Sequential"


def test_crash_mid_save_keeps_previous_file(tmp_path, monkeypatch):
    model = _sequential()
    path = tmp_path / "ckpt.safetensors"
    model.save(path)
    before = path.read_bytes()
    model.fit(X, Y, epochs=1, verbose=0)

    real_fsync = os.fsync

    def crash(fd):
        raise OSError("disk full (simulated crash)")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="simulated crash"):
        model.save(path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.safetensors"]
    gt.nn.load_model(path)


@pytest.mark.parametrize("damage", ["truncate_header", "truncate_data", "flip_byte", "garbage", "empty"])
def test_corrupted_files_raise_clear_errors(tmp_path, damage):
    model = _sequential()
    path = tmp_path / "bad.safetensors"
    model.save(path)
    raw = bytearray(path.read_bytes())
    if damage == "truncate_header":
        raw = raw[:20]
    elif damage == "truncate_data":
        raw = raw[:-100]
    elif damage == "flip_byte":
        raw[-50] ^= 0xFF
    elif damage == "garbage":
        raw = bytearray(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptFileError, match=str(path)):
        gt.nn.load_model(path)
    with pytest.raises(CorruptFileError):
        model.load_weights(path)


def test_mismatching_weights_name_the_layer_and_shapes(tmp_path):
    small = gt.nn.Sequential([gt.nn.Dense(8, input_shape=(6,), name="hidden"), gt.nn.Dense(3, name="head")])
    path = tmp_path / "w.safetensors"
    small.save_weights(path)
    wider = gt.nn.Sequential([gt.nn.Dense(9, input_shape=(6,), name="hidden2"), gt.nn.Dense(3)])
    with pytest.raises(
        ValueError,
        match=r"layer 'hidden2' weight 'kernel' has shape \(6, 9\) in the model but "
        r"\(6, 8\) in the file",
    ):
        wider.load_weights(path)
    deeper = gt.nn.Sequential([gt.nn.Dense(8, input_shape=(6,)), gt.nn.Dense(3), gt.nn.Dense(2)])
    with pytest.raises(ValueError, match="fewer weights than the model"):
        deeper.load_weights(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        small.load_weights(tmp_path / "missing.safetensors")
