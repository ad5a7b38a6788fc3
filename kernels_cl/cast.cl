/* cast_<from>_<to>(out view, x view, n0, n1, n2, n3): NumPy's unsafe casting.
 *
 * The program is built for the source dtype; one kernel per destination. Float to integer
 * truncates toward zero through a 32-bit (narrow types) or 64-bit conversion, as NumPy does on
 * x86; anything to bool tests != 0 (NaN is true); to float16 rounds once to nearest even (from
 * double directly, as NumPy); to bfloat16 goes through float, as ml_dtypes does.
 */
#include "ops.h"
#include "dtype.h"
#include "strided.h"

#define TO_B8(p, i, v) ((p)[i] = (uchar)((v) != 0))
#define TO_I8(p, i, v) ((p)[i] = (char)(int)(v))
#define TO_I16(p, i, v) ((p)[i] = (short)(int)(v))
#define TO_I32(p, i, v) ((p)[i] = (int)(v))
#define TO_I64(p, i, v) ((p)[i] = (long)(v))
#define TO_U8(p, i, v) ((p)[i] = (uchar)(int)(v))
#define TO_F32(p, i, v) ((p)[i] = (float)(v))
#define TO_F64(p, i, v) ((p)[i] = (double)(v))
#define TO_BF16(p, i, v) ((p)[i] = float_to_bf16((float)(v)))
#if defined(GT_f64)
#define TO_F16(p, i, v) vstore_half((v), (i), (p))
#else
#define TO_F16(p, i, v) vstore_half((float)(v), (i), (p))
#endif

#define CAST(D, DT, CONVERT)                                                                 \
    __kernel void GT_PASTE(NAME(cast), _##D)(GT_VIEW(DT, out), GT_VIEW(const T, x), GT_SHAPE) { \
        GT_COORDS                                                                            \
        CONVERT(out, GT_AT(out), LOAD(x, GT_AT(x)));                                         \
    }

CAST(b8, uchar, TO_B8)
CAST(i8, char, TO_I8)
CAST(i16, short, TO_I16)
CAST(i32, int, TO_I32)
CAST(i64, long, TO_I64)
CAST(u8, uchar, TO_U8)
CAST(f16, half, TO_F16)
CAST(bf16, ushort, TO_BF16)
CAST(f32, float, TO_F32)
#ifdef cl_khr_fp64
CAST(f64, double, TO_F64)
#endif
