/* Batched matrix products C = A @ B with any operand strides (transposed views need no copy).
 *
 * Every kernel takes C, A, B as pointer, element offset, row stride, column stride and batch
 * stride, then M, N, K and the tile strides apt, bpt (see _tiled); dimension 2 of the launch
 * is the batch.
 *   matmul_<dtype>(C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, bbt, M, N, K,
 *                  apt, bpt)
 *     any strides and dtypes; one output per work-item, launched as (N, M, batch). Sums are
 *     kept in CT (float for the half types); bool is OR of ANDs; integers wrap.
 *   matmul_<dtype>_tiled(same arguments)  floating types; each work-item computes an
 *     RM x (RN * VW) tile in registers, broadcasting one element of A per row against RN
 *     vectors of B per k; launched as (ceil(N / (RN * VW)), ceil(M / RM), batch). Row r of tile
 *     t of A starts at A + t * apt + r * sam, column block u of B at B + u * bpt, and B's
 *     columns must be contiguous (sbn == 1). Plain operands: apt = RM * sam, bpt = RN * VW.
 *     Packed ones (matmul_<dtype>_pack_a / _pack_b below): apt = K * RM, bpt = K * RN * VW.
 *     Tiles cut by the matrix edge read missing rows as repeats and missing columns as zeros
 *     and store only what exists.
 *   matmul_<dtype>_dot(same arguments)  floating types, rows of A and columns of B contiguous
 *     (sak == sbk == 1, i.e. B transposed): DM x DN dot products of VW-lane vectors per
 *     work-item; launched as (ceil(N / DN), ceil(M / DM), batch).
 *   matmul_<dtype>_pack_a(P, A, ao, sam, sak, abt, M, K)  launched as (K, ceil(M / RM), batch):
 *     P[z][t][k][r] = A[z][t * RM + r, k], rows contiguous per tile (for an A read down its
 *     columns, or a large one).
 *   matmul_<dtype>_pack_b(P, B, bo, sbk, sbn, bbt, N, K)  launched as (K, ceil(N / (RN * VW)),
 *     batch): P[z][u][k][c] = B[z][k, u * RN * VW + c], zero past N (for a transposed B, or a
 *     large one: each panel is then one contiguous stream).
 * Register blocking without local memory suits CPU-like devices (PoCL turns barriers into
 * loops); on GPUs the same kernels run with each work-item's tile in registers. The tiles are
 * spelled out per row (no arrays, no loops) so that accumulators stay in registers.
 */
#include "ops.h"
#include "dtype.h"

#define MATMUL_ARGS                                                                          \
    __global T* C, long co, long csm, long csn, long cbt, __global const T* A, long ao,       \
        long sam, long sak, long abt, __global const T* B, long bo, long sbk, long sbn,      \
        long bbt, long M, long N, long K, long apt, long bpt

/* One output C[m, n], the reference every faster path must match up to rounding. */
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

/* VW elements from p[i], p[i + step], ..., those at or beyond `count` read as zero. */
inline VT load_part(__global const T* p, long i, long step, long count) {
    CT v[VW];
    for (int l = 0; l < VW; ++l) v[l] = l < count ? LOAD(p, i + l * step) : (CT)0;
#if VW == 8
    return (VT)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
#else
    return (VT)(v[0], v[1], v[2], v[3]);
#endif
}

/* Stores the first `count` lanes of v at C[i], C[i + step], ... */
inline void store_part(__global T* C, long i, long step, long count, VT v) {
    CT lanes[VW];
#if VW == 8
    vstore8(v, 0, lanes);
#else
    vstore4(v, 0, lanes);
#endif
    for (int l = 0; l < VW && l < count; ++l) STORE(C, i + l * step, lanes[l]);
}

/* Row r of the register tile: its RN = 2 accumulators, its update at step k with the element
 * of A at row ROW(r), and its store. */
#define ROW_ACC(r) VT c##r##_0 = (VT)(0), c##r##_1 = (VT)(0);
#define ROW_FMA(r, ROW)                                                                      \
    {                                                                                        \
        VT a = (VT)(LOAD(ap, ROW(r) * sam));                                                 \
        c##r##_0 += a * b0;                                                                  \
        c##r##_1 += a * b1;                                                                  \
    }
