"""Models: the seeds' code as written, functional and subclassed models, fit options,
evaluate/predict/train_on_batch, and a short training run on every available device."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt

RNG = np.random.default_rng(4)


def _blobs(n=240, features=8, classes=3, seed=0):
    """Separable Gaussian blobs: (x float32, integer labels)."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, features)) * 3
    labels = rng.integers(0, classes, n)
    x = (centers[labels] + rng.standard_normal((n, features))).astype(np.float32)
    return x, labels


def _seed_model(features):
    model = gt.nn.Sequential()
    model.add(gt.nn.Dense(512, activation="relu", input_shape=(features,)))
    model.add(gt.nn.Dense(256, activation="relu"))
    model.add(gt.nn.Dense(128, activation="relu"))
    model.add(gt.nn.Dropout(0.2))
    model.add(gt.nn.Dense(10, activation="softmax"))
    return model


def test_seed_code_runs_as_written(capsys):
    x, labels = _blobs(300, 20, 10)
    x_train, y_train = x[:240], np.eye(10)[labels[:240]]
    x_test, y_test = x[240:], np.eye(10)[labels[240:]]
    model = _seed_model(20)
    model.compile(loss="categorical_crossentropy", optimizer=gt.nn.optimizers.RMSprop(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=128, epochs=3)
    score = model.evaluate(x_test, y_test)
    out = capsys.readouterr().out
    assert "Epoch 1/3" in out and "2/2 [==============================]" in out and "accuracy:" in out
    assert len(history.history["loss"]) == 3 and history.history["loss"][-1] < history.history["loss"][0]
    assert isinstance(score, list) and len(score) == 2 and score[1] > 0.8


def test_short_training_run_on_device(device):
    x, labels = _blobs()
    model = gt.nn.Sequential([gt.nn.Dense(16, activation="relu"), gt.nn.Dense(3, activation="softmax")])
    model.to(device)
    model.compile(
        optimizer=gt.nn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(x, labels, batch_size=32, epochs=6, verbose=0)
    assert all(w.device == device for w in model.weights)
    assert all(s.device == device for s in model.optimizer.variables())
    assert history.history["accuracy"][-1] > 0.9
    probs = model.predict(x[:10], verbose=0)
    assert probs.shape == (10, 3) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_functional_model_multiple_outputs():
    inputs = gt.nn.Input(shape=(8,))
    hidden = gt.nn.Dense(16, activation="relu")(inputs)
    cls = gt.nn.Dense(3, activation="softmax", name="cls")(hidden)
    reg = gt.nn.Dense(1, name="reg")(hidden)
    model = gt.nn.Model(inputs=inputs, outputs=[cls, reg])
    model.compile(
        optimizer="adam",
        loss=["sparse_categorical_crossentropy", "mse"],
        metrics=["accuracy"],
        loss_weights=[1.0, 0.5],
    )
    x, labels = _blobs()
    history = model.fit(x, [labels, x[:, :1]], epochs=2, verbose=0)
    assert {"loss", "cls_accuracy", "reg_accuracy"} <= set(history.history)
    outs = model.predict(x[:4], verbose=0)
    assert [o.shape for o in outs] == [(4, 3), (4, 1)]


class _Residual(gt.nn.Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = gt.nn.Dense(units, activation="tanh")
        self.head = gt.nn.Dense(3, activation="softmax")

    def call(self, x):
        h = self.inner(x)
        return self.head(h + self.inner(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_subclassed_model_trains_and_tracks_layers():
    model = _Residual()
    model.compile(
        optimizer=gt.nn.optimizers.SGD(0.1, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x, labels = _blobs()
    history = model.fit(x, labels, epochs=4, batch_size=16, verbose=0)
    assert len(model.trainable_weights) == 4
    assert history.history["accuracy"][-1] > 0.8


def test_fit_options_validation_shuffle_class_weight_initial_epoch():
    x, labels = _blobs()
    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax", input_shape=(8,))])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x,
        labels,
        epochs=3,
        validation_split=0.25,
        class_weight={0: 2.0, 1: 1.0, 2: 1.0},
        initial_epoch=1,
        shuffle=False,
        verbose=0,
    )
    assert history.epoch == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} == set(history.history)
    history = model.fit(x[:200], labels[:200], validation_data=(x[200:], labels[200:]), epochs=1, verbose=0)
    assert "val_accuracy" in history.history


def test_class_weight_and_sample_weight_change_the_loss():
    x, labels = _blobs(64)
    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax", input_shape=(8,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    plain = model.evaluate(x, labels, verbose=0)
    weights = np.where(labels == 0, 3.0, 0.0)
    weighted = model.evaluate(x, labels, sample_weight=weights, verbose=0)
    per_sample = -np.log(model.predict(x, verbose=0)[np.arange(64), labels])
    assert plain == pytest.approx(per_sample.mean(), rel=1e-4)
    assert weighted == pytest.approx((per_sample * weights).mean(), rel=1e-4)


def test_generators_and_iterables():
    x, labels = _blobs(96)

    def batches():
        while True:
            for lo in range(0, 96, 32):
                yield x[lo : lo + 32], labels[lo : lo + 32]

    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    listed = [(x[lo : lo + 32], labels[lo : lo + 32]) for lo in range(0, 96, 32)]
    history = model.fit(listed, epochs=2, verbose=0, validation_data=listed)
    assert len(history.history["val_loss"]) == 2
    assert model.evaluate(listed, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    assert model.predict(iter([x[:5], x[5:9]]), verbose=0).shape == (9, 3)


def test_train_on_batch_test_on_batch_predict_on_batch():
    x, labels = _blobs(32)
    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax", input_shape=(8,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    first = model.train_on_batch(x, labels)
    for _ in range(20):
        last = model.train_on_batch(x, labels, return_dict=True)
    assert last["loss"] < first[0]
    assert model.test_on_batch(x, labels)[0] == pytest.approx(
        model.evaluate(x, labels, verbose=0)[0], rel=1e-5
    )
    assert model.predict_on_batch(x).shape == (32, 3)


def test_errors_are_clear():
    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax", input_shape=(8,))])
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((4, 8)), np.zeros(4), verbose=0)
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(IndexError, match="label 7 is out of range for 3 classes"):
        model.fit(np.ones((4, 8)), np.array([0, 1, 7, 2]), verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.ones((4, 8)), np.zeros(5, int), verbose=0)


def test_summary_table(capsys):
    model = _seed_model(784)
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "sequential' in text
    assert "dense" in text and "(None, 512)" in text and "401,920" in text
    assert "Total params: 567,434" in text and "Trainable params: 567,434" in text


def test_predict_does_not_record_and_dropout_is_off_in_inference():
    model = _seed_model(16)
    x = RNG.standard_normal((8, 16)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    out = model(x)
    assert out.requires_grad


def test_training_steps_read_nothing_back_from_the_device(monkeypatch):
    """The step (forward, loss, gradients, update, metrics) never reads the device; the only
    reads inside steps are the one-time label check of the first step."""
    from gputensor.devices.numpy_backend import NumpyBackend
    from gputensor.nn import training

    reads = {"in_step": 0, "total": 0}
    inside = [False]
    real_to_host = NumpyBackend.to_host
    real_step = training.train_step

    def counting_to_host(self, x):
        reads["total"] += 1
        reads["in_step"] += inside[0]
        return real_to_host(self, x)

    def watched_step(*args):
        inside[0] = True
        try:
            return real_step(*args)
        finally:
            inside[0] = False

    monkeypatch.setattr(NumpyBackend, "to_host", counting_to_host)
    monkeypatch.setattr(training, "train_step", watched_step)
    x, labels = _blobs(480)
    model = gt.nn.Sequential([gt.nn.Dense(32, activation="relu", input_shape=(8,)), gt.nn.Dropout(0.2),
                              gt.nn.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.fit(x, labels, batch_size=16, epochs=3, verbose=0)
    assert reads["in_step"] <= 2
    assert reads["total"] < 30  # 90 steps: per-epoch shuffles and epoch-end metrics only


def test_short_training_run_on_emulated_tpu():
    """The emulated TPU joins the generic device suite only when named; the Keras path is
    checked on it here (bfloat16 matmul passes, as the chip computes)."""
    x, labels = _blobs()
    dev = gt.device("tpu:0")
    model = gt.nn.Sequential([gt.nn.Dense(16, activation="relu"), gt.nn.Dense(3, activation="softmax")])
    model.to(dev)
    model.compile(optimizer=gt.nn.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, batch_size=32, epochs=6, verbose=0)
    assert all(w.device == dev for w in model.weights)
    assert history.history["accuracy"][-1] > 0.9


def test_fit_on_the_input_pipeline():
    x, labels = _blobs(96)
    dataset = gt.data.Dataset.from_tensor_slices((x, labels)).shuffle(96).batch(32)
    model = gt.nn.Sequential([gt.nn.Dense(3, activation="softmax")])
    model.compile(optimizer=gt.nn.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(dataset, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3 and history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(dataset, verbose=0, return_dict=True)["accuracy"] > 0.5
