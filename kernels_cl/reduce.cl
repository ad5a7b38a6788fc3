/* Reductions: sum, prod, max, min (NaN-propagating, as NumPy) and argmax, argmin.
 *
 * Rows: x is an [M, K] contiguous block at element xo.
 *   <op>_<dtype>(out, oo, x, xo, M, K, chunk, run, scratch)           result in T
 *   <op>_<dtype>_partial(out, oo, x, xo, M, K, chunk, run, scratch)   result in CT (accumulator)
 * launched as (L * chunks, M rounded up) with local size (L, R), L or R being 1: work-group
 * (c, m) reduces elements
 * [c * chunk, c * chunk + chunk) of row m into out[oo + m * chunks + c]. Work-item j of a group
 * takes runs of `run` elements starting at c * chunk + (r * L + j) * run, r = 0, 1, ...: one long
 * run per item streams memory on CPU-like devices, runs of one vector interleave neighbouring
 * items (coalesced loads) on GPUs. The group's L partial results meet in a tree in local
 * memory. Large rows run twice: chunks first, then one chunk over the partial results.
 *
 * Middle axes: x is an [A, K, B] contiguous block.
 *   <op>_<dtype>_mid(out, oo, x, xo, K, B, chunk), <op>_<dtype>_mid_partial(...)
 * launched as (ceil(B / VW), A, chunks): a work-item reduces VW neighbouring columns b over
 * k in [c * chunk, c * chunk + chunk) into out[oo + (a * chunks + c) * B + b].
 *
 * Arg reductions over the middle axis of [A, K, B]:
 *   argmax_<dtype>(oidx, oval, x, xo, xidx, has_idx, K, B, chunk), argmin_<dtype>(...)
 * launched as (B, A, chunks): the first extreme of each chunk (NaN counts as the extreme) with
 * its position, or its xidx entry when has_idx (the second pass over the chunks' winners).
 */
#include "ops.h"
#include "dtype.h"

#define STORE_ACC(p, i, v) ((p)[i] = (v))

#ifdef GT_VEC
#define GVW VW
#if VW == 8
#define HREDUCE(p, v)                                                                        \
    KOP(p)(KOP(p)(KOP(p)((v).s0, (v).s1), KOP(p)((v).s2, (v).s3)),                           \
           KOP(p)(KOP(p)((v).s4, (v).s5), KOP(p)((v).s6, (v).s7)))
#define VSTORE_ACC(p, i, v) vstore8((v), 0, (p) + (i))
#else
#define HREDUCE(p, v) KOP(p)(KOP(p)((v).s0, (v).s1), KOP(p)((v).s2, (v).s3))
#define VSTORE_ACC(p, i, v) vstore4((v), 0, (p) + (i))
#endif
#else
#define GVW 1
#endif

/* k: entry-point prefix (sum_), p: ops.h prefix of the combining function (op_add_). */
#define REDUCE_ROWS(kname, p, IDENT, OT, STORE_OUT)                                          \
    __kernel void kname(__global OT* out, long oo, __global const T* x, long xo, long M,      \
                        long K, long chunk, long run, __local CT* scratch) {                 \
        long c = get_group_id(0);                                                            \
        long m = get_global_id(1);                                                           \
        if (m >= M) return;                                                                  \
        long chunks = get_num_groups(0);                                                     \
        int j = get_local_id(0);                                                             \
        int L = get_local_size(0);                                                           \
        __global const T* row = x + xo + m * K;                                              \
        long cb = c * chunk;                                                                 \
        long ce = min(K, cb + chunk);                                                        \
        CT acc = IDENT;                                                                      \
        ROWS_VEC_DECL(IDENT)                                                                 \
        for (long s = cb + (long)j * run; s < ce; s += (long)L * run) {                      \
            long e = min(ce, s + run);                                                       \
            long i = s;                                                                      \
            ROWS_VEC_LOOP(p)                                                                 \
            for (; i < e; ++i) acc = KOP(p)(acc, LOAD(row, i));                              \
        }                                                                                    \
        ROWS_VEC_FINISH(p)                                                                   \
        if (L > 1) {                                                                         \
            scratch[j] = acc;                                                                \
            barrier(CLK_LOCAL_MEM_FENCE);                                                    \
            for (int h = L >> 1; h > 0; h >>= 1) {                                           \
                if (j < h) scratch[j] = KOP(p)(scratch[j], scratch[j + h]);                  \
                barrier(CLK_LOCAL_MEM_FENCE);                                                \
            }                                                                                \
            acc = scratch[0];                                                                \
        }                                                                                    \
        if (j == 0) STORE_OUT(out, oo + m * chunks + c, acc);                                \
    }

#ifdef GT_VEC
/* Four vector accumulators: four independent chains of adds keep a CPU core's vector units
 * busy while it streams memory (one chain waits out each add's latency). */
#define ROWS_VEC_DECL(IDENT) VT vacc = (VT)(IDENT), vacc1 = vacc, vacc2 = vacc, vacc3 = vacc;
#define ROWS_VEC_LOOP(p)                                                                     \
    for (; i + 4 * VW <= e; i += 4 * VW) {                                                   \
        vacc = KVOP(p)(vacc, VLOAD(row, i));                                                 \
        vacc1 = KVOP(p)(vacc1, VLOAD(row, i + VW));                                          \
        vacc2 = KVOP(p)(vacc2, VLOAD(row, i + 2 * VW));                                      \
        vacc3 = KVOP(p)(vacc3, VLOAD(row, i + 3 * VW));                                      \
    }                                                                                        \
    for (; i + VW <= e; i += VW) vacc = KVOP(p)(vacc, VLOAD(row, i));
