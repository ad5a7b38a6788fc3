"""Shared pieces of the Keras-model benchmarks: the seeds' MLP in gputensor and, trained the
same way, in PyTorch (Glorot-uniform kernels, zero biases, ReLU, dropout 0.2, softmax
cross-entropy, RMSprop lr=1e-3 rho=0.9 eps=1e-7, shuffled batches of 128, training accuracy
accumulated per batch as Keras shows it)."""

from __future__ import annotations

import time

import numpy as np

HIDDEN = (512, 256, 128)
CLASSES = 10


def gputensor_run(x_train, y_train, x_test, y_test, epochs, batch_size, seed, device=None):
    """Train the seeds' model with gputensor; (test accuracy, seconds per epoch list, history)."""
    import gputensor as gt

    gt.manual_seed(seed)
    dev = gt.device(device) if device else gt.default_device()
    with dev:
        model = gt.nn.Sequential()
        model.add(gt.nn.Dense(HIDDEN[0], activation="relu", input_shape=(x_train.shape[1],)))
        model.add(gt.nn.Dense(HIDDEN[1], activation="relu"))
        model.add(gt.nn.Dense(HIDDEN[2], activation="relu"))
        model.add(gt.nn.Dropout(0.2))
        model.add(gt.nn.Dense(CLASSES, activation="softmax"))
        model.compile(
            loss="categorical_crossentropy", optimizer=gt.nn.optimizers.RMSprop(), metrics=["accuracy"]
        )
        timer = _EpochTimer(gt)
        eye = np.eye(CLASSES, dtype=np.float32)
        history = model.fit(
            x_train, eye[y_train], batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[timer]
        )
        _, accuracy = model.evaluate(x_test, eye[y_test], verbose=0)
    return (
        float(accuracy),
        timer.seconds,
        {k: [float(v) for v in vals] for k, vals in history.history.items()},
    )


def _EpochTimer(gt):  # noqa: N802  (builds a Callback subclass once gputensor is imported)
    class EpochTimer(gt.nn.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    return EpochTimer()


def torch_run(x_train, y_train, x_test, y_test, epochs, batch_size, seed, threads):
    """The same model and training in PyTorch; (test accuracy, seconds per epoch, history)."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    sizes = (x_train.shape[1], *HIDDEN, CLASSES)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.xavier_uniform_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(HIDDEN):
            layers.append(torch.nn.ReLU())
        if i == len(HIDDEN) - 1:
            layers.append(torch.nn.Dropout(0.2))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt = torch.from_numpy(x_train)
    yt = torch.from_numpy(y_train.astype(np.int64))
    seconds, history = [], {"loss": [], "accuracy": []}
    n = len(xt)
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n)
        xs, ys = xt[order], yt[order]
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for lo in range(0, n, batch_size):
            xb, yb = xs[lo : lo + batch_size], ys[lo : lo + batch_size]
            logits = model(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                total_loss += loss.detach() * len(xb)
                correct += (logits.argmax(1) == yb).sum()
        history["loss"].append(float(total_loss) / n)
        history["accuracy"].append(float(correct) / n)
        seconds.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(1).numpy()
    return float((predicted == y_test).mean()), seconds, history
