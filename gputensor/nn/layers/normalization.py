"""BatchNormalization and LayerNormalization with Keras' defaults (channels on the last axis,
``epsilon=1e-3``, ``momentum=0.99``)."""

from __future__ import annotations

from ... import ops
from ...autograd.state import no_grad
from ...errors import ArgumentValueError, ShapeError
from .. import initializers
from ..normalization import layer_norm
from .base import Layer


class BatchNormalization(Layer):
    """Normalizes each channel (``axis``) by the batch's mean and variance in training and by
    moving averages in inference: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    The moving statistics follow Keras: ``moving = moving * momentum + batch * (1 - momentum)``
    with the batch's biased variance, updated in place (not trained). A frozen layer
    (``trainable=False``) always runs in inference mode, as in Keras.

    Examples
    --------
    >>> import gputensor as gt
    >>> bn = gt.nn.BatchNormalization()
    >>> y = bn(gt.tensor([[1.0], [3.0]]), training=True)
    >>> [round(v, 2) for v in y.reshape(-1).tolist()], [round(v, 3) for v in bn.moving_mean.tolist()]
    ([-1.0, 1.0], [0.02])
    """

    WEIGHT_OPTIONS = {"gamma": "gamma", "beta": "beta"}

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ArgumentValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum}")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.inits = {
            "gamma": initializers.get(gamma_initializer),
            "beta": initializers.get(beta_initializer),
            "moving_mean": initializers.get(moving_mean_initializer),
            "moving_variance": initializers.get(moving_variance_initializer),
        }

    def build(self, input_shape):
        axis = self.axis % len(input_shape)
        channels = input_shape[axis]
        if channels is None:
            raise ShapeError(f"{self.name}: the channel axis {self.axis} must be known, got {input_shape}")
        if self.scale:
            self.add_weight("gamma", (channels,), self.inits["gamma"])
        if self.center:
            self.add_weight("beta", (channels,), self.inits["beta"])
        self.add_weight("moving_mean", (channels,), self.inits["moving_mean"], trainable=False)
        self.add_weight("moving_variance", (channels,), self.inits["moving_variance"], trainable=False)

    def call(self, inputs, training=None):
        axis = self.axis % inputs.ndim
        shape = tuple(n if i == axis else 1 for i, n in enumerate(inputs.shape))
        weights = self._weights
        if training and self.trainable:
            reduce = tuple(i for i in range(inputs.ndim) if i != axis)
            mean = ops.mean(inputs, axis=reduce, keepdims=True)
            var = ops.var(inputs, axis=reduce, keepdims=True)
            self._update_moving(mean, var)
        else:
            mean = ops.reshape(weights["moving_mean"], shape)
            var = ops.reshape(weights["moving_variance"], shape)
        y = (inputs - mean) * ops.rsqrt(var + self.epsilon)
        if self.scale:
            y = y * ops.reshape(weights["gamma"], shape)
        if self.center:
            y = y + ops.reshape(weights["beta"], shape)
        return y

    def _update_moving(self, mean, var) -> None:
        keep = self.momentum
        with no_grad():
            for name, batch in (("moving_mean", mean), ("moving_variance", var)):
                moving = self._weights[name]
                moving *= keep
                moving += ops.reshape(batch.detach(), moving.shape) * (1.0 - keep)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **{f"{k}_initializer": initializers.serialize(v) for k, v in self.inits.items()},
        }


class LayerNormalization(Layer):
    """Normalizes each sample over its last axis (``axis=-1``): ``gamma * (x - mean) /
    sqrt(var + epsilon) + beta`` with ``gamma`` and ``beta`` of the last axis' size.

    >>> import gputensor as gt
    >>> y = gt.nn.LayerNormalization(epsilon=0.0)(gt.tensor([[1.0, 3.0]]))
    >>> y.tolist()
    [[-1.0, 1.0]]
    """

    WEIGHT_OPTIONS = {"gamma": "gamma", "beta": "beta"}

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(axis) != -1:
            raise ArgumentValueError(f"LayerNormalization: only axis=-1 is supported, got {axis}")
        self.axis = -1
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        size = input_shape[-1]
        if size is None:
            raise ShapeError(f"{self.name}: the last axis must be known, got {input_shape}")
        if self.scale:
            self.add_weight("gamma", (size,), self.gamma_initializer)
        if self.center:
            self.add_weight("beta", (size,), self.beta_initializer)

    def call(self, inputs):
        w = self._weights
        return layer_norm(inputs, (inputs.shape[-1],), w.get("gamma"), w.get("beta"), eps=self.epsilon)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }
