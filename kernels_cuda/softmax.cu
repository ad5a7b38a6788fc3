// Fused softmax and log_softmax along the middle axis of an [A, K, B] contiguous block, the
// optional primitives ops/activations.py uses when a backend has them. Mirrors
// kernels_cl/softmax.cl; CUDA adds the fused softmax cross-entropy below.
//
//   softmax_<dtype>(out, x, xo, K, B), log_softmax_<dtype>(out, x, xo, K, B)
//     B == 1 (rows of the last axis): one block per row (grid (A), any block size that is a
//     multiple of 32). Pass 1 keeps a running max and a sum of exp(x - max) per thread (16-byte
//     loads where the row is aligned), merged with warp shuffles and shared memory; pass 2
//     writes exp(x - max) / sum or (x - max) - log(sum). Rows are read twice, the second time
//     mostly from cache.
//     B > 1: one thread per column (grid (ceil(B / 256), A)): max, sum, output, as OpenCL does.
//   softmax_cross_entropy_<dtype>(loss, lse, x, xo, labels, lo, K)
//     one block per row of an [N, K] block: lse[r] = log(sum(exp(x[r]))), computed stably, and
//     loss[r] = lse[r] - x[r, labels[lo + r]]; loss and lse are S_acc (float for the 16-bit
//     floats).
//   softmax_cross_entropy_<dtype>_backward(grad, x, xo, labels, lo, lse, gloss, K)
//     one block per row: grad[r, k] = (exp(x[r, k] - lse[r]) - (k == label)) * gloss[r].
// Half types compute in float. Rows with a NaN, or +inf, or only -inf give NaN, as the composed
// reference does.
#include "common.cuh"

