/* The bandwidth ceiling of bench/opencl.py: plain copy kernels, one float per work-item, and
 * 32 floats per work-item as element loads and stores the compiler merges into vectors (the
 * form gputensor's contiguous kernels use). */
__kernel void copy_scalar(__global float* restrict out, __global const float* restrict in) {
    size_t i = get_global_id(0);
    out[i] = in[i];
}

__kernel void copy_vector(__global float* restrict out, __global const float* restrict in) {
    size_t i = get_global_id(0) * 32;
    for (int j = 0; j < 32; ++j) out[i + j] = in[i + j];
}
