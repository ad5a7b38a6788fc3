// Tensor-core matrix products for matmul.cu: mma.sync with float32 accumulators on
// float16 / bfloat16 (m16n8k16) and TF32 (m16n8k8) operands, sm_80 and newer.
//
// A block computes a 128 x 128 tile of C with 4 warps (2 x 2, 64 x 64 each). Operand tiles
// travel global -> shared with cp.async in 16-byte pieces (zero-filled past the matrix edge),
// STAGES deep, each stored in the operand's own layout with padded rows: "n" tiles (rows of
// 64 bytes along k) have 80-byte rows, "t" tiles (rows of 128 elements along m or n) 136
// elements; either way the rows a fragment load touches fall in different bank groups.
// Fragments come from shared memory with ldmatrix (.trans where the layout needs it) for 16-bit
// types and with plain loads plus cvt.rna.tf32 for TF32.
#pragma once

#include "gemm.cuh"

namespace gt {

enum { TC_F16 = 0, TC_BF16 = 1, TC_TF32 = 2 };

template <int KIND> struct tc_traits {
    typedef unsigned short E;  // element storage
    static constexpr int BK = 32;
};
template <> struct tc_traits<TC_TF32> {
    typedef float E;
    static constexpr int BK = 16;
};

constexpr int TC_BM = 128;
constexpr int TC_STAGES = 4;
constexpr int TC_N_LD = 40;              // "n" tile row: 64 bytes + 16 of padding, in 16-bit units
constexpr int TC_STAGE_BYTES = 20480;    // both operands, the larger layout
constexpr int TC_SMEM_BYTES = TC_STAGES * TC_STAGE_BYTES;

GT_DEV unsigned smem_addr(const void* p) { return (unsigned)__cvta_generic_to_shared(p); }

GT_DEV void cp_async16(unsigned dst, const void* src, int bytes) {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(bytes));
#endif
}
GT_DEV void cp_commit() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;\n" ::);
#endif
}
template <int N> GT_DEV void cp_wait() {
#if __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
#endif
}

GT_DEV void ldmatrix4(unsigned (&r)[4], unsigned addr) {
#if __CUDA_ARCH__ >= 800
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
#endif
}
GT_DEV void ldmatrix4_trans(unsigned (&r)[4], unsigned addr) {
#if __CUDA_ARCH__ >= 800
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
#endif
}

template <int KIND> GT_DEV void mma(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
#if __CUDA_ARCH__ >= 800
    if constexpr (KIND == TC_BF16) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
                     "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else if constexpr (KIND == TC_F16) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
                     "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
        asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, "
                     "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
#endif
}

GT_DEV unsigned to_tf32(float f) {
    unsigned r;
#if __CUDA_ARCH__ >= 800
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(f));
#else
    r = __float_as_uint(f);
#endif
    return r;
}

// Shared layout of one operand tile in one stage. "n" (contiguous along k): TC_BM rows of BK
// elements, row pitch 80 bytes. "t" (contiguous along m or n): BK rows of TC_BM elements, row
// pitch TC_BM + 8 elements.
template <int KIND, bool KCONTIG> struct tile {
    typedef typename tc_traits<KIND>::E E;
    static constexpr int BK = tc_traits<KIND>::BK;
    static constexpr int LD = KCONTIG ? 80 / (int)sizeof(E) : TC_BM + 8;
    static constexpr int CHUNKS_PER_ROW = KCONTIG ? 4 : TC_BM * (int)sizeof(E) / 16;
    static constexpr int PER_CHUNK = 16 / (int)sizeof(E);
    // element offset of (row along m/n, k) in the tile
    static GT_DEV int at(int mn, int k) { return KCONTIG ? mn * LD + k : k * LD + mn; }

    // Issue this thread's four 16-byte copies of the tile at (mn0, k0) of the operand X, whose
    // element (mn, k) is at X[mn * s_mn + k * s_k]; rows past `extent` and k past K are zeros.
    static GT_DEV void load(E* dst, const E* X, i64 s_mn, i64 s_k, i64 mn0, i64 k0, i64 extent, i64 K) {
#pragma unroll
        for (int p = 0; p < 4; ++p) {
            int q = threadIdx.x + 128 * p;
            int row = q / CHUNKS_PER_ROW;
            int col = (q % CHUNKS_PER_ROW) * PER_CHUNK;
            int mn = KCONTIG ? row : col;
            int k = KCONTIG ? col : row;
            i64 gm = mn0 + mn;
            i64 gk = k0 + k;
            i64 left = KCONTIG ? K - gk : extent - gm;
            bool inside = KCONTIG ? gm < extent : gk < K;
            int valid = inside && left > 0 ? (left < PER_CHUNK ? (int)left : PER_CHUNK) : 0;
            const E* src = valid ? X + gm * s_mn + gk * s_k : X;
            cp_async16(smem_addr(dst + at(mn, k)), src, valid * (int)sizeof(E));
        }
    }
};

