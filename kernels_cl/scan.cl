/* Inclusive scans (cumsum, cumprod) along the middle axis of an [A, K, B] contiguous block,
 * accumulated in CT and rounded once per output element, as the NumPy backend does.
 *
 *   cumsum_<dtype>(out, x, xo, K, B, chunk, carry, has_carry)        and cumprod_<dtype>
 *     launched as (B, A, chunks): work-item (b, a, c) scans k in [c * chunk, c * chunk + chunk),
 *     starting from carry[(a * chunks + c) * B + b] when has_carry, else from the identity.
 *   cumsum_<dtype>_carry(partials, chunks, B)                        and cumprod_<dtype>_carry
 *     launched as (B, A): each column's chunk totals (from sum_<dtype>_mid_partial) become
 *     exclusive prefixes, in place.
 * Long axes take three launches (chunk totals, carries, scan); short ones take one.
 */
#include "ops.h"
#include "dtype.h"

#define SCAN_(k, p, IDENT)                                                                   \
    __kernel void KNAME(k)(__global T* out, __global const T* x, long xo, long K, long B,    \
                           long chunk, __global const CT* carry, int has_carry) {            \
        long b = get_global_id(0);                                                           \
        long a = get_global_id(1);                                                           \
        long c = get_global_id(2);                                                           \
        long chunks = get_global_size(2);                                                    \
        if (b >= B) return;                                                                  \
        long base = a * K * B + b;                                                           \
        CT acc = has_carry ? carry[(a * chunks + c) * B + b] : (CT)(IDENT);                  \
        long ke = min(K, c * chunk + chunk);                                                 \
        for (long k = c * chunk; k < ke; ++k) {                                              \
            acc = KOP(p)(acc, LOAD(x, xo + base + k * B));                                   \
            STORE(out, base + k * B, acc);                                                   \
        }                                                                                    \
    }                                                                                        \
    __kernel void GT_PASTE(KNAME(k), _carry)(__global CT* partials, long chunks, long B) {   \
        long b = get_global_id(0);                                                           \
        long a = get_global_id(1);                                                           \
        if (b >= B) return;                                                                  \
        CT run = (CT)(IDENT);                                                                \
        for (long c = 0; c < chunks; ++c) {                                                  \
            long i = (a * chunks + c) * B + b;                                               \
            CT total = partials[i];                                                          \
            partials[i] = run;                                                               \
            run = KOP(p)(run, total);                                                        \
        }                                                                                    \
    }
#define SCAN(op, fn, IDENT) SCAN_(op##_, op_##fn##_, IDENT)

SCAN(cumsum, add, 0)
SCAN(cumprod, multiply, 1)
