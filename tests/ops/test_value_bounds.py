"""Known value bounds of integer tensors on devices without host memory (tensor.set_bounds):
index checks skip the device read when the bounds prove the range, and never trust stale
bounds."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import IndexOutOfRangeError
from gputensor.tensor import known_bounds
from tests.helpers import devices_where

REMOTE = devices_where(lambda backend: not backend.host_memory)
pytestmark = pytest.mark.skipif(not REMOTE, reason="no device without host memory (opencl/cuda) available")


@pytest.fixture(params=REMOTE or ["none"])
def remote(request):
    return gt.device(request.param)


@pytest.fixture
def reads(remote, monkeypatch):
    """Counts device-to-host reads on ``remote`` by caller."""
    counts = collections.Counter()
    backend = remote.backend
    original = backend.to_host

    def counting(array):
        counts["all"] += 1
        return original(array)

    monkeypatch.setattr(backend, "to_host", counting)
    return counts


def test_uploads_moves_and_derived_tensors_carry_bounds(remote):
    x = gt.asarray(np.array([[3, -1], [7, 2]]), device=remote)
    assert known_bounds(x) == (-1, 7)
    assert known_bounds(x[1]) == (-1, 7)  # a view shares them (a bound, not the view's range)
    assert known_bounds(gt.asarray([5, 9], dtype=gt.uint8).to(remote)) == (5, 9)
    assert known_bounds(gt.astype(x, gt.int8)) == (-1, 7)
    assert known_bounds(gt.astype(gt.asarray([300], device=remote), gt.uint8)) is None  # wraps
    assert known_bounds(gt.take(x.reshape(-1), gt.asarray([0, 3], device=remote))) == (-1, 7)
    assert known_bounds(gt.permutation(6, device=remote)) == (0, 5)
    assert known_bounds(x + 1) is None  # computed values: unknown
    assert known_bounds(gt.asarray([1.5, 2.0], device=remote)) is None
    assert known_bounds(gt.asarray([1, 2])) is None  # host memory: reading is free anyway


def test_checks_with_known_bounds_read_nothing(remote, reads):
    table = gt.asarray(np.arange(12.0).reshape(6, 2), device=remote)
    idx = gt.asarray([5, 0, 3], device=remote)
    reads.clear()
    out = gt.take(table, idx, axis=0)
    gt.nn.functional.embedding(idx, table)
    gt.nn.functional.one_hot(idx, 6)
    gt.nn.functional.cross_entropy(gt.zeros((3, 6), device=remote), idx)
    assert reads["all"] == 0
    # the same checks on computed indices (no bounds) read the range back
    gt.take(table, idx + 0, axis=0)
    assert reads["all"] == 1
    assert out.numpy().tolist() == [[10.0, 11.0], [0.0, 1.0], [6.0, 7.0]]


def test_in_place_writes_void_the_bounds(remote):
    table = gt.ones((3, 2), device=remote)
    idx = gt.asarray([0, 1, 2], device=remote)
    idx[0] = 7
    assert known_bounds(idx) is None
    with pytest.raises(IndexOutOfRangeError, match="index 7 is out of bounds for axis 0 with size 3"):
        gt.take(table, idx, axis=0)
    # through a view: the shared version counter voids the base's bounds too
    idx = gt.asarray([0, 1, 2], device=remote)
    view = idx[1:]
    view[1] = 9
    assert known_bounds(idx) is None and known_bounds(view) is None
    with pytest.raises(IndexOutOfRangeError, match="index 9"):
        gt.nn.functional.embedding(idx, table)


def test_bounds_outside_the_range_fall_back_to_the_exact_values(remote):
    table = gt.ones((3, 2), device=remote)
    idx = gt.asarray([0, 1, 2, 40], device=remote)[:3]  # bounds (0, 40), values 0..2
    assert known_bounds(idx) == (0, 40)
    assert gt.take(table, idx, axis=0).shape == (3, 2)
    assert gt.nn.functional.one_hot(idx, 3).numpy().sum() == 3
    assert gt.nn.functional.one_hot(idx).shape == (3, 3)  # num_classes inferred from the values
    with pytest.raises(IndexOutOfRangeError, match="index 40"):
        gt.take(table, gt.asarray([0, 40], device=remote), axis=0)


def test_a_dlpack_export_voids_the_bounds(remote):
    idx = gt.asarray([0, 1], device=remote)
    try:
        idx.__dlpack__()
    except (BufferError, TypeError, gt.errors.GputensorError):
        pass  # a device the consumer cannot reach; the export was still asked for
    assert known_bounds(idx) is None
    assert known_bounds(gt.asarray([0, 1], device=remote)[:1]) == (0, 1)


def test_fit_with_sparse_labels_and_embedding_reads_only_the_shown_metrics(remote, reads):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, (256, 6))
    y = rng.integers(0, 3, 256)
    with remote:
        gt.manual_seed(0)
        model = gt.nn.Sequential([gt.nn.Embedding(50, 8), gt.nn.Flatten(), gt.nn.Dense(3)])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=True)
        reads.clear()
        history = model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=True)
    # 8 batches per epoch; only the epoch's loss and accuracy come back to the host
    assert reads["all"] == 2 * 2
    assert len(history.history["loss"]) == 2
