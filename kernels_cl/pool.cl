/* Window reductions for 2-D pooling: the optional fused primitive ``pool2d`` that
 * gputensor/nn/pooling.py uses (it pads the input first and composes the gradients).
 * The argument order of kernels_cuda/pool.cu.
 *
 *   max_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)  (integer,
 *                                                                            floating)
 *   sum_pool2d_<dtype>(y, x, xo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)  (floating)
 *     x: P = N * C contiguous planes of H x W at element xo; y (P, OH, OW) contiguous:
 *     y[p, i, j] = max / sum over a < KH, b < KW of x[p, i * sh - ph + a * dh,
 *     j * sw - pw + b * dw], cells outside the plane (the padding, never materialized) left
 *     out. Max propagates NaN as the composed reduction does; sums accumulate in CT. Launched over P * OH * OW work-items, one per output (neighbouring work-items take
 *     neighbouring windows of a row, which CPU devices vectorize across).
 */
#include "ops.h"
#include "dtype.h"

#define POOL_ARGS __global T* y, __global const T* x, long xo, long P, long H, long W, long OH, \
                  long OW, long KH, long KW, long sh, long sw, long ph, long pw, long dh, long dw

#define POOL_BODY(INIT, COMBINE)                                                             \
    long e = get_global_id(0);                                                               \
    if (e >= P * OH * OW) return;                                                            \
    long p = e / (OH * OW);                                                                  \
    long rest = e - p * OH * OW;                                                             \
    long i = rest / OW;                                                                      \
    long j = rest - i * OW;                                                                  \
    __global const T* plane = x + xo + p * H * W;                                            \
    long r0 = i * sh - ph;                                                                   \
    long c0 = j * sw - pw;                                                                   \
    CT acc = INIT;                                                                           \
    for (long a = 0; a < KH; ++a) {                                                          \
        long r = r0 + a * dh;                                                                \
        if (r < 0 || r >= H) continue;                                                       \
        for (long b = 0; b < KW; ++b) {                                                      \
            long c = c0 + b * dw;                                                            \
            if (c >= 0 && c < W) acc = COMBINE(acc, LOAD(plane, r * W + c));                  \
        }                                                                                    \
    }                                                                                        \
    STORE(y, e, acc);

#define POOL_ADD(a, b) ((a) + (b))

#if defined(GT_INT) || defined(GT_FLOAT)
__kernel void NAME(max_pool2d)(POOL_ARGS) { POOL_BODY((CT)LOWEST, OP(maximum)) }
#endif
#ifdef GT_FLOAT
__kernel void NAME(sum_pool2d)(POOL_ARGS) { POOL_BODY((CT)0, POOL_ADD) }
#endif
