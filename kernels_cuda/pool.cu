// Window reductions for 2-D pooling and their gradients: the optional fused primitives
// ``pool2d`` and ``pool2d_backward`` of the CUDA backend (gputensor/nn/pooling.py). The
// argument order of kernels_cl/pool.cl. Every kernel is a grid-stride loop (block 256) over
// its outputs; neighbouring threads take neighbouring windows or cells of one row.
//
//   max_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
//   sum_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)  (floating)
//     x: P = N * C contiguous planes of H x W at element xo; y (P, OH, OW) contiguous:
//     y[p, i, j] = max / sum over a < KH, b < KW of x[p, i * sh - ph + a * dh,
//     j * sw - pw + b * dw], cells outside the plane (the padding, never materialized) left
//     out. Max propagates NaN, as the composed reduction does; sums accumulate in the compute
//     type (float for the 16-bit floats).
// Gradients (floating), the composed rule's arithmetic:
//   max_pool2d_<dtype>_count(cnt, x, xo, y, yo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
//     one thread per window: how many of its cells equal its max (padding holds the lowest
//     value), in S_acc;
//   max_pool2d_<dtype>_backward(gx, x, xo, y, yo, g, go, cnt, P, H, W, OH, OW, KH, KW, sh, sw,
//                               ph, pw, dh, dw)
//   sum_pool2d_<dtype>_backward(gx, g, go, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
//     one thread per input cell: the sum over the windows covering it of g (sum), or of
//     (cell == max) * g / cnt (max; ties share evenly, a NaN window gives NaN as 0 / 0 does).
#include "common.cuh"

namespace gt {

// Window e of P planes of OH x OW: its plane p and position (i, j).
struct window_at {
    i64 p, i, j;
    GT_DEV window_at(i64 e, i64 OH, i64 OW) {
        p = e / (OH * OW);
        const i64 rest = e - p * OH * OW;
        i = rest / OW;
        j = rest - i * OW;
    }
};

template <class D, bool MAX>
GT_DEV void pool2d(typename D::T* y, const typename D::T* x, i64 xo, i64 P, i64 H, i64 W, i64 OH, i64 OW, i64 KH,
                   i64 KW, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw) {
    typedef typename D::CT CT;
    const i64 total = P * OH * OW;
    for (i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (i64)gridDim.x * blockDim.x) {
        const window_at at(e, OH, OW);
        const typename D::T* plane = x + xo + at.p * H * W;
        const i64 r0 = at.i * sh - ph;
        const i64 c0 = at.j * sw - pw;
        CT acc = MAX ? lowest<CT>() : (CT)0;
        for (i64 a = 0; a < KH; ++a) {
            const i64 r = r0 + a * dh;
            if (r < 0 || r >= H) continue;
            for (i64 b = 0; b < KW; ++b) {
                const i64 c = c0 + b * dw;
                if (c < 0 || c >= W) continue;
                const CT v = D::load(plane, r * W + c);
                if constexpr (MAX) acc = op_maximum(acc, v);
                else acc += v;
            }
        }
        D::store(y, e, acc);
    }
}

template <class D, typename ACC>
GT_DEV void pool2d_count(ACC* cnt, const typename D::T* x, i64 xo, const typename D::T* y, i64 yo, i64 P, i64 H,
                         i64 W, i64 OH, i64 OW, i64 KH, i64 KW, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw) {
    typedef typename D::CT CT;
    const i64 total = P * OH * OW;
    for (i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (i64)gridDim.x * blockDim.x) {
        const window_at at(e, OH, OW);
        const typename D::T* plane = x + xo + at.p * H * W;
        const CT m = D::load(y, yo + e);
        CT n = 0;
        for (i64 a = 0; a < KH; ++a) {
            const i64 r = at.i * sh - ph + a * dh;
            for (i64 b = 0; b < KW; ++b) {
                const i64 c = at.j * sw - pw + b * dw;
                const CT v = (r >= 0 && r < H && c >= 0 && c < W) ? D::load(plane, r * W + c) : lowest<CT>();
                n += (v == m) ? (CT)1 : (CT)0;
            }
        }
        cnt[e] = (ACC)n;
    }
}

// The gradient of input cell e: the windows (i, j) covering it, as kernels_cl/pool.cl's COVERING.
template <class D, bool MAX, typename ACC>
GT_DEV void pool2d_backward(typename D::T* gx, const typename D::T* x, i64 xo, const typename D::T* y, i64 yo,
                            const typename D::T* g, i64 go, const ACC* cnt, i64 P, i64 H, i64 W, i64 OH, i64 OW,
                            i64 KH, i64 KW, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw) {
    typedef typename D::CT CT;
    const i64 total = P * H * W;
    for (i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (i64)gridDim.x * blockDim.x) {
        const i64 p = e / (H * W);
        const i64 rest = e - p * H * W;
        const i64 r = rest / W;
        const i64 c = rest - r * W;
        CT v = 0;
        if constexpr (MAX) v = D::load(x, xo + e);
        CT acc = 0;
        // windows covering the cell: walk back from the last one starting at or before it while
        // the offset stays within the kernel's span (no division per tap when dilation is 1)
        const i64 i_last = (r + ph) / sh < OH ? (r + ph) / sh : OH - 1;
        for (i64 i = i_last; i >= 0; --i) {
            const i64 dr = r + ph - i * sh;
            if (dr > (KH - 1) * dh) break;
            if (dh != 1 && dr % dh) continue;
            const i64 j_last = (c + pw) / sw < OW ? (c + pw) / sw : OW - 1;
            for (i64 j = j_last; j >= 0; --j) {
                const i64 dc = c + pw - j * sw;
                if (dc > (KW - 1) * dw) break;
                if (dw != 1 && dc % dw) continue;
                const i64 w = (p * OH + i) * OW + j;
                if constexpr (MAX) {
                    acc += ((v == D::load(y, yo + w)) ? (CT)1 : (CT)0) * D::load(g, go + w) / (CT)cnt[w];
                } else {
                    acc += D::load(g, go + w);
                }
            }
        }
        D::store(gx, e, acc);
    }
}

}  // namespace gt

