"""The linalg factorizations and solvers (gputensor/ops/decompositions.py): values against NumPy's
float64 LAPACK on batches of several shapes in every floating dtype, the result namedtuples,
first and second derivatives against central differences, and every error.

Eigenvectors, singular vectors and QR factors are compared after fixing their sign (gauge): the
sign of each vector is a free choice that float32 and float64 LAPACK may make differently. The
normalized factors are smooth functions of the input, so the same functions check gradients.
Inputs are well conditioned, with distinct eigenvalues and singular values."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    AutogradError,
    DTypeError,
    LinAlgError,
    ShapeError,
)
from tests.helpers import LAYOUTS, assert_close, check_op

L = gt.linalg
RNG = np.random.default_rng(2024)

# loose half-precision tolerances: LAPACK runs in float32 and rounds the results once, but the
# inputs are already rounded to 8 (bfloat16) or 11 (float16) bits
HALF_TOLERANCE = {"rtol": 4e-2, "atol": 4e-2}


def _orthogonal(batch, n):
    q, r = np.linalg.qr(RNG.standard_normal(batch + (n, n)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def general(*shape):
    """Square matrices with singular values in [1, 2]: well conditioned, determinants of both signs."""
    *batch, n = shape[:-1]
    u, v = _orthogonal(tuple(batch), n), _orthogonal(tuple(batch), n)
    return (u * np.linspace(1.0, 2.0, n)) @ v


def spd(*shape):
    """Symmetric positive-definite matrices with distinct eigenvalues in [1, 3]."""
    *batch, n = shape[:-1]
    q = _orthogonal(tuple(batch), n)
    return (q * np.linspace(1.0, 3.0, n)) @ np.swapaxes(q, -1, -2)


def symmetric(*shape):
    """Symmetric matrices with distinct eigenvalues of both signs, at least 0.5 apart."""
    *batch, n = shape[:-1]
    q = _orthogonal(tuple(batch), n)
    return (q * (np.linspace(-1.5, 1.5, n) + 0.1)) @ np.swapaxes(q, -1, -2)


def rectangular(*shape):
    """(..., M, N) matrices with distinct singular values in [1, 2] (zeros when M or N is 0)."""
    *batch, m, n = shape
    k = min(m, n)
    if k == 0:
        return np.zeros(shape)
    u = _orthogonal(tuple(batch), m)[..., :, :k]
    v = _orthogonal(tuple(batch), n)[..., :k, :]
    return (u * np.linspace(2.0, 1.0, k)) @ v


def _named(name, fn):
    fn.__name__ = name
    return fn


def _gt_sym(a):
    return (a + gt.matrix_transpose(a)) / 2


def _np_sign_of_row(vectors, row):
    return np.where(vectors[..., row:row + 1, :] < 0, -1.0, 1.0)


def _gt_columns_signed(vectors):
    """Columns with a positive first entry (the entries used are far from 0 in these tests)."""
    return vectors * gt.sign(vectors[..., :1, :])


def _np_columns_signed(vectors):
    return vectors * _np_sign_of_row(vectors, 0)


SQUARE_SHAPES = [(1, 1), (3, 3), (2, 4, 4), (2, 1, 3, 3)]
RECT_SHAPES = [(3, 3), (5, 3), (3, 5), (2, 4, 2), (2, 1, 2, 4)]


# --- inv, solve, det, slogdet ------------------------------------------------------------------

@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
def test_inv(shape, device):
    check_op(L.inv, np.linalg.inv, [general(*shape)], device)


@pytest.mark.parametrize("dtype", [gt.float16, gt.bfloat16], ids=str)
def test_half_precision_computes_in_float32(dtype, device):
    a = general(2, 3, 3)
    check_op(L.inv, np.linalg.inv, [a], device, dtypes=(dtype,), grad=False, **HALF_TOLERANCE)
    check_op(L.det, np.linalg.det, [a], device, dtypes=(dtype,), grad=False, **HALF_TOLERANCE)
    check_op(L.svdvals, _np_svdvals, [rectangular(2, 4, 3)], device, dtypes=(dtype,), grad=False,
             **HALF_TOLERANCE)


def test_inv_layouts(device):
    check_op(L.inv, np.linalg.inv, [general(2, 3, 3)], device, layouts=LAYOUTS, gradgrad=False)


SOLVE_SHAPES = [
    ((3, 3), (3,)),
    ((3, 3), (3, 2)),
    ((2, 3, 3), (3,)),
    ((2, 3, 3), (2, 3, 4)),
    ((2, 3, 3), (3, 1)),
    ((4, 1, 2, 2), (3, 2, 2)),
    ((1, 2, 2), (5, 2, 3)),
]


@pytest.mark.parametrize("shapes", SOLVE_SHAPES, ids=str)
def test_solve(shapes, device):
    a = general(*shapes[0])
    b = RNG.uniform(-1, 1, shapes[1])
    check_op(L.solve, _np_solve, [a, b], device)


def _np_solve(a, b):
    # the standard's rule, written out: a vector x2 is one right-hand side for every matrix
    if b.ndim == 1:
        return np.linalg.solve(a, b[:, None])[..., 0]
    return np.linalg.solve(a, b)


def test_solve_layouts_and_one_operand_gradients(device):
    a, b = general(2, 3, 3), RNG.uniform(-1, 1, (2, 3, 2))
    check_op(L.solve, _np_solve, [a, b], device, layouts=LAYOUTS, gradgrad=False)
    check_op(L.solve, _np_solve, [a, b], device, wrt=[0])
    check_op(L.solve, _np_solve, [a, b], device, wrt=[1])


def test_solve_promotes_the_operands(device):
    a = gt.asarray(general(3, 3), dtype=gt.float32, device=device)
    b = gt.asarray(RNG.uniform(-1, 1, 3), dtype=gt.float64, device=device)
    out = L.solve(a, b)
    assert out.dtype is gt.float64
    assert_close(out, np.linalg.solve(a.numpy().astype(np.float64), b.numpy()), rtol=1e-10)


@pytest.mark.parametrize("shape", SQUARE_SHAPES + [(3, 2, 2)], ids=str)
def test_det(shape, device):
    check_op(L.det, np.linalg.det, [general(*shape)], device)


@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
def test_slogdet(shape, device):
    check_op(L.slogdet, lambda a: tuple(np.linalg.slogdet(a)), [general(*shape)], device)


def test_det_and_slogdet_of_singular_matrices(device):
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[0.0, 3.0], [1.0, 0.0]]])
    x = gt.asarray(a, device=device)
    assert_close(L.det(x), np.linalg.det(a), rtol=1e-6, atol=1e-6)
    sign, logabsdet = L.slogdet(x)
    assert sign.tolist() == [0.0, -1.0]
    assert logabsdet.numpy()[0] == -np.inf
    assert_close(logabsdet[1], np.log(3.0))


# --- Cholesky and the symmetric eigenproblem ---------------------------------------------------

@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, upper, device):
    check_op(_named("cholesky", lambda a: L.cholesky(_gt_sym(a), upper=upper)),
             lambda a: np.linalg.cholesky(a, upper=upper), [spd(*shape)], device, layouts=LAYOUTS[:2])


def test_cholesky_half_precision(device):
    a = spd(2, 3, 3)
    for dtype in (gt.float16, gt.bfloat16):
        check_op(L.cholesky, np.linalg.cholesky, [a], device, dtypes=(dtype,), grad=False, **HALF_TOLERANCE)


def test_cholesky_reads_the_lower_triangle(device):
    a = spd(3, 3)
    x = gt.asarray(np.tril(a) + np.triu(RNG.uniform(5, 6, (3, 3)), 1), device=device)
    assert_close(L.cholesky(x), np.linalg.cholesky(a))


def _gt_eigh(a):
    w, v = L.eigh(_gt_sym(a))
    return w, _gt_columns_signed(v)


def _np_eigh(a):
    w, v = np.linalg.eigh(a)
    return w, _np_columns_signed(v)


@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
def test_eigh(shape, device):
    check_op(_named("eigh", _gt_eigh), _np_eigh, [symmetric(*shape)], device, layouts=LAYOUTS[:2])


@pytest.mark.parametrize("shape", SQUARE_SHAPES, ids=str)
def test_eigvalsh(shape, device):
    check_op(_named("eigvalsh", lambda a: L.eigvalsh(_gt_sym(a))), np.linalg.eigvalsh,
             [symmetric(*shape)], device)


def test_eigh_half_precision(device):
    a = symmetric(2, 3, 3)
    for dtype in (gt.float16, gt.bfloat16):
        check_op(_gt_eigh, _np_eigh, [a], device, dtypes=(dtype,), grad=False, **HALF_TOLERANCE)


def test_eigh_gradients_of_each_output(device):
    a = symmetric(2, 3, 3)
    check_op(_named("eigenvalues", lambda x: L.eigh(_gt_sym(x)).eigenvalues), np.linalg.eigvalsh, [a],
             device)
    check_op(_named("eigenvectors", lambda x: _gt_eigh(x)[1]), lambda x: _np_eigh(x)[1], [a], device)


def test_symmetric_gradients_are_symmetric(device):
    a = gt.asarray(spd(3, 3), device=device).requires_grad_()
    weights = gt.asarray(RNG.standard_normal((3, 3)), device=device)
    for fn in (lambda x: L.cholesky(x) * weights,
               lambda x: _gt_columns_signed(L.eigh(x).eigenvectors) * weights):
        a.grad = None
        gt.sum(fn(a)).backward()
        g = a.grad.numpy()
        np.testing.assert_allclose(g, g.T, rtol=1e-5, atol=1e-6)
        assert np.abs(g).max() > 1e-3


# --- QR and SVD ------------------------------------------------------------------------------------

def _gt_qr_signed(result):
    """Q and R with a positive diagonal of R (the unique factorization of a full-rank matrix)."""
    q, r = result
    k = min(r.shape[-2], r.shape[-1])
    signs = gt.sign(L.diagonal(r[..., :k, :k]))
    return q[..., :, :k] * gt.expand_dims(signs, axis=-2), r[..., :k, :] * gt.expand_dims(signs, axis=-1)


def _np_qr_signed(result):
    q, r = result
    k = min(r.shape[-2], r.shape[-1])
    signs = np.sign(np.diagonal(r[..., :k, :k], axis1=-2, axis2=-1))
    return q[..., :, :k] * signs[..., None, :], r[..., :k, :] * signs[..., :, None]


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (2, 4, 2), (2, 1, 4, 3)], ids=str)
def test_qr_reduced(shape, device):
    check_op(_named("qr", lambda a: _gt_qr_signed(L.qr(a))), lambda a: _np_qr_signed(np.linalg.qr(a)),
             [rectangular(*shape)], device, layouts=LAYOUTS[:2])


def test_qr_raw_factors_and_their_gradients(device):
    """Without the sign fix: LAPACK's own factors, each one's gradient on its own."""
    a = rectangular(2, 4, 3)
    check_op(_named("Q", lambda x: L.qr(x).Q), lambda x: np.linalg.qr(x).Q, [a], device, dtypes=(gt.float64,))
    check_op(_named("R", lambda x: L.qr(x).R), lambda x: np.linalg.qr(x).R, [a], device, dtypes=(gt.float64,))


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 2)], ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_values(shape, mode, device):
    a = rectangular(*shape)
    x = gt.asarray(a, device=device)
    q, r = L.qr(x, mode=mode)
    nq, nr = np.linalg.qr(a, mode=mode)
    assert (q.shape, r.shape) == (nq.shape, nr.shape)
    # the factors multiply back, Q is orthonormal, R upper-triangular, and they are LAPACK's
    assert_close(q @ r, a, rtol=1e-10, atol=1e-12)
    _assert_orthonormal_columns(q)
    assert_close(r, np.triu(nr))
    assert_close(q, nq)


def _assert_orthonormal_columns(q):
    size = q.shape[-1]
    identities = np.broadcast_to(np.eye(size), q.shape[:-2] + (size, size))
    assert_close(gt.matrix_transpose(q) @ q, identities, rtol=1e-10, atol=1e-12, what="Q^T Q")


def _gt_svd(a, full_matrices=False):
    u, s, vh = L.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    signs = gt.sign(u[..., :1, :k])
    # one sign per singular pair: the columns of U and the rows of Vh flip together
    return (u[..., :, :k] * signs, s, vh[..., :k, :] * gt.matrix_transpose(signs))


def _np_svd(a, full_matrices=False):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    signs = _np_sign_of_row(u[..., :, :k], 0)
    return u[..., :, :k] * signs, s, vh[..., :k, :] * np.swapaxes(signs, -1, -2)


@pytest.mark.parametrize("shape", RECT_SHAPES, ids=str)
def test_svd_reduced(shape, device):
    check_op(_named("svd", _gt_svd), _np_svd, [rectangular(*shape)], device, layouts=LAYOUTS[:2])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)], ids=str)
def test_svd_full_matrices_of_square_matrices(shape, device):
    check_op(_named("svd", lambda a: _gt_svd(a, True)), lambda a: _np_svd(a, True), [rectangular(*shape)],
             device)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 2)], ids=str)
def test_svd_full_matrices_values(shape, device):
    a = rectangular(*shape)
    u, s, vh = L.svd(gt.asarray(a, device=device))
    nu, ns, nvh = np.linalg.svd(a)
    assert (u.shape, s.shape, vh.shape) == (nu.shape, ns.shape, nvh.shape)
    assert_close(s, ns)
    m, n = shape[-2:]
    _assert_orthonormal_columns(u)
    _assert_orthonormal_columns(gt.matrix_transpose(vh))
    k = min(m, n)
    rebuilt = (u[..., :, :k] * gt.expand_dims(s, axis=-2)) @ vh[..., :k, :]
    assert_close(rebuilt, a, rtol=1e-10, atol=1e-12)
    # the singular-value gradient needs only the first K vectors
    check_op(_named("S", lambda x: L.svd(x).S), lambda x: np.linalg.svd(x).S, [a], device, gradgrad=False)


def test_svd_gradients_of_each_output(device):
    for shape in ((4, 3), (3, 4)):
        a = rectangular(*shape)
        for i, name in enumerate(("U", "S", "Vh")):
            check_op(_named(name, lambda x, i=i: _gt_svd(x)[i]), lambda x, i=i: _np_svd(x)[i], [a], device,
                     dtypes=(gt.float64,))


def test_svd_gradient_of_a_gauge_invariant_product(device):
    """U @ Vh does not depend on the signs at all: its gradient checks the raw factors' backward."""
    w = RNG.standard_normal((4, 4))

    def product(x):
        u, s, vh = L.svd(x, full_matrices=False)
        return (u * gt.asarray(w[:, :3], device=x.device)) @ vh

    def np_product(x):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        return (u * w[:, :3]) @ vh

    check_op(product, np_product, [rectangular(4, 3)], device, dtypes=(gt.float64,))


