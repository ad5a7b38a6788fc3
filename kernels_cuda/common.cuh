// Launch helpers shared by the kernel families: strided views as kernel arguments, the
// grid-stride loop over a strided box, warp and block reductions.
//
// Strided views (the CUDA twin of kernels_cl/strided.h): the host collapses a view's axes to
// at most four (d0 innermost); an operand is a pointer with an element offset and four element
// strides (zero for broadcast axes, negative for reversed ones). Kernels walk the
// n0 * n1 * n2 * n3 elements with a grid-stride loop over a 1-D grid, splitting the linear
// index in 32-bit arithmetic whenever the box has fewer than 2^32 elements.
#pragma once

#include "dtype.cuh"

#define GT_VIEW(TY, p) \
    TY* p, long long p##_o, long long p##_s0, long long p##_s1, long long p##_s2, long long p##_s3
#define GT_SHAPE long long n0, long long n1, long long n2, long long n3

#define GT_STRIDED_FOR                                                                      \
    const long long gt_total = n0 * n1 * n2 * n3;                                           \
    const bool gt_narrow = gt_total <= 0xffffffffLL;                                        \
    for (long long gt_e = (long long)blockIdx.x * blockDim.x + threadIdx.x; gt_e < gt_total; \
         gt_e += (long long)gridDim.x * blockDim.x) {                                       \
        long long i0, i1, i2, i3;                                                           \
        gt::coords(gt_e, gt_narrow, n0, n1, n2, i0, i1, i2, i3);
#define GT_STRIDED_END }

// The element offset of operand p at the loop's coordinates.
#define GT_AT(p) (p##_o + i0 * p##_s0 + i1 * p##_s1 + i2 * p##_s2 + i3 * p##_s3)

namespace gt {

GT_DEV void coords(i64 e, bool narrow, i64 n0, i64 n1, i64 n2, i64& i0, i64& i1, i64& i2, i64& i3) {
    if (narrow) {
        unsigned u = (unsigned)e;
        unsigned a = (unsigned)n0;
        unsigned b = (unsigned)n1;
        unsigned c = (unsigned)n2;
        unsigned q0 = u / a;
        unsigned q1 = q0 / b;
        unsigned q2 = q1 / c;
        i0 = u - q0 * a;
        i1 = q0 - q1 * b;
        i2 = q1 - q2 * c;
        i3 = q2;
    } else {
        i64 q0 = e / n0;
        i64 q1 = q0 / n1;
        i64 q2 = q1 / n2;
        i0 = e - q0 * n0;
        i1 = q0 - q1 * n1;
        i2 = q1 - q2 * n2;
        i3 = q2;
    }
}

GT_DEV i64 global_thread() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }

// Shuffles move 32 or 64 bits; narrower types travel as int.
template <typename T> GT_DEV T shfl_xor(T v, int mask) {
    if constexpr (sizeof(T) >= 4) {
        return __shfl_xor_sync(0xffffffffu, v, mask);
    } else {
        return (T)__shfl_xor_sync(0xffffffffu, (int)v, mask);
    }
}

template <typename T, typename F> GT_DEV T warp_reduce(T v, F f) {
    for (int o = 16; o > 0; o >>= 1) v = f(v, shfl_xor(v, o));
    return v;
}

// Reduce v over the block (blockDim.x a multiple of 32); every thread gets the result.
template <typename T, typename F> GT_DEV T block_reduce(T v, F f) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_reduce(v, f);
    __syncthreads();
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    T r = partial[0];
    for (int w = 1; w < warps; ++w) r = f(r, partial[w]);
    return r;
}

}  // namespace gt
