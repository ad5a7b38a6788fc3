/* where_<dtype>(out view, cond view, a view, b view, n0, n1, n2, n3): out = cond ? a : b, with
 * every operand broadcast through its strides (a scalar arrives as a one-element buffer with
 * zero strides). Elements move as raw bits. */
#include "ops.h"
#include "dtype.h"
#include "strided.h"

__kernel void NAME(where)(GT_VIEW(RAW, out), GT_VIEW(const uchar, cond), GT_VIEW(const RAW, a),
                          GT_VIEW(const RAW, b), GT_SHAPE) {
    GT_COORDS
    out[GT_AT(out)] = cond[GT_AT(cond)] ? a[GT_AT(a)] : b[GT_AT(b)];
}
