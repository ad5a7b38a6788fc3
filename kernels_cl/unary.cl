/* Elementwise functions of one operand: out = op(x).
 *
 *   <op>_<dtype>(out, out_offset, x, x_offset, n)          contiguous operands, n elements
 *   <op>_<dtype>_strided(out view, x view, n0, n1, n2, n3)  any strides (see strided.h)
 *
 * Contiguous floating kernels compute GT_PER vectors of VW lanes per work-item with the
 * vector forms of ops.h; the last work-item finishes the tail one element at a time.
 * Tests (isnan, signbit, ...) and logical_not write bool (uchar 0/1).
 */
#include "ops.h"
#include "dtype.h"
#include "strided.h"

#define GT_PER 4

#define STORE_BOOL(p, i, v) ((p)[i] = (uchar)(v))

/* k: entry-point prefix (exp_), p: ops.h prefix (op_exp_); see dtype.h. */
#define UNARY_STRIDED(k, p, RT, STORE_R)                                                     \
    __kernel void GT_PASTE(KNAME(k), _strided)(GT_VIEW(RT, out), GT_VIEW(const T, x), GT_SHAPE) { \
        GT_COORDS                                                                            \
        STORE_R(out, GT_AT(out), KOP(p)(LOAD(x, GT_AT(x))));                                 \
    }

#define UNARY_SCALAR_(k, p, RT, STORE_R)                                                     \
    __kernel void KNAME(k)(__global RT* out, long oo, __global const T* x, long xo, long n) { \
        long i = get_global_id(0);                                                           \
        if (i < n) STORE_R(out, oo + i, KOP(p)(LOAD(x, xo + i)));                            \
    }                                                                                        \
    UNARY_STRIDED(k, p, RT, STORE_R)
#define UNARY_SCALAR(name, RT, STORE_R) UNARY_SCALAR_(name##_, op_##name##_, RT, STORE_R)

#ifdef GT_VEC
#define UNARY_VEC_(k, p)                                                                     \
    __kernel void KNAME(k)(__global T* out, long oo, __global const T* x, long xo, long n) { \
        long i = (long)get_global_id(0) * (VW * GT_PER);                                     \
        if (i + VW * GT_PER <= n) {                                                          \
            for (int j = 0; j < GT_PER; ++j, i += VW) {                                      \
                VSTORE(out, oo + i, KVOP(p)(VLOAD(x, xo + i)));                              \
            }                                                                                \
        } else {                                                                             \
            for (; i < n; ++i) STORE(out, oo + i, KOP(p)(LOAD(x, xo + i)));                  \
        }                                                                                    \
    }                                                                                        \
    UNARY_STRIDED(k, p, T, STORE)
#define UNARY_VEC(name) UNARY_VEC_(name##_, op_##name##_)
#endif

#if defined(GT_FLOAT)
UNARY_VEC(negative)
UNARY_VEC(positive)
UNARY_VEC(abs)
UNARY_VEC(sign)
UNARY_VEC(square)
UNARY_VEC(sqrt)
UNARY_VEC(rsqrt)
UNARY_VEC(reciprocal)
UNARY_VEC(exp)
UNARY_VEC(expm1)
UNARY_VEC(log)
UNARY_VEC(log1p)
UNARY_VEC(log2)
UNARY_VEC(log10)
UNARY_VEC(sin)
UNARY_VEC(cos)
UNARY_VEC(tan)
UNARY_VEC(asin)
UNARY_VEC(acos)
UNARY_VEC(atan)
UNARY_VEC(sinh)
UNARY_VEC(cosh)
UNARY_VEC(tanh)
UNARY_VEC(asinh)
UNARY_VEC(acosh)
UNARY_VEC(atanh)
UNARY_VEC(erf)
UNARY_VEC(sigmoid)
UNARY_VEC(floor)
UNARY_VEC(ceil)
UNARY_VEC(trunc)
UNARY_VEC(round)
UNARY_SCALAR(isnan, uchar, STORE_BOOL)
UNARY_SCALAR(isinf, uchar, STORE_BOOL)
UNARY_SCALAR(isfinite, uchar, STORE_BOOL)
UNARY_SCALAR(signbit, uchar, STORE_BOOL)
UNARY_SCALAR(logical_not, uchar, STORE_BOOL)
#elif defined(GT_INT)
UNARY_SCALAR(negative, T, STORE)
UNARY_SCALAR(positive, T, STORE)
UNARY_SCALAR(abs, T, STORE)
UNARY_SCALAR(sign, T, STORE)
UNARY_SCALAR(square, T, STORE)
UNARY_SCALAR(floor, T, STORE)
UNARY_SCALAR(ceil, T, STORE)
UNARY_SCALAR(trunc, T, STORE)
UNARY_SCALAR(round, T, STORE)
UNARY_SCALAR(bitwise_invert, T, STORE)
UNARY_SCALAR(logical_not, uchar, STORE_BOOL)
#else
UNARY_SCALAR(logical_not, uchar, STORE_BOOL)
UNARY_SCALAR(bitwise_invert, uchar, STORE_BOOL)
#endif