#define ROW_STORE(r)                                                                         \
    if (csn == 1) {                                                                          \
        VSTORE(C, (m0 + r) * csm + n0, c##r##_0);                                            \
        VSTORE(C, (m0 + r) * csm + n0 + VW, c##r##_1);                                       \
    } else {                                                                                 \
        store_part(C, (m0 + r) * csm + n0 * csn, csn, VW, c##r##_0);                         \
        store_part(C, (m0 + r) * csm + (n0 + VW) * csn, csn, VW, c##r##_1);                  \
    }
#define ROW_STORE_PART(r)                                                                    \
    if (r < rows) {                                                                          \
        store_part(C, (m0 + r) * csm + n0 * csn, csn, cols, c##r##_0);                       \
        store_part(C, (m0 + r) * csm + (n0 + VW) * csn, csn, cols - VW, c##r##_1);           \
    }
#define ALL_ROWS(r) (r)
#define VALID_ROWS(r) min((long)(r), rows - 1)

#define TILE_LOOP(LOAD_B0, LOAD_B1, ROW)                                                     \
    for (long k = 0; k < K; ++k, bp += sbk, ap += sak) {                                     \
        VT b0 = LOAD_B0;                                                                     \
        VT b1 = LOAD_B1;                                                                     \
        ROW_FMA(0, ROW) ROW_FMA(1, ROW) ROW_FMA(2, ROW)                                      \
        ROW_FMA(3, ROW) ROW_FMA(4, ROW) ROW_FMA(5, ROW)                                      \
    }

__kernel void GT_PASTE(NAME(matmul), _tiled)(MATMUL_ARGS) {
    long n0 = (long)get_global_id(0) * (RN * VW);
    long m0 = (long)get_global_id(1) * RM;
    long z = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    C += co + z * cbt;
    __global const T* bp = B + bo + z * bbt + (n0 / (RN * VW)) * bpt;
    __global const T* ap = A + ao + z * abt + (m0 / RM) * apt;
    ROW_ACC(0) ROW_ACC(1) ROW_ACC(2) ROW_ACC(3) ROW_ACC(4) ROW_ACC(5)
    if (m0 + RM <= M && n0 + RN * VW <= N) {
        TILE_LOOP(VLOAD(bp, 0), VLOAD(bp, VW), ALL_ROWS)
        ROW_STORE(0) ROW_STORE(1) ROW_STORE(2) ROW_STORE(3) ROW_STORE(4) ROW_STORE(5)
        return;
    }
    long rows = min((long)RM, M - m0);
    long cols = min((long)(RN * VW), N - n0);
    TILE_LOOP(load_part(bp, 0, 1, cols), load_part(bp, VW, 1, cols - VW), VALID_ROWS)
    ROW_STORE_PART(0) ROW_STORE_PART(1) ROW_STORE_PART(2)
    ROW_STORE_PART(3) ROW_STORE_PART(4) ROW_STORE_PART(5)
}

__kernel void GT_PASTE(NAME(matmul), _pack_a)(__global T* P, __global const T* A, long ao,
                                              long sam, long sak, long abt, long M, long K) {
    long k = get_global_id(0);
    long t = get_global_id(1);
    long z = get_global_id(2);
    if (k >= K) return;
    __global const RAW* a = (__global const RAW*)A + ao + z * abt + t * RM * sam + k * sak;
    __global RAW* p = (__global RAW*)P + ((z * get_global_size(1) + t) * K + k) * RM;
    for (int r = 0; r < RM && t * RM + r < M; ++r) p[r] = a[r * sam];
}

__kernel void GT_PASTE(NAME(matmul), _pack_b)(__global T* P, __global const T* B, long bo,
                                              long sbk, long sbn, long bbt, long N, long K) {
    long k = get_global_id(0);
    long u = get_global_id(1);
    long z = get_global_id(2);
    if (k >= K) return;
    __global const RAW* b = (__global const RAW*)B + bo + z * bbt + k * sbk + u * RN * VW * sbn;
    __global RAW* p = (__global RAW*)P + ((z * get_global_size(1) + u) * K + k) * (RN * VW);
    for (int c = 0; c < RN * VW; ++c) p[c] = u * RN * VW + c < N ? b[c * sbn] : (RAW)0;
}

inline CT lane_sum(VT v) {
#if VW == 8
    return ((v.s0 + v.s1) + (v.s2 + v.s3)) + ((v.s4 + v.s5) + (v.s6 + v.s7));
#else
    return (v.s0 + v.s1) + (v.s2 + v.s3);
#endif
}

/* The DM x DN = 3 x 3 dot products of the _dot kernel, spelled out like ROW_ACC. */
#define DOT_ACC(r) VT d##r##_0 = (VT)(0), d##r##_1 = (VT)(0), d##r##_2 = (VT)(0);
#define DOT_STORE(r, c)                                                                      \
    if (r < rows && c < cols) {                                                              \
        CT s = lane_sum(d##r##_##c);                                                         \
        for (long t = k; t < K; ++t) s += LOAD(A, (m0 + r) * sam + t) * LOAD(B, (n0 + c) * sbn + t); \
        STORE(C, (m0 + r) * csm + (n0 + c) * csn, s);                                        \
    }

__kernel void GT_PASTE(NAME(matmul), _dot)(MATMUL_ARGS) {
    long n0 = (long)get_global_id(0) * DN;
    long m0 = (long)get_global_id(1) * DM;
    long z = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    A += ao + z * abt;
    B += bo + z * bbt;
    C += co + z * cbt;
    long rows = min((long)DM, M - m0);
    long cols = min((long)DN, N - n0);
    /* a tile cut by the edge repeats its last row / column and stores only what exists */
    long r1 = min(1L, rows - 1);
    long r2 = min(2L, rows - 1);
    long c1 = min(1L, cols - 1);
    long c2 = min(2L, cols - 1);
    DOT_ACC(0) DOT_ACC(1) DOT_ACC(2)
    long k = 0;
    for (; k + VW <= K; k += VW) {
        VT b0 = VLOAD(B, n0 * sbn + k);
        VT b1 = VLOAD(B, (n0 + c1) * sbn + k);
        VT b2 = VLOAD(B, (n0 + c2) * sbn + k);
        VT a0 = VLOAD(A, m0 * sam + k);
        VT a1 = VLOAD(A, (m0 + r1) * sam + k);
        VT a2 = VLOAD(A, (m0 + r2) * sam + k);
        d0_0 += a0 * b0;
        d0_1 += a0 * b1;
        d0_2 += a0 * b2;
        d1_0 += a1 * b0;
        d1_1 += a1 * b1;
        d1_2 += a1 * b2;
        d2_0 += a2 * b0;
        d2_1 += a2 * b1;
        d2_2 += a2 * b2;
    }
    DOT_STORE(0, 0) DOT_STORE(0, 1) DOT_STORE(0, 2)
    DOT_STORE(1, 0) DOT_STORE(1, 1) DOT_STORE(1, 2)
    DOT_STORE(2, 0) DOT_STORE(2, 1) DOT_STORE(2, 2)
}
#endif
