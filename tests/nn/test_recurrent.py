"""SimpleRNN and GRU (gputensor/nn/layers/recurrent.py): forward against PyTorch's RNN and GRU
with the same weights on every device, Keras' reset_after=False form against a NumPy
reference, gradients through gradcheck, states, options and configs. (LSTM: test_layers.py.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gputensor as gt
from gputensor.errors import ArgumentValueError, ShapeError
from tests.nn.test_layers import _gradcheck_layer, _np

RNG = np.random.default_rng(11)


def _torch_gru(x, kernel, recurrent, bias, units):
    """PyTorch's GRU (gate order r, z, n) with Keras' weights (order z, r, c)."""
    gru = torch.nn.GRU(x.shape[-1], units, batch_first=True).double()

    def reorder(w):  # Keras (.., 3u) z|r|c -> PyTorch (3u, ..) r|z|n
        z, r, c = np.split(w, 3, axis=-1)
        return torch.tensor(np.concatenate([r, z, c], axis=-1).T.copy())

    with torch.no_grad():
        gru.weight_ih_l0.copy_(reorder(kernel))
        gru.weight_hh_l0.copy_(reorder(recurrent))
        gru.bias_ih_l0.copy_(reorder(bias[0][None])[:, 0])
        gru.bias_hh_l0.copy_(reorder(bias[1][None])[:, 0])
        out, h = gru(torch.tensor(x, dtype=torch.float64))
    return out.numpy(), h[0].numpy()


def test_gru_matches_torch(device):
    x = RNG.standard_normal((3, 6, 4)).astype(np.float32)
    layer = gt.nn.GRU(5, return_sequences=True, return_state=True).to(device)
    layer(gt.asarray(x, device=device))
    with gt.no_grad():
        layer.bias[...] = gt.asarray(RNG.standard_normal((2, 15)), dtype=gt.float32, device=device)
    seq, h = layer(gt.asarray(x, device=device))
    assert layer.bias.shape == (2, 15) and layer.kernel.shape == (4, 15)
    assert layer.recurrent_kernel.shape == (5, 15)
    want_seq, want_h = _torch_gru(x, _np(layer.kernel), _np(layer.recurrent_kernel), _np(layer.bias), 5)
    np.testing.assert_allclose(_np(seq), want_seq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(h), want_h, rtol=1e-4, atol=1e-5)


def test_gru_reset_before_matches_numpy(device):
    x = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    layer = gt.nn.GRU(3, reset_after=False, return_sequences=True, go_backwards=True).to(device)
    layer(gt.asarray(x, device=device))
    with gt.no_grad():
        layer.bias[...] = gt.asarray(RNG.standard_normal(9), dtype=gt.float32, device=device)
    got = _np(layer(gt.asarray(x, device=device)))
    k, rk, b = _np(layer.kernel), _np(layer.recurrent_kernel), _np(layer.bias)
    h = np.zeros((2, 3))
    want = []
    for t in reversed(range(4)):
        xw = x[:, t].astype(np.float64) @ k + b
        z = 1 / (1 + np.exp(-(xw[:, :3] + h @ rk[:, :3])))
        r = 1 / (1 + np.exp(-(xw[:, 3:6] + h @ rk[:, 3:6])))
        c = np.tanh(xw[:, 6:] + (r * h) @ rk[:, 6:])
        h = z * h + (1 - z) * c
        want.append(h)
    np.testing.assert_allclose(got, np.stack(want, axis=1), rtol=1e-4, atol=1e-5)


def test_simple_rnn_matches_torch(device):
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    layer = gt.nn.SimpleRNN(4, return_sequences=True).to(device)
    layer(gt.asarray(x, device=device))
    with gt.no_grad():
        layer.bias[...] = gt.asarray(RNG.standard_normal(4), dtype=gt.float32, device=device)
    got = _np(layer(gt.asarray(x, device=device)))
    rnn = torch.nn.RNN(3, 4, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(_np(layer.kernel).T))
        rnn.weight_hh_l0.copy_(torch.tensor(_np(layer.recurrent_kernel).T))
        rnn.bias_ih_l0.copy_(torch.tensor(_np(layer.bias)))
        rnn.bias_hh_l0.zero_()
        want, _ = rnn(torch.tensor(x, dtype=torch.float64))
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda: gt.nn.SimpleRNN(2, dtype="float64"),
    lambda: gt.nn.GRU(2, dtype="float64"),
    lambda: gt.nn.GRU(2, reset_after=False, use_bias=False, dtype="float64"),
], ids=["simple_rnn", "gru", "gru_reset_before_no_bias"])
def test_recurrent_gradients(make):
    _gradcheck_layer(make(), RNG.standard_normal((2, 3, 2)))


def test_initial_state_and_return_state():
    x = gt.asarray(RNG.standard_normal((2, 3, 4)), dtype=gt.float32)
    gru = gt.nn.GRU(3, return_state=True)
    out, h = gru(x)
    assert out.shape == h.shape == (2, 3) and np.array_equal(out.numpy(), h.numpy())
    out2, _ = gru(x, initial_state=[h])
    assert not np.allclose(out2.numpy(), out.numpy())
    assert gru.compute_output_shape((None, 3, 4)) == [(None, 3), (None, 3)]
    with pytest.raises(ShapeError, match="initial_state needs 1 tensor"):
        gru(x, initial_state=[h, h])
    with pytest.raises(ShapeError, match=r"expected inputs \(batch, time, features\)"):
        gt.nn.SimpleRNN(2)(gt.ones((2, 3)))
    with pytest.raises(ArgumentValueError, match="GRU: units must be a positive int"):
        gt.nn.GRU(0)


def test_configs_round_trip():
    layers = (gt.nn.GRU(3, reset_after=False, return_sequences=True), gt.nn.SimpleRNN(2, activation="relu"),
              gt.nn.LSTM(2, unit_forget_bias=False, go_backwards=True))
    for layer in layers:
        config = layer.get_config()
        again = type(layer).from_config(config)
        assert again.get_config() == config
    assert "recurrent_activation" not in gt.nn.SimpleRNN(2).get_config()


def test_gru_model_trains_and_saves(tmp_path):
    x = RNG.standard_normal((64, 5, 3)).astype(np.float32)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.float32)[:, None]
    model = gt.nn.Sequential([gt.nn.GRU(8, input_shape=(5, 3)), gt.nn.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=gt.nn.optimizers.Adam(0.02), metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.7
    path = tmp_path / "gru.keras"
    model.save(path)
    again = gt.nn.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
