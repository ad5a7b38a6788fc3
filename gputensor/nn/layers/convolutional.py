"""Image layers, channels-last like Keras: Conv2D, MaxPool2D, AveragePooling2D,
GlobalAveragePooling2D. Inputs are ``(N, H, W, C)``; ``data_format="channels_first"`` takes
``(N, C, H, W)``."""

from __future__ import annotations

import math

from ... import ops
from ...errors import ArgumentValueError, ShapeError
from .. import activations, initializers
from ..conv import conv2d
from ..pooling import avg_pool2d, max_pool2d
from .base import Layer

_FORMATS = {"channels_last": "NHWC", "channels_first": "NCHW"}


def _pair(name: str, value) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    pair = tuple(int(v) for v in value)
    if len(pair) != 2:
        raise ArgumentValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair


def _format(data_format: str) -> str:
    if data_format not in _FORMATS:
        raise ArgumentValueError(
            f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}"
        )
    return data_format


def _padding(padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ArgumentValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding


def _out_size(n, kernel: int, stride: int, dilation: int, padding: str):
    if n is None:
        return None
    if padding == "same":
        return math.ceil(n / stride)
    return (n - dilation * (kernel - 1) - 1) // stride + 1


def _spatial(shape, data_format):
    return (shape[1], shape[2]) if data_format == "channels_last" else (shape[2], shape[3])


def _with_spatial(shape, sizes, channels, data_format):
    if data_format == "channels_last":
        return (shape[0], sizes[0], sizes[1], channels)
    return (shape[0], channels, sizes[0], sizes[1])


class Conv2D(Layer):
    """2-D convolution with ``filters`` output channels and a ``(kh, kw, in // groups, filters)``
    kernel (glorot_uniform), plus a bias (zeros) and an activation.

    Examples
    --------
    >>> import gputensor as gt
    >>> conv = gt.nn.Conv2D(8, 3, padding="same", activation="relu")
    >>> conv(gt.ones((2, 28, 28, 1))).shape
    (2, 28, 28, 8)
    """

    WEIGHT_OPTIONS = {"kernel": "kernel", "bias": "bias"}

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate=1,
        groups: int = 1,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ArgumentValueError(f"Conv2D: filters must be a positive int, got {filters!r}")
        self.filters = filters
        self.kernel_size = _pair("Conv2D: kernel_size", kernel_size)
        self.strides = _pair("Conv2D: strides", strides)
        self.padding = _padding(padding)
        self.data_format = _format(data_format)
        self.dilation_rate = _pair("Conv2D: dilation_rate", dilation_rate)
        self.groups = int(groups)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _channels(self, shape) -> int:
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ShapeError(f"{self.name}: expected inputs of 4 axes (N, H, W, C), got {input_shape}")
        channels = self._channels(input_shape)
        if channels is None or channels % self.groups or self.filters % self.groups:
            raise ShapeError(
                f"{self.name}: groups={self.groups} must divide the input channels ({channels}) and "
                f"filters ({self.filters})"
            )
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.add_weight("kernel", shape, self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)

    def call(self, inputs):
        kernel = self._weights["kernel"]
        if self.data_format == "channels_first":
            kernel = ops.permute_dims(kernel, (3, 2, 0, 1))
        bias = self._weights["bias"] if self.use_bias else None
        y = conv2d(
            inputs,
            kernel,
            bias,
            stride=self.strides,
            padding=self.padding,
            dilation=self.dilation_rate,
            groups=self.groups,
            data_format=_FORMATS[self.data_format],
        )
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        sizes = [
            _out_size(n, k, s, d, self.padding)
            for n, k, s, d in zip(
                _spatial(input_shape, self.data_format), self.kernel_size, self.strides, self.dilation_rate
            )
        ]
        return _with_spatial(input_shape, sizes, self.filters, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


class _Pool2D(Layer):
    def __init__(
        self, pool_size=2, strides=None, padding: str = "valid", data_format: str = "channels_last", **kwargs
    ):
        super().__init__(**kwargs)
        self.pool_size = _pair(f"{type(self).__name__}: pool_size", pool_size)
        self.strides = (
            self.pool_size if strides is None else _pair(f"{type(self).__name__}: strides", strides)
        )
        self.padding = _padding(padding)
        self.data_format = _format(data_format)

    def compute_output_shape(self, input_shape):
        sizes = [
            _out_size(n, k, s, 1, self.padding)
            for n, k, s in zip(_spatial(input_shape, self.data_format), self.pool_size, self.strides)
        ]
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return _with_spatial(input_shape, sizes, channels, self.data_format)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
        }


class MaxPool2D(_Pool2D):
    """Maximum over ``pool_size`` windows (stride ``pool_size`` by default).

    >>> import gputensor as gt
    >>> gt.nn.MaxPool2D()(gt.ones((1, 4, 4, 3))).shape
    (1, 2, 2, 3)
    """

    def call(self, inputs):
        return max_pool2d(
            inputs, self.pool_size, self.strides, padding=self.padding, data_format=_FORMATS[self.data_format]
        )


class AveragePooling2D(_Pool2D):
    """Mean over ``pool_size`` windows; with ``"same"`` padding, padded cells do not count.

    >>> import gputensor as gt
    >>> gt.nn.AveragePooling2D()(gt.ones((1, 4, 4, 3))).shape
    (1, 2, 2, 3)
    """

    def call(self, inputs):
        return avg_pool2d(
            inputs,
            self.pool_size,
            self.strides,
            padding=self.padding,
            count_include_pad=False,
            data_format=_FORMATS[self.data_format],
        )


class GlobalAveragePooling2D(Layer):
    """Mean over the spatial axes: ``(N, H, W, C) -> (N, C)`` (``keepdims`` keeps them as 1).

    >>> import gputensor as gt
    >>> gt.nn.GlobalAveragePooling2D()(gt.ones((2, 5, 5, 3))).shape
    (2, 3)
    """

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _format(data_format)
        self.keepdims = bool(keepdims)

    def _axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else n for i, n in enumerate(input_shape))
        return tuple(n for i, n in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


MaxPooling2D = MaxPool2D
AvgPool2D = AveragePooling2D
