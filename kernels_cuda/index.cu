// Indexing: gather (take), scatter (assignment at indices), scatter_add, nonzero. Mirrors
// kernels_cl/index.cl.
//
// x, out and values are contiguous [A, N, B] / [A, I, B] blocks, indices are I int64 values
// already in range. Elements move as raw bits. Grids with more than 65535 rows A are launched
// in slabs by the host (pointers advanced to the slab).
//   gather_<dtype>(out, x, xo, idx, io, N, I, B)
//     launched as (ceil(I * B / 256), A): out[a, i, b] = x[a, idx[i], b].
//   scatter_<dtype>(dst, do, idx, io, values, vo, N, I, B)
//     launched as (ceil(I * B / 256), A): dst[a, idx[i], b] = values[a, i, b]; with repeated
//     indices any one of the writes wins.
//   scatter_add_<dtype>(acc, idx, io, values, vo, N, I, B)
//     launched as (ceil(B / 256), A): each thread owns one column (a, b) and adds the values in
//     index order: deterministic, in NumPy's order. acc is S_acc (float for the 16-bit floats,
//     which the host rounds afterwards) and starts at zero.
//   scatter_add_<dtype>_atomic(same arguments)    i32, i64, f16, bf16, f32, f64
//     launched as (ceil(I * B / 256), A): one thread per value, atomically added (the order of
//     floating-point sums varies from run to run, as in other GPU libraries).
//   nonzero_<dtype>_flags(flags, x, xo, n)        flags[i] = x[i] != 0 (int64, to be scanned)
//   nonzero_<dtype>(out, pos, n, count, ndim, shape)
//     one thread per element: element i with pos[i] > pos[i - 1] writes its ndim coordinates at
//     column pos[i] - 1 of the (ndim, count) result; pos is the inclusive scan of the flags.
#include "common.cuh"

namespace gt {
GT_DEV void atomic_add(float* p, float v) { atomicAdd(p, v); }
GT_DEV void atomic_add(double* p, double v) { atomicAdd(p, v); }
GT_DEV void atomic_add(int* p, int v) { atomicAdd(p, v); }
GT_DEV void atomic_add(long long* p, long long v) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), (unsigned long long)v);
}
}  // namespace gt

#define INDEX_KERNELS(S)                                                                      \
    extern "C" __global__ void gather_##S(S##_raw* out, const S##_raw* x, long long xo,         \
                                          const long long* idx, long long io, long long N,    \
                                          long long I, long long B) {                         \
        long long e = gt::global_thread();                                                    \
        long long a = blockIdx.y;                                                             \
        if (e >= I * B) return;                                                               \
        long long i = e / B;                                                                  \
        long long b = e - i * B;                                                              \
        out[(a * I + i) * B + b] = x[xo + (a * N + idx[io + i]) * B + b];                     \
    }                                                                                         \
    extern "C" __global__ void scatter_##S(S##_raw* dst, long long dsto, const long long* idx,  \
                                           long long io, const S##_raw* values, long long vo, \
                                           long long N, long long I, long long B) {           \
        long long e = gt::global_thread();                                                    \
        long long a = blockIdx.y;                                                             \
        if (e >= I * B) return;                                                               \
        long long i = e / B;                                                                  \
        long long b = e - i * B;                                                              \
        dst[dsto + (a * N + idx[io + i]) * B + b] = values[vo + (a * I + i) * B + b];         \
    }                                                                                         \
    extern "C" __global__ void scatter_add_##S(S##_acc* acc, const long long* idx, long long io, \
                                               const S##_t* values, long long vo, long long N, \
                                               long long I, long long B) {                    \
        typedef gt::dt_##S D;                                                                 \
        long long b = gt::global_thread();                                                    \
        long long a = blockIdx.y;                                                             \
        if (b >= B) return;                                                                   \
        for (long long i = 0; i < I; ++i) {                                                   \
            long long o = (a * N + idx[io + i]) * B + b;                                      \
            acc[o] = (S##_acc)gt::op_add((D::CT)acc[o], D::load(values, vo + (a * I + i) * B + b)); \
        }                                                                                     \
    }                                                                                         \
    extern "C" __global__ void GT_PASTE(nonzero_##S, _flags)(long long* flags, const S##_t* x, \
                                                              long long xo, long long n) {    \
        long long i = gt::global_thread();                                                    \
        if (i < n) flags[i] = gt::dt_##S::load(x, xo + i) != 0;                               \
    }                                                                                         \
    extern "C" __global__ void nonzero_##S(long long* out, const long long* pos, long long n,  \
                                           long long count, int ndim, const long long* shape) { \
        long long i = gt::global_thread();                                                    \
        if (i >= n) return;                                                                   \
        long long before = i > 0 ? pos[i - 1] : 0;                                            \
        if (pos[i] == before) return;                                                         \
        long long rest = i;                                                                   \
        for (int d = ndim - 1; d >= 0; --d) {                                                 \
            out[d * count + before] = rest % shape[d];                                        \
            rest /= shape[d];                                                                 \
        }                                                                                     \
    }
#define GT_PASTE_(a, b) a##b
#define GT_PASTE(a, b) GT_PASTE_(a, b)

#define ATOMIC_KERNEL(S)                                                                      \
    extern "C" __global__ void scatter_add_##S##_atomic(S##_acc* acc, const long long* idx,    \
                                                        long long io, const S##_t* values,    \
                                                        long long vo, long long N, long long I, \
                                                        long long B) {                        \
        long long e = gt::global_thread();                                                    \
        long long a = blockIdx.y;                                                             \
        if (e >= I * B) return;                                                               \
        long long i = e / B;                                                                  \
        long long b = e - i * B;                                                              \
        gt::atomic_add(acc + (a * N + idx[io + i]) * B + b,                                   \
                       (S##_acc)gt::dt_##S::load(values, vo + (a * I + i) * B + b));          \
    }

#if defined(GT_ALL) || defined(GT_b8)
INDEX_KERNELS(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
INDEX_KERNELS(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
INDEX_KERNELS(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
INDEX_KERNELS(i32)
ATOMIC_KERNEL(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
INDEX_KERNELS(i64)
ATOMIC_KERNEL(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
INDEX_KERNELS(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
INDEX_KERNELS(f16)
ATOMIC_KERNEL(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
INDEX_KERNELS(bf16)
ATOMIC_KERNEL(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
INDEX_KERNELS(f32)
ATOMIC_KERNEL(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
INDEX_KERNELS(f64)
ATOMIC_KERNEL(f64)
#endif
