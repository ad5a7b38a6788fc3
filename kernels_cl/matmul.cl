/* Batched matrix products C = A @ B with any operand strides (transposed views need no copy).
 *
 * Every kernel takes C, A, B as pointer, element offset, row stride, column stride and batch
 * stride, and M, N, K; dimension 2 of the launch is the batch.
 *   matmul_<dtype>(C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, bbt, M, N, K)
 *     any strides and dtypes; one output per work-item, launched as (N, M, batch). Sums are
 *     kept in CT (float for the half types); bool is OR of ANDs; integers wrap.
 *   matmul_<dtype>_tiled(same arguments)  floating types, B's columns contiguous (sbn == 1):
 *     each work-item computes an RM x (RN * VW) tile in registers, broadcasting one element of
 *     A per row against RN vectors of B per k; launched as (ceil(N / (RN * VW)), ceil(M / RM),
 *     batch). Tiles cut by the matrix edge fall back to one output at a time.
 *   matmul_<dtype>_dot(same arguments)  floating types, rows of A and columns of B contiguous
 *     (sak == sbk == 1, i.e. B transposed): DM x DN dot products of VW-lane vectors per
 *     work-item; launched as (ceil(N / DN), ceil(M / DM), batch).
 * Register blocking without local memory suits CPU-like devices (PoCL turns barriers into
 * loops); on GPUs the same kernels run with each work-item's tile in registers.
 */
#include "ops.h"
#include "dtype.h"

#define MATMUL_ARGS                                                                          \
    __global T* C, long co, long csm, long csn, long cbt, __global const T* A, long ao,       \
        long sam, long sak, long abt, __global const T* B, long bo, long sbk, long sbn,      \
        long bbt, long M, long N, long K

/* One output C[m, n] (batch z), the reference every faster path must match up to rounding. */
inline CT dot_one(__global const T* A, long sam, long sak, __global const T* B, long sbk,
                  long sbn, long m, long n, long K) {
#ifdef GT_BOOL
    uchar acc = 0;
    for (long k = 0; k < K && !acc; ++k) acc = A[m * sam + k * sak] && B[k * sbk + n * sbn];
    return acc;
#else
    CT acc = 0;
    for (long k = 0; k < K; ++k) acc += LOAD(A, m * sam + k * sak) * LOAD(B, k * sbk + n * sbn);
    return acc;
#endif
}

__kernel void NAME(matmul)(MATMUL_ARGS) {
    long n = get_global_id(0);
    long m = get_global_id(1);
    long z = get_global_id(2);
    if (n >= N || m >= M) return;
    CT v = dot_one(A + ao + z * abt, sam, sak, B + bo + z * bbt, sbk, sbn, m, n, K);
    STORE(C, co + z * cbt + m * csm + n * csn, v);
}

#ifdef GT_VEC
#define RM 6
#define RN 2
#define DM 3
#define DN 3

/* Stores a vector of VW outputs at C[i], C[i + step], ... */
inline void store_lanes(__global T* C, long i, long step, VT v) {
    CT lanes[VW];
#if VW == 8
    vstore8(v, 0, lanes);
#else
    vstore4(v, 0, lanes);
#endif
    for (int l = 0; l < VW; ++l) STORE(C, i + l * step, lanes[l]);
}

/* The outputs of a tile cut by the matrix edge, one at a time. */
inline void edge_tile(__global T* C, long csm, long csn, __global const T* A, long sam,
                      long sak, __global const T* B, long sbk, long sbn, long m0, long rows,
                      long n0, long cols, long M, long N, long K) {
    for (long m = m0; m < min(M, m0 + rows); ++m) {
        for (long n = n0; n < min(N, n0 + cols); ++n) {
            STORE(C, m * csm + n * csn, dot_one(A, sam, sak, B, sbk, sbn, m, n, K));
        }
    }
}

__kernel void GT_PASTE(NAME(matmul), _tiled)(MATMUL_ARGS) {
    long n0 = (long)get_global_id(0) * (RN * VW);
    long m0 = (long)get_global_id(1) * RM;
    long z = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    A += ao + z * abt;
    B += bo + z * bbt;
    C += co + z * cbt;
    if (m0 + RM > M || n0 + RN * VW > N) {
        edge_tile(C, csm, csn, A, sam, sak, B, sbk, 1, m0, RM, n0, RN * VW, M, N, K);
        return;
    }
    VT acc[RM][RN];
    for (int r = 0; r < RM; ++r) {
        for (int v = 0; v < RN; ++v) acc[r][v] = (VT)(0);
    }
    __global const T* bp = B + n0;
    __global const T* ap = A + m0 * sam;
    for (long k = 0; k < K; ++k, bp += sbk, ap += sak) {
        VT b[RN];
        for (int v = 0; v < RN; ++v) b[v] = VLOAD(bp, v * VW);
        for (int r = 0; r < RM; ++r) {
            VT a = (VT)(LOAD(ap, r * sam));
            for (int v = 0; v < RN; ++v) acc[r][v] += a * b[v];
        }
    }
    for (int r = 0; r < RM; ++r) {
        for (int v = 0; v < RN; ++v) {
            long i = (m0 + r) * csm + (n0 + v * VW) * csn;
            if (csn == 1) {
                VSTORE(C, i, acc[r][v]);
            } else {
                store_lanes(C, i, csn, acc[r][v]);
            }
        }
    }
}

inline CT lane_sum(VT v) {
#if VW == 8
    return ((v.s0 + v.s1) + (v.s2 + v.s3)) + ((v.s4 + v.s5) + (v.s6 + v.s7));
#else
    return (v.s0 + v.s1) + (v.s2 + v.s3);
#endif
}

__kernel void GT_PASTE(NAME(matmul), _dot)(MATMUL_ARGS) {
    long n0 = (long)get_global_id(0) * DN;
    long m0 = (long)get_global_id(1) * DM;
    long z = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    A += ao + z * abt;
    B += bo + z * bbt;
    C += co + z * cbt;
    if (m0 + DM > M || n0 + DN > N) {
        edge_tile(C, csm, csn, A, sam, 1, B, 1, sbn, m0, DM, n0, DN, M, N, K);
        return;
    }
    VT acc[DM][DN];
    for (int r = 0; r < DM; ++r) {
        for (int c = 0; c < DN; ++c) acc[r][c] = (VT)(0);
    }
    long k = 0;
    for (; k + VW <= K; k += VW) {
        VT a[DM];
        VT b[DN];
        for (int r = 0; r < DM; ++r) a[r] = VLOAD(A, (m0 + r) * sam + k);
        for (int c = 0; c < DN; ++c) b[c] = VLOAD(B, (n0 + c) * sbn + k);
        for (int r = 0; r < DM; ++r) {
            for (int c = 0; c < DN; ++c) acc[r][c] += a[r] * b[c];
        }
    }
    for (int r = 0; r < DM; ++r) {
        for (int c = 0; c < DN; ++c) {
            CT s = lane_sum(acc[r][c]);
            for (long t = k; t < K; ++t) s += LOAD(A, (m0 + r) * sam + t) * LOAD(B, (n0 + c) * sbn + t);
            STORE(C, (m0 + r) * csm + (n0 + c) * csn, s);
        }
    }
}
#endif
