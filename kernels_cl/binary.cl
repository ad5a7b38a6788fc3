/* Elementwise functions of two operands: out = op(a, b), inputs already in the compute dtype.
 *
 *   <op>_<dtype>(out, oo, a, ao, b, bo, n)            contiguous arrays, n elements
 *   <op>_<dtype>_as(out, oo, a, ao, b, n)             array a, scalar b (compute type)
 *   <op>_<dtype>_sa(out, oo, a, b, bo, n)             scalar a, array b
 *   <op>_<dtype>_strided(out view, a view, b view, n0, n1, n2, n3)
 *
 * Broadcasting reaches the strided kernel as zero strides; nothing is materialized.
 * Comparisons and logical functions write bool (uchar 0/1).
 *
 * Floating types only: fma_<dtype>(out, oo, a, ao, b, bo, c, co, n), out = a * b + c rounded
 * once in the compute type, contiguous operands (the optional fused primitive ``fma``; the
 * argument order of kernels_cuda/binary.cu).
 */
#include "ops.h"
#include "dtype.h"
#include "strided.h"

#define GT_PER 4

#define STORE_BOOL(p, i, v) ((p)[i] = (uchar)(v))

/* k: entry-point prefix (add_), p: ops.h prefix (op_add_); see dtype.h. */
#define BINARY_STRIDED(k, p, RT, STORE_R)                                                    \
    __kernel void GT_PASTE(KNAME(k), _strided)(GT_VIEW(RT, out), GT_VIEW(const T, a),        \
                                               GT_VIEW(const T, b), GT_SHAPE) {              \
        GT_COORDS                                                                            \
        STORE_R(out, GT_AT(out), KOP(p)(LOAD(a, GT_AT(a)), LOAD(b, GT_AT(b))));              \
    }

#define BINARY_SCALAR_(k, p, RT, STORE_R)                                                    \
    __kernel void KNAME(k)(__global RT* out, long oo, __global const T* a, long ao,          \
                           __global const T* b, long bo, long n) {                           \
        long i = get_global_id(0);                                                           \
        if (i < n) STORE_R(out, oo + i, KOP(p)(LOAD(a, ao + i), LOAD(b, bo + i)));           \
    }                                                                                        \
    __kernel void GT_PASTE(KNAME(k), _as)(__global RT* out, long oo, __global const T* a,    \
                                          long ao, CT b, long n) {                           \
        long i = get_global_id(0);                                                           \
        if (i < n) STORE_R(out, oo + i, KOP(p)(LOAD(a, ao + i), b));                         \
    }                                                                                        \
    __kernel void GT_PASTE(KNAME(k), _sa)(__global RT* out, long oo, CT a,                   \
                                          __global const T* b, long bo, long n) {            \
        long i = get_global_id(0);                                                           \
        if (i < n) STORE_R(out, oo + i, KOP(p)(a, LOAD(b, bo + i)));                         \
    }                                                                                        \
    BINARY_STRIDED(k, p, RT, STORE_R)
#define BINARY_SCALAR(name, RT, STORE_R) BINARY_SCALAR_(name##_, op_##name##_, RT, STORE_R)

#ifdef GT_VEC
/* GT_PER vectors per work-item; VA/VB are the vector operands at element i, SA/SB the scalar
 * ones (an array element or the broadcast scalar argument). */
#define BINARY_VEC_LOOP(p, VA, VB, SA, SB)                                                   \
    long i = (long)get_global_id(0) * (VW * GT_PER);                                         \
    if (i + VW * GT_PER <= n) {                                                              \
        for (int j = 0; j < GT_PER; ++j, i += VW) VSTORE(out, oo + i, KVOP(p)(VA, VB));      \
    } else {                                                                                 \
        for (; i < n; ++i) STORE(out, oo + i, KOP(p)(SA, SB));                               \
    }

#define BINARY_VEC_(k, p)                                                                    \
    __kernel void KNAME(k)(__global T* out, long oo, __global const T* a, long ao,           \
                           __global const T* b, long bo, long n) {                           \
        BINARY_VEC_LOOP(p, VLOAD(a, ao + i), VLOAD(b, bo + i), LOAD(a, ao + i), LOAD(b, bo + i)) \
    }                                                                                        \
    __kernel void GT_PASTE(KNAME(k), _as)(__global T* out, long oo, __global const T* a,     \
                                          long ao, CT b, long n) {                           \
        BINARY_VEC_LOOP(p, VLOAD(a, ao + i), (VT)(b), LOAD(a, ao + i), b)                    \
    }                                                                                        \
    __kernel void GT_PASTE(KNAME(k), _sa)(__global T* out, long oo, CT a,                    \
                                          __global const T* b, long bo, long n) {            \
        BINARY_VEC_LOOP(p, (VT)(a), VLOAD(b, bo + i), a, LOAD(b, bo + i))                    \
    }                                                                                        \
    BINARY_STRIDED(k, p, T, STORE)