// A fragments (16 x k-step) of warp row block mi at k offset ks.
template <int KIND, bool AK> GT_DEV void frag_a(unsigned (&a)[4], const typename tc_traits<KIND>::E* As, int m, int ks) {
    typedef tile<KIND, AK> TA;
    const int lane = threadIdx.x & 31;
    if constexpr (KIND == TC_TF32) {
        const int g = lane >> 2;
        const int q = lane & 3;
        a[0] = to_tf32(As[TA::at(m + g, ks + q)]);
        a[1] = to_tf32(As[TA::at(m + g + 8, ks + q)]);
        a[2] = to_tf32(As[TA::at(m + g, ks + q + 4)]);
        a[3] = to_tf32(As[TA::at(m + g + 8, ks + q + 4)]);
    } else if constexpr (AK) {
        ldmatrix4(a, smem_addr(As + TA::at(m + (lane & 15), ks + (lane >> 4) * 8)));
    } else {
        const int i = lane >> 3;
        const int r = lane & 7;
        ldmatrix4_trans(a, smem_addr(As + TA::at(m + (i & 1) * 8, ks + (i >> 1) * 8 + r)));
    }
}

// B fragments of two neighbouring 8-column tiles (n, n + 8): b[0..1] for n, b[2..3] for n + 8.
template <int KIND, bool BNC> GT_DEV void frag_b(unsigned (&b)[4], const typename tc_traits<KIND>::E* Bs, int n, int ks) {
    typedef tile<KIND, !BNC> TB;
    const int lane = threadIdx.x & 31;
    if constexpr (KIND == TC_TF32) {
        const int g = lane >> 2;
        const int q = lane & 3;
        b[0] = to_tf32(Bs[TB::at(n + g, ks + q)]);
        b[1] = to_tf32(Bs[TB::at(n + g, ks + q + 4)]);
        b[2] = to_tf32(Bs[TB::at(n + 8 + g, ks + q)]);
        b[3] = to_tf32(Bs[TB::at(n + 8 + g, ks + q + 4)]);
    } else if constexpr (!BNC) {
        const int i = lane >> 3;
        const int r = lane & 7;
        ldmatrix4(b, smem_addr(Bs + TB::at(n + (i >> 1) * 8 + r, ks + (i & 1) * 8)));
    } else {
        const int i = lane >> 3;
        const int r = lane & 7;
        ldmatrix4_trans(b, smem_addr(Bs + TB::at(n + (i >> 1) * 8, ks + (i & 1) * 8 + r)));
    }
}

GT_DEV void store_c(void* C, bool f32, int kind, i64 idx, float v) {
    if (f32 || kind == TC_TF32) {
        static_cast<float*>(C)[idx] = v;
    } else if (kind == TC_BF16) {
        static_cast<unsigned short*>(C)[idx] = f32_to_bf16_bits(v);
    } else {
        static_cast<unsigned short*>(C)[idx] = f32_to_f16_bits(v);
    }
}

