// cast_<from>_<to>(out view, x view, n0, n1, n2, n3): NumPy's unsafe casting. Mirrors
// kernels_cl/cast.cl.
//
// The module is built for the source dtype; one kernel per destination. Float to integer
// truncates toward zero through a 32-bit (narrow types) or 64-bit conversion with x86's rule
// for NaN and out-of-range values (the smallest integer), as NumPy computes it on x86 hosts;
// anything to bool tests != 0 (NaN is true); to float16 rounds once to nearest even (from
// double directly, as NumPy); to bfloat16 goes through float, as ml_dtypes does.
#include "common.cuh"

namespace gt {
template <typename V> GT_DEV int x86_i32(V v) {
    if constexpr (is_float<V>::value) {
        return (v > (V)-2147483649.0 && v < (V)2147483648.0) ? (int)v : (int)0x80000000u;
    } else {
        return (int)v;
    }
}
template <typename V> GT_DEV long long x86_i64(V v) {
    if constexpr (is_float<V>::value) {
        bool inside = v >= (V)-9223372036854775808.0 && v < (V)9223372036854775808.0;
        return inside ? (long long)v : (long long)0x8000000000000000ull;
    } else {
        return (long long)v;
    }
}
template <typename V> GT_DEV unsigned char to_b8(V v) { return v != (V)0 ? 1 : 0; }
template <typename V> GT_DEV signed char to_i8(V v) { return (signed char)x86_i32(v); }
template <typename V> GT_DEV short to_i16(V v) { return (short)x86_i32(v); }
template <typename V> GT_DEV int to_i32(V v) { return x86_i32(v); }
template <typename V> GT_DEV long long to_i64(V v) { return x86_i64(v); }
template <typename V> GT_DEV unsigned char to_u8(V v) { return (unsigned char)x86_i32(v); }
template <typename V> GT_DEV unsigned short to_f16(V v) {
    if constexpr (sizeof(V) == 8 && is_float<V>::value) return f64_to_f16_bits(v);
    else return f32_to_f16_bits((float)v);
}
template <typename V> GT_DEV unsigned short to_bf16(V v) { return f32_to_bf16_bits((float)v); }
template <typename V> GT_DEV float to_f32(V v) { return (float)v; }
template <typename V> GT_DEV double to_f64(V v) { return (double)v; }
}  // namespace gt

#define CAST_ONE(S, D)                                                                        \
    extern "C" __global__ void cast_##S##_##D(GT_VIEW(D##_t, out), GT_VIEW(const S##_t, x),    \
                                              GT_SHAPE) {                                     \
        GT_STRIDED_FOR                                                                        \
        out[GT_AT(out)] = gt::to_##D(gt::dt_##S::load(x, GT_AT(x)));                          \
        GT_STRIDED_END                                                                        \
    }
#define CAST_FROM(S)                                                                          \
    CAST_ONE(S, b8) CAST_ONE(S, i8) CAST_ONE(S, i16) CAST_ONE(S, i32) CAST_ONE(S, i64)        \
    CAST_ONE(S, u8) CAST_ONE(S, f16) CAST_ONE(S, bf16) CAST_ONE(S, f32) CAST_ONE(S, f64)

#if defined(GT_ALL) || defined(GT_b8)
CAST_FROM(b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
CAST_FROM(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
CAST_FROM(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
CAST_FROM(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
CAST_FROM(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
CAST_FROM(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
CAST_FROM(f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
CAST_FROM(bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
CAST_FROM(f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
CAST_FROM(f64)
#endif
