"""Estimator checkpoints in ``model_dir``: ``model.ckpt-<step>.safetensors`` files and a
``checkpoint.json`` index.

Every file is written to a temporary name, flushed to disk and renamed into place (the
safetensors writer does this for the tensors; the index goes the same way, after the tensors),
and safetensors files carry a checksum. A process killed at any moment therefore leaves the
previous checkpoints whole; the newest checkpoint that loads cleanly is the one restored.
"""

from __future__ import annotations

import json
import logging
import os
import re

from ..nn.safetensors_format import CorruptFileError, load_file, save_file

PREFIX = "model.ckpt-"
SUFFIX = ".safetensors"
INDEX = "checkpoint.json"
FORMAT = "gputensor-estimator-1"
_NAME = re.compile(r"^model\.ckpt-(\d+)\.safetensors$")

log = logging.getLogger("gputensor.estimator")


def path_for(model_dir: str, step: int) -> str:
    return os.path.join(model_dir, f"{PREFIX}{step}{SUFFIX}")


def steps_on_disk(model_dir: str) -> list[int]:
    """The steps of the checkpoint files in ``model_dir``, ascending."""
    if not os.path.isdir(model_dir):
        return []
    steps = []
    for name in os.listdir(model_dir):
        m = _NAME.match(name)
        if m:
            steps.append(int(m.group(1)))
    return sorted(steps)


def _write_json(path: str, payload: dict) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save(model_dir: str, step: int, tensors: dict, metadata: dict, keep: int) -> str:
    """Write the checkpoint of ``step``, update the index, drop checkpoints beyond ``keep``."""
    os.makedirs(model_dir, exist_ok=True)
    path = path_for(model_dir, step)
    meta = {"format": FORMAT, "global_step": str(step), **{k: str(v) for k, v in metadata.items()}}
    save_file(tensors, path, meta)
    steps = steps_on_disk(model_dir)
    kept = steps[-keep:]
    _write_json(os.path.join(model_dir, INDEX), {
        "latest": os.path.basename(path_for(model_dir, kept[-1])),
        "global_step": kept[-1],
        "checkpoints": [os.path.basename(path_for(model_dir, s)) for s in kept],
    })
    for old in steps[:-keep]:
        try:
            os.remove(path_for(model_dir, old))
        except FileNotFoundError:
            pass
    return path


def latest(model_dir: str):
    """``(step, tensors, metadata)`` of the newest checkpoint that loads, or ``None``."""
    for step in reversed(steps_on_disk(model_dir)):
        path = path_for(model_dir, step)
        try:
            tensors, meta = load_file(path)
        except (CorruptFileError, OSError) as exc:
            log.warning("skipping damaged checkpoint %s: %s", path, exc)
            continue
        if meta.get("format") != FORMAT:
            log.warning("skipping %s: not a gputensor estimator checkpoint", path)
            continue
        return step, tensors, meta
    return None


def latest_path(model_dir: str):
    """The newest checkpoint file's path, or ``None``."""
    found = latest(model_dir)
    return None if found is None else path_for(model_dir, found[0])
