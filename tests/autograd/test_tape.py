"""GradientTape: watching, persistence, nesting for higher order, jacobians, unconnected
sources, output gradients, structured sources and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, AutogradError
from tests.helpers import assert_close


def test_watch_plain_tensor(device):
    x = gt.asarray([1.0, 2.0, 3.0], device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = (x * x).sum()
    g = tape.gradient(y, x)
    assert g.tolist() == [2.0, 4.0, 6.0]
    assert x.grad is None  # the tape does not accumulate into .grad
    assert not x.requires_grad  # watching ends with the tape
    (watched,) = tape.watched_variables()
    assert watched is x


def test_unwatched_tensor_has_no_gradient(device):
    x = gt.asarray([1.0, 2.0], device=device)
    with gt.GradientTape() as tape:
        y = (x * x).sum()
    assert tape.gradient(y, x) is None
    with gt.GradientTape() as tape:
        y = (x * x).sum()
    assert tape.gradient(y, x, unconnected_gradients="zero").tolist() == [0.0, 0.0]


def test_tensors_requiring_grad_are_recorded_without_watch(device):
    w = gt.asarray([2.0], device=device).requires_grad_()
    with gt.GradientTape() as tape:
        y = (w**3).sum()
    assert tape.gradient(y, w).tolist() == [12.0]


def test_non_persistent_tape_gradient_twice_errors(device):
    x = gt.asarray(3.0, device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(
        AutogradError, match="GradientTape.gradient: a non-persistent tape can compute gradients only once"
    ):
        tape.gradient(y, x)


def test_persistent_tape(device):
    x = gt.asarray(3.0, device=device)
    with gt.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(z, x).item() == 108.0
    assert tape.gradient(y, x).item() == 6.0
    assert tape.gradient(z, y).item() == 18.0


def test_nested_tapes_give_higher_order(device):
    x = gt.asarray(2.0, dtype=gt.float64, device=device)
    with gt.GradientTape() as t3:
        t3.watch(x)
        with gt.GradientTape() as t2:
            t2.watch(x)
            with gt.GradientTape() as t1:
                t1.watch(x)
                y = gt.sin(x) * x**3
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    v = 2.0
    np.testing.assert_allclose(d1.item(), np.cos(v) * v**3 + 3 * v**2 * np.sin(v))
    np.testing.assert_allclose(d2.item(), -np.sin(v) * v**3 + 6 * v**2 * np.cos(v) + 6 * v * np.sin(v))
    np.testing.assert_allclose(
        d3.item(), -np.cos(v) * v**3 - 9 * v**2 * np.sin(v) + 18 * v * np.cos(v) + 6 * np.sin(v)
    )


def test_jacobian(device):
    x = gt.asarray([1.0, 2.0, 3.0], dtype=gt.float64, device=device)
    w = gt.asarray([[1.0, 0.5], [2.0, -1.0], [0.0, 3.0]], dtype=gt.float64, device=device)
    with gt.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = gt.sin(x) @ w  # shape (2,)
    jx, jw = tape.jacobian(y, [x, w])
    assert jx.shape == (2, 3) and jw.shape == (2, 3, 2)
    assert_close(jx, (np.cos(x.numpy())[:, None] * w.numpy()).T)
    expected_w = np.zeros((2, 3, 2))
    for j in range(2):
        expected_w[j, :, j] = np.sin(x.numpy())
    assert_close(jw, expected_w)
    z = gt.asarray(1.0, device=device)
    with gt.GradientTape() as tape:
        tape.watch([x, z])
        y = x * 2
    jac = tape.jacobian(y, {"x": x, "z": z})
    assert_close(jac["x"], 2 * np.eye(3))
    assert jac["z"].tolist() == [0.0, 0.0, 0.0]


def test_output_gradients(device):
    x = gt.asarray([1.0, 2.0], device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=gt.asarray([10.0, -1.0], device=device))
    assert g.tolist() == [20.0, -4.0]
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * 3
    with pytest.raises(
        AutogradError,
        match=r"GradientTape.gradient: gradient has shape \(3,\) but the output has shape \(2,\)",
    ):
        tape.gradient(y, x, output_gradients=gt.ones(3, device=device))


def test_non_scalar_target_is_summed(device):
    x = gt.asarray([1.0, 2.0], device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).tolist() == [2.0, 4.0]


def test_structured_sources_and_targets(device):
    a = gt.asarray(1.0, device=device)
    b = gt.asarray(2.0, device=device)
    c = gt.asarray(3.0, device=device)
    with gt.GradientTape(persistent=True) as tape:
        tape.watch({"a": a, "bc": [b, c]})
        y = a * b + c
        z = a * 10
    g = tape.gradient(y, {"a": a, "bc": [b, c]})
    assert g["a"].item() == 2.0 and g["bc"][0].item() == 1.0 and g["bc"][1].item() == 1.0
    gl = tape.gradient([y, z], (a, [b]))
    assert isinstance(gl, tuple) and isinstance(gl[1], list)
    assert gl[0].item() == 12.0 and gl[1][0].item() == 1.0
    assert len(tape.watched_variables()) == 3
    # the TensorFlow idiom: differentiate with respect to what the tape watched
    grads = tape.gradient(y, tape.watched_variables())
    assert [g.item() for g in grads] == [2.0, 1.0, 1.0]


def test_source_is_an_intermediate(device):
    x = gt.asarray(2.0, device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        h = x * 3
        y = h * h
    assert tape.gradient(y, h).item() == 12.0


def test_stop_recording(device):
    x = gt.asarray(2.0, device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            c = x * 5
        y = x * c
    assert tape.gradient(y, x).item() == 10.0


def test_reset_forgets_watched(device):
    x = gt.asarray(2.0, device=device)
    with gt.GradientTape() as tape:
        tape.watch(x)
        tape.reset()
        y = x * x
    assert tape.gradient(y, x) is None
    assert tape.watched_variables() == ()


def test_tape_errors(device):
    x = gt.asarray(2.0, device=device)
    tape = gt.GradientTape()
    with pytest.raises(AutogradError, match="GradientTape.watch: call it inside"):
        tape.watch(x)
    with gt.GradientTape() as tape:
        with pytest.raises(
            AutogradError,
            match="GradientTape.watch: cannot take gradients with respect to a tensor of dtype "
            "gputensor.int64",
        ):
            tape.watch(gt.asarray([1, 2], device=device))
        with pytest.raises(ArgumentTypeError, match="GradientTape.watch: expected tensors, got float"):
            tape.watch([1.0])
        tape.watch(x)
        y = x * x
        with pytest.raises(AutogradError, match="GradientTape: this tape is already open"):
            tape.__enter__()
    with pytest.raises(ArgumentValueError, match="unconnected_gradients must be 'none' or 'zero'"):
        tape.gradient(y, x, unconnected_gradients="zeros")
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ArgumentTypeError, match="GradientTape.gradient: sources must be tensors, got float"):
        tape.gradient(y, 2.0)
    with gt.GradientTape() as tape:
        tape.watch(x)
        k = (x * 2).astype(gt.int64)
    with pytest.raises(
        AutogradError,
        match="GradientTape.gradient: cannot take gradients with respect to a target of dtype "
        "gputensor.int64",
    ):
        tape.gradient(k, x)
    with gt.GradientTape() as tape:
        tape.watch(x)
        y = x * 2
    with pytest.raises(AutogradError, match="source of dtype gputensor.int32"):
        tape.gradient(y, gt.asarray([1], dtype=gt.int32, device=device))


def test_tape_gradient_of_broadcast_and_views(device):
    x = gt.asarray([[1.0, 2.0, 3.0]], device=device)
    b = gt.asarray([[10.0], [20.0]], device=device)
    with gt.GradientTape() as tape:
        tape.watch([x, b])
        y = (x * b).T[::-1].sum()
    gx, gb = tape.gradient(y, [x, b])
    assert gx.tolist() == [[30.0, 30.0, 30.0]]
    assert gb.tolist() == [[6.0], [6.0]]