template <int KIND, bool AK, bool BNC, typename T>
GT_DEV void gemm_tc(GEMM_PARAMS(T), int out_f32) {
#if __CUDA_ARCH__ >= 800
    typedef typename tc_traits<KIND>::E E;
    typedef tile<KIND, AK> TA;
    typedef tile<KIND, !BNC> TB;
    constexpr int BK = tc_traits<KIND>::BK;
    constexpr int KSTEP = KIND == TC_TF32 ? 8 : 16;
    extern __shared__ __align__(16) unsigned char smem[];
    const int warp = threadIdx.x >> 5;
    const int lane = threadIdx.x & 31;
    const int wm = (warp >> 1) * 64;
    const int wn = (warp & 1) * 64;
    const i64 z = blockIdx.z;
    const i64 m0 = (i64)blockIdx.y * TC_BM;
    const i64 n0 = (i64)blockIdx.x * TC_BM;
    const E* Ag = reinterpret_cast<const E*>(A) + ao + z * abt;
    const E* Bg = reinterpret_cast<const E*>(B) + bo + z * bbt;
    auto stage_a = [&](int s) { return reinterpret_cast<E*>(smem + s * TC_STAGE_BYTES); };
    auto stage_b = [&](int s) { return reinterpret_cast<E*>(smem + s * TC_STAGE_BYTES + TC_STAGE_BYTES / 2); };
    auto issue = [&](i64 kt) {
        int s = (int)(kt % TC_STAGES);
        TA::load(stage_a(s), Ag, sam, sak, m0, kt * BK, M, K);
        TB::load(stage_b(s), Bg, sbn, sbk, n0, kt * BK, N, K);
    };
    float acc[4][8][4];
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 8; ++j) {
#pragma unroll
            for (int r = 0; r < 4; ++r) acc[i][j][r] = 0.0f;
        }
    }
    const i64 tiles = (K + BK - 1) / BK;
#pragma unroll
    for (int s = 0; s < TC_STAGES - 1; ++s) {
        if (s < tiles) issue(s);
        cp_commit();
    }
    for (i64 kt = 0; kt < tiles; ++kt) {
        cp_wait<TC_STAGES - 2>();
        __syncthreads();
        if (kt + TC_STAGES - 1 < tiles) issue(kt + TC_STAGES - 1);
        cp_commit();
        const E* As = stage_a((int)(kt % TC_STAGES));
        const E* Bs = stage_b((int)(kt % TC_STAGES));
#pragma unroll
        for (int ks = 0; ks < BK; ks += KSTEP) {
            unsigned a[4][4];
            unsigned b[4][4];
#pragma unroll
            for (int i = 0; i < 4; ++i) frag_a<KIND, AK>(a[i], As, wm + i * 16, ks);
#pragma unroll
            for (int j = 0; j < 4; ++j) frag_b<KIND, BNC>(b[j], Bs, wn + j * 16, ks);
#pragma unroll
            for (int i = 0; i < 4; ++i) {
#pragma unroll
                for (int j = 0; j < 8; ++j) mma<KIND>(acc[i][j], a[i], b[j >> 1][(j & 1) * 2], b[j >> 1][(j & 1) * 2 + 1]);
            }
        }
    }
    cp_wait<0>();
    const int g = lane >> 2;
    const int q = lane & 3;
    T* Cz = C + co + z * cbt;
    void* Cv = out_f32 ? static_cast<void*>(reinterpret_cast<float*>(C) + co + z * cbt) : static_cast<void*>(Cz);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 8; ++j) {
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                i64 m = m0 + wm + i * 16 + g + (r >> 1) * 8;
                i64 n = n0 + wn + j * 8 + q * 2 + (r & 1);
                if (m < M && n < N) store_c(Cv, out_f32 != 0, KIND, m * csm + n * csn, acc[i][j][r]);
            }
        }
    }
#endif
}

}  // namespace gt
