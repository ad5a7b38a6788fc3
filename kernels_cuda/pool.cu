// Window reductions for 2-D pooling: the optional fused primitive ``pool2d`` of the CUDA backend
// (gputensor/nn/pooling.py pads the input first and composes the gradients).
//
//   max_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
//   sum_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)  (floating)
//     x: P = N * C contiguous planes of H x W at element xo; y (P, OH, OW) contiguous:
//     y[p, i, j] = max / sum over a < KH, b < KW of x[p, i * sh - ph + a * dh,
//     j * sw - pw + b * dw], cells outside the plane (the padding, never materialized) left
//     out. Max propagates NaN, as the composed reduction does; sums accumulate in the compute
//     type (float for the 16-bit floats). The argument order of kernels_cl/pool.cl. One thread per output, a grid-stride loop
//     over P * OH * OW (block 256): neighbouring threads read neighbouring windows of one row.
#include "common.cuh"

namespace gt {

template <class D, bool MAX>
GT_DEV void pool2d(typename D::T* y, const typename D::T* x, i64 xo, i64 P, i64 H, i64 W, i64 OH, i64 OW, i64 KH,
                   i64 KW, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw) {
    typedef typename D::CT CT;
    const i64 total = P * OH * OW;
    for (i64 e = (i64)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (i64)gridDim.x * blockDim.x) {
        const i64 p = e / (OH * OW);
        const i64 rest = e - p * OH * OW;
        const i64 i = rest / OW;
        const i64 j = rest - i * OW;
        const typename D::T* plane = x + xo + p * H * W;
        const i64 r0 = i * sh - ph;
        const i64 c0 = j * sw - pw;
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

}  // namespace gt

#define POOL_ARGS(S)                                                                              \
    S##_t *y, const S##_t *x, long long xo, long long P, long long H, long long W, long long OH,   \
        long long OW, long long KH, long long KW, long long sh, long long sw, long long ph, long long pw, \
        long long dh, long long dw
#define POOL_MAX(S)                                                                               \
    extern "C" __global__ void max_pool2d_##S(POOL_ARGS(S)) {                                     \
        gt::pool2d<gt::dt_##S, true>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw);           \
    }
#define POOL_SUM(S)                                                                               \
    extern "C" __global__ void sum_pool2d_##S(POOL_ARGS(S)) {                                     \
        gt::pool2d<gt::dt_##S, false>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw);          \
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