#define POOL_ARGS(S)                                                                              \
    S##_t *y, const S##_t *x, long long xo, long long P, long long H, long long W, long long OH,   \
        long long OW, long long KH, long long KW, long long sh, long long sw, long long ph, long long pw, \
        long long dh, long long dw
#define POOL_MAX(S)                                                                               \
    extern "C" __global__ void max_pool2d_##S(POOL_ARGS(S)) {                                     \
        gt::pool2d<gt::dt_##S, true>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw);           \
    }
#define POOL_SHAPE                                                                                \
    long long P, long long H, long long W, long long OH, long long OW, long long KH, long long KW,   \
        long long sh, long long sw, long long ph, long long pw, long long dh, long long dw
#define POOL_SUM(S)                                                                               \
    extern "C" __global__ void sum_pool2d_##S(POOL_ARGS(S)) {                                     \
        gt::pool2d<gt::dt_##S, false>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw);          \
    }                                                                                             \
    extern "C" __global__ void max_pool2d_##S##_count(S##_acc* cnt, const S##_t* x, long long xo,  \
                                                      const S##_t* y, long long yo, POOL_SHAPE) {  \
        gt::pool2d_count<gt::dt_##S>(cnt, x, xo, y, yo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw); \
    }                                                                                             \
    extern "C" __global__ void max_pool2d_##S##_backward(S##_t* gx, const S##_t* x, long long xo,  \
                                                         const S##_t* y, long long yo,            \
                                                         const S##_t* g, long long go,            \
                                                         const S##_acc* cnt, POOL_SHAPE) {        \
        gt::pool2d_backward<gt::dt_##S, true>(gx, x, xo, y, yo, g, go, cnt, P, H, W, OH, OW, KH, KW, sh, sw, \
                                              ph, pw, dh, dw);                                    \
    }                                                                                             \
    extern "C" __global__ void sum_pool2d_##S##_backward(S##_t* gx, const S##_t* g, long long go,  \
                                                         POOL_SHAPE) {                            \
        gt::pool2d_backward<gt::dt_##S, false>(gx, (const S##_t*)nullptr, 0, (const S##_t*)nullptr, 0, g, go, \
                                               (const S##_acc*)nullptr, P, H, W, OH, OW, KH, KW, sh, sw, \
                                               ph, pw, dh, dw);                                   \
    }

#if defined(GT_ALL) || defined(GT_i8)
POOL_MAX(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
POOL_MAX(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
POOL_MAX(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
POOL_MAX(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
POOL_MAX(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
POOL_MAX(f16)
POOL_SUM(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
POOL_MAX(bf16)
POOL_SUM(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
POOL_MAX(f32)
POOL_SUM(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
POOL_MAX(f64)
POOL_SUM(f64)
#endif
