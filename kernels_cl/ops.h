/* Per-op scalar functions shared by every OpenCL kernel family and by the fusion generator.
 *
 * One definition per op and dtype suffix: op_<name>_<suffix>(...), suffix as in gputensor's
 * DType.short (f32, f64, i8, i16, i32, i64, u8, b8). float16 and bfloat16 values are loaded
 * into float, computed with the f32 functions and rounded once on store. The float functions
 * also exist for vectors (f32x8, f64x4) so contiguous kernels compute 8 or 4 lanes at once.
 * Semantics follow the NumPy backend (gputensor/devices/numpy_backend.py), the specification:
 *   - floor_divide rounds toward -inf; remainder takes the sign of the divisor (floats: NumPy's
 *     divmod, quotient snapped to an integer);
 *   - integer division or remainder by zero gives 0; MIN // -1 wraps to MIN (no trap);
 *   - integer pow with a negative exponent truncates toward zero (1, -1 or 0);
 *   - round is half to even; sign(NaN) is NaN; max/min propagate NaN.
 */
#ifndef GPUTENSOR_OPS_H
#define GPUTENSOR_OPS_H

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

/* ---- floating point ------------------------------------------------------------------ */
/* GT_FLOAT_OPS(T, S) is written so that T may be a scalar (float, double) or a vector
 * (float8, double4): conditions use the ternary operator, which selects per component on
 * vectors, and NaN tests are written x != x (inline everywhere, unlike some isnan builtins).
 * maximum/minimum are NumPy's: the first operand on ties and NaN from either side.
 * floor_divide and remainder follow NumPy's divmod exactly (quotient snapped to the nearest
 * integer, zero results signed like NumPy's). */
