/* Indexing: gather (take), scatter (assignment at indices), scatter_add, nonzero.
 *
 * x, out and values are contiguous [A, N, B] / [A, I, B] blocks, indices are I int64 values
 * already in range. Elements move as raw bits.
 *   gather_<dtype>(out, x, xo, idx, io, N, I, B)
 *     launched as (B, I, A): out[a, i, b] = x[a, idx[i], b].
 *   scatter_<dtype>(dst, do, idx, io, values, vo, N, I, B)
 *     launched as (B, I, A): dst[a, idx[i], b] = values[a, i, b]; with repeated indices any
 *     one of the writes wins.
 *   scatter_add_<dtype>(acc, idx, io, values, vo, N, I, B)
 *     launched as (B, A): each work-item owns one column (a, b) and adds the values in index
 *     order, so no atomics are needed and sums are deterministic and in NumPy's order. acc is
 *     CT (float for the half types, which the host rounds afterwards) and starts at zero.
 *   nonzero_<dtype>_flags(flags, x, xo, n)        flags[i] = x[i] != 0 (int64, to be scanned)
 *   nonzero_<dtype>(out, pos, n, count, ndim, shape)
 *     launched as (n): element i with pos[i] > pos[i - 1] writes its ndim coordinates at
 *     column pos[i] - 1 of the (ndim, count) result; pos is the inclusive scan of the flags.
 */
#include "ops.h"
#include "dtype.h"

__kernel void NAME(gather)(__global RAW* out, __global const RAW* x, long xo,
                           __global const long* idx, long io, long N, long I, long B) {
    long b = get_global_id(0);
    long i = get_global_id(1);
    long a = get_global_id(2);
    if (b >= B || i >= I) return;
    out[(a * I + i) * B + b] = x[xo + (a * N + idx[io + i]) * B + b];
}

__kernel void NAME(scatter)(__global RAW* dst, long dsto, __global const long* idx, long io,
                            __global const RAW* values, long vo, long N, long I, long B) {
    long b = get_global_id(0);
    long i = get_global_id(1);
    long a = get_global_id(2);
    if (b >= B || i >= I) return;
    dst[dsto + (a * N + idx[io + i]) * B + b] = values[vo + (a * I + i) * B + b];
}

__kernel void NAME(scatter_add)(__global CT* acc, __global const long* idx, long io,
                                __global const T* values, long vo, long N, long I, long B) {
    long b = get_global_id(0);
    long a = get_global_id(1);
    if (b >= B) return;
    for (long i = 0; i < I; ++i) {
        long o = (a * N + idx[io + i]) * B + b;
        acc[o] = OP(add)(acc[o], LOAD(values, vo + (a * I + i) * B + b));
    }
}

__kernel void GT_PASTE(NAME(nonzero), _flags)(__global long* flags, __global const T* x, long xo,
                                              long n) {
    long i = get_global_id(0);
    if (i < n) flags[i] = LOAD(x, xo + i) != 0;
}

__kernel void NAME(nonzero)(__global long* out, __global const long* pos, long n, long count,
                            int ndim, __global const long* shape) {
    long i = get_global_id(0);
    if (i >= n) return;
    long before = i > 0 ? pos[i - 1] : 0;
    if (pos[i] == before) return;
    long rest = i;
    for (int d = ndim - 1; d >= 0; --d) {
        out[d * count + before] = rest % shape[d];
        rest /= shape[d];
    }
}
