// Per-op scalar functions shared by every CUDA kernel family and by the fusion generator.
//
// The CUDA twin of kernels_cl/ops.h: one template per op, instantiated for the compute types
// (float, double, the integer types and bool); float16 and bfloat16 values are converted to
// float (half.cuh), computed with the float instantiation and rounded once on store.
// Semantics follow the NumPy backend (gputensor/devices/numpy_backend.py), the specification,
// exactly as ops.h does:
//   - floor_divide rounds toward -inf; remainder takes the sign of the divisor (floats: NumPy's
//     divmod, quotient snapped to an integer, zero results signed like NumPy's);
//   - integer division or remainder by zero gives 0; MIN // -1 wraps to MIN (no trap);
//   - integer pow with a negative exponent truncates toward zero (1, -1 or 0);
//   - round is half to even; sign(NaN) is NaN; maximum/minimum propagate NaN and return the
//     first operand on ties; rsqrt is 1 / sqrt (two roundings, as the reference).
// No CUDA header is needed (NVRTC compiles these files without an include path); nvcc builds
// outside NVRTC also get the __half / __nv_bfloat16 conversions at the end.
#pragma once

#define GT_DEV __device__ __forceinline__

namespace gt {

template <typename T> struct is_float { static constexpr bool value = false; };
template <> struct is_float<float> { static constexpr bool value = true; };
template <> struct is_float<double> { static constexpr bool value = true; };

template <typename T> struct is_signed_int { static constexpr bool value = (T)-1 < (T)0; };
template <> struct is_signed_int<bool> { static constexpr bool value = false; };
template <> struct is_signed_int<float> { static constexpr bool value = false; };
template <> struct is_signed_int<double> { static constexpr bool value = false; };

// x < 0 without "pointless comparison" diagnostics for unsigned instantiations.
template <typename T> GT_DEV bool is_negative(T x) {
    if constexpr (is_signed_int<T>::value || is_float<T>::value) {
        return x < (T)0;
    } else {
        return false;
    }
}

// ---- unary ---------------------------------------------------------------------------------
template <typename T> GT_DEV T op_negative(T x) { return (T)(-x); }
template <> GT_DEV bool op_negative<bool>(bool x) { return x; }
template <typename T> GT_DEV T op_positive(T x) { return x; }
template <typename T> GT_DEV T op_abs(T x) {
    if constexpr (is_float<T>::value) {
        return fabs(x);
    } else {
        return is_negative(x) ? (T)(-x) : x;
    }
}
template <typename T> GT_DEV T op_sign(T x) {
    if constexpr (is_float<T>::value) {
        return x != x ? x : (x > (T)0 ? (T)1 : (x < (T)0 ? (T)-1 : (T)0));
    } else {
        return (T)((x > (T)0) - is_negative(x));
    }
}
template <typename T> GT_DEV T op_square(T x) { return (T)(x * x); }
template <typename T> GT_DEV T op_sqrt(T x) { return sqrt(x); }
template <typename T> GT_DEV T op_rsqrt(T x) { return (T)1 / sqrt(x); }
template <typename T> GT_DEV T op_reciprocal(T x) { return (T)1 / x; }
template <typename T> GT_DEV T op_exp(T x) { return exp(x); }
template <typename T> GT_DEV T op_expm1(T x) { return expm1(x); }
template <typename T> GT_DEV T op_log(T x) { return log(x); }
template <typename T> GT_DEV T op_log1p(T x) { return log1p(x); }
template <typename T> GT_DEV T op_log2(T x) { return log2(x); }
template <typename T> GT_DEV T op_log10(T x) { return log10(x); }
template <typename T> GT_DEV T op_sin(T x) { return sin(x); }
template <typename T> GT_DEV T op_cos(T x) { return cos(x); }
template <typename T> GT_DEV T op_tan(T x) { return tan(x); }
template <typename T> GT_DEV T op_asin(T x) { return asin(x); }
template <typename T> GT_DEV T op_acos(T x) { return acos(x); }
template <typename T> GT_DEV T op_atan(T x) { return atan(x); }
template <typename T> GT_DEV T op_sinh(T x) { return sinh(x); }
template <typename T> GT_DEV T op_cosh(T x) { return cosh(x); }
template <typename T> GT_DEV T op_tanh(T x) { return tanh(x); }
template <typename T> GT_DEV T op_asinh(T x) { return asinh(x); }
template <typename T> GT_DEV T op_acosh(T x) { return acosh(x); }
template <typename T> GT_DEV T op_atanh(T x) { return atanh(x); }
template <typename T> GT_DEV T op_erf(T x) { return erf(x); }
template <typename T> GT_DEV T op_sigmoid(T x) {
    // exp(-|x|) never overflows; each branch keeps full relative precision.
    T e = exp(-fabs(x));
    T p = (T)1 / ((T)1 + e);
    return x >= (T)0 ? p : e * p;
}
template <typename T> GT_DEV T op_floor(T x) {
    if constexpr (is_float<T>::value) return floor(x);
    else return x;
}
template <typename T> GT_DEV T op_ceil(T x) {
    if constexpr (is_float<T>::value) return ceil(x);
    else return x;
}
template <typename T> GT_DEV T op_trunc(T x) {
    if constexpr (is_float<T>::value) return trunc(x);
    else return x;
}
template <typename T> GT_DEV T op_round(T x) {
    if constexpr (is_float<T>::value) return rint(x);
    else return x;
}
template <typename T> GT_DEV bool op_isnan(T x) { return isnan(x); }
template <typename T> GT_DEV bool op_isinf(T x) { return isinf(x); }
template <typename T> GT_DEV bool op_isfinite(T x) { return isfinite(x); }
template <typename T> GT_DEV bool op_signbit(T x) { return signbit(x); }
template <typename T> GT_DEV bool op_logical_not(T x) { return x == (T)0; }
template <typename T> GT_DEV T op_bitwise_invert(T x) { return (T)(~x); }
template <> GT_DEV bool op_bitwise_invert<bool>(bool x) { return !x; }

// ---- binary --------------------------------------------------------------------------------
template <typename T> GT_DEV T op_add(T a, T b) { return (T)(a + b); }
template <typename T> GT_DEV T op_subtract(T a, T b) { return (T)(a - b); }
template <typename T> GT_DEV T op_multiply(T a, T b) { return (T)(a * b); }
template <> GT_DEV bool op_add<bool>(bool a, bool b) { return a || b; }
template <> GT_DEV bool op_multiply<bool>(bool a, bool b) { return a && b; }
template <typename T> GT_DEV T op_divide(T a, T b) { return a / b; }

template <typename T> GT_DEV T op_floor_divide(T a, T b) {
    if constexpr (is_float<T>::value) {
        // NumPy's divmod: the quotient of the exact remainder, snapped to an integer
        T mod = fmod(a, b);
        T div = (a - mod) / b;
        if (mod != (T)0 && ((b < (T)0) != (mod < (T)0))) div -= (T)1;
        T fl = floor(div);
        if (div - fl > (T)0.5) fl += (T)1;
        if (div == (T)0) fl = copysign((T)0, a / b);
        return b == (T)0 ? a / b : fl;
    } else {
        if (b == (T)0) return (T)0;
        if (is_signed_int<T>::value && b == (T)-1) return (T)(0 - a);
        T q = (T)(a / b);
        return (T)(((a % b) != 0 && (is_negative(a) != is_negative(b))) ? q - (T)1 : q);
    }
}

template <typename T> GT_DEV T op_remainder(T a, T b) {
    if constexpr (is_float<T>::value) {
        T r = fmod(a, b);
        if (r != (T)0 && ((r < (T)0) != (b < (T)0))) r += b;
        return r == (T)0 ? copysign((T)0, b) : r;
    } else {
        if (b == (T)0 || (is_signed_int<T>::value && b == (T)-1)) return (T)0;
        T r = (T)(a % b);
        return (T)((r != 0 && (is_negative(r) != is_negative(b))) ? r + b : r);
    }
}

template <typename T> GT_DEV T op_pow(T a, T b) {
    if constexpr (is_float<T>::value) {
        return pow(a, b);
    } else {
        long long la = (long long)a;
        long long lb = (long long)b;
        if (lb < 0) return (T)(la == 1 ? 1 : (la == -1 ? ((lb & 1) ? -1 : 1) : 0));
        T result = (T)1;
        T base = a;
        while (lb > 0) {
            if (lb & 1) result = (T)(result * base);
            base = (T)(base * base);
            lb >>= 1;
        }
        return result;
    }
}

template <typename T> GT_DEV T op_maximum(T a, T b) {
    if constexpr (is_float<T>::value) return (a >= b || a != a) ? a : b;
    else return a > b ? a : b;
}
template <typename T> GT_DEV T op_minimum(T a, T b) {
    if constexpr (is_float<T>::value) return (a <= b || a != a) ? a : b;
    else return a < b ? a : b;
}
template <> GT_DEV bool op_maximum<bool>(bool a, bool b) { return a || b; }
template <> GT_DEV bool op_minimum<bool>(bool a, bool b) { return a && b; }
template <typename T> GT_DEV T op_atan2(T a, T b) { return atan2(a, b); }
template <typename T> GT_DEV T op_hypot(T a, T b) { return hypot(a, b); }
template <typename T> GT_DEV T op_copysign(T a, T b) { return copysign(a, b); }
template <typename T> GT_DEV T op_nextafter(T a, T b) { return nextafter(a, b); }
template <typename T> GT_DEV T op_logaddexp(T a, T b) {
    T m = fmax(a, b);
    if (isinf(m) && a == b) return m;
    return m + log1p(exp(-fabs(a - b)));
}
template <typename T> GT_DEV bool op_equal(T a, T b) { return a == b; }
template <typename T> GT_DEV bool op_not_equal(T a, T b) { return a != b; }
template <typename T> GT_DEV bool op_less(T a, T b) { return a < b; }
template <typename T> GT_DEV bool op_less_equal(T a, T b) { return a <= b; }
template <typename T> GT_DEV bool op_greater(T a, T b) { return a > b; }
template <typename T> GT_DEV bool op_greater_equal(T a, T b) { return a >= b; }
template <typename T> GT_DEV bool op_logical_and(T a, T b) { return (a != (T)0) && (b != (T)0); }
template <typename T> GT_DEV bool op_logical_or(T a, T b) { return (a != (T)0) || (b != (T)0); }
template <typename T> GT_DEV bool op_logical_xor(T a, T b) { return (a != (T)0) != (b != (T)0); }
template <typename T> GT_DEV T op_bitwise_and(T a, T b) { return (T)(a & b); }
template <typename T> GT_DEV T op_bitwise_or(T a, T b) { return (T)(a | b); }
template <typename T> GT_DEV T op_bitwise_xor(T a, T b) { return (T)(a ^ b); }
template <typename T> GT_DEV T op_bitwise_left_shift(T a, T b) {
    long long lb = (long long)b;
    return (lb < 0 || lb >= (long long)(8 * sizeof(T))) ? (T)0 : (T)(a << b);
}
template <typename T> GT_DEV T op_bitwise_right_shift(T a, T b) {
    long long lb = (long long)b;
    if (lb < 0 || lb >= (long long)(8 * sizeof(T))) return (T)(is_negative(a) ? -1 : 0);
    return (T)(a >> b);
}

// ---- 16-bit float storage: raw bits <-> float ---------------------------------------------
GT_DEV float f16_bits_to_f32(unsigned short v) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v));
    return f;
}
GT_DEV unsigned short f32_to_f16_bits(float f) {
    unsigned short v;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(v) : "f"(f));
    return v;
}
// double -> float16 rounds once, as NumPy does
GT_DEV unsigned short f64_to_f16_bits(double d) {
    unsigned short v;
    asm("cvt.rn.f16.f64 %0, %1;" : "=h"(v) : "d"(d));
    return v;
}
GT_DEV float bf16_bits_to_f32(unsigned short v) { return __uint_as_float(((unsigned)v) << 16); }
// round to nearest even, NaN kept quiet (ml_dtypes' rule)
GT_DEV unsigned short f32_to_bf16_bits(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (unsigned short)(u >> 16);
}

