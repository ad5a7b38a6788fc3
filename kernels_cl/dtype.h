/* The element type a family program is built for.
 *
 * The runtime builds each kernel family once per dtype with exactly one of -D GT_b8, GT_i8,
 * GT_i16, GT_i32, GT_i64, GT_u8, GT_f16, GT_bf16, GT_f32, GT_f64 (gputensor's DType.short).
 * This header turns that into:
 *   T            storage type of one element (half and bfloat16 are stored as 16 bits);
 *   CT           compute type: float for the half types, otherwise T;
 *   NAME(op)     the entry-point name op_<suffix>, e.g. NAME(exp) -> exp_f32;
 *   OP(name)     the ops.h scalar function for CT, e.g. OP(exp) -> op_exp_f32;
 *   KNAME(k), KOP(p), KVOP(p)  the same from prefix tokens (k = exp_, p = op_exp_);
 *   LOAD(p, i)   element i of the __global T* p, as CT;  STORE(p, i, v) the reverse;
 *   RAW          an integer type of T's width, for moving elements without converting them;
 *   LOWEST, HIGHEST   identities of max and min;
 *   GT_FLOAT, GT_INT, GT_BOOL, GT_SIGNED  the kind;
 * and, for floating types (GT_VEC), a vector of VW lanes computed at once:
 *   VT, VOP(name), VLOAD(p, i), VSTORE(p, i, v) on elements i .. i + VW - 1.
 * WIDE is the type arange computes in (double where the device has it, long for integers).
 */
#ifndef GPUTENSOR_DTYPE_H
#define GPUTENSOR_DTYPE_H

/* Names are pasted together, never passed bare through macros: OpenCL implementations may
 * define builtin names (abs, exp, ...) as macros, which would expand an unpasted op name. A
 * family macro turns its op name into prefix tokens first (exp -> exp_ and op_exp_). */
#define GT_PASTE_(a, b) a##b
#define GT_PASTE(a, b) GT_PASTE_(a, b)
#define KNAME(k) GT_PASTE(k, SFX)
#define KOP(p) GT_PASTE(p, OPSFX)
#define KVOP(p) GT_PASTE(p, VOPSFX)
#define NAME(op) KNAME(op##_)
#define OP(name) KOP(op_##name##_)
#define VOP(name) KVOP(op_##name##_)

/* Vector loads and stores spelled element by element: compilers merge them into one vector
 * access (PoCL calls its vloadn/vstoren builtins out of line, several times slower), and
 * they need only element alignment. */
inline float8 gt_load_f32x8(__global const float* p) {
    return (float8)(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

inline void gt_store_f32x8(__global float* p, float8 v) {
    p[0] = v.s0;
    p[1] = v.s1;
    p[2] = v.s2;
    p[3] = v.s3;
    p[4] = v.s4;
    p[5] = v.s5;
    p[6] = v.s6;
    p[7] = v.s7;
}

inline ushort8 gt_load_u16x8(__global const ushort* p) {
    return (ushort8)(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

inline void gt_store_u16x8(__global ushort* p, ushort8 v) {
    p[0] = v.s0;
    p[1] = v.s1;
    p[2] = v.s2;
    p[3] = v.s3;
    p[4] = v.s4;
    p[5] = v.s5;
    p[6] = v.s6;
    p[7] = v.s7;
}

#ifdef cl_khr_fp64
inline double4 gt_load_f64x4(__global const double* p) { return (double4)(p[0], p[1], p[2], p[3]); }

inline void gt_store_f64x4(__global double* p, double4 v) {
    p[0] = v.s0;
    p[1] = v.s1;
    p[2] = v.s2;
    p[3] = v.s3;
}
#endif

#if defined(GT_b8)
#define SFX b8
#define OPSFX b8
#define T uchar
#define CT uchar
#define GT_BOOL 1
#define LOWEST 0
#define HIGHEST 1
#elif defined(GT_i8)
#define SFX i8
#define OPSFX i8
#define T char
#define CT char
#define GT_INT 1
#define GT_SIGNED 1
#define LOWEST CHAR_MIN
#define HIGHEST CHAR_MAX
#elif defined(GT_i16)
#define SFX i16
#define OPSFX i16
#define T short
#define CT short
#define GT_INT 1
#define GT_SIGNED 1
#define LOWEST SHRT_MIN
#define HIGHEST SHRT_MAX
#elif defined(GT_i32)
#define SFX i32
#define OPSFX i32
#define T int
#define CT int
#define GT_INT 1
#define GT_SIGNED 1
#define LOWEST INT_MIN
#define HIGHEST INT_MAX
#elif defined(GT_i64)
#define SFX i64
#define OPSFX i64
#define T long
#define CT long
#define GT_INT 1
#define GT_SIGNED 1
#define LOWEST LONG_MIN
#define HIGHEST LONG_MAX
#elif defined(GT_u8)
#define SFX u8
#define OPSFX u8
#define T uchar
#define CT uchar
#define GT_INT 1
#define LOWEST 0
#define HIGHEST UCHAR_MAX
#elif defined(GT_f16)
#define SFX f16
#define OPSFX f32
#define VOPSFX f32x8
#define T half
#define CT float
#define GT_FLOAT 1
#define GT_HALF 1
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half((v), (i), (p))
#define VW 8
#define VT float8
#define VLOAD(p, i) vload_half8(0, (p) + (i))
#define VSTORE(p, i, v) vstore_half8((v), 0, (p) + (i))
#elif defined(GT_bf16)
#define SFX bf16
#define OPSFX f32
#define VOPSFX f32x8
#define T ushort
#define CT float
#define GT_FLOAT 1
#define GT_HALF 1
#define LOAD(p, i) bf16_to_float((p)[i])
#define STORE(p, i, v) ((p)[i] = float_to_bf16(v))
#define VW 8
#define VT float8
#define VLOAD(p, i) bf16x8_to_float8(gt_load_u16x8((p) + (i)))
#define VSTORE(p, i, v) gt_store_u16x8((p) + (i), float8_to_bf16x8(v))
#elif defined(GT_f32)
#define SFX f32
#define OPSFX f32
#define VOPSFX f32x8
#define T float
#define CT float
#define GT_FLOAT 1
#define VW 8
#define VT float8
#define VLOAD(p, i) gt_load_f32x8((p) + (i))
#define VSTORE(p, i, v) gt_store_f32x8((p) + (i), (v))
#elif defined(GT_f64)
#define SFX f64
#define OPSFX f64
#define VOPSFX f64x4
#define T double
#define CT double
#define GT_FLOAT 1
#define VW 4
#define VT double4
#define VLOAD(p, i) gt_load_f64x4((p) + (i))
#define VSTORE(p, i, v) gt_store_f64x4((p) + (i), (v))
#else
#error "dtype.h: build with one of -D GT_b8, GT_i8, GT_i16, GT_i32, GT_i64, GT_u8, GT_f16, GT_bf16, GT_f32, GT_f64"
#endif

#ifdef GT_HALF
#define RAW ushort
#else
#define RAW T
#endif

#ifndef LOAD
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#endif

#ifdef GT_FLOAT
#define GT_VEC 1
#define LOWEST (-INFINITY)
#define HIGHEST INFINITY
#ifdef cl_khr_fp64
#define WIDE double
#else
#define WIDE float
#endif
#else
#define WIDE long
#endif

#endif /* GPUTENSOR_DTYPE_H */
