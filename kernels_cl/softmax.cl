/* Fused softmax and log_softmax along the middle axis of an [A, K, B] contiguous block, the
 * optional primitives ops/activations.py uses when a backend has them.
 *
 *   softmax_<dtype>(out, x, xo, K, B), log_softmax_<dtype>(out, x, xo, K, B)
 *     launched as (B, A): each work-item normalizes one row of K elements (stride B) in three
 *     passes: its max, the sum of exp(x - max), then the output. Rows of the last axis
 *     (B == 1) are read as VW-lane vectors. Half types compute in float.
 * The arithmetic is the composed reference's: exp(x - max) / sum, (x - max) - log(sum).
 *
 * Fused softmax cross-entropy over the rows of an [N, K] contiguous block, launched as (N):
 *   softmax_cross_entropy_<dtype>(loss, lse, x, xo, labels, lo, K)
 *     lse[r] = max + log(sum(exp(x - max))), loss[r] = log(sum) - (x[labels[r]] - max), both
 *     CT; labels are int64 in [0, K) (checked by the caller).
 *   softmax_cross_entropy_<dtype>_backward(grad, x, xo, labels, lo, lse, gloss, K)
 *     grad[r, k] = (exp(x[r, k] - lse[r]) - (k == labels[r])) * gloss[r], in T.
 * The argument order of kernels_cuda/softmax.cu.
 */
#include "ops.h"
#include "dtype.h"

#ifdef GT_FLOAT
#if VW == 8
#define HMAX(v) OP(maximum)(OP(maximum)(OP(maximum)((v).s0, (v).s1), OP(maximum)((v).s2, (v).s3)), \
                            OP(maximum)(OP(maximum)((v).s4, (v).s5), OP(maximum)((v).s6, (v).s7)))
#define HSUM(v) (((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7))
#else
#define HMAX(v) OP(maximum)(OP(maximum)((v).s0, (v).s1), OP(maximum)((v).s2, (v).s3))
#define HSUM(v) ((v).s0 + (v).s1) + ((v).s2 + (v).s3)
#endif

/* The max of a contiguous row (NaN if any element is NaN); four independent chains. */
inline CT row_max(__global const T* row, long K) {
    VT vm = (VT)(-INFINITY), vm1 = vm, vm2 = vm, vm3 = vm;
    long k = 0;
    for (; k + 4 * VW <= K; k += 4 * VW) {
        vm = VOP(maximum)(vm, VLOAD(row, k));
        vm1 = VOP(maximum)(vm1, VLOAD(row, k + VW));
        vm2 = VOP(maximum)(vm2, VLOAD(row, k + 2 * VW));
        vm3 = VOP(maximum)(vm3, VLOAD(row, k + 3 * VW));
    }
    vm = VOP(maximum)(VOP(maximum)(vm, vm1), VOP(maximum)(vm2, vm3));
    for (; k + VW <= K; k += VW) vm = VOP(maximum)(vm, VLOAD(row, k));
    CT m = HMAX(vm);
    for (; k < K; ++k) m = OP(maximum)(m, LOAD(row, k));
    return m;
}

/* sum(exp(row - m)) of a contiguous row. */
inline CT row_sum_exp(__global const T* row, long K, CT m) {
    VT vs = (VT)(0);
    long k = 0;
    for (; k + VW <= K; k += VW) vs += exp(VLOAD(row, k) - (VT)(m));
    CT s = HSUM(vs);
    for (; k < K; ++k) s += exp(LOAD(row, k) - m);
    return s;
}

/* The max of a row of K elements B apart. */
inline CT strided_max(__global const T* row, long K, long B) {
    CT m = -INFINITY;
    for (long k = 0; k < K; ++k) m = OP(maximum)(m, LOAD(row, k * B));
    return m;
}

__kernel void NAME(softmax)(__global T* out, __global const T* x, long xo, long K, long B) {
    long b = get_global_id(0);
    long a = get_global_id(1);
    if (b >= B) return;
    __global const T* row = x + xo + a * K * B + b;
    __global T* orow = out + a * K * B + b;
    if (B == 1) {
        CT m = row_max(row, K);
        VT vs = (VT)(0);
        long k = 0;
        for (; k + VW <= K; k += VW) {
            VT e = exp(VLOAD(row, k) - (VT)(m));
            VSTORE(orow, k, e);
            vs += e;
        }
        CT s = HSUM(vs);
        for (; k < K; ++k) {
            CT e = exp(LOAD(row, k) - m);
            STORE(orow, k, e);
            s += e;
        }
        for (k = 0; k + VW <= K; k += VW) VSTORE(orow, k, VLOAD(orow, k) / (VT)(s));
        for (; k < K; ++k) STORE(orow, k, LOAD(orow, k) / s);
        return;
    }
    CT m = strided_max(row, K, B);
    CT s = 0;
    for (long k = 0; k < K; ++k) {
        CT e = exp(LOAD(row, k * B) - m);
        STORE(orow, k * B, e);
        s += e;
    }
    for (long k = 0; k < K; ++k) STORE(orow, k * B, LOAD(orow, k * B) / s);
}

__kernel void NAME(log_softmax)(__global T* out, __global const T* x, long xo, long K, long B) {
    long b = get_global_id(0);
    long a = get_global_id(1);
    if (b >= B) return;
    __global const T* row = x + xo + a * K * B + b;
    __global T* orow = out + a * K * B + b;
    if (B == 1) {
        CT m = row_max(row, K);
        CT shift = log(row_sum_exp(row, K, m));
        long k = 0;
        for (; k + VW <= K; k += VW) VSTORE(orow, k, (VLOAD(row, k) - (VT)(m)) - (VT)(shift));
        for (; k < K; ++k) STORE(orow, k, (LOAD(row, k) - m) - shift);
        return;
    }
    CT m = strided_max(row, K, B);
    CT s = 0;
    for (long k = 0; k < K; ++k) s += exp(LOAD(row, k * B) - m);
    CT shift = log(s);
    for (long k = 0; k < K; ++k) STORE(orow, k * B, (LOAD(row, k * B) - m) - shift);
}

__kernel void NAME(softmax_cross_entropy)(__global CT* loss, __global CT* lse, __global const T* x, long xo,
                                          __global const long* labels, long lo, long K) {
    long r = get_global_id(0);
    __global const T* row = x + xo + r * K;
    CT m = row_max(row, K);
    CT shift = log(row_sum_exp(row, K, m));
    lse[r] = m + shift;
    loss[r] = shift - (LOAD(row, labels[lo + r]) - m);
}

__kernel void GT_PASTE(NAME(softmax_cross_entropy), _backward)(
        __global T* grad, __global const T* x, long xo, __global const long* labels, long lo,
        __global const CT* lse, __global const CT* gloss, long K) {
    long r = get_global_id(0);
    __global const T* row = x + xo + r * K;
    __global T* grow = grad + r * K;
    CT l = lse[r];
    CT g = gloss[r];
    long k = 0;
    for (; k + VW <= K; k += VW) VSTORE(grow, k, exp(VLOAD(row, k) - (VT)(l)) * (VT)(g));
    for (; k < K; ++k) STORE(grow, k, exp(LOAD(row, k) - l) * g);
    long t = labels[lo + r];
    STORE(grow, t, (exp(LOAD(row, t) - l) - (CT)1) * g);
}
#endif
