/* Philox-4x32-10, bit for bit the stream of gputensor/devices/philox.py (read its layout).
 *
 * Work-item b encrypts block counter + b (a 64-bit counter as words lo, hi, 0, 0) and writes
 * the outputs that block's four words make:
 *   uniform_<dtype>(out, n, k0, k1, c_lo, c_hi)   floats in [0, 1): 32-bit types take one word
 *       per value (its top 24 / 11 / 8 bits), float64 two words (high first, top 53 bits);
 *   normal_<dtype>(out, n, k0, k1, c_lo, c_hi)    Box-Muller on pairs of uniforms computed in
 *       double (float where the device lacks it), two normals per pair;
 *   integers_<dtype>(out, n, k0, k1, c_lo, c_hi, low, span)   two words per value:
 *       ((w_hi << 32 | w_lo) mod span) + low.
 */
#include "ops.h"
#include "dtype.h"

#ifdef cl_khr_fp64
#define RT double
#define RT_PI 3.14159265358979311600
#else
#define RT float
#define RT_PI 3.14159265f
#endif

inline uint4 philox_block(uint k0, uint k1, uint c_lo, uint c_hi, ulong b) {
    ulong ctr = (((ulong)c_hi << 32) | c_lo) + b;
    uint4 c = (uint4)((uint)ctr, (uint)(ctr >> 32), 0u, 0u);
    for (int r = 0; r < 10; ++r) {
        ulong p0 = (ulong)c.x * 0xD2511F53ul;
        ulong p1 = (ulong)c.z * 0xCD9E8D57ul;
        c = (uint4)((uint)(p1 >> 32) ^ c.y ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c.w ^ k1, (uint)p0);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

#define RANDOM_ARGS __global T* out, long n, uint k0, uint k1, uint c_lo, uint c_hi

#ifdef GT_FLOAT
#if defined(GT_f64)
/* Two 32-bit words (high first) make one double in [0, 1) with 53 random bits. */
inline double uniform53(uint hi, uint lo) {
    return (double)((((ulong)hi << 32) | lo) >> 11) * 0x1.0p-53;
}

__kernel void NAME(uniform)(RANDOM_ARGS) {
    long b = get_global_id(0);
    uint4 w = philox_block(k0, k1, c_lo, c_hi, b);
    if (2 * b < n) out[2 * b] = uniform53(w.x, w.y);
    if (2 * b + 1 < n) out[2 * b + 1] = uniform53(w.z, w.w);
}

__kernel void NAME(normal)(RANDOM_ARGS) {
    long b = get_global_id(0);
    uint4 w = philox_block(k0, k1, c_lo, c_hi, b);
    double u1 = 1.0 - uniform53(w.x, w.y);
    double u2 = uniform53(w.z, w.w);
    double r = sqrt(-2.0 * log(u1));
    double theta = (2.0 * RT_PI) * u2;
    if (2 * b < n) out[2 * b] = r * cos(theta);
    if (2 * b + 1 < n) out[2 * b + 1] = r * sin(theta);
}
#else
#if defined(GT_f32)
#define UNIFORM_BITS 24
#elif defined(GT_f16)
#define UNIFORM_BITS 11
#else
#define UNIFORM_BITS 8
#endif
#define UNIFORM_SCALE (1.0f / (float)(1u << UNIFORM_BITS))

__kernel void NAME(uniform)(RANDOM_ARGS) {
    long b = get_global_id(0);
    uint4 w = philox_block(k0, k1, c_lo, c_hi, b);
    uint words[4] = {w.x, w.y, w.z, w.w};
    for (int t = 0; t < 4; ++t) {
        long j = 4 * b + t;
        if (j < n) STORE(out, j, (float)(words[t] >> (32 - UNIFORM_BITS)) * UNIFORM_SCALE);
    }
}

#if defined(GT_f16) && defined(cl_khr_fp64)
#define STORE_NORMAL(p, i, v) vstore_half((v), (i), (p))
#else
#define STORE_NORMAL(p, i, v) STORE(p, i, (float)(v))
#endif

__kernel void NAME(normal)(RANDOM_ARGS) {
    long b = get_global_id(0);
    uint4 w = philox_block(k0, k1, c_lo, c_hi, b);
    uint words[4] = {w.x, w.y, w.z, w.w};
    for (int t = 0; t < 2; ++t) {
        RT u1 = (RT)1 - (RT)words[2 * t] * (RT)0x1.0p-32;
        RT u2 = (RT)words[2 * t + 1] * (RT)0x1.0p-32;
        RT r = sqrt((RT)-2 * log(u1));
        RT theta = ((RT)2 * RT_PI) * u2;
        long j = 4 * b + 2 * t;
        if (j < n) STORE_NORMAL(out, j, r * cos(theta));
        if (j + 1 < n) STORE_NORMAL(out, j + 1, r * sin(theta));
    }
}
#endif
#endif

#ifdef GT_INT
__kernel void NAME(integers)(RANDOM_ARGS, long low, ulong span) {
    long b = get_global_id(0);
    uint4 w = philox_block(k0, k1, c_lo, c_hi, b);
    ulong v0 = ((ulong)w.x << 32) | w.y;
    ulong v1 = ((ulong)w.z << 32) | w.w;
    if (2 * b < n) out[2 * b] = (T)((long)(v0 % span) + low);
    if (2 * b + 1 < n) out[2 * b + 1] = (T)((long)(v1 % span) + low);
}
#endif