// nextafter in the 16-bit formats (their values arrive as exact floats): step the
// sign-magnitude bit pattern, as NumPy does in the stored precision.
GT_DEV float nextafter16(float a, float b, unsigned short bits, bool is_bf16) {
    if (isnan(a) || isnan(b)) return a + b;
    if (a == b) return b;
    unsigned short stepped;
    if (a == 0.0f) {
        stepped = (unsigned short)((b < 0.0f ? 0x8000u : 0u) | 1u);
    } else {
        stepped = (unsigned short)(((a < b) == (a > 0.0f)) ? bits + 1 : bits - 1);
    }
    return is_bf16 ? bf16_bits_to_f32(stepped) : f16_bits_to_f32(stepped);
}
GT_DEV float op_nextafter_f16(float a, float b) { return nextafter16(a, b, f32_to_f16_bits(a), false); }
GT_DEV float op_nextafter_bf16(float a, float b) {
    return nextafter16(a, b, (unsigned short)(__float_as_uint(a) >> 16), true);
}

}  // namespace gt

#if !defined(__CUDACC_RTC__)
// nvcc builds (not NVRTC) may mix in CUDA's own 16-bit types.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace gt {
GT_DEV float load_f32(__half v) { return __half2float(v); }
GT_DEV float load_f32(__nv_bfloat16 v) { return __bfloat162float(v); }
GT_DEV float load_f32(float v) { return v; }
GT_DEV __half store_f16(float v) { return __float2half_rn(v); }
GT_DEV __nv_bfloat16 store_bf16(float v) { return __float2bfloat16_rn(v); }
}  // namespace gt
#endif
