"""``python -m gputensor info`` and ``demo``."""

from __future__ import annotations

import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "gputensor", *args], capture_output=True, text=True,
                          check=True).stdout


def test_info_lists_backends_and_default_device():
    out = _run("info")
    assert "cpu:" in out and "usable" in out
    assert "Default device:" in out


def test_info_says_why_a_backend_is_unusable(monkeypatch):
    from gputensor.devices import registry
    from gputensor.devices.info import report

    monkeypatch.setitem(registry._BUILTIN, "broken", "gputensor_no_such_module:Backend")
    text = report()
    assert "broken:" in text and "unusable" in text and "No module named 'gputensor_no_such_module'" in text


def test_demo_trains_on_fashion_mnist_files_and_writes_outputs(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    import gputensor as gt
    from tests.test_datasets import write_fake_fashion

    write_fake_fashion(tmp_path / "data", n_train=512, n_test=128)
    out = _run("demo", "--epochs", "2", "--data", str(tmp_path / "data"), "--output", str(tmp_path / "out"))
    assert "Data: Fashion-MNIST: 512 training and 128 test samples" in out
    assert "Epoch 2/2" in out and "4/4 [==============================]" in out
    accuracy = float(out.split("Test accuracy: ")[1].split()[0])
    assert accuracy > 0.5
    assert "Devices used: cpu" in out and str(tmp_path / "out") in out
    model = gt.nn.load_model(tmp_path / "out" / "model.safetensors")
    assert model.layers[0].kernel.shape == (784, 512)
    assert (tmp_path / "out" / "training_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    board = EventAccumulator(str(tmp_path / "out" / "logs" / "train"))
    board.Reload()
    assert len(board.Scalars("epoch_accuracy")) == 2


def test_demo_falls_back_to_digits(tmp_path):
    out = _run("demo", "--epochs", "1", "--data", str(tmp_path / "none"), "--output", str(tmp_path / "out"))
    assert "apt-get install dataset-fashion-mnist" in out
    assert "Data: scikit-learn digits: 1437 training and 360 test samples" in out
    assert float(out.split("Test accuracy: ")[1].split()[0]) > 0.5
