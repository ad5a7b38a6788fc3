// where_<dtype>(out view, cond view, a view, b view, n0, n1, n2, n3): out = cond ? a : b, with
// every operand broadcast through its strides (a scalar arrives as a one-element buffer with
// zero strides). Elements move as raw bits. Mirrors kernels_cl/where.cl.
#include "common.cuh"

#define WHERE_KERNEL(S)                                                                       \
    extern "C" __global__ void where_##S(GT_VIEW(S##_raw, out), GT_VIEW(const unsigned char, cond), \
                                         GT_VIEW(const S##_raw, a), GT_VIEW(const S##_raw, b),  \
                                         GT_SHAPE) {                                          \
        GT_STRIDED_FOR                                                                        \
        out[GT_AT(out)] = cond[GT_AT(cond)] ? a[GT_AT(a)] : b[GT_AT(b)];                       \
        GT_STRIDED_END                                                                        \
    }

#if defined(GT_ALL) || defined(GT_b8)
WHERE_KERNEL(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
WHERE_KERNEL(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
WHERE_KERNEL(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
WHERE_KERNEL(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
WHERE_KERNEL(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
WHERE_KERNEL(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
WHERE_KERNEL(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
WHERE_KERNEL(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
WHERE_KERNEL(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
WHERE_KERNEL(f64)
#endif
