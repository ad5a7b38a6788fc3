"""Initializers: Keras' ranges and variances, seeded reproducibility, every device."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.nn import initializers


def _np(t):
    return np.asarray(t.numpy(), dtype=np.float64)


@pytest.mark.parametrize(
    "name, limit",
    [
        ("glorot_uniform", np.sqrt(6 / (300 + 200))),
        ("he_uniform", np.sqrt(6 / 300)),
        ("lecun_uniform", np.sqrt(3 / 300)),
    ],
)
def test_uniform_variance_scaling_limits(name, limit, device):
    w = _np(initializers.get(name)((300, 200), device=device))
    assert np.abs(w).max() <= limit
    assert abs(w.std() - limit / np.sqrt(3)) < 0.02 * limit


@pytest.mark.parametrize(
    "name, std",
    [
        ("glorot_normal", np.sqrt(2 / (300 + 200))),
        ("he_normal", np.sqrt(2 / 300)),
        ("lecun_normal", np.sqrt(1 / 300)),
    ],
)
def test_truncated_normal_variance_scaling(name, std):
    w = _np(initializers.get(name)((300, 200)))
    assert abs(w.std() - std) < 0.03 * std
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_constant_zeros_ones_random():
    assert np.all(_np(initializers.Zeros()((2, 3))) == 0)
    assert np.all(_np(initializers.Ones()((2,))) == 1)
    assert np.all(_np(initializers.Constant(2.5)((4,))) == 2.5)
    normal = _np(initializers.RandomNormal(1.0, 0.5)((20000,)))
    assert abs(normal.mean() - 1.0) < 0.02 and abs(normal.std() - 0.5) < 0.02
    uniform = _np(initializers.RandomUniform(-0.1, 0.3)((20000,)))
    assert uniform.min() >= -0.1 and uniform.max() < 0.3 and abs(uniform.mean() - 0.1) < 0.01


def test_orthogonal():
    q = _np(initializers.Orthogonal(gain=2.0)((6, 4)))
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(4), atol=1e-5)
    with pytest.raises(ValueError):
        initializers.Orthogonal()((3,))


def test_fans_for_convolution_kernels():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144.0, 288.0)


def test_seed_gives_same_values_and_default_generator_follows_manual_seed():
    a = _np(initializers.GlorotUniform(seed=7)((5, 5)))
    b = _np(initializers.GlorotUniform(seed=7)((5, 5)))
    np.testing.assert_array_equal(a, b)
    gt.manual_seed(11)
    c = _np(initializers.HeNormal()((5, 5)))
    gt.manual_seed(11)
    np.testing.assert_array_equal(c, _np(initializers.HeNormal()((5, 5))))


def test_serialize_round_trip_and_errors():
    init = initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=3)
    again = initializers.deserialize(initializers.serialize(init))
    assert again.get_config() == init.get_config()
    with pytest.raises(ValueError, match="unknown initializer"):
        initializers.get("glorot")
