"""Kernel paths of the OpenCL backend that the generic op suite does not reach with its small
shapes: two-pass reductions and scans, the GPU-style (work-group tree) reduction, every matmul
kernel choice, merge-sort passes, more than four strided axes, overlapping copies, and the
fused softmax and optimizer kernels against their composed references."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt

pytest.importorskip("pyopencl", reason="the OpenCL backend needs pyopencl")
from gputensor.devices.opencl import probe  # noqa: E402

USABLE = [info.name for info in probe.probe() if info.usable]
pytestmark = pytest.mark.skipif(not USABLE, reason="no usable OpenCL device")
RNG = np.random.default_rng(0)


@pytest.fixture
def ocl():
    return gt.device(USABLE[0])


@pytest.fixture
def gpu_style():
    """A second device object on the same hardware whose reductions use the GPU layout:
    256-item work-groups, interleaved loads and a tree in local memory."""
    dev = gt.device(USABLE[0], memory_limit=1 << 40)
    rt = dev.backend.rt
    saved = rt.is_cpu
    rt.is_cpu = False
    yield dev
    rt.is_cpu = saved


def _t(a, dev):
    return gt.asarray(a, device=dev)


@pytest.mark.parametrize("shape,axes", [((3, 100_003), (1,)), ((100_001,), (0,)), ((70_000, 3), (0,)),
                                        ((5, 40_000, 3), (1,)), ((4, 5, 6), (0, 2))])
@pytest.mark.parametrize("style", ["cpu", "gpu"])
def test_reductions_of_every_shape(request, shape, axes, style):
    dev = request.getfixturevalue("gpu_style" if style == "gpu" else "ocl")
    a = RNG.standard_normal(shape).astype(np.float32)
    x = _t(a, dev)
    np.testing.assert_allclose(gt.sum(x, axis=axes).numpy(), a.astype(np.float64).sum(axis=axes), rtol=1e-4,
                               atol=1e-3)
    np.testing.assert_array_equal(gt.max(x, axis=axes).numpy(), a.max(axis=axes))
    np.testing.assert_array_equal(gt.min(x, axis=axes).numpy(), a.min(axis=axes))
    ints = (a * 10).astype(np.int64)
    np.testing.assert_array_equal(gt.sum(_t(ints, dev), axis=axes).numpy(), ints.sum(axis=axes))


def test_long_half_precision_sums_accumulate_in_float32(ocl):
    a = np.full(50_000, 0.1, np.float32)
    for dtype in (gt.float16, gt.bfloat16):
        x = gt.asarray(a, device=ocl).astype(dtype)
        want = np.float32(a.astype(dtype.np).astype(np.float64).sum()).astype(dtype.np)
        assert x.sum().numpy() == want


def test_nan_propagates_through_chunks(ocl):
    a = RNG.standard_normal(60_000).astype(np.float32)
    a[45_000] = np.nan
    x = _t(a, ocl)
    assert np.isnan(gt.max(x).item()) and np.isnan(gt.sum(x).item())
    assert gt.argmax(x).item() == 45_000 and gt.argmin(x).item() == 45_000


def test_argmax_picks_the_first_extreme_across_chunks(ocl):
    a = np.zeros((2, 30_000), np.float32)
    a[:, 7] = 5
    a[:, 25_000] = 5
    a[1, 29_999] = 6
    x = _t(a, ocl)
    np.testing.assert_array_equal(gt.argmax(x, axis=1).numpy(), [7, 29_999])
    np.testing.assert_array_equal(gt.argmin(-x, axis=1).numpy(), [7, 29_999])


@pytest.mark.parametrize("shape,axis", [((50_000,), 0), ((3, 20_000), 1), ((20_000, 5), 0), ((4, 5, 6), 1)])
def test_scans_in_one_and_three_passes(ocl, shape, axis):
    a = RNG.integers(-3, 4, shape)
    np.testing.assert_array_equal(gt.cumsum(_t(a, ocl), axis=axis).numpy(), np.cumsum(a, axis=axis))
    f = RNG.uniform(0.999, 1.001, shape).astype(np.float64)
    got = gt.cumprod(_t(f, ocl), axis=axis).numpy()
    np.testing.assert_allclose(got, np.cumprod(f, axis=axis), rtol=1e-12)


def _matmul_cases():
    a = RNG.standard_normal((37, 29))
    b = RNG.standard_normal((29, 41))
    yield "tiled", a, b
    yield "tiled exact tiles", RNG.standard_normal((48, 20)), RNG.standard_normal((20, 32))
    yield "dot (b transposed)", a, np.asfortranarray(b)
    yield "transposed product (both transposed)", np.asfortranarray(a), np.asfortranarray(b)
    yield "vector", a, b[:, :1]
    yield "row", a[:1], b


@pytest.mark.parametrize("case", list(_matmul_cases()), ids=lambda c: c[0])
@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.bfloat16, gt.float16])
def test_matmul_kernel_choices(ocl, case, dtype):
    _, a, b = case
    x = _layout(a, ocl, dtype)
    y = _layout(b, ocl, dtype)
    ra = a.astype(dtype.np).astype(np.float64)
    rb = b.astype(dtype.np).astype(np.float64)
    tol = {gt.float64: 1e-12, gt.float32: 1e-5, gt.bfloat16: 2e-2, gt.float16: 2e-3}[dtype]
    np.testing.assert_allclose((x @ y).numpy().astype(np.float64), ra @ rb, rtol=tol, atol=tol * 10)


def _layout(a, dev, dtype):
    """``a`` on the device with the same memory order (Fortran order becomes a transposed view)."""
    if a.flags.f_contiguous and not a.flags.c_contiguous:
        return gt.asarray(np.ascontiguousarray(a.T), device=dev).astype(dtype).T
    return gt.asarray(a, device=dev).astype(dtype)


def test_matmul_strided_batched_and_integer(ocl):
    a = RNG.standard_normal((2, 1, 5, 7)).astype(np.float32)
    b = RNG.standard_normal((3, 7, 4)).astype(np.float32)
    np.testing.assert_allclose((_t(a, ocl) @ _t(b, ocl)).numpy(), a @ b, rtol=1e-5, atol=1e-5)
    big = RNG.standard_normal((9, 12)).astype(np.float32)
    odd_a = _t(big, ocl)[::2, ::3]
    odd_b = _t(big, ocl).T[::3, ::2]
    np.testing.assert_allclose((odd_a @ odd_b).numpy(), big[::2, ::3] @ big.T[::3, ::2], rtol=1e-5, atol=1e-5)
    ia = RNG.integers(-50, 50, (6, 5)).astype(np.int8)
    ib = RNG.integers(-50, 50, (5, 3)).astype(np.int8)
    np.testing.assert_array_equal((_t(ia, ocl) @ _t(ib, ocl)).numpy(), ia @ ib)
    ba = RNG.random((4, 6)) > 0.7
    bb = RNG.random((6, 2)) > 0.7
    product = ocl.backend.matmul(_t(ba, ocl)._data, _t(bb, ocl)._data, gt.bool)  # the primitive's bool case
    np.testing.assert_array_equal(ocl.backend.to_host(product), (ba.astype(int) @ bb.astype(int)) != 0)
    empty_k = _t(np.ones((3, 0), np.float32), ocl) @ _t(np.ones((0, 2), np.float32), ocl)
    np.testing.assert_array_equal(empty_k.numpy(), np.zeros((3, 2)))


@pytest.mark.parametrize("n", [1, 15, 16, 17, 1000, 5000])
def test_merge_sort_is_stable_with_nan_last(ocl, n):
    a = RNG.integers(0, 5, (3, n)).astype(np.float64)
    a[RNG.random((3, n)) < 0.1] = np.nan
    for descending in (False, True):
        values, idx = gt.sort(_t(a, ocl), axis=1, descending=descending), gt.argsort(_t(a, ocl), axis=1,
                                                                                  descending=descending)
        cpu_values = gt.sort(_t(a, "cpu"), axis=1, descending=descending)
        cpu_idx = gt.argsort(_t(a, "cpu"), axis=1, descending=descending)
        np.testing.assert_array_equal(values.numpy(), cpu_values.numpy())
        np.testing.assert_array_equal(idx.numpy(), cpu_idx.numpy())


def test_searchsorted_and_nonzero(ocl):
    s = np.array([-np.inf, -1.0, 0.0, 0.0, 2.5, np.nan], np.float32)
    v = np.array([[0.0, 3.0], [np.nan, -2.0]], np.float32)
    for side in ("left", "right"):
        np.testing.assert_array_equal(gt.searchsorted(_t(s, ocl), _t(v, ocl), side=side).numpy(),
                                      np.searchsorted(s, v, side=side))
    m = RNG.random((4, 1, 6)) > 0.5
    got = gt.nonzero(_t(m, ocl))
    for g, w in zip(got, np.nonzero(m)):
        np.testing.assert_array_equal(g.numpy(), w)


def test_scatter_add_accumulates_duplicates_in_index_order(ocl):
    idx = np.array([0, 2, 0, 0, 1, 2])
    values = RNG.standard_normal((6, 3)).astype(np.float32)
    want = np.zeros((3, 3), np.float32)
    np.add.at(want, idx, values)
    backend = ocl.backend
    got = backend.scatter_add((3, 3), _t(idx, ocl)._data, _t(values, ocl)._data, 0, gt.float32)
    np.testing.assert_array_equal(backend.to_host(got), want)
    halves = backend.scatter_add((3,), _t(np.zeros(2000, np.int64), ocl)._data,
                                 _t(np.full(2000, 0.1, np.float32), ocl).astype(gt.bfloat16)._data, 0,
                                 gt.bfloat16)
    expected = np.float32(np.full(2000, 0.1, np.float32).astype(gt.bfloat16.np).astype(np.float32).sum())
    assert backend.to_host(halves)[0] == expected.astype(gt.bfloat16.np)


def test_more_than_four_strided_axes(ocl):
    a = RNG.standard_normal((2, 3, 4, 5, 6, 7)).astype(np.float32)
    perm = (5, 3, 1, 0, 4, 2)
    x = gt.permute_dims(_t(a, ocl), perm)
    np.testing.assert_array_equal((x * 2).numpy(), np.transpose(a, perm) * 2)
    np.testing.assert_allclose(gt.exp(x).numpy(), np.exp(np.transpose(a, perm)), rtol=3e-7)


def test_overlapping_copies_read_before_writing(ocl):
    a = np.arange(10.0, dtype=np.float32)
    x = _t(a, ocl)
    with gt.no_grad():
        x[1:] = x[:-1]
    want = a.copy()
    want[1:] = a[:-1]
    np.testing.assert_array_equal(x.numpy(), want)
    y = _t(np.arange(9.0, dtype=np.float32).reshape(3, 3), ocl)
    gt.add(y, y[0], out=y)
    w = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(y.numpy(), w + w[0])


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("dtype", [gt.float32, gt.float64, gt.bfloat16])
def test_fused_softmax_matches_the_composed_reference(ocl, axis, dtype):
    a = (RNG.standard_normal((7, 9, 20)) * 4).astype(np.float32)
    a[0, 0, :] = -np.inf
    a[1, 1, 1] = np.inf
    x = gt.asarray(a, device=ocl).astype(dtype)
    ref = gt.asarray(a).astype(dtype)
    tol = 1e-6 if dtype is not gt.bfloat16 else 1e-2
    for fn in (gt.softmax, gt.log_softmax):
        np.testing.assert_allclose(fn(x, axis=axis).numpy().astype(np.float64),
                                   fn(ref, axis=axis).numpy().astype(np.float64), rtol=tol, atol=tol)


@pytest.mark.parametrize("rule,hyper,slots", [
    ("sgd", {"lr": 0.1, "momentum": 0.0, "nesterov": False}, 0),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, 1),
    ("rmsprop", {"lr": 0.01, "rho": 0.9, "momentum": 0.5, "epsilon": 1e-7, "centered": True}, 3),
    ("rmsprop", {"lr": 0.01, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}, 1),
    ("adam", {"lr": 0.003, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": True}, 3),
    ("adagrad", {"lr": 0.1, "epsilon": 1e-7}, 1),
])
@pytest.mark.parametrize("dtype", [gt.float32, gt.float64])
def test_fused_optimizer_updates_equal_the_composed_ops(ocl, rule, hyper, slots, dtype):
    from gputensor.nn.optimizers import rules

    cls = {"sgd": rules.SGD, "rmsprop": rules.RMSprop, "adam": rules.Adam, "adagrad": rules.Adagrad}[rule]
    var0 = RNG.standard_normal(1000).astype(dtype.np)
    grads = [RNG.standard_normal(1000).astype(dtype.np) for _ in range(3)]
    slot0 = [np.abs(RNG.standard_normal(1000)).astype(dtype.np) for _ in range(slots)]
    fused = [gt.asarray(a, device=ocl) for a in [var0, *slot0]]
    composed = [gt.asarray(a, device=ocl) for a in [var0, *slot0]]
    for g in grads:
        gd = gt.asarray(g, device=ocl)
        assert ocl.backend.optimizer_update(rule, fused[0]._data, gd._data, tuple(s._data for s in fused[1:]),
                                            hyper)
        with gt.no_grad():
            cls.update_composed(None, composed[0], gd, composed[1:], hyper)
    for f, c in zip(fused, composed):
        np.testing.assert_array_equal(f.numpy(), c.numpy())


def test_the_fused_optimizer_declines_what_it_cannot_do(ocl):
    x = gt.ones(4, device=ocl).astype(gt.bfloat16)
    assert not ocl.backend.optimizer_update("adam", x._data, x._data, (x._data, x._data), {})
    y = gt.ones(4, device=ocl)
    assert not ocl.backend.optimizer_update("lion", y._data, y._data, (), {})


def test_a_chain_of_small_ops_never_waits(ocl, monkeypatch):
    backend = ocl.backend
    waits = []
    monkeypatch.setattr(backend.rt, "finish", lambda: waits.append("finish"))
    original = backend.to_host
    monkeypatch.setattr(backend, "to_host", lambda x: waits.append("read") or original(x))
    x = gt.asarray(np.linspace(-1, 1, 64, dtype=np.float32), device=ocl)
    y = x
    for _ in range(5):
        y = gt.tanh(y * 0.5 + x)
    assert waits == []
    assert np.isfinite(y.numpy()).all() and waits == ["read"]
