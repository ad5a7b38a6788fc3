// Test fixture: instantiates every per-op function of kernels_cuda/ops.cuh for every dtype
// it serves, so that `nvcc --ptx` type-checks the whole header.
#include "ops.cuh"

#define UNARY_ALL(T)                                                                            \
    x = gt::op_negative(x) + gt::op_positive(x) + gt::op_abs(x) + gt::op_sign(x) +            \
        gt::op_square(x) + gt::op_floor(x) + gt::op_ceil(x) + gt::op_trunc(x) + gt::op_round(x); \
    flag = gt::op_logical_not(x);

#define BINARY_ALL(T)                                                                           \
    x = gt::op_add(x, y) + gt::op_subtract(x, y) + gt::op_multiply(x, y) +                     \
        gt::op_floor_divide(x, y) + gt::op_remainder(x, y) + gt::op_pow(x, y) +                 \
        gt::op_maximum(x, y) + gt::op_minimum(x, y);                                           \
    flag = gt::op_equal(x, y) ^ gt::op_not_equal(x, y) ^ gt::op_less(x, y) ^                   \
           gt::op_less_equal(x, y) ^ gt::op_greater(x, y) ^ gt::op_greater_equal(x, y) ^       \
           gt::op_logical_and(x, y) ^ gt::op_logical_or(x, y) ^ gt::op_logical_xor(x, y);

template <typename T> __global__ void numeric_ops(T* data, bool* flags, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    T x = data[i];
    T y = data[(i + 1) % n];
    bool flag;
    UNARY_ALL(T)
    BINARY_ALL(T)
    data[i] = x;
    flags[i] = flag;
}

template <typename T> __global__ void float_ops(T* data, bool* flags, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    T x = data[i];
    T y = data[(i + 1) % n];
    x = gt::op_sqrt(x) + gt::op_rsqrt(x) + gt::op_reciprocal(x) + gt::op_exp(x) + gt::op_expm1(x) +
        gt::op_log(x) + gt::op_log1p(x) + gt::op_log2(x) + gt::op_log10(x) + gt::op_sin(x) +
        gt::op_cos(x) + gt::op_tan(x) + gt::op_asin(x) + gt::op_acos(x) + gt::op_atan(x) +
        gt::op_sinh(x) + gt::op_cosh(x) + gt::op_tanh(x) + gt::op_asinh(x) + gt::op_acosh(x) +
        gt::op_atanh(x) + gt::op_erf(x) + gt::op_sigmoid(x) + gt::op_divide(x, y) +
        gt::op_atan2(x, y) + gt::op_hypot(x, y) + gt::op_copysign(x, y) + gt::op_nextafter(x, y) +
        gt::op_logaddexp(x, y);
    flags[i] = gt::op_isnan(x) ^ gt::op_isinf(x) ^ gt::op_isfinite(x) ^ gt::op_signbit(x);
    data[i] = x;
}

template <typename T> __global__ void integer_ops(T* data, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    T x = data[i];
    T y = data[(i + 1) % n];
    data[i] = gt::op_bitwise_and(x, y) ^ gt::op_bitwise_or(x, y) ^ gt::op_bitwise_xor(x, y) ^
              gt::op_bitwise_left_shift(x, y) ^ gt::op_bitwise_right_shift(x, y) ^
              gt::op_bitwise_invert(x);
}

__global__ void half_storage(__half* h, __nv_bfloat16* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    h[i] = gt::store_f16(gt::op_exp(gt::load_f32(h[i])));
    b[i] = gt::store_bf16(gt::op_tanh(gt::load_f32(b[i])));
}

template __global__ void numeric_ops<float>(float*, bool*, int);
template __global__ void numeric_ops<double>(double*, bool*, int);
template __global__ void numeric_ops<signed char>(signed char*, bool*, int);
template __global__ void numeric_ops<short>(short*, bool*, int);
template __global__ void numeric_ops<int>(int*, bool*, int);
template __global__ void numeric_ops<long long>(long long*, bool*, int);
template __global__ void numeric_ops<unsigned char>(unsigned char*, bool*, int);
template __global__ void float_ops<float>(float*, bool*, int);
template __global__ void float_ops<double>(double*, bool*, int);
template __global__ void integer_ops<signed char>(signed char*, int);
template __global__ void integer_ops<short>(short*, int);
template __global__ void integer_ops<int>(int*, int);
template __global__ void integer_ops<long long>(long long*, int);
template __global__ void integer_ops<unsigned char>(unsigned char*, int);
