/* Test fixture: calls a function of every family in kernels_cl/ops.h for each dtype suffix,
 * so that building it type-checks the header on the OpenCL device. */
#include "ops.h"

__kernel void float_ops(__global float* x, __global uchar* flags) {
    size_t i = get_global_id(0);
    float a = x[i];
    float b = x[i + 1];
    x[i] = op_sigmoid_f32(a) + op_logaddexp_f32(a, b) + op_remainder_f32(a, b) + op_floor_divide_f32(a, b) +
           op_erf_f32(a) + op_maximum_f32(a, b) + op_sign_f32(a) + op_round_f32(a) + op_hypot_f32(a, b);
    flags[i] = op_isnan_f32(a) ^ op_signbit_f32(b) ^ op_less_f32(a, b);
    x[i] += bf16_to_float(float_to_bf16(a));
}

#ifdef cl_khr_fp64
__kernel void double_ops(__global double* x) {
    size_t i = get_global_id(0);
    x[i] = op_exp_f64(x[i]) + op_remainder_f64(x[i], 0.7) + op_nextafter_f64(x[i], 1.0);
}
#endif

#define INT_KERNEL(T, S)                                                                        \
    __kernel void int_ops_##S(__global T* x) {                                                 \
        size_t i = get_global_id(0);                                                           \
        T a = x[i];                                                                            \
        T b = x[i + 1];                                                                        \
        x[i] = op_pow_##S(a, b) + op_floor_divide_##S(a, b) + op_remainder_##S(a, b) +          \
               op_bitwise_left_shift_##S(a, b) + op_bitwise_right_shift_##S(a, b) +            \
               op_abs_##S(a) + op_sign_##S(a) + op_maximum_##S(a, b) + op_bitwise_invert_##S(a); \
    }

INT_KERNEL(char, i8)
INT_KERNEL(short, i16)
INT_KERNEL(int, i32)
INT_KERNEL(long, i64)
INT_KERNEL(uchar, u8)

__kernel void bool_ops(__global uchar* x) {
    size_t i = get_global_id(0);
    x[i] = op_logical_xor_b8(x[i], x[i + 1]) | op_add_b8(x[i], x[i + 1]) | op_logical_not_b8(x[i]);
}
