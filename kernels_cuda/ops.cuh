// Per-op scalar functions shared by every CUDA kernel family and by the fusion generator.
//
// The CUDA twin of kernels_cl/ops.h: one template per op, instantiated for float, double and
// the integer types; float16 and bfloat16 values are converted to float, computed with the
// float instantiation and rounded once on store. Semantics follow the NumPy backend
// (gputensor/devices/numpy_backend.py), the specification:
//   - floor_divide rounds toward -inf; remainder takes the sign of the divisor;
//   - integer division or remainder by zero gives 0;
//   - integer pow with a negative exponent truncates toward zero (1, -1 or 0);
//   - round is half to even; sign(NaN) is NaN; maximum/minimum propagate NaN.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#define GT_DEV __device__ __forceinline__

namespace gt {

template <typename T> struct is_float { static constexpr bool value = false; };
template <> struct is_float<float> { static constexpr bool value = true; };
template <> struct is_float<double> { static constexpr bool value = true; };

// x < 0 without "pointless comparison" diagnostics for unsigned instantiations.
template <typename T> GT_DEV bool is_negative(T x) { return x < (T)0; }
template <> GT_DEV bool is_negative<unsigned char>(unsigned char) { return false; }
template <> GT_DEV bool is_negative<bool>(bool) { return false; }

// ---- unary ---------------------------------------------------------------------------------
template <typename T> GT_DEV T op_negative(T x) { return (T)(-x); }
template <typename T> GT_DEV T op_positive(T x) { return x; }
template <typename T> GT_DEV T op_abs(T x) { return is_negative(x) ? (T)(-x) : x; }
template <typename T> GT_DEV T op_sign(T x) {
    if (is_float<T>::value && x != x) return x;
    return (T)((x > (T)0) - is_negative(x));
}
template <typename T> GT_DEV T op_square(T x) { return (T)(x * x); }
template <typename T> GT_DEV T op_sqrt(T x) { return sqrt(x); }
template <typename T> GT_DEV T op_rsqrt(T x) { return rsqrt(x); }
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
    T e = exp(-fabs(x));
    T p = (T)1 / ((T)1 + e);
    return x >= (T)0 ? p : e * p;
}
template <typename T> GT_DEV T op_floor(T x) { return is_float<T>::value ? (T)floor((double)x) : x; }
template <> GT_DEV float op_floor<float>(float x) { return floorf(x); }
template <typename T> GT_DEV T op_ceil(T x) { return is_float<T>::value ? (T)ceil((double)x) : x; }
template <> GT_DEV float op_ceil<float>(float x) { return ceilf(x); }
template <typename T> GT_DEV T op_trunc(T x) { return is_float<T>::value ? (T)trunc((double)x) : x; }
template <> GT_DEV float op_trunc<float>(float x) { return truncf(x); }
template <typename T> GT_DEV T op_round(T x) { return is_float<T>::value ? (T)rint((double)x) : x; }
template <> GT_DEV float op_round<float>(float x) { return rintf(x); }
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
    if (is_float<T>::value) return (T)floor((double)a / (double)b);
    if (b == (T)0) return (T)0;
    T q = (T)(a / b);
    return (T)(((a % b) != 0 && (is_negative(a) != is_negative(b))) ? q - (T)1 : q);
}
template <> GT_DEV float op_floor_divide<float>(float a, float b) { return floorf(a / b); }
template <> GT_DEV double op_floor_divide<double>(double a, double b) { return floor(a / b); }

template <typename T> GT_DEV T op_remainder(T a, T b) {
    if (b == (T)0) return (T)0;
    T r = (T)(a % b);
    return (T)((r != 0 && (is_negative(r) != is_negative(b))) ? r + b : r);
}
template <> GT_DEV float op_remainder<float>(float a, float b) {
    float r = fmodf(a, b);
    return (r != 0.0f && ((r < 0.0f) != (b < 0.0f))) ? r + b : r;
}
template <> GT_DEV double op_remainder<double>(double a, double b) {
    double r = fmod(a, b);
    return (r != 0.0 && ((r < 0.0) != (b < 0.0))) ? r + b : r;
}

template <typename T> GT_DEV T op_pow(T a, T b) {
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
template <> GT_DEV float op_pow<float>(float a, float b) { return powf(a, b); }
template <> GT_DEV double op_pow<double>(double a, double b) { return pow(a, b); }

template <typename T> GT_DEV T op_maximum(T a, T b) {
    if (is_float<T>::value && (a != a || b != b)) return (T)(a + b);
    return a > b ? a : b;
}
template <typename T> GT_DEV T op_minimum(T a, T b) {
    if (is_float<T>::value && (a != a || b != b)) return (T)(a + b);
    return a < b ? a : b;
}
template <> GT_DEV bool op_maximum<bool>(bool a, bool b) { return a || b; }
template <> GT_DEV bool op_minimum<bool>(bool a, bool b) { return a && b; }
template <typename T> GT_DEV T op_atan2(T a, T b) { return atan2(a, b); }
template <typename T> GT_DEV T op_hypot(T a, T b) { return hypot(a, b); }
template <typename T> GT_DEV T op_copysign(T a, T b) { return copysign(a, b); }
template <typename T> GT_DEV T op_nextafter(T a, T b) { return nextafter(a, b); }
template <typename T> GT_DEV T op_logaddexp(T a, T b) {
    T m = a > b ? a : b;
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
    if (lb < 0 || lb >= (long long)(8 * sizeof(T))) return (T)(((long long)a < 0) ? -1 : 0);
    return (T)(a >> b);
}

// ---- half-precision storage ----------------------------------------------------------------
GT_DEV float load_f32(__half v) { return __half2float(v); }
GT_DEV float load_f32(__nv_bfloat16 v) { return __bfloat162float(v); }
GT_DEV float load_f32(float v) { return v; }
GT_DEV __half store_f16(float v) { return __float2half_rn(v); }
GT_DEV __nv_bfloat16 store_bf16(float v) { return __float2bfloat16_rn(v); }

}  // namespace gt
