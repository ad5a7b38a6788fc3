// Elementwise functions of one operand: out = op(x). Mirrors kernels_cl/unary.cl.
//
//   <op>_<dtype>(out, out_offset, x, x_offset, n)          contiguous operands, n elements,
//       16-byte accesses where aligned (elementwise.cuh: ceil(n / V) threads)
//   <op>_<dtype>_strided(out view, x view, n0, n1, n2, n3)  any strides (common.cuh)
//
// Tests (isnan, signbit, ...) and logical_not write bool (unsigned char 0/1).
#include "elementwise.cuh"

#define UNARY_KERNELS(S, op, DO, TO)                                                          \
    extern "C" __global__ void op##_##S(TO* out, long long oo, const S##_t* x, long long xo,   \
                                        long long n) {                                        \
        gt::map1<gt::dt_##S, DO>(out, oo, x, xo, n,                                           \
                                 [](gt::dt_##S::CT v) { return gt::op_##op(v); });            \
    }                                                                                         \
    extern "C" __global__ void op##_##S##_strided(GT_VIEW(TO, out), GT_VIEW(const S##_t, x),    \
                                                  GT_SHAPE) {                                 \
        gt::map1_strided<gt::dt_##S, DO>(GT_VIEW_ARGS(out), GT_VIEW_ARGS(x), GT_SHAPE_ARGS,   \
                                         [](gt::dt_##S::CT v) { return gt::op_##op(v); });    \
    }
#define UNARY_SAME(S, op) UNARY_KERNELS(S, op, gt::dt_##S, S##_t)
#define UNARY_BOOL(S, op) UNARY_KERNELS(S, op, gt::dt_b8, b8_t)

#define UNARY_FLOAT(S)                                                                        \
    UNARY_SAME(S, negative) UNARY_SAME(S, positive) UNARY_SAME(S, abs) UNARY_SAME(S, sign)    \
    UNARY_SAME(S, square) UNARY_SAME(S, sqrt) UNARY_SAME(S, rsqrt) UNARY_SAME(S, reciprocal)  \
    UNARY_SAME(S, exp) UNARY_SAME(S, expm1) UNARY_SAME(S, log) UNARY_SAME(S, log1p)           \
    UNARY_SAME(S, log2) UNARY_SAME(S, log10) UNARY_SAME(S, sin) UNARY_SAME(S, cos)            \
    UNARY_SAME(S, tan) UNARY_SAME(S, asin) UNARY_SAME(S, acos) UNARY_SAME(S, atan)            \
    UNARY_SAME(S, sinh) UNARY_SAME(S, cosh) UNARY_SAME(S, tanh) UNARY_SAME(S, asinh)          \
    UNARY_SAME(S, acosh) UNARY_SAME(S, atanh) UNARY_SAME(S, erf) UNARY_SAME(S, sigmoid)       \
    UNARY_SAME(S, floor) UNARY_SAME(S, ceil) UNARY_SAME(S, trunc) UNARY_SAME(S, round)        \
    UNARY_BOOL(S, isnan) UNARY_BOOL(S, isinf) UNARY_BOOL(S, isfinite) UNARY_BOOL(S, signbit)  \
    UNARY_BOOL(S, logical_not)

#define UNARY_INT(S)                                                                          \
    UNARY_SAME(S, negative) UNARY_SAME(S, positive) UNARY_SAME(S, abs) UNARY_SAME(S, sign)    \
    UNARY_SAME(S, square) UNARY_SAME(S, floor) UNARY_SAME(S, ceil) UNARY_SAME(S, trunc)       \
    UNARY_SAME(S, round) UNARY_SAME(S, bitwise_invert) UNARY_BOOL(S, logical_not)

#if defined(GT_ALL) || defined(GT_b8)
UNARY_BOOL(b8, logical_not)
UNARY_BOOL(b8, bitwise_invert)
#endif
#if defined(GT_ALL) || defined(GT_i8)
UNARY_INT(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
UNARY_INT(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
UNARY_INT(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
UNARY_INT(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
UNARY_INT(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
UNARY_FLOAT(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
UNARY_FLOAT(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
UNARY_FLOAT(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
UNARY_FLOAT(f64)
#endif
