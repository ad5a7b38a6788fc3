"""conv2d against an independent NumPy float64 loop and against torch.nn.functional.conv2d."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gputensor as gt
from gputensor.errors import ArgumentTypeError, ArgumentValueError, DTypeError, ShapeError
from tests.helpers import LAYOUTS, check_op

F = gt.nn.functional


def same_pads(n, k, s, d):
    out = math.ceil(n / s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def explicit_pads(padding, sizes, kernel, stride, dilation):
    if padding == "valid":
        return [(0, 0), (0, 0)]
    if padding == "same":
        return [same_pads(*a) for a in zip(sizes, kernel, stride, dilation)]
    if isinstance(padding, int):
        return [(padding, padding)] * 2
    if isinstance(padding[0], int):
        return [(p, p) for p in padding]
    return [tuple(p) for p in padding]


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def conv_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """NCHW x, OIHW w; plain loops over output positions."""
    stride, dilation = pair(stride), pair(dilation)
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    pads = explicit_pads(padding, (h, wd), (kh, kw), stride, dilation)
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    og = o // groups
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            rows = i * stride[0] + dilation[0] * np.arange(kh)
            cols = j * stride[1] + dilation[1] * np.arange(kw)
            patch = xp[:, :, rows][:, :, :, cols]  # n, c, kh, kw
            for g in range(groups):
                p = patch[:, g * cg : (g + 1) * cg]
                out[:, g * og : (g + 1) * og, i, j] = np.einsum("nchw,ochw->no", p, w[g * og : (g + 1) * og])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def torch_conv(x, w, b, stride, padding, dilation, groups):
    pads = explicit_pads(padding, x.shape[2:], w.shape[2:], pair(stride), pair(dilation))
    tx = torch.nn.functional.pad(torch.tensor(x), (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    tb = None if b is None else torch.tensor(b)
    return torch.nn.functional.conv2d(
        tx, torch.tensor(w), tb, stride=stride, dilation=dilation, groups=groups
    ).numpy()


# (x shape NCHW, out channels, kernel, stride, padding, dilation, groups)
CONFIGS = [
    ((2, 3, 6, 7), 4, (3, 3), 1, 0, 1, 1),
    ((1, 2, 7, 6), 2, (3, 2), 2, 1, 1, 1),
    ((2, 4, 6, 6), 6, (3, 3), 1, "same", 1, 2),
    ((1, 2, 7, 8), 3, (2, 3), (2, 3), "same", 1, 1),
    ((1, 4, 9, 7), 4, (3, 2), 1, (2, 1), (2, 3), 4),
    ((2, 2, 5, 5), 2, (2, 2), 1, "valid", 2, 1),
    ((1, 3, 6, 5), 6, (1, 3), (1, 2), ((1, 0), (2, 1)), 1, 3),
    ((1, 2, 6, 6), 2, (4, 4), 3, "same", 1, 2),
]


@pytest.mark.parametrize("data_format", ["NCHW", "NHWC"])
@pytest.mark.parametrize("shape,out_ch,kernel,stride,padding,dilation,groups", CONFIGS)
def test_conv2d_matches_numpy_and_torch(
    device, data_format, shape, out_ch, kernel, stride, padding, dilation, groups
):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((out_ch, shape[1] // groups) + kernel)
    b = rng.standard_normal(out_ch)
    expected = conv_ref(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(
        torch_conv(x, w, b, stride, padding, dilation, groups), expected, rtol=1e-10, atol=1e-10
    )
    if data_format == "NHWC":
        gx, gw, expected = x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0), expected.transpose(0, 2, 3, 1)
    else:
        gx, gw = x, w
    for dtype, tol in ((gt.float64, 1e-10), (gt.float32, 1e-4)):
        y = F.conv2d(
            gt.asarray(gx.astype(dtype.np), device=device),
            gt.asarray(gw.astype(dtype.np), device=device),
            gt.asarray(b.astype(dtype.np), device=device),
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            data_format=data_format,
        )
        assert y.dtype is dtype
        np.testing.assert_allclose(y.numpy(), expected, rtol=tol, atol=tol)


# Gradients and second derivatives, in float64 on tiny shapes.
GRAD_CONFIGS = [
    ((1, 2, 4, 4), 2, (2, 2), 1, 1, 1, 1, "NCHW"),
    ((1, 4, 5, 4), 2, (3, 2), 2, "same", 1, 2, "NCHW"),
    ((2, 2, 5, 5), 2, (2, 2), 2, 0, 2, 1, "NHWC"),
    ((1, 2, 5, 4), 4, (2, 3), 1, "same", (2, 1), 2, "NHWC"),
]


@pytest.mark.parametrize("shape,out_ch,kernel,stride,padding,dilation,groups,data_format", GRAD_CONFIGS)
def test_conv2d_gradients_and_second_order(
    device, shape, out_ch, kernel, stride, padding, dilation, groups, data_format
):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((out_ch, shape[1] // groups) + kernel)
    b = rng.standard_normal(out_ch)
    nhwc = data_format == "NHWC"

    def gt_fn(x_, w_, b_):
        return F.conv2d(
            x_,
            w_,
            b_,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            data_format=data_format,
        )

    def np_fn(x_, w_, b_):
        if nhwc:
            x_, w_ = x_.transpose(0, 3, 1, 2), w_.transpose(3, 2, 0, 1)
        y = conv_ref(x_, w_, b_, stride, padding, dilation, groups)
        return y.transpose(0, 2, 3, 1) if nhwc else y

    inputs = [x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0), b] if nhwc else [x, w, b]
    check_op(gt_fn, np_fn, inputs, device, grad_atol=1e-6)


def test_conv2d_gradients_match_torch(device):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 6, 5))
    w = rng.standard_normal((6, 2, 3, 2))
    b = rng.standard_normal(6)
    g = rng.standard_normal((2, 6, 3, 3))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    torch.nn.functional.conv2d(tx, tw, tb, stride=2, padding=1, dilation=(1, 2), groups=2).backward(
        torch.tensor(g)
    )
    gx, gw, gb = (gt.asarray(a, device=device).requires_grad_() for a in (x, w, b))
    y = F.conv2d(gx, gw, gb, stride=2, padding=1, dilation=(1, 2), groups=2)
    y.backward(gt.asarray(g, device=device))
    for mine, theirs in ((gx, tx), (gw, tw), (gb, tb)):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_conv2d_unbatched_input_and_no_bias(device):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    y = F.conv2d(gt.asarray(x, device=device), gt.asarray(w, device=device), padding=1)
    assert y.shape == (3, 5, 5)
    np.testing.assert_allclose(y.numpy(), conv_ref(x[None], w, padding=1)[0], rtol=1e-10, atol=1e-12)
    y = F.conv2d(
        gt.asarray(x.transpose(1, 2, 0), device=device),
        gt.asarray(w.transpose(2, 3, 1, 0), device=device),
        padding=1,
        data_format="NHWC",
    )
    assert y.shape == (5, 5, 3)
    np.testing.assert_allclose(
        y.numpy(), conv_ref(x[None], w, padding=1)[0].transpose(1, 2, 0), rtol=1e-10, atol=1e-12
    )


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
def test_conv2d_same_keeps_the_size_for_stride_one_and_matches_torch(device):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 6, 7))
    w = rng.standard_normal((2, 2, 4, 3))
    y = F.conv2d(gt.asarray(x, device=device), gt.asarray(w, device=device), padding="same", dilation=(1, 2))
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding="same", dilation=(1, 2))
    assert y.shape == (1, 2, 6, 7)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_conv2d_same_with_stride_two_follows_tensorflow(device):
    x = gt.ones((1, 1, 6, 5), device=device)
    y = F.conv2d(x, gt.ones((1, 1, 3, 3), device=device), stride=2, padding="same")
    # TensorFlow: ceil(6/2)=3 rows padded (0 before, 1 after); ceil(5/2)=3 columns padded (1, 1).
    assert y.shape == (1, 1, 3, 3)
    assert y[0, 0].tolist() == [[6.0, 9.0, 6.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]]


def test_conv2d_with_a_zero_size_batch(device):
    y = F.conv2d(gt.zeros((0, 2, 4, 4), device=device), gt.ones((3, 2, 2, 2), device=device))
    assert y.shape == (0, 3, 3, 3)


def test_conv2d_errors(device):
    x = gt.zeros((1, 4, 5, 5), device=device)
    w = gt.zeros((6, 2, 3, 3), device=device)
    with pytest.raises(ShapeError, match="conv2d: groups=3 must divide"):
        F.conv2d(x, w, groups=3)
    with pytest.raises(
        ShapeError, match=r"conv2d: x has 4 channels, so with groups=1 weight.shape\[1\] must be 4"
    ):
        F.conv2d(x, w)
    with pytest.raises(ShapeError, match=r"conv2d: groups=2 must divide .* output channels \(5\)"):
        F.conv2d(x, gt.zeros((5, 2, 3, 3), device=device), groups=2)
    with pytest.raises(ShapeError, match="conv2d: groups must be a positive int"):
        F.conv2d(x, w, groups=0)
    with pytest.raises(ShapeError, match=r"conv2d: x must have shape \(N, C, H, W\)"):
        F.conv2d(gt.zeros((4, 5), device=device), w, groups=2)
    with pytest.raises(ShapeError, match=r"conv2d: x must have shape \(N, H, W, C\)"):
        F.conv2d(gt.zeros((1, 1, 4, 5, 5), device=device), w, data_format="NHWC")
    with pytest.raises(
        ShapeError, match=r"conv2d: weight must have shape \(out_channels, C // groups, KH, KW\)"
    ):
        F.conv2d(x, gt.zeros((6, 2, 3), device=device), groups=2)
    with pytest.raises(
        ShapeError, match=r"conv2d: weight must have shape \(KH, KW, C // groups, out_channels\)"
    ):
        F.conv2d(
            gt.zeros((1, 5, 5, 4), device=device), gt.zeros((3, 3, 4), device=device), data_format="NHWC"
        )
    with pytest.raises(ShapeError, match=r"conv2d: bias must have shape \(6,\)"):
        F.conv2d(x, w, gt.zeros(4, device=device), groups=2)
    with pytest.raises(ShapeError, match="conv2d: the kernel .* spans .* larger than the padded input"):
        F.conv2d(x, w, groups=2, dilation=3)
    with pytest.raises(ShapeError, match="conv2d: stride must be positive ints"):
        F.conv2d(x, w, groups=2, stride=(1, 0))
    with pytest.raises(ShapeError, match="conv2d: padding must be non-negative ints"):
        F.conv2d(x, w, groups=2, padding=-1)
    with pytest.raises(ShapeError, match=r"conv2d: dilation needs 2 values"):
        F.conv2d(x, w, groups=2, dilation=(1, 1, 1))
    with pytest.raises(ArgumentValueError, match="conv2d: padding must be 'valid', 'same'"):
        F.conv2d(x, w, groups=2, padding="full")
    with pytest.raises(ArgumentTypeError, match="conv2d: stride must be an int or a sequence of 2 ints"):
        F.conv2d(x, w, groups=2, stride=1.5)
    with pytest.raises(ArgumentValueError, match="conv2d: data_format must be 'NCHW' or 'NHWC'"):
        F.conv2d(x, w, groups=2, data_format="CHWN")
    with pytest.raises(DTypeError, match="conv2d: x must be a floating-point tensor, got int64"):
        F.conv2d(gt.zeros((1, 4, 5, 5), dtype=gt.int64, device=device), w, groups=2)
    with pytest.raises(DTypeError, match="conv2d: x is float32 but weight is float64"):
        F.conv2d(x, gt.zeros((6, 2, 3, 3), dtype=gt.float64, device=device), groups=2)
    with pytest.raises(ShapeError, match="conv2d: the kernel must be at least 1x1"):
        F.conv2d(x, gt.zeros((6, 4, 0, 3), device=device))


def test_conv2d_on_non_contiguous_views(device):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 2, 4, 5))
    w = rng.standard_normal((2, 1, 2, 3))
    b = rng.standard_normal(2)

    def gt_fn(x_, w_, b_):
        return F.conv2d(x_, w_, b_, stride=(1, 2), padding="same", groups=2)

    def np_fn(x_, w_, b_):
        return conv_ref(x_, w_, b_, (1, 2), "same", 1, 2)

    check_op(gt_fn, np_fn, [x, w, b], device, layouts=LAYOUTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 2),
    groups=st.integers(1, 3),
    per_in=st.integers(1, 2),
    per_out=st.integers(1, 2),
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.one_of(
        st.integers(0, 2),
        st.sampled_from(["same", "valid"]),
        st.tuples(
            st.tuples(st.integers(0, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))
        ),
    ),
    data_format=st.sampled_from(["NCHW", "NHWC"]),
    seed=st.integers(0, 2**16),
)
def test_conv2d_random_geometry(
    device, n, groups, per_in, per_out, size, kernel, stride, dilation, padding, data_format, seed
):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, groups * per_in) + size)
    w = rng.standard_normal((groups * per_out, per_in) + kernel)
    pads = explicit_pads(padding, size, kernel, stride, dilation)
    fits = all(s + a + b >= d * (k - 1) + 1 for s, (a, b), k, d in zip(size, pads, kernel, dilation))
    nhwc = data_format == "NHWC"
    gx = gt.asarray(x.transpose(0, 2, 3, 1) if nhwc else x, device=device)
    gw = gt.asarray(w.transpose(2, 3, 1, 0) if nhwc else w, device=device)

    def run():
        return F.conv2d(
            gx, gw, stride=stride, padding=padding, dilation=dilation, groups=groups, data_format=data_format
        )

    if not fits:
        with pytest.raises(ShapeError, match="conv2d: the kernel"):
            run()
        return
    y = run().numpy()
    expected = conv_ref(x, w, None, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.transpose(0, 3, 1, 2) if nhwc else y, expected, rtol=1e-10, atol=1e-10)
    theirs = torch_conv(x, w, None, stride, padding, dilation, groups)
    np.testing.assert_allclose(theirs, expected, rtol=1e-10, atol=1e-10)
