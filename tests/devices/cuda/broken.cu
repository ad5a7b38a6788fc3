// Test fixture: a kernel file that does not compile (an undeclared identifier).
#include "common.cuh"

extern "C" __global__ void broken_f32(float* out) { out[0] = undeclared_gputensor_identifier; }