#define GT_FLOAT_OPS(T, S)                                                                   \
    inline T op_negative_##S(T x) { return -x; }                                             \
    inline T op_positive_##S(T x) { return x; }                                              \
    inline T op_abs_##S(T x) { return fabs(x); }                                             \
    inline T op_sign_##S(T x) {                                                              \
        return x != x ? x : (x > (T)0 ? (T)1 : (x < (T)0 ? (T)-1 : (T)0));                   \
    }                                                                                        \
    inline T op_square_##S(T x) { return x * x; }                                            \
    inline T op_sqrt_##S(T x) { return sqrt(x); }                                            \
    inline T op_rsqrt_##S(T x) { return rsqrt(x); }                                          \
    inline T op_reciprocal_##S(T x) { return (T)1 / x; }                                     \
    inline T op_exp_##S(T x) { return exp(x); }                                              \
    inline T op_expm1_##S(T x) { return expm1(x); }                                          \
    inline T op_log_##S(T x) { return log(x); }                                              \
    inline T op_log1p_##S(T x) { return log1p(x); }                                          \
    inline T op_log2_##S(T x) { return log2(x); }                                            \
    inline T op_log10_##S(T x) { return log10(x); }                                          \
    inline T op_sin_##S(T x) { return sin(x); }                                              \
    inline T op_cos_##S(T x) { return cos(x); }                                              \
    inline T op_tan_##S(T x) { return tan(x); }                                              \
    inline T op_asin_##S(T x) { return asin(x); }                                            \
    inline T op_acos_##S(T x) { return acos(x); }                                            \
    inline T op_atan_##S(T x) { return atan(x); }                                            \
    inline T op_sinh_##S(T x) { return sinh(x); }                                            \
    inline T op_cosh_##S(T x) { return cosh(x); }                                            \
    inline T op_tanh_##S(T x) { return tanh(x); }                                            \
    inline T op_asinh_##S(T x) { return asinh(x); }                                          \
    inline T op_acosh_##S(T x) { return acosh(x); }                                          \
    inline T op_atanh_##S(T x) { return atanh(x); }                                          \
    inline T op_erf_##S(T x) { return erf(x); }                                              \
    inline T op_sigmoid_##S(T x) {                                                           \
        T e = exp(-fabs(x));                                                                 \
        T p = (T)1 / ((T)1 + e);                                                             \
        return x >= (T)0 ? p : e * p;                                                        \
    }                                                                                        \
    inline T op_floor_##S(T x) { return floor(x); }                                          \
    inline T op_ceil_##S(T x) { return ceil(x); }                                            \
    inline T op_trunc_##S(T x) { return trunc(x); }                                          \
    inline T op_round_##S(T x) { return rint(x); }                                           \
    inline T op_add_##S(T a, T b) { return a + b; }                                          \
    inline T op_subtract_##S(T a, T b) { return a - b; }                                     \
    inline T op_multiply_##S(T a, T b) { return a * b; }                                     \
    inline T op_divide_##S(T a, T b) { return a / b; }                                       \
    inline T op_floor_divide_##S(T a, T b) {                                                 \
        T mod = fmod(a, b);                                                                  \
        T div = (a - mod) / b;                                                               \
        div = (mod != (T)0 && (b < (T)0) != (mod < (T)0)) ? div - (T)1 : div;                \
        T fl = floor(div);                                                                   \
        fl = (div - fl > (T)0.5) ? fl + (T)1 : fl;                                           \
        fl = (div == (T)0) ? copysign((T)0, a / b) : fl;                                     \
        return (b == (T)0) ? a / b : fl;                                                     \
    }                                                                                        \
    inline T op_remainder_##S(T a, T b) {                                                    \
        T r = fmod(a, b);                                                                    \
        r = (r != (T)0 && (r < (T)0) != (b < (T)0)) ? r + b : r;                             \
        return (r == (T)0) ? copysign((T)0, b) : r;                                          \
    }                                                                                        \
    inline T op_pow_##S(T a, T b) { return pow(a, b); }                                      \
    inline T op_maximum_##S(T a, T b) { return (a >= b || a != a) ? a : b; }                 \
    inline T op_minimum_##S(T a, T b) { return (a <= b || a != a) ? a : b; }                 \
    inline T op_atan2_##S(T a, T b) { return atan2(a, b); }                                  \
    inline T op_hypot_##S(T a, T b) { return hypot(a, b); }                                  \
    inline T op_copysign_##S(T a, T b) { return copysign(a, b); }                            \
    inline T op_nextafter_##S(T a, T b) { return nextafter(a, b); }                          \
    inline T op_logaddexp_##S(T a, T b) {                                                    \
        T m = fmax(a, b);                                                                    \
        T r = m + log1p(exp(-fabs(a - b)));                                                  \
        return (isinf(m) && a == b) ? m : r;                                                 \
    }

/* Tests and comparisons of floating scalars (bool results). */
#define GT_FLOAT_TESTS(T, S)                                                                 \
    inline bool op_isnan_##S(T x) { return isnan(x); }                                       \
    inline bool op_isinf_##S(T x) { return isinf(x); }                                       \
    inline bool op_isfinite_##S(T x) { return isfinite(x); }                                 \
    inline bool op_signbit_##S(T x) { return signbit(x); }                                   \
    inline bool op_logical_not_##S(T x) { return x == 0; }                                   \
    inline bool op_equal_##S(T a, T b) { return a == b; }                                    \
    inline bool op_not_equal_##S(T a, T b) { return a != b; }                                \
    inline bool op_less_##S(T a, T b) { return a < b; }                                      \
    inline bool op_less_equal_##S(T a, T b) { return a <= b; }                               \
    inline bool op_greater_##S(T a, T b) { return a > b; }                                   \
    inline bool op_greater_equal_##S(T a, T b) { return a >= b; }

