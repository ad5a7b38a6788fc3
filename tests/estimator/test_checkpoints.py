"""Checkpoints: atomic, kept up to a maximum, resumed — also after a SIGKILL mid-training."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import gputensor as gt
from gputensor.estimator import checkpoint

TRAINER = textwrap.dedent("""
    import sys, time
    import numpy as np
    import gputensor as gt

    model_dir = sys.argv[1]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    cols = [gt.feature_column.numeric_column("x", shape=4)]
    config = gt.estimator.RunConfig(save_checkpoints_steps=5, keep_checkpoint_max=3)
    est = gt.estimator.DNNClassifier([32, 32], cols, n_classes=3, model_dir=model_dir, config=config)

    def report(step, loss):
        print(step, flush=True)
        time.sleep(0.002)

    est.train(lambda: ({"x": x}, y), steps=10**6, hooks=[report])
""")


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    return x, y


def _estimator(model_dir, **config):
    cols = [gt.feature_column.numeric_column("x", shape=4)]
    cfg = gt.estimator.RunConfig(**config) if config else None
    return gt.estimator.DNNClassifier([32, 32], cols, n_classes=3, model_dir=str(model_dir), config=cfg)


def test_sigkill_mid_training_resumes_cleanly(tmp_path):
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    model_dir = tmp_path / "model"
    proc = subprocess.Popen([sys.executable, str(script), str(model_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        for line in proc.stdout:
            step = int(line)
            if step >= 23 and step % 5 == 0:  # a checkpoint is being written right now
                break
            assert time.monotonic() < deadline, "the trainer is too slow"
        else:
            pytest.fail(f"the trainer stopped by itself:\n{proc.stderr.read()}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    found = checkpoint.latest(str(model_dir))
    assert found is not None
    step, tensors, meta = found
    assert step >= 20 and step % 5 == 0 and meta["global_step"] == str(step)
    index = json.loads((model_dir / checkpoint.INDEX).read_text())
    for name in index["checkpoints"]:
        checkpoint.load_file(str(model_dir / name))  # every listed file is whole

    resumed = _estimator(model_dir)
    x, y = _data()
    before = resumed.evaluate(lambda: ({"x": x}, y))
    assert before["global_step"] == step
    assert np.allclose(resumed.get_variable_value("dnn/logits/kernel"), tensors["dnn/logits/kernel"])
    resumed.train(lambda: ({"x": x}, y), steps=7)
    assert resumed.global_step == step + 7
    assert checkpoint.latest(str(model_dir))[0] == step + 7


def test_resume_restores_optimizer_slots_and_step(tmp_path):
    x, y = _data()
    data = lambda: ({"x": x}, y)  # noqa: E731
    gt.manual_seed(3)
    straight = _estimator(tmp_path / "a")
    straight.train(data, steps=20)
    gt.manual_seed(3)
    first = _estimator(tmp_path / "b")
    first.train(data, steps=12)
    second = _estimator(tmp_path / "b")
    second.train(data, max_steps=20)
    assert second.global_step == 20
    for name in straight.get_variable_names():
        np.testing.assert_allclose(second.get_variable_value(name), straight.get_variable_value(name),
                                   rtol=1e-5, atol=1e-6)
    saved = checkpoint.latest(str(tmp_path / "b"))[1]
    assert any(k.startswith("optimizer/") and k.endswith("/accumulator") for k in saved)
    second.train(data, max_steps=20)
    assert second.global_step == 20


def test_keep_checkpoint_max_and_damaged_latest(tmp_path):
    x, y = _data()
    est = _estimator(tmp_path, save_checkpoints_steps=2, keep_checkpoint_max=2)
    est.train(lambda: ({"x": x}, y), steps=9)
    assert checkpoint.steps_on_disk(str(tmp_path)) == [8, 9]
    latest = tmp_path / "model.ckpt-9.safetensors"
    raw = bytearray(latest.read_bytes())
    raw[-3] ^= 0xFF
    latest.write_bytes(bytes(raw))
    assert checkpoint.latest(str(tmp_path))[0] == 8
    assert _estimator(tmp_path).evaluate(lambda: ({"x": x}, y))["global_step"] == 8


def _event_tags(folder):
    tags = set()
    for name in os.listdir(folder):
        if not name.startswith("events.out.tfevents"):
            continue
        data = (folder / name).read_bytes()
        pos = 0
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos:pos + 8])
            record = data[pos + 12:pos + 12 + length]
            pos += 12 + length + 4
            for tag in (b"loss", b"accuracy", b"global_step/sec"):
                if tag in record:
                    tags.add(tag.decode())
    return tags


def test_tensorboard_logs(tmp_path):
    x, y = _data()
    est = _estimator(tmp_path, save_summary_steps=2, log_step_count_steps=2)
    est.train(lambda: ({"x": x}, y), steps=4)
    est.evaluate(lambda: ({"x": x}, y))
    est.close()
    assert {"loss", "global_step/sec"} <= _event_tags(tmp_path)
    assert {"loss", "accuracy"} <= _event_tags(tmp_path / "eval")


def test_evaluate_before_training_is_an_error(tmp_path):
    x, y = _data()
    with pytest.raises(gt.estimator.NotTrainedError, match="train it first"):
        _estimator(tmp_path).evaluate(lambda: ({"x": x}, y))
