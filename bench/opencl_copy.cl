/* The bandwidth ceiling of bench/opencl.py: plain copy kernels, one float per work-item and
 * four float8 vectors per work-item. */
__kernel void copy_scalar(__global float* restrict out, __global const float* restrict in) {
    size_t i = get_global_id(0);
    out[i] = in[i];
}

__kernel void copy_vector(__global float* restrict out, __global const float* restrict in) {
    size_t i = get_global_id(0) * 32;
    for (int j = 0; j < 4; ++j, i += 8) vstore8(vload8(0, in + i), 0, out + i);
}
