/* Fused optimizer updates, the optional primitive optimizer_update of the device interface.
 *
 * Each kernel updates n contiguous elements of a variable and its slots in place with exactly
 * the arithmetic, order and rounding of the rules' composed ops (gputensor/nn/optimizers/
 * rules.py): one rounding per operation, so contraction into fused multiply-adds is off.
 * Scalars arrive already rounded to the dtype, like the weak Python scalars of the composed ops.
 *   sgd_<dtype>(var, vo, grad, go, m, mo, n, lr, momentum, has_momentum, nesterov)
 *   rmsprop_<dtype>(var, vo, grad, go, v, v_o, avg, ao, m, mo, n, lr, rho, one_minus_rho,
 *                   momentum, epsilon, centered, has_momentum)
 *   adam_<dtype>(var, vo, grad, go, m, mo, v, v_o, vhat, ho, n, lr, one_minus_beta_1,
 *                one_minus_beta_2, epsilon, amsgrad)
 *   adagrad_<dtype>(var, vo, grad, go, acc, ao, n, lr, epsilon)
 * Unused slot buffers may be any buffer (the flags keep them untouched).
 */
#include "ops.h"
#include "dtype.h"

#pragma OPENCL FP_CONTRACT OFF

#if defined(GT_f32) || defined(GT_f64)
__kernel void NAME(sgd)(__global T* var, long vo, __global const T* grad, long go, __global T* m,
                        long mo, long n, T lr, T momentum, int has_momentum, int nesterov) {
    long i = get_global_id(0);
    if (i >= n) return;
    T g = grad[go + i];
    T step = g * lr;
    if (!has_momentum) {
        var[vo + i] = var[vo + i] - step;
        return;
    }
    T mi = m[mo + i] * momentum;
    mi = mi - step;
    m[mo + i] = mi;
    if (nesterov) {
        T ahead = mi * momentum;
        var[vo + i] = (var[vo + i] - step) + ahead;
    } else {
        var[vo + i] = var[vo + i] + mi;
    }
}

__kernel void NAME(rmsprop)(__global T* var, long vo, __global const T* grad, long go,
                            __global T* v, long v_o, __global T* avg, long ao, __global T* m,
                            long mo, long n, T lr, T rho, T one_minus_rho, T momentum, T epsilon,
                            int centered, int has_momentum) {
    long i = get_global_id(0);
    if (i >= n) return;
    T g = grad[go + i];
    T vi = v[v_o + i] * rho;
    T g2 = g * g;
    vi = vi + g2 * one_minus_rho;
    v[v_o + i] = vi;
    T denominator;
    if (centered) {
        T ai = avg[ao + i] * rho;
        ai = ai + g * one_minus_rho;
        avg[ao + i] = ai;
        T a2 = ai * ai;
        denominator = (vi - a2) + epsilon;
    } else {
        denominator = vi + epsilon;
    }
    T root = sqrt(denominator);
    T increment = (g / root) * lr;
    if (has_momentum) {
        T mi = m[mo + i] * momentum;
        mi = mi + increment;
        m[mo + i] = mi;
        var[vo + i] = var[vo + i] - mi;
    } else {
        var[vo + i] = var[vo + i] - increment;
    }
}

__kernel void NAME(adam)(__global T* var, long vo, __global const T* grad, long go, __global T* m,
                         long mo, __global T* v, long v_o, __global T* vhat, long ho, long n,
                         T lr, T one_minus_beta_1, T one_minus_beta_2, T epsilon, int amsgrad) {
    long i = get_global_id(0);
    if (i >= n) return;
    T g = grad[go + i];
    T mi = m[mo + i];
    mi = mi + (g - mi) * one_minus_beta_1;
    m[mo + i] = mi;
    T vi = v[v_o + i];
    T g2 = g * g;
    vi = vi + (g2 - vi) * one_minus_beta_2;
    v[v_o + i] = vi;
    if (amsgrad) {
        vi = OP(maximum)(vhat[ho + i], vi);
        vhat[ho + i] = vi;
    }
    T root = sqrt(vi);
    T denominator = root + epsilon;
    T step = (mi / denominator) * lr;
    var[vo + i] = var[vo + i] - step;
}

__kernel void NAME(adagrad)(__global T* var, long vo, __global const T* grad, long go,
                            __global T* acc, long ao, long n, T lr, T epsilon) {
    long i = get_global_id(0);
    if (i >= n) return;
    T g = grad[go + i];
    T g2 = g * g;
    T ai = acc[ao + i] + g2;
    acc[ao + i] = ai;
    T root = sqrt(ai + epsilon);
    T step = (g / root) * lr;
    var[vo + i] = var[vo + i] - step;
}
#endif