/* ---- integers ------------------------------------------------------------------------- */
#define GT_INT_OPS(T, S)                                                                     \
    inline T op_negative_##S(T x) { return (T)(-x); }                                        \
    inline T op_positive_##S(T x) { return x; }                                              \
    inline T op_abs_##S(T x) { return x < 0 ? (T)(-x) : x; }                                 \
    inline T op_sign_##S(T x) { return (T)((x > 0) - (x < 0)); }                             \
    inline T op_square_##S(T x) { return (T)(x * x); }                                       \
    inline T op_floor_##S(T x) { return x; }                                                 \
    inline T op_ceil_##S(T x) { return x; }                                                  \
    inline T op_trunc_##S(T x) { return x; }                                                 \
    inline T op_round_##S(T x) { return x; }                                                 \
    inline bool op_logical_not_##S(T x) { return x == 0; }                                   \
    inline T op_bitwise_invert_##S(T x) { return (T)(~x); }                                  \
    inline T op_add_##S(T a, T b) { return (T)(a + b); }                                     \
    inline T op_subtract_##S(T a, T b) { return (T)(a - b); }                                \
    inline T op_multiply_##S(T a, T b) { return (T)(a * b); }                                \
    inline T op_floor_divide_##S(T a, T b) {                                                 \
        if (b == 0) return (T)0;                                                             \
        if ((T)-1 < (T)0 && b == (T)-1) return (T)(0 - a);                                   \
        T q = (T)(a / b);                                                                    \
        return (T)(((a % b) != 0 && ((a < 0) != (b < 0))) ? q - 1 : q);                      \
    }                                                                                        \
    inline T op_remainder_##S(T a, T b) {                                                    \
        if (b == 0 || ((T)-1 < (T)0 && b == (T)-1)) return (T)0;                             \
        T r = (T)(a % b);                                                                    \
        return (T)((r != 0 && ((r < 0) != (b < 0))) ? r + b : r);                            \
    }                                                                                        \
    inline T op_pow_##S(T a, T b) {                                                          \
        long la = (long)a;                                                                   \
        long lb = (long)b;                                                                   \
        if (lb < 0) return (T)(la == 1 ? 1 : (la == -1 ? ((lb & 1) ? -1 : 1) : 0));         \
        T result = 1;                                                                        \
        T base = a;                                                                          \
        while (lb > 0) {                                                                     \
            if (lb & 1) result = (T)(result * base);                                         \
            base = (T)(base * base);                                                         \
            lb >>= 1;                                                                        \
        }                                                                                    \
        return result;                                                                       \
    }                                                                                        \
    inline T op_maximum_##S(T a, T b) { return a > b ? a : b; }                              \
    inline T op_minimum_##S(T a, T b) { return a < b ? a : b; }                              \
    inline bool op_equal_##S(T a, T b) { return a == b; }                                    \
    inline bool op_not_equal_##S(T a, T b) { return a != b; }                                \
    inline bool op_less_##S(T a, T b) { return a < b; }                                      \
    inline bool op_less_equal_##S(T a, T b) { return a <= b; }                               \
    inline bool op_greater_##S(T a, T b) { return a > b; }                                   \
    inline bool op_greater_equal_##S(T a, T b) { return a >= b; }                            \
    inline T op_bitwise_and_##S(T a, T b) { return (T)(a & b); }                             \
    inline T op_bitwise_or_##S(T a, T b) { return (T)(a | b); }                              \
    inline T op_bitwise_xor_##S(T a, T b) { return (T)(a ^ b); }                             \
    inline T op_bitwise_left_shift_##S(T a, T b) {                                           \
        long lb = (long)b;                                                                   \
        return (lb < 0 || lb >= (long)(8 * sizeof(T))) ? (T)0 : (T)(a << b);                 \
    }                                                                                        \
    inline T op_bitwise_right_shift_##S(T a, T b) {                                          \
        long lb = (long)b;                                                                   \
        if (lb < 0 || lb >= (long)(8 * sizeof(T))) return (T)(((long)a < 0) ? -1 : 0);       \
        return (T)(a >> b);                                                                  \
    }

