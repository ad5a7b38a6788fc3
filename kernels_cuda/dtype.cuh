// Element types of the kernel families: the CUDA twin of kernels_cl/dtype.h.
//
// Every family file emits the entry points of one dtype when built with -D GT_<dtype>
// (gputensor's DType.short: b8, i8, i16, i32, i64, u8, f16, bf16, f32, f64), as the runtime
// builds them, or of every dtype with -D GT_ALL (the nvcc build check compiles each file once).
// Per dtype S this header names, for entry-point signatures:
//   S_t     storage type of one element (float16 and bfloat16 as their 16 raw bits);
//   S_arg   a scalar operand, in the compute type (OpenCL's CT: float for the 16-bit floats,
//           unsigned char for bool);
//   S_raw   an integer or float of the element's width, for moving elements without converting;
//   S_wide  the type arange computes in (double for floats, long long otherwise);
//   S_acc   storage of partial reduction results (float for the 16-bit floats, else S_t);
// and gt::dt_S, the traits kernels are written against: T, CT (compute type; bool for b8),
// load(p, i) -> CT, store(p, i, CT), and the kind flags.
#pragma once

#include "ops.cuh"

typedef unsigned char b8_t;
typedef unsigned char b8_arg;
typedef unsigned char b8_raw;
typedef long long b8_wide;
typedef signed char i8_t;
typedef signed char i8_arg;
typedef signed char i8_raw;
typedef long long i8_wide;
typedef short i16_t;
typedef short i16_arg;
typedef short i16_raw;
typedef long long i16_wide;
typedef int i32_t;
typedef int i32_arg;
typedef int i32_raw;
typedef long long i32_wide;
typedef long long i64_t;
typedef long long i64_arg;
typedef long long i64_raw;
typedef long long i64_wide;
typedef unsigned char u8_t;
typedef unsigned char u8_arg;
typedef unsigned char u8_raw;
typedef long long u8_wide;
typedef unsigned short f16_t;
typedef float f16_arg;
typedef unsigned short f16_raw;
typedef double f16_wide;
typedef unsigned short bf16_t;
typedef float bf16_arg;
typedef unsigned short bf16_raw;
typedef double bf16_wide;
typedef float f32_t;
typedef float f32_arg;
typedef float f32_raw;
typedef double f32_wide;
typedef double f64_t;
typedef double f64_arg;
typedef double f64_raw;
typedef double f64_wide;

// Partial results of reductions and scans (OpenCL's CT storage): float for the 16-bit floats.
typedef unsigned char b8_acc;
typedef signed char i8_acc;
typedef short i16_acc;
typedef int i32_acc;
typedef long long i64_acc;
typedef unsigned char u8_acc;
typedef float f16_acc;
typedef float bf16_acc;
typedef float f32_acc;
typedef double f64_acc;

namespace gt {

typedef long long i64;

template <typename A, typename B> struct same { static constexpr bool value = false; };
template <typename A> struct same<A, A> { static constexpr bool value = true; };

// kinds
enum { KIND_BOOL = 0, KIND_INT = 1, KIND_FLOAT = 2 };

template <typename TT, typename CTT, int K, bool HALF = false> struct traits_base {
    typedef TT T;
    typedef CTT CT;
    static constexpr int kind = K;
    static constexpr bool is_float = K == KIND_FLOAT;
    static constexpr bool is_half = HALF;
    static constexpr bool is_int = K == KIND_INT;
    static constexpr bool is_bool = K == KIND_BOOL;
};

template <typename TT> struct plain : traits_base<TT, TT, is_float<TT>::value ? KIND_FLOAT : KIND_INT> {
    static GT_DEV TT load(const TT* p, i64 i) { return p[i]; }
    static GT_DEV void store(TT* p, i64 i, TT v) { p[i] = v; }
    static GT_DEV TT from_arg(TT v) { return v; }
};

struct dt_b8 : traits_base<unsigned char, bool, KIND_BOOL> {
    static GT_DEV bool load(const unsigned char* p, i64 i) { return p[i] != 0; }
    static GT_DEV void store(unsigned char* p, i64 i, bool v) { p[i] = v ? 1 : 0; }
    static GT_DEV bool from_arg(unsigned char v) { return v != 0; }
};
struct dt_i8 : plain<signed char> {};
struct dt_i16 : plain<short> {};
struct dt_i32 : plain<int> {};
struct dt_i64 : plain<long long> {};
struct dt_u8 : plain<unsigned char> {};
struct dt_f32 : plain<float> {};
struct dt_f64 : plain<double> {};
struct dt_f16 : traits_base<unsigned short, float, KIND_FLOAT, true> {
    static GT_DEV float load(const unsigned short* p, i64 i) { return f16_bits_to_f32(p[i]); }
    static GT_DEV void store(unsigned short* p, i64 i, float v) { p[i] = f32_to_f16_bits(v); }
    static GT_DEV float from_arg(float v) { return v; }
};
struct dt_bf16 : traits_base<unsigned short, float, KIND_FLOAT, true> {
    static GT_DEV float load(const unsigned short* p, i64 i) { return bf16_bits_to_f32(p[i]); }
    static GT_DEV void store(unsigned short* p, i64 i, float v) { p[i] = f32_to_bf16_bits(v); }
    static GT_DEV float from_arg(float v) { return v; }
};

// Infinity without math.h (NVRTC builds have no include path).
template <typename CT> GT_DEV CT infinity() {
    if constexpr (sizeof(CT) == 8) return (CT)__longlong_as_double(0x7ff0000000000000LL);
    else return (CT)__int_as_float(0x7f800000);
}

// Identities of max and min in the compute type.
template <typename CT> GT_DEV CT lowest() {
    if constexpr (is_float<CT>::value) return -infinity<CT>();
    else if constexpr (sizeof(CT) == 1 && is_signed_int<CT>::value) return (CT)-128;
    else if constexpr (sizeof(CT) == 2) return (CT)-32768;
    else if constexpr (sizeof(CT) == 4) return (CT)(-2147483647 - 1);
    else if constexpr (sizeof(CT) == 8) return (CT)(-9223372036854775807LL - 1);
    else return (CT)0;
}
template <typename CT> GT_DEV CT highest() {
    if constexpr (is_float<CT>::value) return infinity<CT>();
    else if constexpr (sizeof(CT) == 1 && is_signed_int<CT>::value) return (CT)127;
    else if constexpr (sizeof(CT) == 1) return (CT)(unsigned char)255;
    else if constexpr (sizeof(CT) == 2) return (CT)32767;
    else if constexpr (sizeof(CT) == 4) return (CT)2147483647;
    else return (CT)9223372036854775807LL;
}
template <> GT_DEV bool lowest<bool>() { return false; }
template <> GT_DEV bool highest<bool>() { return true; }

// Elements per 16-byte access of the contiguous kernels: the host computes the same number
// (16 // the wider of the input and output item sizes) to size the launch.
template <typename In, typename Out> __host__ __device__ constexpr int vec_width() {
    return 16 / (sizeof(In) > sizeof(Out) ? sizeof(In) : sizeof(Out));
}

template <typename T, int V> struct alignas(sizeof(T) * V) pack {
    T v[V];
};

GT_DEV bool aligned(const void* p, int bytes) { return ((unsigned long long)p & (bytes - 1)) == 0; }

}  // namespace gt
