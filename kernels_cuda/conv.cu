// 2-D convolution forward as an implicit GEMM: the optional fused primitive ``conv2d`` of the
// CUDA backend (gputensor/nn/conv.py composes the gradients). Floating types; the 16-bit ones
// load and accumulate in float.
//
//   conv2d_<dtype>(y, x, xo, w, wo, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, G)
//     x (N, C, H, W) at element xo, w (O, C / G, KH, KW) at wo, y (N, O, OH, OW) contiguous;
//     ph, pw are the top and left padding (cells beyond the input read as zero).
//     Per group g the product is Y[p, o] = sum_k X[p, k] W[o, k] over the output pixels
//     p = (n, oh, ow) (M = N * OH * OW), the group's output channels o (O / G of them) and
//     k = (c, i, j) (K = C / G * KH * KW), where X[p, k] = x[n, g * C / G + c, oh * sh - ph +
//     i * dh, ow * sw - pw + j * dw] is gathered on the fly (no im2col buffer).
//     Launch: block 256 threads, grid (ceil(M / 64), ceil(O / G / 64), G). Each block computes
//     a 64-pixel x 64-channel tile in steps of 16 along k, both operands staged in shared
//     memory; thread (tx, ty) of 16 x 16 owns pixels ty + 16 a and channels tx + 16 b
//     (a, b < 4). Consecutive threads gather consecutive pixels (mostly consecutive input
//     columns) and read consecutive k of one weight row. Not yet double-buffered or
//     vectorized: a first, correct version to measure against cuDNN.
#include "common.cuh"

namespace gt {

constexpr int CONV_BM = 64;  // pixels per tile
constexpr int CONV_BN = 64;  // output channels per tile
constexpr int CONV_BK = 16;  // reduction step

template <class D>
GT_DEV void conv2d(typename D::T* y, const typename D::T* x, i64 xo, const typename D::T* w, i64 wo, i64 N, i64 C,
                   i64 H, i64 W, i64 O, i64 KH, i64 KW, i64 OH, i64 OW, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh,
                   i64 dw, i64 G) {
    typedef typename D::CT CT;
    __shared__ CT Xs[CONV_BK][CONV_BM + 1];
    __shared__ CT Ws[CONV_BK][CONV_BN + 1];
    const int t = threadIdx.x;
    const int tx = t % 16;
    const int ty = t / 16;
    const i64 g = blockIdx.z;
    const i64 cg = C / G;
    const i64 og = O / G;
    const i64 taps = KH * KW;
    const i64 K = cg * taps;
    const i64 M = N * OH * OW;
    const i64 p0 = (i64)blockIdx.x * CONV_BM;
    const i64 o0 = (i64)blockIdx.y * CONV_BN;
    // The pixel this thread gathers for the X tile: column t % 64, rows t / 64 + 4 r.
    const int xm = t % CONV_BM;
    const i64 p = p0 + xm;
    const bool p_ok = p < M;
    i64 n = 0, oh = 0, ow = 0;
    if (p_ok) {
        n = p / (OH * OW);
        const i64 rest = p - n * OH * OW;
        oh = rest / OW;
        ow = rest - oh * OW;
    }
    const typename D::T* xn = x + xo + (n * C + g * cg) * H * W;
    const i64 ih0 = oh * sh - ph;
    const i64 iw0 = ow * sw - pw;
    // The weight row this thread reads for the W tile: channel t / 4, k offsets (t % 4) * 4 + r.
    const int wn = t / 4;
    const i64 o = o0 + wn;
    const bool o_ok = o < og;
    const typename D::T* wrow = w + wo + (g * og + (o_ok ? o : 0)) * K;
    CT acc[4][4];
#pragma unroll
    for (int a = 0; a < 4; ++a) {
#pragma unroll
        for (int b = 0; b < 4; ++b) acc[a][b] = (CT)0;
    }
    for (i64 k0 = 0; k0 < K; k0 += CONV_BK) {
#pragma unroll
        for (int r = 0; r < CONV_BK / 4; ++r) {
            const int kk = t / CONV_BM + 4 * r;
            const i64 k = k0 + kk;
            CT v = (CT)0;
            if (p_ok && k < K) {
                const i64 c = k / taps;
                const i64 tap = k - c * taps;
                const i64 i = tap / KW;
                const i64 ih = ih0 + i * dh;
                const i64 iw = iw0 + (tap - i * KW) * dw;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = D::load(xn, (c * H + ih) * W + iw);
            }
            Xs[kk][xm] = v;
        }
#pragma unroll
        for (int r = 0; r < 4; ++r) {
            const int kk = (t % 4) * 4 + r;
            const i64 k = k0 + kk;
            Ws[kk][wn] = (o_ok && k < K) ? D::load(wrow, k) : (CT)0;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < CONV_BK; ++kk) {
            CT xa[4];
            CT wb[4];
#pragma unroll
            for (int a = 0; a < 4; ++a) xa[a] = Xs[kk][ty + 16 * a];
#pragma unroll
            for (int b = 0; b < 4; ++b) wb[b] = Ws[kk][tx + 16 * b];
#pragma unroll
            for (int a = 0; a < 4; ++a) {
#pragma unroll
                for (int b = 0; b < 4; ++b) acc[a][b] += xa[a] * wb[b];
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int a = 0; a < 4; ++a) {
        const i64 q = p0 + ty + 16 * a;
        if (q >= M) continue;
        const i64 qn = q / (OH * OW);
        const i64 pix = q - qn * OH * OW;
#pragma unroll
        for (int b = 0; b < 4; ++b) {
            const i64 oc = o0 + tx + 16 * b;
            if (oc < og) D::store(y, (qn * O + g * og + oc) * OH * OW + pix, acc[a][b]);
        }
    }
}

}  // namespace gt

#define CONV_KERNELS(S)                                                                        \
    extern "C" __launch_bounds__(256) __global__ void                                          \
        conv2d_##S(S##_t* y, const S##_t* x, long long xo, const S##_t* w, long long wo,        \
                   long long N, long long C, long long H, long long W, long long O, long long KH, \
                   long long KW, long long OH, long long OW, long long sh, long long sw,       \
                   long long ph, long long pw, long long dh, long long dw, long long G) {      \
        gt::conv2d<gt::dt_##S>(y, x, xo, w, wo, N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, \
                               dw, G);                                                         \
    }

#if defined(GT_ALL) || defined(GT_f16)
CONV_KERNELS(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
CONV_KERNELS(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
CONV_KERNELS(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
CONV_KERNELS(f64)
#endif