/* ---- bool (stored as uchar 0/1) -------------------------------------------------------- */
inline uchar op_logical_not_b8(uchar x) { return !x; }
inline uchar op_bitwise_invert_b8(uchar x) { return !x; }
inline uchar op_add_b8(uchar a, uchar b) { return a || b; }
inline uchar op_multiply_b8(uchar a, uchar b) { return a && b; }
inline uchar op_maximum_b8(uchar a, uchar b) { return a || b; }
inline uchar op_minimum_b8(uchar a, uchar b) { return a && b; }
inline uchar op_equal_b8(uchar a, uchar b) { return a == b; }
inline uchar op_not_equal_b8(uchar a, uchar b) { return a != b; }
inline uchar op_less_b8(uchar a, uchar b) { return a < b; }
inline uchar op_less_equal_b8(uchar a, uchar b) { return a <= b; }
inline uchar op_greater_b8(uchar a, uchar b) { return a > b; }
inline uchar op_greater_equal_b8(uchar a, uchar b) { return a >= b; }
inline uchar op_logical_and_b8(uchar a, uchar b) { return a && b; }
inline uchar op_logical_or_b8(uchar a, uchar b) { return a || b; }
inline uchar op_logical_xor_b8(uchar a, uchar b) { return (a != 0) != (b != 0); }
inline uchar op_bitwise_and_b8(uchar a, uchar b) { return a & b; }
inline uchar op_bitwise_or_b8(uchar a, uchar b) { return a | b; }
inline uchar op_bitwise_xor_b8(uchar a, uchar b) { return a ^ b; }

GT_FLOAT_OPS(float, f32)
GT_FLOAT_TESTS(float, f32)
GT_FLOAT_OPS(float8, f32x8)
#ifdef cl_khr_fp64
GT_FLOAT_OPS(double, f64)
GT_FLOAT_TESTS(double, f64)
GT_FLOAT_OPS(double4, f64x4)
#endif
GT_INT_OPS(char, i8)
GT_INT_OPS(short, i16)
GT_INT_OPS(int, i32)
GT_INT_OPS(long, i64)
GT_INT_OPS(uchar, u8)

/* ---- bfloat16 storage: round to nearest even, NaN kept quiet ---------------------------- */
inline float bf16_to_float(ushort v) { return as_float(((uint)v) << 16); }

inline ushort float_to_bf16(float f) {
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (ushort)(u >> 16);
}

/* nextafter in the 16-bit formats (their values arrive as exact floats): step the
 * sign-magnitude bit pattern, as NumPy does in the stored precision. */
inline float op_nextafter16(float a, float b, ushort bits, ushort tiny, int is_bf16) {
    if (isnan(a) || isnan(b)) return a + b;
    if (a == b) return b;
    ushort stepped;
    if (a == 0) {
        stepped = (ushort)((b < 0 ? 0x8000u : 0u) | tiny);
    } else {
        stepped = (ushort)(((a < b) == (a > 0)) ? bits + 1 : bits - 1);
    }
    if (is_bf16) return as_float(((uint)stepped) << 16);
    return vload_half(0, (const __private half*)&stepped);
}

inline float op_nextafter_bf16(float a, float b) {
    return op_nextafter16(a, b, (ushort)(as_uint(a) >> 16), 1, 1);
}

inline float op_nextafter_f16(float a, float b) {
    ushort bits;
    vstore_half(a, 0, (__private half*)&bits);
    return op_nextafter16(a, b, bits, 1, 0);
}

inline float8 bf16x8_to_float8(ushort8 v) { return as_float8(convert_uint8(v) << 16); }

inline ushort8 float8_to_bf16x8(float8 f) {
    uint8 u = as_uint8(f);
    uint8 rounded = (u + (uint8)0x7fffu + ((u >> 16) & (uint8)1u)) >> 16;
    uint8 quiet = (u >> 16) | (uint8)0x0040u;
    return convert_ushort8(isnan(f) ? quiet : rounded);
}

#endif /* GPUTENSOR_OPS_H */
