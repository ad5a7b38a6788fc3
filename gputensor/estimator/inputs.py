"""What an ``input_fn`` returns, as a stream of ``(features, labels)`` batches of tensors.

An ``input_fn`` returns a ``gt.data.Dataset`` whose elements are ``(features, labels)`` or
just features, or the batch itself: ``(features, labels)`` or features. A single batch is
used once by ``evaluate`` and ``predict``, and at every step by ``train``, as TensorFlow does
with in-memory tensors.
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np

from .. import ops
from ..data import Dataset
from ..devices.registry import current_device
from ..errors import ArgumentTypeError
from ..tensor import Tensor


def call_input_fn(input_fn, params: dict):
    if not callable(input_fn):
        raise ArgumentTypeError(f"input_fn must be a function returning data, got {type(input_fn).__name__}")
    wanted = inspect.signature(input_fn).parameters
    if "params" in wanted:
        return input_fn(params=params)
    return input_fn()


def _on_device(value, device):
    if isinstance(value, dict):
        return {k: _on_device(v, device) for k, v in value.items()}
    if isinstance(value, (tuple, list)) and value and not isinstance(value[0], (str, bytes)):
        return type(value)(_on_device(v, device) for v in value)
    if isinstance(value, Tensor):
        return value if value.device == device else value.to(device)
    array = np.asarray(value)
    if array.dtype.kind in "USO":
        return array
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return ops.asarray(array, device=device)


def _split(element):
    if isinstance(element, tuple) and len(element) == 2:
        return element
    return element, None


def batches(input_fn, params: dict, repeat_single: bool):
    """``(features, labels)`` pairs on the current device (labels ``None`` when absent)."""
    device = current_device()
    result = call_input_fn(input_fn, params)
    if isinstance(result, Dataset):
        for element in result.iterator(device=device):
            features, labels = _split(element)
            yield _on_device(features, device), None if labels is None else _on_device(labels, device)
        return
    features, labels = _split(result)
    batch = (_on_device(features, device), None if labels is None else _on_device(labels, device))
    source = itertools.repeat(batch) if repeat_single else [batch]
    yield from source


def batch_size(features) -> int:
    """The number of examples in a batch of features."""
    if isinstance(features, dict):
        for v in features.values():
            return len(v) if np.ndim(v) else 1
        return 0
    return len(features) if np.ndim(features) else 1
