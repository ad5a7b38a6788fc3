// Stable sorting along rows, and binary search. Mirrors kernels_cl/sort.cl.
//
// Order: ascending with NaN after every number (NumPy's), or its exact reverse when
// descending, ties always kept in their original order. Values move as raw bits, with their
// int64 original positions. Row r is blockIdx.y (the host launches more than 65535 rows in
// slabs, pointers advanced to the slab).
//   sort_<dtype>_block(vals, idx, x, xo, K, width, descending)
//     one thread per run of `width` elements of the [rows, K] contiguous block x: insertion
//     sort into vals / idx.
//   sort_<dtype>(dst_vals, dst_idx, vals, idx, K, width, descending)
//     one thread per pair of neighbouring sorted runs of `width`: merged into a run of
//     2 * width (taking the left run's element on ties, which keeps it stable).
//   searchsorted_<dtype>(out, sorted, so, n, values, vo, m, right)
//     one thread per value: NumPy's insertion point into the ascending sorted[0:n].
#include "common.cuh"

namespace gt {
template <class D> GT_DEV bool less(typename D::CT a, typename D::CT b) {
    if constexpr (D::is_float) return !(a != a) && ((b != b) || a < b);
    else return a < b;
}
template <class D> GT_DEV bool before(typename D::CT a, typename D::CT b, int descending) {
    return descending ? less<D>(b, a) : less<D>(a, b);
}
}  // namespace gt

#define SORT_KERNELS(S)                                                                       \
    extern "C" __global__ void sort_##S##_block(S##_raw* vals, long long* idx, const S##_t* x,  \
                                                long long xo, long long K, long long width,   \
                                                int descending) {                             \
        typedef gt::dt_##S D;                                                                 \
        long long s = gt::global_thread() * width;                                            \
        long long r = blockIdx.y;                                                             \
        if (s >= K) return;                                                                   \
        long long e = s + width < K ? s + width : K;                                          \
        const S##_t* row = x + xo + r * K;                                                    \
        S##_t* v = reinterpret_cast<S##_t*>(vals) + r * K;                                    \
        long long* ix = idx + r * K;                                                          \
        for (long long i = s; i < e; ++i) {                                                   \
            D::CT key = D::load(row, i);                                                      \
            S##_t raw = row[i];                                                               \
            long long j = i;                                                                  \
            while (j > s && gt::before<D>(key, D::load(v, j - 1), descending)) {              \
                v[j] = v[j - 1];                                                              \
                ix[j] = ix[j - 1];                                                            \
                --j;                                                                          \
            }                                                                                 \
            v[j] = raw;                                                                       \
            ix[j] = i;                                                                        \
        }                                                                                     \
    }                                                                                         \
    extern "C" __global__ void sort_##S(S##_raw* dv_raw, long long* di, const S##_raw* sv_raw,  \
                                        const long long* si, long long K, long long width,    \
                                        int descending) {                                     \
        typedef gt::dt_##S D;                                                                 \
        long long s = gt::global_thread() * 2 * width;                                        \
        long long r = blockIdx.y;                                                             \
        if (s >= K) return;                                                                   \
        long long mid = s + width < K ? s + width : K;                                        \
        long long e = s + 2 * width < K ? s + 2 * width : K;                                  \
        S##_t* dv = reinterpret_cast<S##_t*>(dv_raw) + r * K;                                 \
        const S##_t* sv = reinterpret_cast<const S##_t*>(sv_raw) + r * K;                     \
        di += r * K;                                                                          \
        si += r * K;                                                                          \
        long long i = s;                                                                      \
        long long j = mid;                                                                    \
        long long o = s;                                                                      \
        while (i < mid && j < e) {                                                            \
            if (gt::before<D>(D::load(sv, j), D::load(sv, i), descending)) {                  \
                dv[o] = sv[j];                                                                \
                di[o++] = si[j++];                                                            \
            } else {                                                                          \
                dv[o] = sv[i];                                                                \
                di[o++] = si[i++];                                                            \
            }                                                                                 \
        }                                                                                     \
        for (; i < mid; ++i, ++o) {                                                           \
            dv[o] = sv[i];                                                                    \
            di[o] = si[i];                                                                    \
        }                                                                                     \
        for (; j < e; ++j, ++o) {                                                             \
            dv[o] = sv[j];                                                                    \
            di[o] = si[j];                                                                    \
        }                                                                                     \
    }                                                                                         \
    extern "C" __global__ void searchsorted_##S(long long* out, const S##_t* sorted, long long so, \
                                                long long n, const S##_t* values,            \
                                                long long vo, long long m, int right) {       \
        typedef gt::dt_##S D;                                                                 \
        long long i = gt::global_thread();                                                    \
        if (i >= m) return;                                                                   \
        D::CT v = D::load(values, vo + i);                                                    \
        long long lo = 0;                                                                     \
        long long hi = n;                                                                     \
        while (lo < hi) {                                                                     \
            long long mid = (lo + hi) >> 1;                                                   \
            D::CT s = D::load(sorted, so + mid);                                              \
            bool go_right = right ? !gt::less<D>(v, s) : gt::less<D>(s, v);                   \
            if (go_right) {                                                                   \
                lo = mid + 1;                                                                 \
            } else {                                                                          \
                hi = mid;                                                                     \
            }                                                                                 \
        }                                                                                     \
        out[i] = lo;                                                                          \
    }

#if defined(GT_ALL) || defined(GT_b8)
SORT_KERNELS(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
SORT_KERNELS(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
SORT_KERNELS(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
SORT_KERNELS(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
SORT_KERNELS(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
SORT_KERNELS(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
SORT_KERNELS(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
SORT_KERNELS(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
SORT_KERNELS(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
SORT_KERNELS(f64)
#endif
