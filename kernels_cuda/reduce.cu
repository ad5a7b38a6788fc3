// Reductions: sum, prod, max, min (NaN-propagating, as NumPy) and argmax, argmin.
// Mirrors kernels_cl/reduce.cl (same entry points and arguments; OpenCL's __local scratch
// argument is shared memory here).
//
// Rows: x is an [M, K] contiguous block at element xo.
//   <op>_<dtype>(out, oo, x, xo, M, K, chunk, run)           result in S_t
//   <op>_<dtype>_partial(out, oo, x, xo, M, K, chunk, run)   result in S_acc (float for halves)
// Each row is cut into chunks = ceil(K / chunk) pieces (chunk a multiple of 16 / itemsize);
// `run` threads (32: one warp, or 256: one block) reduce piece c of row m into
// out[oo + m * chunks + c], reading 16 bytes per access where the row is aligned, four
// accesses in flight, then combining lanes with warp shuffles (and shared memory across
// warps). Launched with 256-thread blocks, one segment (m, c) per `run` threads. Large rows
// run in two stages: pieces first, then one piece over the partial results.
//
// Middle axes: x is an [A, K, B] contiguous block.
//   <op>_<dtype>_mid(out, oo, x, xo, K, B, chunk), <op>_<dtype>_mid_partial(...)
// launched as (ceil(B / 256), A, chunks) blocks of 256: thread b reduces column b over
// k in [c * chunk, c * chunk + chunk) into out[oo + (a * chunks + c) * B + b].
//
// Arg reductions over the middle axis of [A, K, B]:
//   argmax_<dtype>(oidx, oval, x, xo, xidx, has_idx, K, B, chunk), argmin_<dtype>(...)
// launched as (ceil(B / 256), A, chunks): the first extreme of each chunk (NaN counts as the
// extreme) with its position, or its xidx entry when has_idx (the second pass over the chunks'
// winners). Grids with more than 65535 rows A are launched in slabs by the host.
#include "common.cuh"

namespace gt {

// A result in S_t (through the dtype's store) or in S_acc (float for the 16-bit floats).
template <class D, typename OT> GT_DEV void store_out(OT* p, i64 i, typename D::CT v) {
    if constexpr (same<OT, typename D::T>::value) {
        D::store(p, i, v);
    } else {
        p[i] = (OT)v;
    }
}

template <class D, typename OT, class F>
GT_DEV void reduce_rows(OT* out, i64 oo, const typename D::T* x, i64 xo, i64 M, i64 K, i64 chunk,
                        i64 run, typename D::CT ident, F f) {
    typedef typename D::T T;
    typedef typename D::CT CT;
    constexpr int V = vec_width<T, T>();
    const i64 chunks = (K + chunk - 1) / chunk;
    const i64 per_block = blockDim.x / run;
    const i64 seg = (i64)blockIdx.x * per_block + threadIdx.x / run;
    const int j = threadIdx.x % run;
    const i64 m = seg / chunks;
    const i64 c = seg - m * chunks;
    CT acc = ident;
    if (m < M) {
        const T* row = x + xo + m * K;
        const i64 cb = c * chunk;
        const i64 ce = cb + chunk < K ? cb + chunk : K;
        i64 vend = cb;
        if (aligned(row + cb, sizeof(T) * V)) vend = cb + ((ce - cb) / V) * V;
        const i64 step = run * V;
        i64 i = cb + j * V;
        for (; i + 3 * step < vend; i += 4 * step) {
            pack<T, V> p0 = *reinterpret_cast<const pack<T, V>*>(row + i);
            pack<T, V> p1 = *reinterpret_cast<const pack<T, V>*>(row + i + step);
            pack<T, V> p2 = *reinterpret_cast<const pack<T, V>*>(row + i + 2 * step);
            pack<T, V> p3 = *reinterpret_cast<const pack<T, V>*>(row + i + 3 * step);
#pragma unroll
            for (int l = 0; l < V; ++l) {
                CT u = f(D::load(p0.v, l), D::load(p1.v, l));
                CT w = f(D::load(p2.v, l), D::load(p3.v, l));
                acc = f(acc, f(u, w));
            }
        }
        for (; i < vend; i += step) {
            pack<T, V> p0 = *reinterpret_cast<const pack<T, V>*>(row + i);
#pragma unroll
            for (int l = 0; l < V; ++l) acc = f(acc, D::load(p0.v, l));
        }
        for (i64 e = vend + j; e < ce; e += run) acc = f(acc, D::load(row, e));
    }
    if (run > 32) {
        acc = block_reduce(acc, f);
    } else {
        acc = warp_reduce(acc, f);
    }
    if (j == 0 && m < M) store_out<D>(out, oo + m * chunks + c, acc);
}

template <class D, typename OT, class F>
GT_DEV void reduce_mid(OT* out, i64 oo, const typename D::T* x, i64 xo, i64 K, i64 B, i64 chunk,
                       typename D::CT ident, F f) {
    const i64 b = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    const i64 a = blockIdx.y;
    const i64 c = blockIdx.z;
    const i64 chunks = gridDim.z;
    if (b >= B) return;
    const typename D::T* base = x + xo + a * K * B + b;
    const i64 kb = c * chunk;
    const i64 ke = kb + chunk < K ? kb + chunk : K;
    typename D::CT acc = ident;
    for (i64 k = kb; k < ke; ++k) acc = f(acc, D::load(base, k * B));
    store_out<D>(out, oo + (a * chunks + c) * B + b, acc);
}

template <class D, bool MAX>
GT_DEV void arg_reduce(long long* oidx, typename D::T* oval, const typename D::T* x, i64 xo,
                       const long long* xidx, int has_idx, i64 K, i64 B, i64 chunk) {
    typedef typename D::CT CT;
    const i64 b = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    const i64 a = blockIdx.y;
    const i64 c = blockIdx.z;
    const i64 chunks = gridDim.z;
    if (b >= B) return;
    const i64 base = a * K * B + b;
    const i64 kb = c * chunk;
    const i64 ke = kb + chunk < K ? kb + chunk : K;
    i64 pos = kb;
    CT best = D::load(x, xo + base + kb * B);
    for (i64 k = kb + 1; k < ke; ++k) {
        CT v = D::load(x, xo + base + k * B);
        bool better;
        if constexpr (D::is_float) {
            bool vn = v != v;
            bool bn = best != best;
            better = (vn && !bn) || (!bn && (MAX ? v > best : v < best));
        } else {
            better = MAX ? v > best : v < best;
        }
        if (better) {
            best = v;
            pos = k;
        }
    }
    const i64 o = (a * chunks + c) * B + b;
    oidx[o] = has_idx ? xidx[base + pos * B] : pos;
    oval[o] = x[xo + base + pos * B];
}

}  // namespace gt

