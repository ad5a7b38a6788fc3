"""``model.fit`` / ``evaluate`` take a Dataset of ``(x, y)`` batches."""

from __future__ import annotations

import numpy as np

import gputensor as gt


def test_model_fit_accepts_a_dataset():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.int64)
    model = gt.nn.Sequential()
    model.add(gt.nn.Dense(8, activation="relu", input_shape=(4,)))
    model.add(gt.nn.Dense(2, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=gt.nn.optimizers.Adam(0.05),
                  metrics=["accuracy"])
    ds = gt.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16)
    history = model.fit(ds, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(ds, verbose=0)[1] >= 0.9