namespace gt {

template <typename CT> struct msum {
    CT m;
    CT s;
};

// Adds v to a running (max, sum of exp(x - max)). -inf adds nothing (exp(-inf - m) = 0 unless
// every element is -inf, and then pass 2 gives NaN as the reference does).
template <typename CT> GT_DEV void msum_add(msum<CT>& a, CT v) {
    if (v > a.m) {
        a.s = a.s * exp(a.m - v) + exp(v - v);
        a.m = v;
    } else if (v != -infinity<CT>()) {
        a.s += exp(v - a.m);
    }
}

template <typename CT> GT_DEV msum<CT> msum_merge(msum<CT> a, msum<CT> b) {
    CT m = a.m > b.m ? a.m : b.m;
    CT sa = a.s == (CT)0 ? (CT)0 : a.s * exp(a.m - m);
    CT sb = b.s == (CT)0 ? (CT)0 : b.s * exp(b.m - m);
    return {m, sa + sb};
}

template <typename CT> GT_DEV msum<CT> msum_block(msum<CT> v) {
    __shared__ CT ms[32];
    __shared__ CT ss[32];
    for (int o = 16; o > 0; o >>= 1) {
        msum<CT> other = {__shfl_xor_sync(0xffffffffu, v.m, o), __shfl_xor_sync(0xffffffffu, v.s, o)};
        v = msum_merge(v, other);
    }
    int warp = threadIdx.x >> 5;
    __syncthreads();
    if ((threadIdx.x & 31) == 0) {
        ms[warp] = v.m;
        ss[warp] = v.s;
    }
    __syncthreads();
    msum<CT> r = {ms[0], ss[0]};
    for (int w = 1; w < (int)(blockDim.x >> 5); ++w) r = msum_merge(r, msum<CT>{ms[w], ss[w]});
    return r;
}

// (max, sum of exp(x - max)) of the contiguous row of K elements, over the block.
template <class D> GT_DEV msum<typename D::CT> row_stats(const typename D::T* row, i64 K) {
    typedef typename D::T T;
    typedef typename D::CT CT;
    constexpr int V = vec_width<T, T>();
    msum<CT> a = {-infinity<CT>(), (CT)0};
    i64 vend = aligned(row, sizeof(T) * V) ? (K / V) * V : 0;
    for (i64 k = (i64)threadIdx.x * V; k < vend; k += (i64)blockDim.x * V) {
        pack<T, V> p = *reinterpret_cast<const pack<T, V>*>(row + k);
#pragma unroll
        for (int l = 0; l < V; ++l) msum_add(a, D::load(p.v, l));
    }
    for (i64 k = vend + threadIdx.x; k < K; k += blockDim.x) msum_add(a, D::load(row, k));
    return msum_block(a);
}

template <class D, bool LOG>
GT_DEV void softmax(typename D::T* out, const typename D::T* x, i64 xo, i64 K, i64 B) {
    typedef typename D::T T;
    typedef typename D::CT CT;
    if (B == 1) {
        constexpr int V = vec_width<T, T>();
        const i64 a = blockIdx.x;
        const T* row = x + xo + a * K;
        T* orow = out + a * K;
        msum<CT> st = row_stats<D>(row, K);
        CT shift = log(st.s);
        bool vec = aligned(row, sizeof(T) * V) && aligned(orow, sizeof(T) * V);
        i64 vend = vec ? (K / V) * V : 0;
        for (i64 k = (i64)threadIdx.x * V; k < vend; k += (i64)blockDim.x * V) {
            pack<T, V> p = *reinterpret_cast<const pack<T, V>*>(row + k);
            pack<T, V> r;
#pragma unroll
            for (int l = 0; l < V; ++l) {
                CT v = D::load(p.v, l) - st.m;
                D::store(r.v, l, LOG ? v - shift : exp(v) / st.s);
            }
            *reinterpret_cast<pack<T, V>*>(orow + k) = r;
        }
        for (i64 k = vend + threadIdx.x; k < K; k += blockDim.x) {
            CT v = D::load(row, k) - st.m;
            D::store(orow, k, LOG ? v - shift : exp(v) / st.s);
        }
        return;
    }
    const i64 b = (i64)blockIdx.x * blockDim.x + threadIdx.x;
    const i64 a = blockIdx.y;
    if (b >= B) return;
    const T* row = x + xo + a * K * B + b;
    T* orow = out + a * K * B + b;
    CT m = -infinity<CT>();
    for (i64 k = 0; k < K; ++k) m = op_maximum(m, D::load(row, k * B));
    CT s = 0;
    for (i64 k = 0; k < K; ++k) s += exp(D::load(row, k * B) - m);
    CT shift = log(s);
    for (i64 k = 0; k < K; ++k) {
        CT v = D::load(row, k * B) - m;
        D::store(orow, k * B, LOG ? v - shift : exp(v) / s);
    }
}

template <class D, typename ACC>
GT_DEV void xent(ACC* loss, ACC* lse, const typename D::T* x, i64 xo, const long long* labels, i64 lo, i64 K) {
    const i64 r = blockIdx.x;
    const typename D::T* row = x + xo + r * K;
    msum<typename D::CT> st = row_stats<D>(row, K);
    if (threadIdx.x == 0) {
        typename D::CT l = st.m + log(st.s);
        lse[r] = (ACC)l;
        loss[r] = (ACC)(l - D::load(row, labels[lo + r]));
    }
}

template <class D, typename ACC>
GT_DEV void xent_backward(typename D::T* grad, const typename D::T* x, i64 xo, const long long* labels, i64 lo,
                          const ACC* lse, const ACC* gloss, i64 K) {
    typedef typename D::CT CT;
    const i64 r = blockIdx.x;
    const typename D::T* row = x + xo + r * K;
    const i64 label = labels[lo + r];
    const CT l = (CT)lse[r];
    const CT g = (CT)gloss[r];
    for (i64 k = threadIdx.x; k < K; k += blockDim.x) {
        CT p = exp(D::load(row, k) - l);
        D::store(grad, r * K + k, (p - (k == label ? (CT)1 : (CT)0)) * g);
    }
}

}  // namespace gt

#define SOFTMAX_KERNELS(S)                                                                    \
    extern "C" __global__ void softmax_##S(S##_t* out, const S##_t* x, long long xo, long long K, \
                                           long long B) {                                     \
        gt::softmax<gt::dt_##S, false>(out, x, xo, K, B);                                     \
    }                                                                                         \
    extern "C" __global__ void log_softmax_##S(S##_t* out, const S##_t* x, long long xo,       \
                                               long long K, long long B) {                    \
        gt::softmax<gt::dt_##S, true>(out, x, xo, K, B);                                      \
    }                                                                                         \
    extern "C" __global__ void softmax_cross_entropy_##S(S##_acc* loss, S##_acc* lse,          \
                                                         const S##_t* x, long long xo,        \
                                                         const long long* labels, long long lo, \
                                                         long long K) {                       \
        gt::xent<gt::dt_##S>(loss, lse, x, xo, labels, lo, K);                                \
    }                                                                                         \
    extern "C" __global__ void softmax_cross_entropy_##S##_backward(                           \
        S##_t* grad, const S##_t* x, long long xo, const long long* labels, long long lo,      \
        const S##_acc* lse, const S##_acc* gloss, long long K) {                              \
        gt::xent_backward<gt::dt_##S>(grad, x, xo, labels, lo, lse, gloss, K);                \
    }

#if defined(GT_ALL) || defined(GT_f16)
SOFTMAX_KERNELS(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
SOFTMAX_KERNELS(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
SOFTMAX_KERNELS(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
SOFTMAX_KERNELS(f64)
#endif