#define REDUCE_OP(S, name, fn, IDENT)                                                         \
    extern "C" __global__ void name##_##S(S##_t* out, long long oo, const S##_t* x, long long xo, \
                                          long long M, long long K, long long chunk,          \
                                          long long run) {                                    \
        gt::reduce_rows<gt::dt_##S>(out, oo, x, xo, M, K, chunk, run, IDENT,                  \
                                    [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return gt::op_##fn(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void name##_##S##_partial(S##_acc* out, long long oo, const S##_t* x, \
                                                    long long xo, long long M, long long K,   \
                                                    long long chunk, long long run) {         \
        gt::reduce_rows<gt::dt_##S>(out, oo, x, xo, M, K, chunk, run, IDENT,                  \
                                    [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return gt::op_##fn(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void name##_##S##_mid(S##_t* out, long long oo, const S##_t* x,       \
                                                long long xo, long long K, long long B,       \
                                                long long chunk) {                            \
        gt::reduce_mid<gt::dt_##S>(out, oo, x, xo, K, B, chunk, IDENT,                        \
                                   [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return gt::op_##fn(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void name##_##S##_mid_partial(S##_acc* out, long long oo,             \
                                                        const S##_t* x, long long xo,         \
                                                        long long K, long long B,             \
                                                        long long chunk) {                    \
        gt::reduce_mid<gt::dt_##S>(out, oo, x, xo, K, B, chunk, IDENT,                        \
                                   [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return gt::op_##fn(u, w); }); \
    }

#define ARG_REDUCE(S, name, MAX)                                                              \
    extern "C" __global__ void name##_##S(long long* oidx, S##_raw* oval, const S##_t* x,       \
                                          long long xo, const long long* xidx, int has_idx,   \
                                          long long K, long long B, long long chunk) {        \
        gt::arg_reduce<gt::dt_##S, MAX>(oidx, reinterpret_cast<S##_t*>(oval), x, xo, xidx,    \
                                        has_idx, K, B, chunk);                                \
    }

#define REDUCE_ALL(S)                                                                         \
    REDUCE_OP(S, sum, add, (gt::dt_##S::CT)0)                                                 \
    REDUCE_OP(S, prod, multiply, (gt::dt_##S::CT)1)                                           \
    REDUCE_OP(S, max, maximum, gt::lowest<gt::dt_##S::CT>())                                  \
    REDUCE_OP(S, min, minimum, gt::highest<gt::dt_##S::CT>())                                 \
    ARG_REDUCE(S, argmax, true)                                                               \
    ARG_REDUCE(S, argmin, false)

#if defined(GT_ALL) || defined(GT_b8)
REDUCE_ALL(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
REDUCE_ALL(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
REDUCE_ALL(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
REDUCE_ALL(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
REDUCE_ALL(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
REDUCE_ALL(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
REDUCE_ALL(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
REDUCE_ALL(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
REDUCE_ALL(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
REDUCE_ALL(f64)
#endif
