// The generic matrix product (one output per thread, any dtype and strides) and the SIMT
// tiled kernel of matmul.cu (float32 / float64 on the CUDA cores).
#pragma once

#include "common.cuh"

#define GEMM_PARAMS(T)                                                                        \
    T *C, i64 co, i64 csm, i64 csn, i64 cbt, const T *A, i64 ao, i64 sam, i64 sak, i64 abt,    \
        const T *B, i64 bo, i64 sbk, i64 sbn, i64 bbt, i64 M, i64 N, i64 K

namespace gt {

template <class D> GT_DEV void gemm_generic(GEMM_PARAMS(typename D::T)) {
    const i64 n = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    const i64 m = (i64)blockIdx.y * blockDim.y + threadIdx.y;
    const i64 z = blockIdx.z;
    if (n >= N || m >= M) return;
    const typename D::T* a = A + ao + z * abt + m * sam;
    const typename D::T* b = B + bo + z * bbt + n * sbn;
    typename D::CT acc = 0;
    if constexpr (D::is_bool) {
        for (i64 k = 0; k < K && !acc; ++k) acc = D::load(a, k * sak) && D::load(b, k * sbk);
    } else {
        for (i64 k = 0; k < K; ++k) acc += D::load(a, k * sak) * D::load(b, k * sbk);
    }
    D::store(C + co + z * cbt, m * csm + n * csn, acc);
}

// SIMT tiles: 256 threads as 16 x 16; tile BM = BN = 16 * TM, BK = 8; thread (tx, ty) owns
// rows {ty * H + i, BM / 2 + ty * H + i} and columns {tx * H + j, BN / 2 + tx * H + j}, H = TM / 2.
// Shared tiles are stored k-major (As[k][m], Bs[k][n]) so each thread reads its H consecutive
// values with one vector access; rows are padded by 4 elements against bank conflicts.
template <typename T, int TM, bool AK, bool BNC> GT_DEV void gemm_simt(GEMM_PARAMS(T)) {
    constexpr int BM = 16 * TM;
    constexpr int BK = 8;
    constexpr int H = TM / 2;
    constexpr int LD = BM + 4;
    constexpr int LOADS = BM * BK / 256;
    __shared__ __align__(16) T As[2][BK][LD];
    __shared__ __align__(16) T Bs[2][BK][LD];
    const int t = threadIdx.x;
    const int tx = t % 16;
    const int ty = t / 16;
    const i64 z = blockIdx.z;
    const i64 m0 = (i64)blockIdx.y * BM;
    const i64 n0 = (i64)blockIdx.x * BM;
    A += ao + z * abt;
    B += bo + z * bbt;
    C += co + z * cbt;
    T ra[LOADS];
    T rb[LOADS];
    T acc[TM][TM];
#pragma unroll
    for (int i = 0; i < TM; ++i) {
#pragma unroll
        for (int j = 0; j < TM; ++j) acc[i][j] = (T)0;
    }
    // Thread t loads tile elements e = t + 256 p: (row along M or N, k) as the operand's
    // contiguous axis dictates. Row pointers and row bounds are fixed; k advances per tile.
    const T* pa[LOADS];
    const T* pb[LOADS];
    unsigned rows_in = 0;
#pragma unroll
    for (int p = 0; p < LOADS; ++p) {
        int e = t + 256 * p;
        int ma = AK ? e / BK : e % BM;
        int nb = BNC ? e % BM : e / BK;
        pa[p] = A + (m0 + ma) * sam + (AK ? e % BK : e / BM) * sak;
        pb[p] = B + (n0 + nb) * sbn + (BNC ? e / BM : e % BK) * sbk;
        rows_in |= (m0 + ma < M ? 1u : 0u) << p;
        rows_in |= (n0 + nb < N ? 1u : 0u) << (p + 16);
    }
    auto load = [&](i64 k0) {
#pragma unroll
        for (int p = 0; p < LOADS; ++p) {
            int e = t + 256 * p;
            int ka = AK ? e % BK : e / BM;
            int kb = BNC ? e / BM : e % BK;
            bool ina = ((rows_in >> p) & 1u) && k0 + ka < K;
            bool inb = ((rows_in >> (p + 16)) & 1u) && k0 + kb < K;
            ra[p] = ina ? pa[p][k0 * sak] : (T)0;
            rb[p] = inb ? pb[p][k0 * sbk] : (T)0;
        }
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int p = 0; p < LOADS; ++p) {
            int e = t + 256 * p;
            As[buf][AK ? e % BK : e / BM][AK ? e / BK : e % BM] = ra[p];
            Bs[buf][BNC ? e / BM : e % BK][BNC ? e % BM : e / BK] = rb[p];
        }
    };
    const i64 tiles = (K + BK - 1) / BK;
    load(0);
    store(0);
    __syncthreads();
    for (i64 kt = 0; kt < tiles; ++kt) {
        const int cur = kt & 1;
        if (kt + 1 < tiles) load((kt + 1) * BK);
#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
            pack<T, H> a0 = *reinterpret_cast<const pack<T, H>*>(&As[cur][kk][ty * H]);
            pack<T, H> a1 = *reinterpret_cast<const pack<T, H>*>(&As[cur][kk][BM / 2 + ty * H]);
            pack<T, H> b0 = *reinterpret_cast<const pack<T, H>*>(&Bs[cur][kk][tx * H]);
            pack<T, H> b1 = *reinterpret_cast<const pack<T, H>*>(&Bs[cur][kk][BM / 2 + tx * H]);
#pragma unroll
            for (int i = 0; i < TM; ++i) {
                T a = i < H ? a0.v[i % H] : a1.v[i % H];
#pragma unroll
                for (int j = 0; j < TM; ++j) {
                    T b = j < H ? b0.v[j % H] : b1.v[j % H];
                    acc[i][j] = fma(a, b, acc[i][j]);
                }
            }
        }
        if (kt + 1 < tiles) store(cur ^ 1);
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i) {
        i64 m = m0 + (i < H ? ty * H + i : BM / 2 + ty * H + i - H);
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < TM; ++j) {
            i64 n = n0 + (j < H ? tx * H + j : BM / 2 + tx * H + j - H);
            if (n < N) C[m * csm + n * csn] = acc[i][j];
        }
    }
}

}  // namespace gt
