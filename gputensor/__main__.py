"""Command line: ``python -m gputensor info`` lists devices; ``python -m gputensor demo`` trains
the seeds' MLP on Fashion-MNIST (``--device D``, ``--epochs N``, ``--output DIR``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


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


def _demo_data(folder=None):
    """Fashion-MNIST (784 features) when installed, else scikit-learn's digits (64)."""
    import numpy as np

    from gputensor import datasets

    if datasets.fashion_mnist_available(folder):
        (x_train, y_train), (x_test, y_test) = datasets.load_fashion_mnist(folder)
        x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
        x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255.0
        name = "Fashion-MNIST"
    else:
        where = folder or datasets.FASHION_MNIST_DIR
        print(f"Fashion-MNIST is not in {where}: {datasets.INSTALL_HINT}.")
        print("Falling back to scikit-learn's bundled digits (8x8 images, 64 features).")
        (x_train, y_train), (x_test, y_test) = datasets.load_digits()
        name = "scikit-learn digits"
    eye = np.eye(10, dtype=np.float32)
    return name, x_train, eye[y_train], x_test, eye[y_test]


def _seed_model(features: int):
    """The seeds' model, word for word."""
    import gputensor as gt

    model = gt.nn.Sequential()
    model.add(gt.nn.Dense(512, activation="relu", input_shape=(features,)))
    model.add(gt.nn.Dense(256, activation="relu"))
    model.add(gt.nn.Dense(128, activation="relu"))
    model.add(gt.nn.Dropout(0.2))
    model.add(gt.nn.Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=gt.nn.optimizers.RMSprop(), metrics=["accuracy"])
    return model


def _plot(history, path: Path, title: str) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'gputensor[demo]'); no training-curve PNG written"
    epochs = [e + 1 for e in history.epoch]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, axis in (("loss", left), ("accuracy", right)):
        axis.plot(epochs, history.history[key], marker="o", label=f"train {key}")
        if f"val_{key}" in history.history:
            axis.plot(epochs, history.history[f"val_{key}"], marker="o", label=f"test {key}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(True, alpha=0.3)
        axis.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return f"training curve: {path}"


def demo(device=None, epochs: int = 20, output="gputensor-demo", batch_size: int = 128, data=None) -> str:
    """Train the seeds' MLP on Fashion-MNIST (or the digits fallback); save the model, a
    training-curve PNG and TensorBoard logs under ``output``; return the closing report."""
    import gputensor as gt

    dev = gt.device(device) if device else gt.default_device()
    out = Path(output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    gt.manual_seed(0)
    name, x_train, y_train, x_test, y_test = _demo_data(data)
    print(f"Data: {name}: {len(x_train)} training and {len(x_test)} test samples")
    print(f"Device: {dev} ({dev.backend.describe()})")
    with dev:
        model = _seed_model(x_train.shape[1]).to(dev)
        model.summary()
        board = gt.nn.callbacks.TensorBoard(log_dir=out / "logs")
        start = time.perf_counter()
        history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                            validation_data=(x_test, y_test), callbacks=[board])
        seconds = time.perf_counter() - start
        score = model.evaluate(x_test, y_test, verbose=0)
    model.save(out / "model.safetensors")
    plotted = _plot(history, out / "training_curve.png", f"{name} MLP on {dev}")
    devices = sorted({str(w.device) for w in model.weights})
    lines = [
        f"Test loss: {score[0]:.4f}",
        f"Test accuracy: {score[1]:.4f}",
        f"Devices used: {', '.join(devices)} ({dev.backend.describe()})",
        f"Training: {epochs} epoch{'s' if epochs != 1 else ''} in {seconds:.1f} s "
        f"({seconds / max(epochs, 1):.2f} s per epoch, "
        "validation included)",
        f"Output folder: {out}",
        f"  model: {out / 'model.safetensors'} (reload with gt.nn.load_model)",
        f"  {plotted}",
        f"  TensorBoard logs: {out / 'logs'} (view with: tensorboard --logdir {out / 'logs'})",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gputensor", description=__doc__)
    parser.add_argument("command", choices=["info", "demo"], nargs="?", default="info")
    parser.add_argument("--device", default=None,
                        help="demo: device to train on (default: the default device)")
    parser.add_argument("--epochs", type=int, default=20, help="demo: training epochs (default 20)")
    parser.add_argument("--output", default="gputensor-demo",
                        help="demo: folder for the model, the PNG and the TensorBoard logs")
    parser.add_argument("--data", default=None,
                        help="demo: folder with the Fashion-MNIST IDX files (default: the Debian package's)")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(info())
    else:
        print(demo(args.device, args.epochs, args.output, data=args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
