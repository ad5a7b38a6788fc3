/* Test fixture: a kernel that cannot compile (an undeclared identifier), so that the build
 * error's contents can be checked: file, options, device and compiler log. */
#include "ops.h"
#include "dtype.h"

__kernel void NAME(broken)(__global T* out) {
    out[get_global_id(0)] = undeclared_gputensor_identifier;
}
