"""2-D convolution, composed from ops: pad, a strided window view (im2col without a gather),
and one batched matmul per group. Gradients come from those ops, so they are differentiable
again (double backward works)."""

from __future__ import annotations

from ..errors import DTypeError, ShapeError
from ..ops.core import Tensor, check_same_device
from ..ops.linalg import matmul
from ..ops.views import permute_dims, reshape
from .checks import IntPair, Padding, float_tensor, int_tuple, optional_float_tensor
from .geometry import (
    channels_first,
    channels_last,
    check_windows,
    pad_spatial,
    resolve_padding,
    restore_layout,
)
from .windows import sliding_windows


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    data_format: str = "NCHW",
    precision=None,
) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    x : Tensor
        ``(N, C, H, W)`` for ``data_format="NCHW"`` (PyTorch) or ``(N, H, W, C)`` for ``"NHWC"``
        (Keras/TensorFlow); the batch axis may be left out.
    weight : Tensor
        ``(out_channels, C // groups, KH, KW)`` for NCHW, ``(KH, KW, C // groups, out_channels)``
        for NHWC.
    bias : Tensor, optional
        ``(out_channels,)``.
    stride, dilation : int or pair of ints
    padding : int, pair of ints, pair of (before, after) pairs, ``"valid"`` or ``"same"``
        ``"same"`` gives ``ceil(H / stride)`` outputs (TensorFlow's rule; PyTorch's for stride 1).
    groups : int
        Split the channels into ``groups`` independent convolutions; ``C`` and ``out_channels``
        must both be divisible by it.
    data_format : ``"NCHW"`` or ``"NHWC"``
    precision : None, ``"default"``, ``"high"`` or ``"highest"``
        Matmul precision on devices with bf16 matrix units (the TPU), as in ``gt.matmul``.

    Returns
    -------
    Tensor
        ``(N, out_channels, OH, OW)`` (or ``(N, OH, OW, out_channels)``), with
        ``OH = (H + pad_top + pad_bottom - dilation * (KH - 1) - 1) // stride + 1``.

    Examples
    --------
    >>> import gputensor as gt
    >>> x = gt.ones((1, 2, 5, 5))
    >>> w = gt.ones((4, 2, 3, 3))
    >>> y = gt.nn.functional.conv2d(x, w, padding="same")
    >>> y.shape, y[0, 0, 2, 2].item(), y[0, 0, 0, 0].item()
    ((1, 4, 5, 5), 18.0, 8.0)
    """
    op = "conv2d"
    x = float_tensor(op, "x", x)
    weight = float_tensor(op, "weight", weight)
    check_same_device(op, x, weight)
    bias = optional_float_tensor(op, "bias", bias, x)
    _check_dtypes(x, weight, bias)
    x, batched = channels_first(op, "x", x, data_format)
    weight = _weight_oikk(weight, data_format)
    n_out, per_group, kh, kw = weight.shape
    _check_channels(x.shape[1], weight, groups, data_format)
    if bias is not None and bias.shape != (n_out,):
        raise ShapeError(
            f"conv2d: bias must have shape ({n_out},) (one per output channel), got {bias.shape}"
        )
    stride = int_tuple(op, "stride", stride, 2, 1)
    dilation = int_tuple(op, "dilation", dilation, 2, 1)
    sizes = x.shape[2:]
    pads = resolve_padding(op, padding, sizes, (kh, kw), stride, dilation)
    check_windows(op, sizes, pads, (kh, kw), stride, dilation)
    y = _conv_nchw(x, weight, pads, stride, dilation, groups, precision)
    if bias is not None:
        y = y + reshape(bias, (1, n_out, 1, 1))
    return restore_layout(y, data_format, batched)


def _check_dtypes(x: Tensor, weight: Tensor, bias) -> None:
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not x.dtype:
            raise DTypeError(
                f"conv2d: x is {x.dtype.name} but {name} is {t.dtype.name}; cast them to one dtype"
            )


def _weight_oikk(weight: Tensor, data_format: str) -> Tensor:
    """The weight as (out, in/groups, KH, KW), checked to have 4 axes."""
    last = channels_last("conv2d", data_format)
    if weight.ndim != 4:
        layout = "(KH, KW, C // groups, out_channels)" if last else "(out_channels, C // groups, KH, KW)"
        raise ShapeError(
            f"conv2d: weight must have shape {layout} for data_format={data_format!r}, "
            f"got shape {weight.shape}"
        )
    if last:
        weight = permute_dims(weight, (3, 2, 0, 1))
    if weight.shape[2] < 1 or weight.shape[3] < 1:
        raise ShapeError(f"conv2d: the kernel must be at least 1x1, got {weight.shape[2:]}")
    return weight


def _check_channels(channels: int, weight: Tensor, groups, data_format: str) -> None:
    n_out, per_group = weight.shape[:2]
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ShapeError(f"conv2d: groups must be a positive int, got {groups!r}")
    if channels % groups or n_out % groups:
        raise ShapeError(
            f"conv2d: groups={groups} must divide both the input channels ({channels}) and the "
            f"output channels ({n_out})"
        )
    if channels // groups != per_group:
        axis = 2 if channels_last("conv2d", data_format) else 1
        raise ShapeError(
            f"conv2d: x has {channels} channels, so with groups={groups} weight.shape[{axis}] must be "
            f"{channels // groups}, got {per_group}"
        )


def _conv_nchw(x: Tensor, weight: Tensor, pads, stride, dilation, groups: int, precision=None) -> Tensor:
    n, channels = x.shape[:2]
    n_out, per_group, kh, kw = weight.shape
    xp = pad_spatial(x, pads, 0.0)
    windows = sliding_windows(xp, (kh, kw), stride, dilation)
    oh, ow = windows.shape[2:4]
    windows = reshape(windows, (n, groups, per_group, oh, ow, kh, kw))
    cols = permute_dims(windows, (0, 1, 2, 5, 6, 3, 4))
    cols = reshape(cols, (n, groups, per_group * kh * kw, oh * ow))
    kernels = reshape(weight, (groups, n_out // groups, per_group * kh * kw))
    y = matmul(kernels, cols, precision=precision)
    return reshape(y, (n, n_out, oh, ow))
