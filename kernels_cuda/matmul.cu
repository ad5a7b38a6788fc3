// Batched matrix products C = A @ B with any operand strides (transposed views need no copy).
// The generic kernel mirrors kernels_cl/matmul.cl; the tiled ones are CUDA's own (gemm.cuh,
// mma.cuh).
//
//   matmul_<dtype>(C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, bbt, M, N, K,
//                  apt, bpt)
//     every dtype, any strides: one output per thread, blocks of 16 x 16 over (N, M), grid z
//     the batch (apt and bpt, OpenCL's packed-tile strides, are unused). Sums are kept in the
//     compute type (float for the 16-bit floats); bool is OR of ANDs; integers wrap.
//   matmul_<dtype>_simt_<ab>(C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, bbt,
//                            M, N, K)      float32, float64
//     shared-memory tiles (128 x 128 x 8 for float32, 64 x 64 x 8 for float64), an 8 x 8
//     (4 x 4) register block per thread, two shared buffers so the next tile's loads overlap
//     the current tile's arithmetic. <ab> names the operand layouts: A "n" (its rows
//     contiguous, sak == 1) or "t" (its columns contiguous, sam == 1), B "n" (sbn == 1) or "t"
//     (sbk == 1): nn, nt, tn, tt. 256 threads, grid (ceil(N / BN), ceil(M / BM), batch).
//   matmul_<dtype>_mma_<ab>(same arguments, out_f32)      float16, bfloat16 (sm_80 and newer)
//   matmul_f32_tf32_<ab>(same arguments, out_f32)         float32 on the TF32 tensor cores
//     tensor-core tiles of 128 x 128 (k step 32 halves or 16 floats) with mma.sync and float32
//     accumulators, four cp.async stages in 80 KiB of dynamic shared memory; 128 threads (2 x 2
//     warps of 64 x 64), grid (ceil(N / 128), ceil(M / 128), batch). The contiguous operand
//     axes need 16-byte aligned starts and leading strides that are multiples of 16 bytes; the
//     host checks. out_f32 != 0 writes a float32 C (bfloat16 inputs with float32 results).
// Grids with more than 65535 batches are launched in slabs by the host.
#include "gemm.cuh"
#include "mma.cuh"

#define MATMUL_ARGS(S)                                                                        \
    S##_t* C, long long co, long long csm, long long csn, long long cbt, const S##_t* A,       \
        long long ao, long long sam, long long sak, long long abt, const S##_t* B, long long bo, \
        long long sbk, long long sbn, long long bbt, long long M, long long N, long long K
#define MATMUL_CALL C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, bbt, M, N, K

#define MATMUL_GENERIC(S)                                                                     \
    extern "C" __global__ void matmul_##S(MATMUL_ARGS(S), long long apt, long long bpt) {     \
        gt::gemm_generic<gt::dt_##S>(MATMUL_CALL);                                            \
    }

#define MATMUL_SIMT_ONE(S, TM, ab, AK, BN)                                                    \
    extern "C" __launch_bounds__(256) __global__ void matmul_##S##_simt_##ab(MATMUL_ARGS(S)) { \
        gt::gemm_simt<S##_t, TM, AK, BN>(MATMUL_CALL);                                        \
    }
#define MATMUL_SIMT(S, TM)                                                                    \
    MATMUL_SIMT_ONE(S, TM, nn, true, true) MATMUL_SIMT_ONE(S, TM, nt, true, false)            \
    MATMUL_SIMT_ONE(S, TM, tn, false, true) MATMUL_SIMT_ONE(S, TM, tt, false, false)

#define MATMUL_TC_ONE(S, KIND, name, ab, AK, BN)                                              \
    extern "C" __launch_bounds__(128) __global__ void matmul_##S##_##name##_##ab(               \
        MATMUL_ARGS(S), int out_f32) {                                                        \
        gt::gemm_tc<KIND, AK, BN>(C, co, csm, csn, cbt, A, ao, sam, sak, abt, B, bo, sbk, sbn, \
                                  bbt, M, N, K, out_f32);                                     \
    }
#define MATMUL_TC(S, KIND, name)                                                              \
    MATMUL_TC_ONE(S, KIND, name, nn, true, true) MATMUL_TC_ONE(S, KIND, name, nt, true, false) \
    MATMUL_TC_ONE(S, KIND, name, tn, false, true) MATMUL_TC_ONE(S, KIND, name, tt, false, false)

#if defined(GT_ALL) || defined(GT_b8)
MATMUL_GENERIC(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
MATMUL_GENERIC(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
MATMUL_GENERIC(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
MATMUL_GENERIC(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
MATMUL_GENERIC(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
MATMUL_GENERIC(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
MATMUL_GENERIC(f16)
MATMUL_TC(f16, gt::TC_F16, mma)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
MATMUL_GENERIC(bf16)
MATMUL_TC(bf16, gt::TC_BF16, mma)
#endif
#if defined(GT_ALL) || defined(GT_f32)
MATMUL_GENERIC(f32)
MATMUL_SIMT(f32, 8)
MATMUL_TC(f32, gt::TC_TF32, tf32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
MATMUL_GENERIC(f64)
MATMUL_SIMT(f64, 4)
#endif