#define BINARY_VEC(name) BINARY_VEC_(name##_, op_##name##_)
#endif

#if defined(GT_FLOAT)
__kernel void KNAME(fma_)(__global T* out, long oo, __global const T* a, long ao, __global const T* b,
                         long bo, __global const T* c, long co, long n) {
    long i = (long)get_global_id(0) * (VW * GT_PER);
    if (i + VW * GT_PER <= n) {
        for (int j = 0; j < GT_PER; ++j, i += VW)
            VSTORE(out, oo + i, fma(VLOAD(a, ao + i), VLOAD(b, bo + i), VLOAD(c, co + i)));
    } else {
        for (; i < n; ++i) STORE(out, oo + i, fma(LOAD(a, ao + i), LOAD(b, bo + i), LOAD(c, co + i)));
    }
}
BINARY_VEC(add)
BINARY_VEC(subtract)
BINARY_VEC(multiply)
BINARY_VEC(divide)
BINARY_VEC(floor_divide)
BINARY_VEC(remainder)
BINARY_VEC(pow)
BINARY_VEC(maximum)
BINARY_VEC(minimum)
BINARY_VEC(atan2)
BINARY_VEC(hypot)
BINARY_VEC(copysign)
#ifdef GT_HALF
/* nextafter steps in the stored precision, not in float: op_nextafter_f16 / _bf16 */
#ifdef GT_f16
#define op_nextafter16_f32 op_nextafter_f16
#else
#define op_nextafter16_f32 op_nextafter_bf16
#endif
BINARY_SCALAR_(nextafter_, op_nextafter16_, T, STORE)
#else
BINARY_VEC(nextafter)
#endif
BINARY_VEC(logaddexp)
BINARY_SCALAR(equal, uchar, STORE_BOOL)
BINARY_SCALAR(not_equal, uchar, STORE_BOOL)
BINARY_SCALAR(less, uchar, STORE_BOOL)
BINARY_SCALAR(less_equal, uchar, STORE_BOOL)
BINARY_SCALAR(greater, uchar, STORE_BOOL)
BINARY_SCALAR(greater_equal, uchar, STORE_BOOL)
#elif defined(GT_INT)
BINARY_SCALAR(add, T, STORE)
BINARY_SCALAR(subtract, T, STORE)
BINARY_SCALAR(multiply, T, STORE)
BINARY_SCALAR(floor_divide, T, STORE)
BINARY_SCALAR(remainder, T, STORE)
BINARY_SCALAR(pow, T, STORE)
BINARY_SCALAR(maximum, T, STORE)
BINARY_SCALAR(minimum, T, STORE)
BINARY_SCALAR(bitwise_and, T, STORE)
BINARY_SCALAR(bitwise_or, T, STORE)
BINARY_SCALAR(bitwise_xor, T, STORE)
BINARY_SCALAR(bitwise_left_shift, T, STORE)
BINARY_SCALAR(bitwise_right_shift, T, STORE)
BINARY_SCALAR(equal, uchar, STORE_BOOL)
BINARY_SCALAR(not_equal, uchar, STORE_BOOL)
BINARY_SCALAR(less, uchar, STORE_BOOL)
BINARY_SCALAR(less_equal, uchar, STORE_BOOL)
BINARY_SCALAR(greater, uchar, STORE_BOOL)
BINARY_SCALAR(greater_equal, uchar, STORE_BOOL)
#else
BINARY_SCALAR(add, uchar, STORE_BOOL)
BINARY_SCALAR(multiply, uchar, STORE_BOOL)
BINARY_SCALAR(maximum, uchar, STORE_BOOL)
BINARY_SCALAR(minimum, uchar, STORE_BOOL)
BINARY_SCALAR(logical_and, uchar, STORE_BOOL)
BINARY_SCALAR(logical_or, uchar, STORE_BOOL)
BINARY_SCALAR(logical_xor, uchar, STORE_BOOL)
BINARY_SCALAR(bitwise_and, uchar, STORE_BOOL)
BINARY_SCALAR(bitwise_or, uchar, STORE_BOOL)
BINARY_SCALAR(bitwise_xor, uchar, STORE_BOOL)
BINARY_SCALAR(equal, uchar, STORE_BOOL)
BINARY_SCALAR(not_equal, uchar, STORE_BOOL)
BINARY_SCALAR(less, uchar, STORE_BOOL)
BINARY_SCALAR(less_equal, uchar, STORE_BOOL)
BINARY_SCALAR(greater, uchar, STORE_BOOL)
BINARY_SCALAR(greater_equal, uchar, STORE_BOOL)
#endif
