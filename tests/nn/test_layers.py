"""Layers: forward against NumPy references on every device, gradients through gradcheck
(float64, CPU), Keras defaults, lazy building, weights, trainable, devices."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.testing import gradcheck

RNG = np.random.default_rng(0)


def _np(t):
    return np.asarray(t.numpy(), dtype=np.float64)


def _weights_fn(layer, names, training=False):
    """fn(x, *weights) that runs ``layer`` with the given weight tensors (for gradcheck)."""

    def fn(x, *ws):
        for name, w in zip(names, ws):
            layer._weights[name] = w
        return layer(x, training=training)

    return fn


def _gradcheck_layer(layer, x, training=False):
    x = gt.asarray(x.astype(np.float64))
    layer(x, training=training)
    names = list(layer._weights)
    ws = [layer._weights[n].detach() for n in names]
    trainable = [i + 1 for i, n in enumerate(names) if layer._weight_trainable[n]]
    wrt = ([0] if x.dtype.kind == "f" else []) + trainable
    assert gradcheck(_weights_fn(layer, names, training), [x, *ws], wrt=wrt, atol=1e-6)


def test_dense_forward_matches_numpy(device):
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    layer = gt.nn.Dense(3, activation="relu").to(device)
    y = layer(x)
    assert y.device == device and y.shape == (5, 3)
    expected = np.maximum(x @ _np(layer.kernel) + _np(layer.bias), 0)
    np.testing.assert_allclose(_np(y), expected, rtol=1e-5, atol=1e-6)


def test_dense_defaults_are_keras():
    layer = gt.nn.Dense(64)
    layer.build_for((None, 100))
    limit = np.sqrt(6 / (100 + 64))
    kernel = _np(layer.kernel)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert np.all(_np(layer.bias) == 0)
    assert [w.shape for w in layer.weights] == [(100, 64), (64,)]


def test_dense_gradients():
    _gradcheck_layer(gt.nn.Dense(3, activation="tanh", dtype="float64"), RNG.standard_normal((4, 5)))


def test_dense_on_three_axes_and_bad_shape():
    layer = gt.nn.Dense(2)
    assert layer(np.ones((3, 4, 5), np.float32)).shape == (3, 4, 2)
    with pytest.raises(ValueError, match="last axis 5"):
        layer(np.ones((3, 6), np.float32))


def test_lazy_build_on_first_call_and_input_shape():
    layer = gt.nn.Dense(2)
    assert not layer.built and layer.weights == []
    layer(np.ones((1, 7), np.float32))
    assert layer.built and layer.kernel.shape == (7, 2)
    model = gt.nn.Sequential([gt.nn.Dense(4, input_shape=(3,)), gt.nn.Dense(2)])
    assert model.built and model.count_params() == 3 * 4 + 4 + 4 * 2 + 2


def test_conv2d_channels_last_matches_numpy(device):
    x = RNG.standard_normal((2, 6, 5, 3)).astype(np.float32)
    conv = gt.nn.Conv2D(4, (3, 2), strides=(1, 2), activation="linear").to(device)
    y = conv(x)
    k = _np(conv.kernel)
    oh, ow = 4, 2
    expected = np.zeros((2, oh, ow, 4))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i : i + 3, 2 * j : 2 * j + 2, :]
            expected[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, k)
    np.testing.assert_allclose(_np(y), expected, rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape((None, 6, 5, 3)) == (None, 4, 2, 4)


def test_conv2d_same_padding_shape_and_gradients():
    conv = gt.nn.Conv2D(2, 3, padding="same", dtype="float64")
    assert conv(np.ones((1, 5, 5, 1))).shape == (1, 5, 5, 2)
    _gradcheck_layer(gt.nn.Conv2D(2, 2, dtype="float64"), RNG.standard_normal((1, 3, 3, 2)))


def test_pooling_layers_match_numpy(device):
    x = RNG.standard_normal((2, 4, 6, 3)).astype(np.float32)
    blocks = x.reshape(2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(
        _np(gt.nn.MaxPool2D()(gt.asarray(x, device=device))), blocks.max(axis=(2, 4)), rtol=1e-6
    )
    np.testing.assert_allclose(
        _np(gt.nn.AveragePooling2D()(gt.asarray(x, device=device))),
        blocks.mean(axis=(2, 4)),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        _np(gt.nn.GlobalAveragePooling2D()(gt.asarray(x, device=device))),
        x.mean(axis=(1, 2)),
        rtol=1e-5,
        atol=1e-6,
    )
    assert gt.nn.MaxPool2D(padding="same").compute_output_shape((None, 5, 5, 3)) == (None, 3, 3, 3)


def test_pooling_gradients():
    _gradcheck_layer(gt.nn.AveragePooling2D(dtype="float64"), RNG.standard_normal((1, 4, 4, 2)))
    _gradcheck_layer(gt.nn.GlobalAveragePooling2D(dtype="float64"), RNG.standard_normal((2, 3, 3, 2)))


def test_flatten_reshape_activation(device):
    x = gt.asarray(RNG.standard_normal((2, 3, 4)).astype(np.float32), device=device)
    assert gt.nn.Flatten()(x).shape == (2, 12)
    assert gt.nn.Reshape((4, -1))(x).shape == (2, 4, 3)
    assert gt.nn.Reshape((4, -1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    np.testing.assert_allclose(_np(gt.nn.Activation("gaussian")(x)), np.exp(-(_np(x) ** 2)), rtol=1e-6)


def test_dropout_training_and_inference(device):
    x = gt.ones((200, 50), device=device)
    layer = gt.nn.Dropout(0.2, seed=3)
    assert layer(x, training=False) is not None and np.all(_np(layer(x, training=False)) == 1)
    y = _np(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, 1.25}
    assert abs((y == 0).mean() - 0.2) < 0.02
    again = _np(gt.nn.Dropout(0.2, seed=3)(x, training=True))
    np.testing.assert_array_equal(y, again)


def test_batch_normalization_training_and_moving_stats(device):
    x = RNG.standard_normal((8, 3)).astype(np.float32) * 2 + 1
    bn = gt.nn.BatchNormalization(momentum=0.9).to(device)
    y = bn(gt.asarray(x, device=device), training=True)
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(_np(y), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(bn.moving_mean), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(bn.moving_variance), 0.9 + 0.1 * var, rtol=1e-5)
    y_inf = bn(gt.asarray(x, device=device), training=False)
    np.testing.assert_allclose(_np(y_inf), (x - 0.1 * mean) / np.sqrt(0.9 + 0.1 * var + 1e-3), rtol=1e-4)
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_batch_normalization_gradients():
    _gradcheck_layer(gt.nn.BatchNormalization(dtype="float64"), RNG.standard_normal((6, 3)), training=True)


def test_layer_normalization(device):
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    y = gt.nn.LayerNormalization()(gt.asarray(x, device=device))
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(_np(y), expected, rtol=1e-4, atol=1e-5)
    _gradcheck_layer(gt.nn.LayerNormalization(dtype="float64"), RNG.standard_normal((3, 4)))


def test_embedding(device):
    layer = gt.nn.Embedding(10, 3).to(device)
    ids = np.array([[1, 2], [9, 1]])
    y = layer(gt.asarray(ids, device=device))
    np.testing.assert_allclose(_np(y), _np(layer.embeddings)[ids], rtol=1e-6)
    assert np.abs(_np(layer.embeddings)).max() <= 0.05
    with pytest.raises(IndexError):
        layer(np.array([[10]]))


def _lstm_reference(x, kernel, recurrent, bias, units):
    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    n = x.shape[0]
    h = np.zeros((n, units))
    c = np.zeros((n, units))
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units : (k + 1) * units] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1), h, c


def test_lstm_matches_numpy(device):
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    layer = gt.nn.LSTM(4, return_sequences=True, return_state=True).to(device)
    seq, h, c = layer(gt.asarray(x, device=device))
    bias = _np(layer.bias)
    assert np.all(bias[4:8] == 1) and np.all(bias[:4] == 0)
    recurrent = _np(layer.recurrent_kernel)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-5)  # orthonormal rows
    ref_seq, ref_h, ref_c = _lstm_reference(x, _np(layer.kernel), recurrent, bias, 4)
    for got, want in ((seq, ref_seq), (h, ref_h), (c, ref_c)):
        np.testing.assert_allclose(_np(got), want, rtol=1e-4, atol=1e-5)
    assert gt.nn.LSTM(4)(x).shape == (2, 4)


def test_lstm_gradients():
    _gradcheck_layer(gt.nn.LSTM(2, dtype="float64"), RNG.standard_normal((2, 3, 2)))


def test_get_set_weights_and_trainable():
    layer = gt.nn.Dense(2)
    layer(np.ones((1, 3), np.float32))
    values = [np.full((3, 2), 0.5, np.float32), np.array([1.0, -1.0], np.float32)]
    layer.set_weights(values)
    assert np.allclose(layer(np.ones((1, 3), np.float32)).numpy(), [[2.5, 0.5]])
    assert all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), values))
    with pytest.raises(ValueError, match="kernel"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.kernel.requires_grad


def test_layer_to_device_moves_weights(device):
    layer = gt.nn.Dense(2)
    layer(np.ones((1, 3), np.float32))
    layer.to(device)
    assert all(w.device == device for w in layer.weights)
    assert layer.kernel.requires_grad
    assert layer(gt.ones((1, 3), device=device)).device == device


def test_functional_merges():
    a = gt.nn.Input(shape=(3,))
    b = gt.nn.Input(shape=(2,))
    merged = gt.nn.Concatenate()([gt.nn.Dense(4)(a), gt.nn.Dense(4)(b)])
    total = gt.nn.Add()([merged, merged])
    model = gt.nn.Model([a, b], gt.nn.Dense(1)(total))
    assert model([np.ones((5, 3), np.float32), np.ones((5, 2), np.float32)]).shape == (5, 1)
    assert merged.shape == (None, 8)
