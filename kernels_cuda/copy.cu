// Moving and creating elements. Mirrors kernels_cl/copy.cl.
//
//   copy_<dtype>(out view, x view, n0, n1, n2, n3)       strided copy (contiguous(), copy_into)
//   copy_<dtype>_rows(out view, x view, n0, n1, n2, n3)  the same, 16 bytes per access: the host
//       launches it when both innermost strides are 1 and n0, the offsets and the outer strides
//       are multiples of V = 16 / itemsize (rows of a slice, a narrowed last axis, ...)
//   fill_<dtype>(out view, value, n0, n1, n2, n3)        every element of a view takes value
//   arange_<dtype>(out, start, step, n)                  out[i] = start + step * i, computed in
//                                                        S_wide (double or long long), rounded once
// Elements move as raw bits (S_raw), so copies never convert or canonicalize NaNs.
#include "common.cuh"

namespace gt {
template <typename R>
GT_DEV void copy_rows(GT_VIEW(R, out), GT_VIEW(const R, x), GT_SHAPE) {
    constexpr int V = vec_width<R, R>();
    typedef pack<R, V> P;
    const i64 m0 = n0 / V;
    const i64 total = m0 * n1 * n2 * n3;
    const bool narrow = total <= 0xffffffffLL;
    for (i64 e = global_thread(); e < total; e += (i64)gridDim.x * blockDim.x) {
        i64 i0, i1, i2, i3;
        coords(e, narrow, m0, n1, n2, i0, i1, i2, i3);
        i64 d = out_o + i0 * V + i1 * out_s1 + i2 * out_s2 + i3 * out_s3;
        i64 s = x_o + i0 * V + i1 * x_s1 + i2 * x_s2 + i3 * x_s3;
        *reinterpret_cast<P*>(out + d) = *reinterpret_cast<const P*>(x + s);
    }
}

}  // namespace gt

#define GT_STORE_WIDE_b8(p, i, v) ((p)[i] = (v) != 0 ? 1 : 0)
#define GT_STORE_WIDE_f16(p, i, v) ((p)[i] = gt::f64_to_f16_bits(v))
#define GT_STORE_WIDE_bf16(p, i, v) ((p)[i] = gt::f32_to_bf16_bits((float)(v)))

#define COPY_KERNELS(S)                                                                       \
    extern "C" __global__ void copy_##S(GT_VIEW(S##_raw, out), GT_VIEW(const S##_raw, x),      \
                                        GT_SHAPE) {                                           \
        GT_STRIDED_FOR                                                                        \
        out[GT_AT(out)] = x[GT_AT(x)];                                                        \
        GT_STRIDED_END                                                                        \
    }                                                                                         \
    extern "C" __global__ void copy_##S##_rows(GT_VIEW(S##_raw, out), GT_VIEW(const S##_raw, x), \
                                               GT_SHAPE) {                                    \
        gt::copy_rows<S##_raw>(out, out_o, out_s0, out_s1, out_s2, out_s3, x, x_o, x_s0, x_s1, \
                               x_s2, x_s3, n0, n1, n2, n3);                                   \
    }                                                                                         \
    extern "C" __global__ void fill_##S(GT_VIEW(S##_raw, out), S##_raw value, GT_SHAPE) {     \
        GT_STRIDED_FOR                                                                        \
        out[GT_AT(out)] = value;                                                              \
        GT_STRIDED_END                                                                        \
    }

#define ARANGE_KERNEL(S, STORE)                                                               \
    extern "C" __global__ void arange_##S(S##_t* out, S##_wide start, S##_wide step,           \
                                          long long n) {                                      \
        for (long long i = gt::global_thread(); i < n; i += (long long)gridDim.x * blockDim.x) { \
            S##_wide v = start + step * (S##_wide)i;                                          \
            STORE(out, i, v);                                                                 \
        }                                                                                     \
    }
#define GT_STORE_PLAIN(p, i, v) ((p)[i] = (v))
#define GT_STORE_f32(p, i, v) ((p)[i] = (float)(v))

#if defined(GT_ALL) || defined(GT_b8)
COPY_KERNELS(b8)
ARANGE_KERNEL(b8, GT_STORE_WIDE_b8)
#endif
#if defined(GT_ALL) || defined(GT_i8)
COPY_KERNELS(i8)
ARANGE_KERNEL(i8, GT_STORE_PLAIN)
#endif
#if defined(GT_ALL) || defined(GT_i16)
COPY_KERNELS(i16)
ARANGE_KERNEL(i16, GT_STORE_PLAIN)
#endif
#if defined(GT_ALL) || defined(GT_i32)
COPY_KERNELS(i32)
ARANGE_KERNEL(i32, GT_STORE_PLAIN)
#endif
#if defined(GT_ALL) || defined(GT_i64)
COPY_KERNELS(i64)
ARANGE_KERNEL(i64, GT_STORE_PLAIN)
#endif
#if defined(GT_ALL) || defined(GT_u8)
COPY_KERNELS(u8)
ARANGE_KERNEL(u8, GT_STORE_PLAIN)
#endif
#if defined(GT_ALL) || defined(GT_f16)
COPY_KERNELS(f16)
ARANGE_KERNEL(f16, GT_STORE_WIDE_f16)
#endif
#if defined(GT_ALL) || defined(GT_bf16)
COPY_KERNELS(bf16)
ARANGE_KERNEL(bf16, GT_STORE_WIDE_bf16)
#endif
#if defined(GT_ALL) || defined(GT_f32)
COPY_KERNELS(f32)
ARANGE_KERNEL(f32, GT_STORE_f32)
#endif
#if defined(GT_ALL) || defined(GT_f64)
COPY_KERNELS(f64)
ARANGE_KERNEL(f64, GT_STORE_PLAIN)
#endif
