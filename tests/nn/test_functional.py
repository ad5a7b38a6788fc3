"""The gt.nn.functional namespace: every function present, documented and its examples run."""

import doctest
import importlib
import inspect

import pytest

import gputensor as gt
from gputensor.errors import DeviceError
from tests.helpers import second_device

MODULES = [
    "functional",
    "checks",
    "conv",
    "dropout",
    "geometry",
    "losses",
    "normalization",
    "pooling",
    "sparse",
    "windows",
]

ACTIVATIONS = [
    "softmax",
    "log_softmax",
    "relu",
    "sigmoid",
    "gelu",
    "softplus",
    "tanh",
    "silu",
    "elu",
    "leaky_relu",
]
NEW = [
    "cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss",
    "l1_loss", "huber_loss", "one_hot", "dropout", "embedding", "conv2d", "max_pool2d", "avg_pool2d",
    "batch_norm", "layer_norm",
]  # fmt: skip


def test_namespace_exports_every_function():
    F = gt.nn.functional
    for name in ACTIVATIONS + NEW:
        assert callable(getattr(F, name)), name
        assert name in F.__all__, name
    for name in F.__all__:
        assert callable(getattr(F, name)), name
    assert F.softmax is gt.softmax and F.sigmoid is gt.sigmoid


@pytest.mark.parametrize("name", NEW)
def test_new_functions_have_hints_and_examples(name):
    fn = getattr(gt.nn.functional, name)
    assert ">>> import gputensor as gt" in fn.__doc__, name
    assert "return" in inspect.get_annotations(fn), name


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"gputensor.nn.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_tensors_on_two_devices_raise_naming_the_function(device):
    other = second_device()
    F = gt.nn.functional
    x = gt.ones((1, 2, 4, 4), device=device)
    with pytest.raises(DeviceError, match=r"conv2d: .*cpu2:0"):
        F.conv2d(x, gt.ones((2, 2, 3, 3), device=other))
    with pytest.raises(DeviceError, match="conv2d"):
        F.conv2d(x, gt.ones((2, 2, 3, 3), device=device), gt.ones(2, device=other))
    logits = gt.zeros((2, 3), device=device)
    with pytest.raises(DeviceError, match="cross_entropy"):
        F.cross_entropy(logits, gt.tensor([0, 1], device=other))
    with pytest.raises(DeviceError, match="cross_entropy"):
        F.cross_entropy(logits, gt.tensor([0, 1], device=device), weight=gt.ones(3, device=other))
    with pytest.raises(DeviceError, match="binary_cross_entropy_with_logits"):
        F.binary_cross_entropy_with_logits(logits, gt.zeros((2, 3), device=other))
    with pytest.raises(DeviceError, match="mse_loss"):
        F.mse_loss(logits, gt.zeros((2, 3), device=other))
    with pytest.raises(DeviceError, match="embedding"):
        F.embedding(gt.tensor([0], device=other), gt.ones((3, 2), device=device))
    with pytest.raises(DeviceError, match="batch_norm"):
        F.batch_norm(logits, gt.zeros(3, device=other), gt.ones(3, device=device))
    with pytest.raises(DeviceError, match="layer_norm"):
        F.layer_norm(logits, 3, gt.ones(3, device=other))
