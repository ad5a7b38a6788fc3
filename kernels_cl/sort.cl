/* Stable sorting along rows, and binary search.
 *
 * Order: ascending with NaN after every number (NumPy's), or its exact reverse when
 * descending, ties always kept in their original order. Values move as raw bits, with their
 * int64 original positions.
 *   sort_<dtype>_block(vals, idx, x, xo, K, width, descending)
 *     launched as (ceil(K / width), rows): insertion-sorts each run of `width` elements of the
 *     [rows, K] contiguous block x into vals / idx.
 *   sort_<dtype>(dst_vals, dst_idx, vals, idx, K, width, descending)
 *     launched as (ceil(K / (2 * width)), rows): merges neighbouring sorted runs of `width`
 *     into runs of 2 * width (taking the left run's element on ties, which keeps it stable).
 *   searchsorted_<dtype>(out, sorted, so, n, values, vo, m, right)
 *     launched as (m): NumPy's insertion points of values into the ascending sorted[0:n].
 */
#include "ops.h"
#include "dtype.h"

#ifdef GT_FLOAT
#define LESS(a, b) (!isnan(a) && (isnan(b) || (a) < (b)))
#else
#define LESS(a, b) ((a) < (b))
#endif
#define BEFORE(a, b) (descending ? LESS(b, a) : LESS(a, b))
#define KEY(p, i) LOAD((__global const T*)(p), (i))

__kernel void GT_PASTE(NAME(sort), _block)(__global RAW* vals, __global long* idx,
                                           __global const T* x, long xo, long K, long width,
                                           int descending) {
    long s = (long)get_global_id(0) * width;
    long r = get_global_id(1);
    if (s >= K) return;
    long e = min(K, s + width);
    __global const T* row = x + xo + r * K;
    __global RAW* v = vals + r * K;
    __global long* ix = idx + r * K;
    for (long i = s; i < e; ++i) {
        CT key = LOAD(row, i);
        RAW raw = ((__global const RAW*)row)[i];
        long j = i;
        while (j > s && BEFORE(key, KEY(v, j - 1))) {
            v[j] = v[j - 1];
            ix[j] = ix[j - 1];
            --j;
        }
        v[j] = raw;
        ix[j] = i;
    }
}

__kernel void NAME(sort)(__global RAW* dv, __global long* di, __global const RAW* sv,
                         __global const long* si, long K, long width, int descending) {
    long s = (long)get_global_id(0) * 2 * width;
    long r = get_global_id(1);
    if (s >= K) return;
    long mid = min(K, s + width);
    long e = min(K, s + 2 * width);
    dv += r * K;
    di += r * K;
    sv += r * K;
    si += r * K;
    long i = s;
    long j = mid;
    long o = s;
    while (i < mid && j < e) {
        if (BEFORE(KEY(sv, j), KEY(sv, i))) {
            dv[o] = sv[j];
            di[o++] = si[j++];
        } else {
            dv[o] = sv[i];
            di[o++] = si[i++];
        }
    }
    for (; i < mid; ++i, ++o) {
        dv[o] = sv[i];
        di[o] = si[i];
    }
    for (; j < e; ++j, ++o) {
        dv[o] = sv[j];
        di[o] = si[j];
    }
}

__kernel void NAME(searchsorted)(__global long* out, __global const T* sorted, long so, long n,
                                 __global const T* values, long vo, long m, int right) {
    long i = get_global_id(0);
    if (i >= m) return;
    CT v = LOAD(values, vo + i);
    long lo = 0;
    long hi = n;
    while (lo < hi) {
        long mid = (lo + hi) >> 1;
        CT s = LOAD(sorted, so + mid);
        bool go_right = right ? !LESS(v, s) : LESS(s, v);
        if (go_right) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    out[i] = lo;
}
