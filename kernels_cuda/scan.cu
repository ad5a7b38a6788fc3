// Inclusive scans (cumsum, cumprod) along the middle axis of an [A, K, B] contiguous block,
// accumulated in the compute type and rounded once per output element, as the NumPy backend
// does. Mirrors kernels_cl/scan.cl.
//
//   cumsum_<dtype>(out, x, xo, K, B, chunk, carry, has_carry)        and cumprod_<dtype>
//     launched as (ceil(B / 256), A, chunks) blocks of 256: thread (b, a, c) scans k in
//     [c * chunk, c * chunk + chunk), starting from carry[(a * chunks + c) * B + b] (S_acc)
//     when has_carry, else from the identity.
//   cumsum_<dtype>_carry(partials, chunks, B)                        and cumprod_<dtype>_carry
//     launched as (ceil(B / 256), A): each column's chunk totals (from sum_<dtype>_mid_partial)
//     become exclusive prefixes, in place.
// Long axes take three launches (chunk totals, carries, scan); short ones take one. Grids with
// more than 65535 rows A are launched in slabs by the host.
#include "common.cuh"

#define SCAN_OP(S, name, fn, IDENT)                                                           \
    extern "C" __global__ void name##_##S(S##_t* out, const S##_t* x, long long xo, long long K, \
                                          long long B, long long chunk, const S##_acc* carry, \
                                          int has_carry) {                                    \
        typedef gt::dt_##S D;                                                                 \
        long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x;                       \
        long long a = blockIdx.y;                                                             \
        long long c = blockIdx.z;                                                             \
        long long chunks = gridDim.z;                                                         \
        if (b >= B) return;                                                                   \
        long long base = a * K * B + b;                                                       \
        D::CT acc = has_carry ? (D::CT)carry[(a * chunks + c) * B + b] : (D::CT)(IDENT);      \
        long long ke = c * chunk + chunk < K ? c * chunk + chunk : K;                         \
        for (long long k = c * chunk; k < ke; ++k) {                                          \
            acc = gt::op_##fn(acc, D::load(x, xo + base + k * B));                            \
            D::store(out, base + k * B, acc);                                                 \
        }                                                                                     \
    }                                                                                         \
    extern "C" __global__ void name##_##S##_carry(S##_acc* partials, long long chunks,         \
                                                  long long B) {                              \
        typedef gt::dt_##S D;                                                                 \
        long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x;                       \
        long long a = blockIdx.y;                                                             \
        if (b >= B) return;                                                                   \
        D::CT run = (D::CT)(IDENT);                                                           \
        for (long long c = 0; c < chunks; ++c) {                                              \
            long long i = (a * chunks + c) * B + b;                                           \
            D::CT total = (D::CT)partials[i];                                                 \
            partials[i] = (S##_acc)run;                                                       \
            run = gt::op_##fn(run, total);                                                    \
        }                                                                                     \
    }
#define SCAN_ALL(S) SCAN_OP(S, cumsum, add, 0) SCAN_OP(S, cumprod, multiply, 1)

#if defined(GT_ALL) || defined(GT_b8)
SCAN_ALL(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
SCAN_ALL(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
SCAN_ALL(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
SCAN_ALL(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
SCAN_ALL(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
SCAN_ALL(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
SCAN_ALL(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
SCAN_ALL(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
SCAN_ALL(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
SCAN_ALL(f64)
#endif