@pytest.mark.parametrize("shape", RECT_SHAPES + [(0, 3), (2, 0, 0)], ids=str)
def test_svdvals(shape, device):
    check_op(L.svdvals, _np_svdvals, [rectangular(*shape)], device, grad=0 not in shape)


def _np_svdvals(a):
    return np.linalg.svd(a, compute_uv=False)


# --- what each call costs: one read, one upload a result ---------------------------------------

@pytest.mark.parametrize("name, make, uploads", [
    ("inv", lambda x: L.inv(x), 1), ("det", lambda x: L.det(x), 1), ("slogdet", lambda x: L.slogdet(x), 2),
    ("eigh", lambda x: L.eigh(x), 2), ("eigvalsh", lambda x: L.eigvalsh(x), 1),
    ("svd", lambda x: L.svd(x), 3), ("svdvals", lambda x: L.svdvals(x), 1), ("qr", lambda x: L.qr(x), 2),
    ("cholesky", lambda x: L.cholesky(x), 1),
])
def test_one_device_read_per_call(name, make, uploads, device):
    x = gt.asarray(spd(3, 3), device=device)
    calls = []
    backend = device.backend
    for primitive in ("to_host", "from_host"):
        setattr(backend, primitive, _spy(calls, primitive, getattr(backend, primitive)))
    try:
        make(x)
    finally:
        del backend.to_host
        del backend.from_host
    assert calls.count("to_host") == 1, (name, calls)
    assert calls.count("from_host") == uploads, (name, calls)


