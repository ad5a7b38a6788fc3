"""Optimizers: the first steps of each against a hand computation of its update rule, the
fused backend primitive against the composed reference, clipping, weight decay, schedules,
configs, state, and minimize."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices.numpy_backend import NumpyBackend
from gputensor.nn import optimizers
from gputensor.nn.optimizers import schedules

RNG = np.random.default_rng(3)
W0 = RNG.standard_normal((3, 4))
GRADS = [RNG.standard_normal((3, 4)) for _ in range(3)]


def _sgd(w, grads, lr=0.01, momentum=0.0, nesterov=False):
    m = np.zeros_like(w)
    for g in grads:
        if momentum == 0:
            w = w - lr * g
            continue
        m = momentum * m - lr * g
        w = w + (momentum * m - lr * g if nesterov else m)
    return w


def _rmsprop(w, grads, lr=0.001, rho=0.9, eps=1e-7, momentum=0.0, centered=False):
    v = np.zeros_like(w)
    a = np.zeros_like(w)
    m = np.zeros_like(w)
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        denom = v + eps
        if centered:
            a = rho * a + (1 - rho) * g
            denom = v - a * a + eps
        inc = lr * g / np.sqrt(denom)
        m = momentum * m + inc
        w = w - (m if momentum else inc)
    return w


def _adam(w, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    vmax = np.zeros_like(w)
    for t, g in enumerate(grads, 1):
        w = w - w * wd * lr
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * m / (np.sqrt(vmax if amsgrad else v) + eps)
    return w


def _adagrad(w, grads, lr=0.001, init=0.1, eps=1e-7):
    acc = np.full_like(w, init)
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + eps)
    return w


CASES = [
    (lambda: optimizers.SGD(), lambda w, g: _sgd(w, g)),
    (lambda: optimizers.SGD(0.1, momentum=0.9), lambda w, g: _sgd(w, g, 0.1, 0.9)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), lambda w, g: _sgd(w, g, 0.1, 0.9, True)),
    (lambda: optimizers.RMSprop(), lambda w, g: _rmsprop(w, g)),
    (
        lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
        lambda w, g: _rmsprop(w, g, 0.01, momentum=0.5, centered=True),
    ),
    (lambda: optimizers.Adam(), lambda w, g: _adam(w, g)),
    (lambda: optimizers.Adam(0.01, amsgrad=True), lambda w, g: _adam(w, g, 0.01, amsgrad=True)),
    (lambda: optimizers.AdamW(0.01), lambda w, g: _adam(w, g, 0.01, wd=0.004)),
    (lambda: optimizers.Adagrad(), lambda w, g: _adagrad(w, g)),
]
IDS = [
    "sgd",
    "sgd_momentum",
    "sgd_nesterov",
    "rmsprop",
    "rmsprop_centered_momentum",
    "adam",
    "adam_amsgrad",
    "adamw",
    "adagrad",
]


def _run(make, device, dtype=gt.float64):
    opt = make()
    w = gt.asarray(W0.copy(), dtype=dtype, device=device).requires_grad_()
    for g in GRADS:
        opt.apply([gt.asarray(g, dtype=dtype, device=device)], [w])
    return opt, np.asarray(w.numpy(), np.float64)


@pytest.mark.parametrize("make, reference", CASES, ids=IDS)
def test_first_steps_match_hand_computation(make, reference, device):
    dtype = gt.float64 if gt.float64 in device.backend.dtypes else gt.float32
    opt, got = _run(make, device, dtype)
    tol = 1e-10 if dtype is gt.float64 else 2e-5
    np.testing.assert_allclose(got, reference(W0, GRADS), rtol=tol, atol=tol)
    assert opt.iterations == 3


@pytest.mark.parametrize("make", [c[0] for c in CASES], ids=IDS)
def test_fused_numpy_update_equals_composed_reference(make, monkeypatch):
    _, fused = _run(make, gt.device("cpu"), gt.float32)
    calls = []
    original = NumpyBackend.optimizer_update

    def declining(self, *args):
        calls.append(args[0])
        return False

    monkeypatch.setattr(NumpyBackend, "optimizer_update", declining)
    _, composed = _run(make, gt.device("cpu"), gt.float32)
    monkeypatch.setattr(NumpyBackend, "optimizer_update", original)
    assert calls, "the optimizer did not offer the update to the backend"
    np.testing.assert_array_equal(fused, composed)


def _run_two(make, device):
    """Three steps on two variables of different shapes (a weight and a bias)."""
    opt = make()
    w = gt.asarray(W0.copy(), dtype=gt.float32, device=device).requires_grad_()
    b = gt.asarray(W0[0].copy(), dtype=gt.float32, device=device).requires_grad_()
    for g in GRADS:
        opt.apply([gt.asarray(a, dtype=gt.float32, device=device) for a in (g, g[1])], [w, b])
    return w.numpy().copy(), b.numpy().copy()


@pytest.mark.parametrize("make, reference", CASES, ids=IDS)
def test_two_variables_in_one_step_match_hand_computation(make, reference, device):
    # two variables: the multi-tensor path on devices that have one (CUDA)
    w, b = _run_two(make, device)
    np.testing.assert_allclose(w, reference(W0, GRADS), rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(b, reference(W0[0], [g[1] for g in GRADS]), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("make", [c[0] for c in CASES], ids=IDS)
def test_multi_tensor_update_is_one_call_per_step(make, monkeypatch):
    # a backend offering optimizer_update_many gets every variable in one call (here the
    # NumPy backend's per-variable update behind it), with the same results
    cpu = gt.device("cpu")
    want = _run_two(make, cpu)
    calls = []

    def many(self, rule, params, grads, slots, hyper):
        calls.append(len(params))
        return all(self.optimizer_update(rule, p, g, s, hyper) for p, g, s in zip(params, grads, slots))

    monkeypatch.setattr(NumpyBackend, "optimizer_update_many", many, raising=False)
    got = _run_two(make, cpu)
    assert calls == [2, 2, 2]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    # declining leaves every variable to the per-variable path
    monkeypatch.setattr(NumpyBackend, "optimizer_update_many", lambda self, *a: False, raising=False)
    for a, b in zip(_run_two(make, cpu), want):
        np.testing.assert_array_equal(a, b)


def test_keras_defaults():
    assert optimizers.RMSprop().get_config()["learning_rate"] == 0.001
    assert optimizers.RMSprop().rho == 0.9 and optimizers.RMSprop().epsilon == 1e-7
    assert optimizers.SGD().learning_rate == 0.01
    assert optimizers.Adam().beta_2 == 0.999
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Adagrad().initial_accumulator_value == 0.1


def test_clipping():
    g = np.array([3.0, 4.0])
    for opt, expected in (
        (optimizers.SGD(1.0, clipnorm=1.0), [0.6, 0.8]),
        (optimizers.SGD(1.0, clipvalue=3.5), [3.0, 3.5]),
        (optimizers.SGD(1.0, global_clipnorm=2.5), [1.5, 2.0]),
    ):
        w = gt.zeros(2, dtype=gt.float64).requires_grad_()
        opt.apply([gt.asarray(g)], [w])
        np.testing.assert_allclose(-w.numpy(), expected)
    with pytest.raises(ValueError, match="at most one"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_schedules():
    s = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert (s(9), s(10), s(25)) == (0.1, 0.05, 0.025)
    p = schedules.PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.25])
    assert [p(i) for i in range(6)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
    c = schedules.CosineDecay(1.0, 10, alpha=0.1, warmup_target=2.0, warmup_steps=4)
    assert c(2) == pytest.approx(1.5) and c(4) == pytest.approx(2.0) and c(14) == pytest.approx(0.2)
    opt = optimizers.SGD(schedules.PiecewiseConstantDecay([0], [1.0, 0.5]))
    w = gt.zeros(1, dtype=gt.float64).requires_grad_()
    for _ in range(2):
        opt.apply([gt.ones(1, dtype=gt.float64)], [w])
    assert w.item() == pytest.approx(-1.5)


def test_config_round_trip():
    opt = optimizers.Adam(schedules.CosineDecay(0.01, 100), beta_1=0.8, amsgrad=True, clipnorm=2.0)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is optimizers.Adam and again.get_config() == opt.get_config()
    assert optimizers.get("rmsprop").rho == 0.9
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("adamax")


def test_minimize_and_none_gradients():
    w = gt.tensor([3.0]).requires_grad_()
    unused = gt.tensor([1.0]).requires_grad_()
    opt = optimizers.SGD(0.25)
    for _ in range(2):
        opt.minimize(lambda: (w * w).sum(), [w, unused])
    assert w.item() == pytest.approx(3.0 * 0.5 * 0.5)
    assert unused.item() == 1.0


def test_state_save_and_restore():
    opt, _ = _run(lambda: optimizers.Adam(0.01), gt.device("cpu"))
    var = opt._vars[0]
    state = opt.state_tensors([var])
    fresh = optimizers.Adam(0.01)
    fresh.load_state([var], state, opt.iterations)
    assert fresh.iterations == 3
    for a, b in zip(opt.variables(), fresh.variables()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
