// Philox-4x32-10, bit for bit the stream of gputensor/devices/philox.py (read its layout).
// Mirrors kernels_cl/random.cl.
//
// Thread b encrypts block counter + b (a 64-bit counter as words lo, hi, 0, 0) and writes the
// outputs that block's four words make:
//   uniform_<dtype>(out, n, k0, k1, c_lo, c_hi)   floats in [0, 1): 32-bit types take one word
//       per value (its top 24 / 11 / 8 bits), float64 two words (high first, top 53 bits);
//   normal_<dtype>(out, n, k0, k1, c_lo, c_hi)    Box-Muller on pairs of uniforms computed in
//       double, two normals per pair;
//   integers_<dtype>(out, n, k0, k1, c_lo, c_hi, low, span)   two words per value:
//       ((w_hi << 32 | w_lo) mod span) + low.
#include "common.cuh"

namespace gt {
struct words4 {
    unsigned x, y, z, w;
};

GT_DEV words4 philox_block(unsigned k0, unsigned k1, unsigned c_lo, unsigned c_hi, unsigned long long b) {
    unsigned long long ctr = ((((unsigned long long)c_hi) << 32) | c_lo) + b;
    words4 c = {(unsigned)ctr, (unsigned)(ctr >> 32), 0u, 0u};
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        unsigned hi0 = __umulhi(c.x, 0xD2511F53u);
        unsigned lo0 = c.x * 0xD2511F53u;
        unsigned hi1 = __umulhi(c.z, 0xCD9E8D57u);
        unsigned lo1 = c.z * 0xCD9E8D57u;
        c = {hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

GT_DEV double uniform53(unsigned hi, unsigned lo) {
    return (double)(((((unsigned long long)hi) << 32) | lo) >> 11) * 0x1.0p-53;
}

constexpr double kPi = 3.14159265358979311600;

template <class D, int BITS> GT_DEV void uniform32(typename D::T* out, i64 n, words4 w, i64 b) {
    unsigned words[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
    for (int t = 0; t < 4; ++t) {
        i64 j = 4 * b + t;
        if (j < n) D::store(out, j, (float)(words[t] >> (32 - BITS)) * (1.0f / (float)(1u << BITS)));
    }
}

// float16 rounds once from double (NumPy's astype); float32 too; bfloat16 goes through float.
template <class D, bool F16> GT_DEV void normal32(typename D::T* out, i64 n, words4 w, i64 b) {
    unsigned words[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
    for (int t = 0; t < 2; ++t) {
        double u1 = 1.0 - (double)words[2 * t] * 0x1.0p-32;
        double u2 = (double)words[2 * t + 1] * 0x1.0p-32;
        double r = sqrt(-2.0 * log(u1));
        double theta = (2.0 * kPi) * u2;
        i64 j = 4 * b + 2 * t;
        if constexpr (F16) {
            if (j < n) out[j] = f64_to_f16_bits(r * cos(theta));
            if (j + 1 < n) out[j + 1] = f64_to_f16_bits(r * sin(theta));
        } else {
            if (j < n) D::store(out, j, (float)(r * cos(theta)));
            if (j + 1 < n) D::store(out, j + 1, (float)(r * sin(theta)));
        }
    }
}
}  // namespace gt

#define RANDOM_ARGS(S) S##_t* out, long long n, unsigned k0, unsigned k1, unsigned c_lo, unsigned c_hi
#define GT_BLOCK long long b = gt::global_thread(); gt::words4 w = gt::philox_block(k0, k1, c_lo, c_hi, b);

#define RANDOM_FLOAT32(S, BITS, F16)                                                               \
    extern "C" __global__ void uniform_##S(RANDOM_ARGS(S)) {                                  \
        GT_BLOCK                                                                              \
        if (4 * b < n) gt::uniform32<gt::dt_##S, BITS>(out, n, w, b);                         \
    }                                                                                         \
    extern "C" __global__ void normal_##S(RANDOM_ARGS(S)) {                                   \
        GT_BLOCK                                                                              \
        if (4 * b < n) gt::normal32<gt::dt_##S, F16>(out, n, w, b);                                \
    }

#define RANDOM_INT(S)                                                                         \
    extern "C" __global__ void integers_##S(RANDOM_ARGS(S), long long low, unsigned long long span) { \
        GT_BLOCK                                                                              \
        unsigned long long v0 = (((unsigned long long)w.x) << 32) | w.y;                      \
        unsigned long long v1 = (((unsigned long long)w.z) << 32) | w.w;                      \
        if (2 * b < n) out[2 * b] = (S##_t)((long long)(v0 % span) + low);                    \
        if (2 * b + 1 < n) out[2 * b + 1] = (S##_t)((long long)(v1 % span) + low);            \
    }

#if defined(GT_ALL) || defined(GT_i8)
RANDOM_INT(i8)
#endif
#if defined(GT_ALL) || defined(GT_i16)
RANDOM_INT(i16)
#endif
#if defined(GT_ALL) || defined(GT_i32)
RANDOM_INT(i32)
#endif
#if defined(GT_ALL) || defined(GT_i64)
RANDOM_INT(i64)
#endif
#if defined(GT_ALL) || defined(GT_u8)
RANDOM_INT(u8)
#endif
#if defined(GT_ALL) || defined(GT_f16)
RANDOM_FLOAT32(f16, 11, true)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
RANDOM_FLOAT32(bf16, 8, false)
#endif
#if defined(GT_ALL) || defined(GT_f32)
RANDOM_FLOAT32(f32, 24, false)
#endif
#if defined(GT_ALL) || defined(GT_f64)
extern "C" __global__ void uniform_f64(RANDOM_ARGS(f64)) {
    GT_BLOCK
    if (2 * b < n) out[2 * b] = gt::uniform53(w.x, w.y);
    if (2 * b + 1 < n) out[2 * b + 1] = gt::uniform53(w.z, w.w);
}

extern "C" __global__ void normal_f64(RANDOM_ARGS(f64)) {
    GT_BLOCK
    double u1 = 1.0 - gt::uniform53(w.x, w.y);
    double u2 = gt::uniform53(w.z, w.w);
    double r = sqrt(-2.0 * log(u1));
    double theta = (2.0 * gt::kPi) * u2;
    if (2 * b < n) out[2 * b] = r * cos(theta);
    if (2 * b + 1 < n) out[2 * b + 1] = r * sin(theta);
}
#endif
