"""Kernel paths of the CUDA backend that the generic op suite does not reach with its small
shapes: two-stage reductions and scans, every matmul path (SIMT, tensor cores, TF32, mixed
precision, every operand layout, ragged edges), merge-sort passes, more than four strided
axes, overlapping and vectorized copies, and the fused softmax, cross-entropy, multiply-add
and optimizer kernels against their references. Runs only where a GPU works."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from tests.devices.cuda_gpu import USABLE, needs_gpu

pytestmark = needs_gpu
RNG = np.random.default_rng(0)


@pytest.fixture
def cuda():
    return gt.device(USABLE[0])


def _t(a, dev):
    return gt.asarray(a, device=dev)


@pytest.mark.parametrize(
    "shape,axes",
    [
        ((3, 100_003), (1,)),
        ((1_000_001,), (0,)),
        ((70_000, 3), (0,)),
        ((5, 40_000, 3), (1,)),
        ((4, 5, 6), (0, 2)),
        ((100_000, 7), (1,)),
    ],
)
def test_reductions_of_every_shape(cuda, shape, axes):
    a = RNG.standard_normal(shape).astype(np.float32)
    x = _t(a, cuda)
    np.testing.assert_allclose(
        gt.sum(x, axis=axes).numpy(), a.astype(np.float64).sum(axis=axes), rtol=1e-4, atol=1e-3
    )
    np.testing.assert_array_equal(gt.max(x, axis=axes).numpy(), a.max(axis=axes))
    np.testing.assert_array_equal(gt.min(x, axis=axes).numpy(), a.min(axis=axes))
    ints = (a * 10).astype(np.int64)
    np.testing.assert_array_equal(gt.sum(_t(ints, cuda), axis=axes).numpy(), ints.sum(axis=axes))


def test_nan_propagates_through_pieces(cuda):
    a = RNG.standard_normal(600_000).astype(np.float32)
    a[450_000] = np.nan
    x = _t(a, cuda)
    assert np.isnan(gt.max(x).item()) and np.isnan(gt.sum(x).item())
    assert gt.argmax(x).item() == 450_000 and gt.argmin(x).item() == 450_000


def test_half_precision_sums_accumulate_in_float32(cuda):
    a = np.full(500_000, 0.1, np.float32)
    for dtype in (gt.float16, gt.bfloat16):
        got = gt.asarray(a, device=cuda).astype(dtype).sum().numpy().astype(np.float64)
        want = a.astype(dtype.np).astype(np.float64).sum()
        np.testing.assert_allclose(got, want, rtol=1e-2)


@pytest.mark.parametrize(
    "shape,axis", [((500_000,), 0), ((3, 200_000), 1), ((200_000, 5), 0), ((4, 5, 6), 1)]
)
def test_scans_in_one_and_three_passes(cuda, shape, axis):
    a = RNG.integers(-3, 4, shape)
    np.testing.assert_array_equal(gt.cumsum(_t(a, cuda), axis=axis).numpy(), np.cumsum(a, axis=axis))


def _layout(a, dev, dtype, transposed):
    x = gt.asarray(np.ascontiguousarray(a.T if transposed else a), device=dev).astype(dtype)
    return x.T if transposed else x


@pytest.mark.parametrize(
    "dtype,tol", [(gt.float32, 1e-5), (gt.float64, 1e-12), (gt.bfloat16, 1e-2), (gt.float16, 2e-3)]
)
@pytest.mark.parametrize("ta,tb", [(False, False), (False, True), (True, False), (True, True)])
@pytest.mark.parametrize(
    "m,n,k", [(200, 136, 72), (128, 128, 64), (1, 40, 24), (333, 1, 96), (256, 264, 520)]
)
def test_matmul_layouts_and_edges(cuda, dtype, tol, ta, tb, m, n, k):
    a = RNG.standard_normal((m, k))
    b = RNG.standard_normal((k, n))
    got = (_layout(a, cuda, dtype, ta) @ _layout(b, cuda, dtype, tb)).numpy().astype(np.float64)
    want = a.astype(dtype.np).astype(np.float64) @ b.astype(dtype.np).astype(np.float64)
    assert np.linalg.norm(got - want) / np.linalg.norm(want) < tol


def test_matmul_odd_strides_batches_and_integers(cuda):
    a = RNG.standard_normal((2, 1, 5, 7)).astype(np.float32)
    b = RNG.standard_normal((3, 7, 4)).astype(np.float32)
    np.testing.assert_allclose((_t(a, cuda) @ _t(b, cuda)).numpy(), a @ b, rtol=1e-5, atol=1e-5)
    big = RNG.standard_normal((9, 12)).astype(np.float32)
    odd = _t(big, cuda)[::2, ::3] @ _t(big, cuda).T[::3, ::2]
    np.testing.assert_allclose(odd.numpy(), big[::2, ::3] @ big.T[::3, ::2], rtol=1e-5, atol=1e-5)
    ia = RNG.integers(-50, 50, (6, 5)).astype(np.int8)
    ib = RNG.integers(-50, 50, (5, 3)).astype(np.int8)
    np.testing.assert_array_equal((_t(ia, cuda) @ _t(ib, cuda)).numpy(), ia @ ib)
    halves = RNG.standard_normal((3, 40, 24)).astype(np.float32)
    got = (_t(halves, cuda).astype(gt.bfloat16) @ _t(halves, cuda).astype(gt.bfloat16).mT).numpy()
    ref = halves.astype(gt.bfloat16.np).astype(np.float64)
    assert (
        np.linalg.norm(got.astype(np.float64) - ref @ ref.transpose(0, 2, 1))
        / np.linalg.norm(ref @ ref.transpose(0, 2, 1))
        < 1e-2
    )


def test_tf32_and_mixed_precision(cuda):
    a = RNG.standard_normal((300, 500)).astype(np.float32)
    b = RNG.standard_normal((500, 200)).astype(np.float32)
    want = a.astype(np.float64) @ b
    exact = gt.matmul(_t(a, cuda), _t(b, cuda)).numpy()
    tf32 = gt.matmul(_t(a, cuda), _t(b, cuda), precision="high").numpy()
    error = np.linalg.norm(tf32 - want) / np.linalg.norm(want)
    assert np.linalg.norm(exact - want) / np.linalg.norm(want) < 1e-6
    assert 1e-6 < error < 2e-3  # TF32 rounds the operands: visibly less exact, still close
    tf32_device = gt.device(USABLE[0], tf32=True)
    np.testing.assert_allclose((_t(a, tf32_device) @ _t(b, tf32_device)).numpy(), tf32, rtol=0, atol=0)
    bf = _t(a, cuda).astype(gt.bfloat16) @ _t(b, cuda).astype(gt.bfloat16)
    wide = gt.matmul(
        _t(a, cuda).astype(gt.bfloat16), _t(b, cuda).astype(gt.bfloat16), preferred_element_type=gt.float32
    )
    assert wide.dtype is gt.float32 and bf.dtype is gt.bfloat16
    ref = a.astype(gt.bfloat16.np).astype(np.float64) @ b.astype(gt.bfloat16.np).astype(np.float64)
    assert np.linalg.norm(wide.numpy() - ref) / np.linalg.norm(ref) < 1e-5


@pytest.mark.parametrize("n", [1, 15, 16, 17, 1000, 5000])
def test_merge_sort_is_stable_with_nan_last(cuda, n):
    a = RNG.integers(0, 5, (3, n)).astype(np.float64)
    a[RNG.random((3, n)) < 0.1] = np.nan
    for descending in (False, True):
        got = gt.argsort(_t(a, cuda), axis=1, descending=descending).numpy()
        want = gt.argsort(_t(a, "cpu"), axis=1, descending=descending).numpy()
        np.testing.assert_array_equal(got, want)


def test_scatter_add_with_atomics_and_in_order(cuda):
    idx = RNG.integers(0, 50, 10_000)
    values = RNG.standard_normal((10_000, 3)).astype(np.float32)
    want = np.zeros((50, 3), np.float64)
    np.add.at(want, idx, values)
    backend = cuda.backend
    got = backend.scatter_add((50, 3), _t(idx, cuda)._data, _t(values, cuda)._data, 0, gt.float32)
    np.testing.assert_allclose(backend.to_host(got), want, rtol=1e-4, atol=1e-4)
    small = RNG.integers(-5, 5, (100, 2)).astype(np.int8)
    got8 = backend.scatter_add((4, 2), _t(idx[:100] % 4, cuda)._data, _t(small, cuda)._data, 0, gt.int8)
    want8 = np.zeros((4, 2), np.int8)
    np.add.at(want8, idx[:100] % 4, small)
    np.testing.assert_array_equal(backend.to_host(got8), want8)


def test_more_than_four_strided_axes_and_row_copies(cuda):
    a = RNG.standard_normal((2, 3, 4, 5, 6, 7)).astype(np.float32)
    perm = (5, 3, 1, 0, 4, 2)
    x = gt.permute_dims(_t(a, cuda), perm)
    np.testing.assert_array_equal((x * 2).numpy(), np.transpose(a, perm) * 2)
    rows = RNG.standard_normal((64, 48)).astype(np.float32)
    np.testing.assert_array_equal(_t(rows, cuda)[3:40:2, 8:40].copy().numpy(), rows[3:40:2, 8:40])


def test_overlapping_copies_read_before_writing(cuda):
    a = np.arange(10.0, dtype=np.float32)
    x = _t(a, cuda)
    with gt.no_grad():
        x[1:] = x[:-1]
    want = a.copy()
    want[1:] = a[:-1]
    np.testing.assert_array_equal(x.numpy(), want)


@pytest.mark.parametrize(
    "shape,axis", [((7, 9, 20), -1), ((7, 9, 20), 0), ((64, 5000), -1), ((3, 70_000), 1)]
)
@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.bfloat16])
def test_fused_softmax_matches_the_composed_reference(cuda, shape, axis, dtype):
    a = (RNG.standard_normal(shape) * 4).astype(np.float32)
    a[0, 0] = -np.inf
    x = gt.asarray(a, device=cuda).astype(dtype)
    ref = gt.asarray(a).astype(dtype)
    tol = 1e-5 if dtype is not gt.bfloat16 else 1e-2
    for fn in (gt.softmax, gt.log_softmax):
        np.testing.assert_allclose(
            fn(x, axis=axis).numpy().astype(np.float64),
            fn(ref, axis=axis).numpy().astype(np.float64),
            rtol=tol,
            atol=tol,
        )


def test_fused_softmax_cross_entropy_and_its_gradient(cuda):
    logits = (RNG.standard_normal((300, 37)) * 3).astype(np.float32)
    labels = RNG.integers(0, 37, 300)
    backend = cuda.backend
    loss, lse = backend.softmax_cross_entropy(_t(logits, cuda)._data, _t(labels, cuda)._data)
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    want_lse = np.log(np.exp(shifted).sum(axis=1)) + logits.max(axis=1)
    np.testing.assert_allclose(backend.to_host(lse), want_lse, rtol=1e-5)
    np.testing.assert_allclose(
        backend.to_host(loss), want_lse - logits[np.arange(300), labels], rtol=1e-4, atol=1e-5
    )
    gloss = RNG.standard_normal(300).astype(np.float32)
    grad = backend.softmax_cross_entropy_backward(
        _t(logits, cuda)._data, _t(labels, cuda)._data, lse, _t(gloss, cuda)._data
    )
    p = np.exp(logits - want_lse[:, None])
    p[np.arange(300), labels] -= 1
    np.testing.assert_allclose(backend.to_host(grad), p * gloss[:, None], rtol=1e-4, atol=1e-6)


def test_fused_multiply_add_rounds_once(cuda):
    a, b, c = (RNG.standard_normal(100_003).astype(np.float32) for _ in range(3))
    got = cuda.backend.to_host(cuda.backend.fma(_t(a, cuda)._data, _t(b, cuda)._data, _t(c, cuda)._data))
    want = (a.astype(np.float64) * b + c).astype(np.float32)
    np.testing.assert_array_equal(got, want)


RULES = [
    ("sgd", {"lr": 0.1, "momentum": 0.0, "nesterov": False}, 0),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, 1),
    ("rmsprop", {"lr": 0.01, "rho": 0.9, "momentum": 0.5, "epsilon": 1e-7, "centered": True}, 3),
    ("rmsprop", {"lr": 0.01, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}, 1),
    ("adam", {"lr": 0.003, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": True}, 3),
    ("adagrad", {"lr": 0.1, "epsilon": 1e-7}, 1),
]


@pytest.mark.parametrize("rule,hyper,slots", RULES)
@pytest.mark.parametrize("dtype", [gt.float32, gt.float64])
def test_fused_optimizer_updates_equal_the_composed_ops(cuda, rule, hyper, slots, dtype):
    from gputensor.nn.optimizers import rules

    cls = {"sgd": rules.SGD, "rmsprop": rules.RMSprop, "adam": rules.Adam, "adagrad": rules.Adagrad}[rule]
    sizes = (1000, 5000, 3)
    start = [
        [RNG.standard_normal(n).astype(dtype.np)]
        + [np.abs(RNG.standard_normal(n)).astype(dtype.np) for _ in range(slots)]
        for n in sizes
    ]
    single = [[_t(a, cuda) for a in arrays] for arrays in start]
    many = [[_t(a, cuda) for a in arrays] for arrays in start]
    composed = [[_t(a, cuda) for a in arrays] for arrays in start]
    backend = cuda.backend
    for _ in range(3):
        grads = [_t(RNG.standard_normal(n).astype(dtype.np), cuda) for n in sizes]
        for arrays, g in zip(single, grads):
            assert backend.optimizer_update(
                rule, arrays[0]._data, g._data, tuple(s._data for s in arrays[1:]), hyper
            )
        assert backend.optimizer_update_many(
            rule,
            [a[0]._data for a in many],
            [g._data for g in grads],
            [tuple(s._data for s in a[1:]) for a in many],
            hyper,
        )
        with gt.no_grad():
            for arrays, g in zip(composed, grads):
                cls.update_composed(None, arrays[0], g, arrays[1:], hyper)
    for s, m, c in zip(single, many, composed):
        for x, y, z in zip(s, m, c):
            np.testing.assert_array_equal(x.numpy(), z.numpy())
            np.testing.assert_array_equal(y.numpy(), z.numpy())


def test_the_fused_optimizer_declines_what_it_cannot_do(cuda):
    x = gt.ones(4, device=cuda).astype(gt.bfloat16)
    assert not cuda.backend.optimizer_update("adam", x._data, x._data, (x._data, x._data), {})
    y = gt.ones(4, device=cuda)
    assert not cuda.backend.optimizer_update("lion", y._data, y._data, (), {})
