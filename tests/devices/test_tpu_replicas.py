"""Replicas of a TPU slice: the devices of a slice, pmap-like replicate, ring-order collectives
that give every replica the same bits, and data-parallel training equal to one big batch."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn.functional import cross_entropy

SLICE = "v5e-4"


def test_a_slice_has_one_device_per_logical_core():
    assert [str(d) for d in gt.tpu.devices("v2-8")] == [f"tpu:{i}" for i in range(8)]
    assert len(gt.tpu.devices("v4-8")) == 4
    with pytest.raises(RuntimeError, match=r"tpu:8 does not exist in a v2-8 slice"):
        gt.device("tpu:8", chip="v2-8")


def ring_reference(values):
    """Chunk c of the sum accumulates replicas c+1, c+2, ..., c (mod n) in float32."""
    n = len(values)
    flat = [np.asarray(v, np.float32).ravel() for v in values]
    out = np.empty_like(flat[0])
    bounds = [flat[0].size * c // n for c in range(n + 1)]
    for c in range(n):
        sl = slice(bounds[c], bounds[c + 1])
        acc = flat[(c + 1) % n][sl].copy()
        for step in range(2, n + 1):
            acc = (acc + flat[(c + step) % n][sl]).astype(np.float32)
        out[sl] = acc
    return out.reshape(np.shape(values[0]))


def test_cross_replica_sum_is_bit_identical_in_ring_order():
    rng = np.random.default_rng(0)
    parts = [(rng.standard_normal(1000) * 10.0 ** rng.integers(-3, 4, 1000)).astype(np.float32)
             for _ in range(8)]
    out = gt.tpu.replicate(gt.tpu.cross_replica_sum, chip="v2-8")(gt.asarray(np.stack(parts)))
    first = out[0].numpy()
    for i, t in enumerate(out):
        assert str(t.device) == f"tpu:{i}"
        np.testing.assert_array_equal(t.numpy().view(np.uint32), first.view(np.uint32))
    np.testing.assert_array_equal(first, ring_reference(parts))
    exact = np.sum(np.stack(parts).astype(np.float64), axis=0)
    np.testing.assert_allclose(first, exact, rtol=1e-5, atol=1e-4)


def test_bf16_sums_in_f32_and_rounds_once():
    parts = np.full((4, 3), 1 + 2.0**-8, np.float32)  # each is a bf16 tie; their f32 sum is exact
    x = gt.asarray(parts).astype(gt.bfloat16)
    out = gt.tpu.replicate(gt.tpu.cross_replica_sum, chip=SLICE)(x)
    summed = np.float32(4) * np.float32(1 + 2.0**-8)  # 4.015625: not a bf16 value
    expected = np.array(summed, np.float32).astype(np.dtype("bfloat16")).astype(np.float32)
    assert out[2].dtype is gt.bfloat16 and float(out[2][0].item()) == float(expected)


def test_all_gather_and_reduce_scatter():
    def fn(x):
        i = gt.tpu.replica_id()
        scattered = gt.tpu.reduce_scatter(gt.ones(4) * i)
        return gt.tpu.all_gather(x), gt.tpu.all_gather(x, tiled=True), scattered, i, gt.tpu.num_replicas()

    results = gt.tpu.replicate(fn, chip=SLICE)(gt.arange(8.0).reshape(4, 2))
    assert [r[3] for r in results] == [0, 1, 2, 3] and {r[4] for r in results} == {4}
    for stacked, tiled, scattered, i, _ in results:
        assert stacked.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]
        assert tiled.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
        assert scattered.tolist() == [6.0]
        assert str(stacked.device) == str(scattered.device) == f"tpu:{i}"


def test_reduce_scatter_keeps_each_replicas_piece():
    results = gt.tpu.replicate(lambda x: gt.tpu.reduce_scatter(x), chip=SLICE, in_axes=None)(gt.arange(8.0))
    assert [r.tolist() for r in results] == [[0.0, 4.0], [8.0, 12.0], [16.0, 20.0], [24.0, 28.0]]


def test_collectives_need_replicate_and_errors_propagate():
    with pytest.raises(RuntimeError, match="inside a function run by gt.tpu.replicate"):
        gt.tpu.cross_replica_sum(gt.ones(2, device="tpu:0"))

    def broken(x):
        if gt.tpu.replica_id() == 2:
            raise ValueError("replica 2 failed")
        return gt.tpu.cross_replica_sum(x)

    with pytest.raises(ValueError, match="replica 2 failed"):
        gt.tpu.replicate(broken, chip=SLICE)(gt.ones((4, 2)))
    with pytest.raises(ValueError, match="leading axis of 4"):
        gt.tpu.replicate(lambda x: x, chip=SLICE)(gt.ones((3, 2)))


def _params(device, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    w1 = (rng.standard_normal((20, 16)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((16, 4)) * 0.3).astype(np.float32)
    return [gt.asarray(w, device=device).requires_grad_() for w in (w1, np.zeros(16, np.float32), w2,
                                                                     np.zeros(4, np.float32))]


def _grads(params, x, y):
    with gt.GradientTape() as tape:
        h = gt.relu(x @ params[0] + params[1])
        loss = cross_entropy(h @ params[2] + params[3], y)
    return tape.gradient(loss, params)


def test_data_parallel_gradients_equal_one_replica_on_the_whole_batch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 20)).astype(np.float32)
    y = rng.integers(0, 4, 32).astype(np.int32)
    n = 4

    def replica_step(xs, ys):
        grads = _grads(_params(xs.device), xs, ys)
        return [gt.tpu.cross_replica_sum(g) / n for g in grads]

    xs = gt.asarray(x.reshape(n, 8, 20))
    ys = gt.asarray(y.reshape(n, 8))
    with gt.tpu.profile(show=False) as prof:
        per_replica = gt.tpu.replicate(replica_step, chip=SLICE)(xs, ys)
    one = gt.device("tpu:0", chip=SLICE)
    whole = _grads(_params(one), gt.asarray(x, device=one), gt.asarray(y, device=one))
    for grads in per_replica[1:]:
        for g, g0 in zip(grads, per_replica[0]):
            np.testing.assert_array_equal(g.numpy(), g0.numpy())
    for g, ref in zip(per_replica[0], whole):
        np.testing.assert_allclose(g.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)
    collectives = [r for r in prof.records() if r.kind == "collective"]
    assert len(collectives) == 4 * n and all(r.op == "all_reduce" for r in collectives)
    assert prof.totals()["devices"] == n
