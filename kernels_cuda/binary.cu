// Elementwise functions of two operands: out = op(a, b), inputs already in the compute dtype.
// Mirrors kernels_cl/binary.cl.
//
//   <op>_<dtype>(out, oo, a, ao, b, bo, n)            contiguous arrays, n elements
//   <op>_<dtype>_as(out, oo, a, ao, b, n)             array a, scalar b (compute type)
//   <op>_<dtype>_sa(out, oo, a, b, bo, n)             scalar a, array b
//   <op>_<dtype>_strided(out view, a view, b view, n0, n1, n2, n3)
// Contiguous kernels move 16 bytes per access where aligned (elementwise.cuh: ceil(n / V)
// threads). Broadcasting reaches the strided kernel as zero strides; nothing is materialized.
// Comparisons and logical functions write bool (unsigned char 0/1).
// CUDA only, for floating types: fma_<dtype>(out, oo, a, ao, b, bo, c, co, n), out = a * b + c
// rounded once (the optional fused primitive ``fma`` of the CUDA backend).
#include "elementwise.cuh"

#define BINARY_KERNELS(S, op, DO, TO, FN)                                                     \
    extern "C" __global__ void op##_##S(TO* out, long long oo, const S##_t* a, long long ao,   \
                                        const S##_t* b, long long bo, long long n) {          \
        gt::map2<gt::dt_##S, DO>(out, oo, a, ao, b, bo, 0, 0, n,                              \
                                 [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return FN(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void op##_##S##_as(TO* out, long long oo, const S##_t* a,            \
                                             long long ao, S##_arg b, long long n) {          \
        gt::map2<gt::dt_##S, DO>(out, oo, a, ao, nullptr, 0, 0, gt::dt_##S::from_arg(b), n,   \
                                 [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return FN(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void op##_##S##_sa(TO* out, long long oo, S##_arg a, const S##_t* b, \
                                             long long bo, long long n) {                     \
        gt::map2<gt::dt_##S, DO>(out, oo, nullptr, 0, b, bo, gt::dt_##S::from_arg(a), 0, n,   \
                                 [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return FN(u, w); }); \
    }                                                                                         \
    extern "C" __global__ void op##_##S##_strided(GT_VIEW(TO, out), GT_VIEW(const S##_t, a),    \
                                                  GT_VIEW(const S##_t, b), GT_SHAPE) {        \
        gt::map2_strided<gt::dt_##S, DO>(                                                     \
            GT_VIEW_ARGS(out), GT_VIEW_ARGS(a), GT_VIEW_ARGS(b), GT_SHAPE_ARGS,               \
            [](gt::dt_##S::CT u, gt::dt_##S::CT w) { return FN(u, w); });                     \
    }
#define BINARY_SAME(S, op) BINARY_KERNELS(S, op, gt::dt_##S, S##_t, gt::op_##op)
#define BINARY_BOOL(S, op) BINARY_KERNELS(S, op, gt::dt_b8, b8_t, gt::op_##op)

#define FMA_KERNEL(S)                                                                         \
    extern "C" __global__ void fma_##S(S##_t* out, long long oo, const S##_t* a, long long ao, \
                                       const S##_t* b, long long bo, const S##_t* c,           \
                                       long long co, long long n) {                           \
        gt::fma3<gt::dt_##S>(out + oo, a + ao, b + bo, c + co, n);                            \
    }

#define BINARY_COMPARE(S)                                                                     \
    BINARY_BOOL(S, equal) BINARY_BOOL(S, not_equal) BINARY_BOOL(S, less)                      \
    BINARY_BOOL(S, less_equal) BINARY_BOOL(S, greater) BINARY_BOOL(S, greater_equal)

#define BINARY_FLOAT_COMMON(S)                                                                \
    BINARY_SAME(S, add) BINARY_SAME(S, subtract) BINARY_SAME(S, multiply)                     \
    BINARY_SAME(S, divide) BINARY_SAME(S, floor_divide) BINARY_SAME(S, remainder)             \
    BINARY_SAME(S, pow) BINARY_SAME(S, maximum) BINARY_SAME(S, minimum) BINARY_SAME(S, atan2) \
    BINARY_SAME(S, hypot) BINARY_SAME(S, copysign) BINARY_SAME(S, logaddexp)                  \
    BINARY_COMPARE(S) FMA_KERNEL(S)

/* nextafter steps in the stored precision: op_nextafter_f16 / _bf16 for the 16-bit types */
#define BINARY_FLOAT(S) BINARY_FLOAT_COMMON(S) BINARY_SAME(S, nextafter)
#define BINARY_HALF(S) \
    BINARY_FLOAT_COMMON(S) BINARY_KERNELS(S, nextafter, gt::dt_##S, S##_t, gt::op_nextafter_##S)

#define BINARY_INT(S)                                                                         \
    BINARY_SAME(S, add) BINARY_SAME(S, subtract) BINARY_SAME(S, multiply)                     \
    BINARY_SAME(S, floor_divide) BINARY_SAME(S, remainder) BINARY_SAME(S, pow)                \
    BINARY_SAME(S, maximum) BINARY_SAME(S, minimum) BINARY_SAME(S, bitwise_and)               \
    BINARY_SAME(S, bitwise_or) BINARY_SAME(S, bitwise_xor) BINARY_SAME(S, bitwise_left_shift) \
    BINARY_SAME(S, bitwise_right_shift) BINARY_COMPARE(S)

namespace gt {
// out = a * b + c with one rounding, 16 bytes per access where aligned.
template <class D>
GT_DEV void fma3(typename D::T* out, const typename D::T* a, const typename D::T* b,
                 const typename D::T* c, i64 n) {
    typedef typename D::T T;
    constexpr int V = vec_width<T, T>();
    i64 i = global_thread() * V;
    if (i >= n) return;
    int bytes = sizeof(T) * V;
    if (i + V <= n && aligned(out, bytes) && aligned(a, bytes) && aligned(b, bytes) && aligned(c, bytes)) {
        pack<T, V> pa = *reinterpret_cast<const pack<T, V>*>(a + i);
        pack<T, V> pb = *reinterpret_cast<const pack<T, V>*>(b + i);
        pack<T, V> pc = *reinterpret_cast<const pack<T, V>*>(c + i);
        pack<T, V> r;
#pragma unroll
        for (int l = 0; l < V; ++l) D::store(r.v, l, fma(D::load(pa.v, l), D::load(pb.v, l), D::load(pc.v, l)));
        *reinterpret_cast<pack<T, V>*>(out + i) = r;
        return;
    }
    for (i64 e = i; e < n && e < i + V; ++e) D::store(out, e, fma(D::load(a, e), D::load(b, e), D::load(c, e)));
}
}  // namespace gt

#if defined(GT_ALL) || defined(GT_b8)
BINARY_BOOL(b8, add)
BINARY_BOOL(b8, multiply)
BINARY_BOOL(b8, maximum)
BINARY_BOOL(b8, minimum)
BINARY_BOOL(b8, logical_and)
BINARY_BOOL(b8, logical_or)
BINARY_BOOL(b8, logical_xor)
BINARY_BOOL(b8, bitwise_and)
BINARY_BOOL(b8, bitwise_or)
BINARY_BOOL(b8, bitwise_xor)
BINARY_COMPARE(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
BINARY_INT(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
BINARY_INT(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
BINARY_INT(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
BINARY_INT(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
BINARY_INT(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
BINARY_HALF(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
BINARY_HALF(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
BINARY_FLOAT(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
BINARY_FLOAT(f64)
#endif
