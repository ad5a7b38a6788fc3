/* Moving and creating elements.
 *
 *   copy_<dtype>(out view, x view, n0, n1, n2, n3)    strided copy (contiguous(), copy_into)
 *   fill_<dtype>(out view, value, n0, n1, n2, n3)     every element of a view takes value
 *   arange_<dtype>(out, start, step, n)               out[i] = start + step * i, computed in
 *                                                     WIDE (double or long) and rounded once
 * Elements move as raw bits (RAW), so copies never convert or canonicalize NaNs.
 */
#include "ops.h"
#include "dtype.h"
#include "strided.h"

__kernel void NAME(copy)(GT_VIEW(RAW, out), GT_VIEW(const RAW, x), GT_SHAPE) {
    GT_COORDS
    out[GT_AT(out)] = x[GT_AT(x)];
}

__kernel void NAME(fill)(GT_VIEW(RAW, out), RAW value, GT_SHAPE) {
    GT_COORDS
    out[GT_AT(out)] = value;
}

__kernel void NAME(arange)(__global T* out, WIDE start, WIDE step, long n) {
    long i = get_global_id(0);
    if (i >= n) return;
    WIDE v = start + step * (WIDE)i;
#if defined(GT_BOOL)
    out[i] = (uchar)(v != 0);
#elif defined(GT_f16)
    vstore_half(v, i, out);
#elif defined(GT_HALF)
    STORE(out, i, (float)v);
#else
    out[i] = (T)v;
#endif
}