#define ROWS_VEC_FINISH(p)                                                                   \
    vacc = KVOP(p)(KVOP(p)(vacc, vacc1), KVOP(p)(vacc2, vacc3));                             \
    acc = KOP(p)(acc, HREDUCE(p, vacc));
#else
#define ROWS_VEC_DECL(IDENT)
#define ROWS_VEC_LOOP(p)
#define ROWS_VEC_FINISH(p)
#endif

#define REDUCE_MID(kname, p, IDENT, OT, STORE_OUT, VSTORE_OUT)                               \
    __kernel void kname(__global OT* out, long oo, __global const T* x, long xo, long K,      \
                        long B, long chunk) {                                                \
        long b0 = (long)get_global_id(0) * GVW;                                              \
        long a = get_global_id(1);                                                           \
        long c = get_global_id(2);                                                           \
        long chunks = get_global_size(2);                                                    \
        if (b0 >= B) return;                                                                 \
        __global const T* base = x + xo + a * K * B;                                         \
        long kb = c * chunk;                                                                 \
        long ke = min(K, kb + chunk);                                                        \
        long ob = oo + (a * chunks + c) * B;                                                 \
        MID_VEC(p, IDENT, VSTORE_OUT)                                                        \
        for (long b = b0; b < min(B, b0 + GVW); ++b) {                                       \
            CT acc = IDENT;                                                                  \
            for (long k = kb; k < ke; ++k) acc = KOP(p)(acc, LOAD(base, k * B + b));         \
            STORE_OUT(out, ob + b, acc);                                                     \
        }                                                                                    \
    }

#ifdef GT_VEC
#define MID_VEC(p, IDENT, VSTORE_OUT)                                                        \
    if (b0 + VW <= B) {                                                                      \
        VT vacc = (VT)(IDENT);                                                               \
        for (long k = kb; k < ke; ++k) vacc = KVOP(p)(vacc, VLOAD(base, k * B + b0));        \
        VSTORE_OUT(out, ob + b0, vacc);                                                      \
        return;                                                                              \
    }
#else
#define MID_VEC(p, IDENT, VSTORE_OUT)
#endif

#define REDUCE_(k, p, IDENT)                                                                 \
    REDUCE_ROWS(KNAME(k), p, IDENT, T, STORE)                                                \
    REDUCE_ROWS(GT_PASTE(KNAME(k), _partial), p, IDENT, CT, STORE_ACC)                       \
    REDUCE_MID(GT_PASTE(KNAME(k), _mid), p, IDENT, T, STORE, VSTORE)                         \
    REDUCE_MID(GT_PASTE(KNAME(k), _mid_partial), p, IDENT, CT, STORE_ACC, VSTORE_ACC)
#define REDUCE(op, fn, IDENT) REDUCE_(op##_, op_##fn##_, IDENT)

REDUCE(sum, add, (CT)0)
REDUCE(prod, multiply, (CT)1)
REDUCE(max, maximum, (CT)LOWEST)
REDUCE(min, minimum, (CT)HIGHEST)

/* ---- arg reductions ------------------------------------------------------------------- */
#ifdef GT_FLOAT
#define ARGMAX_BETTER(v, best) ((isnan(v) && !isnan(best)) || (!isnan(best) && (v) > (best)))
#define ARGMIN_BETTER(v, best) ((isnan(v) && !isnan(best)) || (!isnan(best) && (v) < (best)))
#else
#define ARGMAX_BETTER(v, best) ((v) > (best))
#define ARGMIN_BETTER(v, best) ((v) < (best))
#endif

#define ARG_REDUCE(kname, BETTER)                                                            \
    __kernel void kname(__global long* oidx, __global RAW* oval, __global const T* x, long xo, \
                        __global const long* xidx, int has_idx, long K, long B, long chunk) {  \
        long b = get_global_id(0);                                                           \
        long a = get_global_id(1);                                                           \
        long c = get_global_id(2);                                                           \
        long chunks = get_global_size(2);                                                    \
        if (b >= B) return;                                                                  \
        long base = a * K * B + b;                                                           \
        long kb = c * chunk;                                                                 \
        long ke = min(K, kb + chunk);                                                        \
        long pos = kb;                                                                       \
        CT best = LOAD(x, xo + base + kb * B);                                               \
        for (long k = kb + 1; k < ke; ++k) {                                                 \
            CT v = LOAD(x, xo + base + k * B);                                               \
            if (BETTER(v, best)) {                                                           \
                best = v;                                                                    \
                pos = k;                                                                     \
            }                                                                                \
        }                                                                                    \
        long o = (a * chunks + c) * B + b;                                                   \
        oidx[o] = has_idx ? xidx[base + pos * B] : pos;                                      \
        oval[o] = ((__global const RAW*)x)[xo + base + pos * B];                             \
    }

ARG_REDUCE(NAME(argmax), ARGMAX_BETTER)
ARG_REDUCE(NAME(argmin), ARGMIN_BETTER)
