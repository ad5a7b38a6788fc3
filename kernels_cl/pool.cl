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
 *     out. Max propagates NaN as the composed reduction does; sums accumulate in CT.
 * Gradients (floating; the optional primitive ``pool2d_backward``), the composed rule's
 * arithmetic (gputensor/nn/pooling.py):
 *   max_pool2d_<dtype>_count(cnt, x, xo, y, yo, P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)
 *     one work-item per window: how many of its cells equal its max (padding cells hold the
 *     lowest value), in CT;
 *   max_pool2d_<dtype>_backward(gx, x, xo, y, yo, g, go, cnt, P, H, W, OH, OW, KH, KW, sh, sw,
 *                               ph, pw, dh, dw)
 *     launched as (W, H, P) (rounded up), one work-item per input cell: the sum over the
 *     windows covering it of (cell == max) * g / cnt (ties share evenly; a NaN window gives
 *     NaN as 0 / 0 does). Average pooling's gradient composes (a few strided adds were faster
 *     than a per-cell kernel on PoCL: 4 vs 6-7 ms for 2x2 windows of 32x32x32x32). Launched over P * OH * OW work-items, one per output (neighbouring work-items take
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

#ifdef GT_FLOAT
#define POOL_SHAPE long P, long H, long W, long OH, long OW, long KH, long KW, long sh, long sw, \
                   long ph, long pw, long dh, long dw

__kernel void GT_PASTE(NAME(max_pool2d), _count)(__global CT* cnt, __global const T* x, long xo,
                                                  __global const T* y, long yo, POOL_SHAPE) {
    long e = get_global_id(0);
    if (e >= P * OH * OW) return;
    long p = e / (OH * OW);
    long rest = e - p * OH * OW;
    long i = rest / OW;
    long j = rest - i * OW;
    __global const T* plane = x + xo + p * H * W;
    CT m = LOAD(y, yo + e);
    CT n = 0;
    for (long a = 0; a < KH; ++a) {
        long r = i * sh - ph + a * dh;
        for (long b = 0; b < KW; ++b) {
            long c = j * sw - pw + b * dw;
            CT v = (r >= 0 && r < H && c >= 0 && c < W) ? LOAD(plane, r * W + c) : (CT)LOWEST;
            n += (v == m) ? (CT)1 : (CT)0;
        }
    }
    cnt[e] = n;
}

/* Visits the windows (i, j) of plane p that cover input cell (r, c): BODY sees w, their index.
 * Window i covers row r when r + ph - i * sh = a * dh for a tap a < KH: from the last window
 * starting at or before the cell, walk back while the offset stays within the kernel's span
 * (one 32-bit division per axis; none per tap when the dilation is 1). */
#define COVERING(BODY)                                                                       \
    for (int i = min((int)((r + ph) / sh), (int)OH - 1); i >= 0; --i) {                      \
        int dr = (int)(r + ph) - i * (int)sh;                                                \
        if (dr > (int)((KH - 1) * dh)) break;                                                \
        if (dh != 1 && dr % (int)dh) continue;                                               \
        for (int j = min((int)((c + pw) / sw), (int)OW - 1); j >= 0; --j) {                  \
            int dc = (int)(c + pw) - j * (int)sw;                                            \
            if (dc > (int)((KW - 1) * dw)) break;                                            \
            if (dw != 1 && dc % (int)dw) continue;                                           \
            long w = (p * OH + i) * OW + j;                                                  \
            BODY                                                                             \
        }                                                                                    \
    }

/* Launched as (W, H, P) rounded up: one work-item per input cell, no index division. */
#define CELL_COORDS                                                                          \
    int c = get_global_id(0);                                                                \
    int r = get_global_id(1);                                                                \
    long p = get_global_id(2);                                                               \
    if (c >= W || r >= H || p >= P) return;                                                  \
    long e = (p * H + r) * W + c;

__kernel void GT_PASTE(NAME(max_pool2d), _backward)(__global T* gx, __global const T* x, long xo,
                                                     __global const T* y, long yo, __global const T* g,
                                                     long go, __global const CT* cnt, POOL_SHAPE) {
    CELL_COORDS
    CT v = LOAD(x, xo + e);
    CT acc = 0;
    COVERING(acc += ((v == LOAD(y, yo + w)) ? (CT)1 : (CT)0) * LOAD(g, go + w) / cnt[w];)
    STORE(gx, e, acc);
}

#endif