def _spy(calls, name, original):
    def method(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    return method


# --- the result types -------------------------------------------------------------------------------

def test_result_namedtuples(device):
    x = gt.asarray(spd(2, 3, 3), device=device)
    eig = L.eigh(x)
    assert type(eig).__name__ == "EighResult" and eig._fields == ("eigenvalues", "eigenvectors")
    assert eig.eigenvalues is eig[0] and eig.eigenvectors.shape == (2, 3, 3)
    qr = L.qr(x)
    assert type(qr).__name__ == "QRResult" and qr._fields == ("Q", "R")
    assert qr.Q is qr[0] and qr.R is qr[1]
    sl = L.slogdet(x)
    assert type(sl).__name__ == "SlogdetResult" and sl._fields == ("sign", "logabsdet")
    assert sl.sign.shape == (2,) and sl.logabsdet is sl[1]
    sv = L.svd(x)
    assert type(sv).__name__ == "SVDResult" and sv._fields == ("U", "S", "Vh")
    assert sv.S is sv[1]
    assert isinstance(eig, L.EighResult) and isinstance(qr, L.QRResult)
    assert isinstance(sl, L.SlogdetResult) and isinstance(sv, L.SVDResult)
    for t in (*eig, *qr, *sl, *sv):
        assert t.device == device and t.dtype is gt.float64


def test_value_paths_without_a_tape_match_the_recorded_ones(device):
    """eigvalsh and svdvals use LAPACK's value-only drivers unless a gradient is recorded."""
    a = gt.asarray(symmetric(2, 4, 4), device=device)
    tracked = a.detach().requires_grad_()
    assert_close(L.eigvalsh(a), L.eigvalsh(tracked).detach().numpy())
    assert_close(L.svdvals(a), L.svdvals(tracked).detach().numpy())
    assert not L.eigvalsh(a).requires_grad and L.eigvalsh(tracked).requires_grad


# --- errors --------------------------------------------------------------------------------------

SQUARE_ONLY = {
    "inv": L.inv, "det": L.det, "slogdet": L.slogdet, "cholesky": L.cholesky, "eigh": L.eigh,
    "eigvalsh": L.eigvalsh, "solve": lambda x: L.solve(x, gt.ones(x.shape[-1], device=x.device)),
}
ANY_SHAPE = {"qr": L.qr, "svd": L.svd, "svdvals": L.svdvals}


@pytest.mark.parametrize("name", sorted(SQUARE_ONLY) + sorted(ANY_SHAPE))
def test_errors_of_every_function(name, device):
    fn = {**SQUARE_ONLY, **ANY_SHAPE}[name]
    needs_float = rf"linalg.{name}: needs a floating-point tensor, got gputensor.int64"
    with pytest.raises(DTypeError, match=needs_float):
        fn(gt.ones((3, 3), dtype=gt.int64, device=device))
    with pytest.raises(DTypeError, match=rf"linalg.{name}: .*bool"):
        fn(gt.ones((3, 3), dtype=gt.bool, device=device))
    with pytest.raises(ShapeError, match=rf"linalg.{name}: needs a stack of matrices .*shape \(3,\)"):
        fn(gt.ones(3, device=device))
    if name in SQUARE_ONLY:
        with pytest.raises(ShapeError, match=rf"linalg.{name}: needs square matrices, got shape \(2, 3, 4\)"):
            fn(gt.ones((2, 3, 4), device=device))


def test_singular_matrices_are_linalg_errors(device):
    singular = gt.asarray(np.stack([np.eye(3), np.ones((3, 3))]), dtype=gt.float32, device=device)
    message = r"linalg.inv: .*shape \(2, 3, 3\), gputensor.float32.*singular.*pinv"
    with pytest.raises(LinAlgError, match=message) as info:
        L.inv(singular)
    assert isinstance(info.value, np.linalg.LinAlgError) and isinstance(info.value, ValueError)
    with pytest.raises(LinAlgError, match=r"linalg.solve: .*singular"):
        L.solve(singular, gt.ones(3, device=device))


def test_not_positive_definite_is_a_linalg_error(device):
    x = gt.asarray([[1.0, 2.0], [2.0, 1.0]], device=device)
    with pytest.raises(LinAlgError, match=r"linalg.cholesky: .*shape \(2, 2\).*positive-definite"):
        L.cholesky(x)


def test_argument_errors(device):
    x = gt.asarray(spd(3, 3), device=device)
    with pytest.raises(ArgumentValueError, match=r"linalg.qr: mode must be 'reduced' or 'complete', got 'r'"):
        L.qr(x, mode="r")
    with pytest.raises(ArgumentTypeError, match="linalg.svd: full_matrices must be a bool"):
        L.svd(x, full_matrices="yes")
    with pytest.raises(ArgumentTypeError, match="linalg.cholesky: upper must be a bool"):
        L.cholesky(x, upper=1)


def test_solve_errors(device):
    a = gt.asarray(general(2, 3, 3), device=device)
    expected = r"linalg.solve: x2 must have shape \(3,\) or \(\.\.\., 3, K\) .*x2.shape=\(4,\)"
    with pytest.raises(ShapeError, match=expected):
        L.solve(a, gt.ones(4, device=device))
    with pytest.raises(ShapeError, match=r"linalg.solve: x2 must have shape .*\(2, 4\)"):
        L.solve(a, gt.ones((2, 4), device=device))
    with pytest.raises(ShapeError, match=r"linalg.solve: x2 must have shape .*got x2.shape=\(\)"):
        L.solve(a, gt.ones((), device=device))
    with pytest.raises(ShapeError, match=r"linalg.solve: shapes \(2,\), \(3,\) cannot be broadcast"):
        L.solve(a, gt.ones((3, 3, 1), device=device))
    with pytest.raises(DTypeError, match="linalg.solve: x2 must be floating-point, got gputensor.int64"):
        L.solve(a, gt.ones(3, dtype=gt.int64, device=device))
    with pytest.raises(ShapeError, match=r"linalg.solve: needs square matrices"):
        L.solve(gt.ones((3, 2), device=device), gt.ones(3, device=device))


def test_undefined_gradients_raise_at_backward(device):
    tall = gt.asarray(rectangular(4, 3), device=device).requires_grad_()
    wide = gt.asarray(rectangular(3, 4), device=device).requires_grad_()
    u, s, vh = L.svd(tall)  # full_matrices=True: U is 4 x 4
    with pytest.raises(AutogradError, match=r"linalg.svd: .*shape \(4, 3\).*full_matrices=False"):
        gt.sum(u).backward()
    with pytest.raises(AutogradError, match=r"linalg.svd: .*full_matrices=False"):
        gt.sum(L.svd(wide).Vh).backward()
    gt.sum(L.svd(tall).S).backward()  # the singular values keep their gradient
    assert tall.grad is not None and tall.grad.shape == (4, 3)
    with pytest.raises(AutogradError, match=r"linalg.qr: .*fewer rows than columns \(shape \(3, 4\)\)"):
        gt.sum(L.qr(wide).R).backward()
    with pytest.raises(AutogradError, match=r"linalg.qr: .*mode='complete' .*shape \(4, 3\).*mode='reduced'"):
        gt.sum(L.qr(tall, mode="complete").Q).backward()
    square = gt.asarray(general(3, 3), device=device).requires_grad_()
    gt.sum(L.qr(square, mode="complete").Q).backward()  # square: complete is reduced
    assert square.grad is not None
