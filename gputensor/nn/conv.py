"""2-D convolution, composed from ops: pad, a strided window view (im2col without a gather),
and one batched matmul per group. Gradients come from those ops, so they are differentiable
again (double backward works).

A backend may offer the optional fused forward ``conv2d(x, weight, pads, stride, dilation,
groups) -> array | None`` (CUDA: an implicit-GEMM kernel): ``x`` (N, C, H, W) and ``weight``
(O, C // groups, KH, KW) native arrays of one floating dtype, ``pads`` ((top, bottom), (left,
right)); the (N, O, OH, OW) result in that dtype, or None to decline. Its gradients are the
composed ones, written out below from the same ops (so they are differentiable again)."""

from __future__ import annotations

from ..errors import DTypeError, ShapeError
from ..ops.core import Tensor, check_same_device, make, record, state
from ..ops.indexing import getitem
from ..ops.linalg import matmul
from ..ops.reduction import sum as reduce_sum
from ..ops.views import matrix_transpose, permute_dims, reshape
from .checks import IntPair, Padding, float_tensor, int_tuple, optional_float_tensor
from .geometry import (
    channels_first,
    channels_last,
    check_windows,
    pad_spatial,
    resolve_padding,
    restore_layout,
)
from .windows import fold_windows, sliding_windows


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
    n = x.shape[0]
    n_out, per_group, kh, kw = weight.shape
    fused = getattr(x.device.backend, "conv2d", None)
    if fused is not None and precision is None:
        data = fused(x._data, weight._data, pads, stride, dilation, groups)
        if data is not None:
            y = make(data, tuple(data.shape), x.dtype, x.device)
            if state.enabled and (x.requires_grad or weight.requires_grad):
                record("conv2d", _g_conv2d, (x, weight), y, save=(x, weight),
                       ctx=(pads, stride, dilation, groups))
            return y
    xp = pad_spatial(x, pads, 0.0)
    cols, (oh, ow) = _columns(xp, (kh, kw), stride, dilation, groups)
    kernels = reshape(weight, (groups, n_out // groups, per_group * kh * kw))
    y = matmul(kernels, cols, precision=precision)
    return reshape(y, (n, n_out, oh, ow))


def _columns(xp: Tensor, kernel, stride, dilation, groups: int):
    """im2col of the padded input as a view: ``(N, groups, C // groups * KH * KW, OH * OW)``,
    and ``(OH, OW)``."""
    n, channels = xp.shape[:2]
    kh, kw = kernel
    windows = sliding_windows(xp, kernel, stride, dilation)
    oh, ow = windows.shape[2:4]
    windows = reshape(windows, (n, groups, channels // groups, oh, ow, kh, kw))
    cols = permute_dims(windows, (0, 1, 2, 5, 6, 3, 4))
    return reshape(cols, (n, groups, channels // groups * kh * kw, oh * ow)), (oh, ow)


def _g_conv2d(node, g):
    """Gradients of a fused forward, from the composed formulas: ``dW = sum_n g @ cols^T`` and
    ``dx = fold(W^T @ g)`` with the padding cut off."""
    x, weight = node.saved_tensors
    pads, stride, dilation, groups = node.ctx
    n, channels, height, width = x.shape
    n_out, per_group, kh, kw = weight.shape
    oh, ow = g.shape[2:]
    g = reshape(g, (n, groups, n_out // groups, oh * ow))
    gx = gw = None
    if node.edges[1] is not None:
        cols, _ = _columns(pad_spatial(x, pads, 0.0), (kh, kw), stride, dilation, groups)
        gw = reshape(reduce_sum(matmul(g, matrix_transpose(cols)), axis=0), weight.shape)
    if node.edges[0] is not None:
        kernels = reshape(weight, (groups, n_out // groups, per_group * kh * kw))
        gcols = reshape(matmul(matrix_transpose(kernels), g), (n, groups, per_group, kh, kw, oh, ow))
        gwin = reshape(permute_dims(gcols, (0, 1, 2, 5, 6, 3, 4)), (n, channels, oh, ow, kh, kw))
        padded = (height + pads[0][0] + pads[0][1], width + pads[1][0] + pads[1][1])
        gxp = fold_windows(gwin, padded, (kh, kw), stride, dilation)
        top, left = pads[0][0], pads[1][0]
        gx = getitem(gxp, (slice(None), slice(None), slice(top, top + height), slice(left, left + width)))
    return gx, gw
