// Fused optimizer updates, the optional primitive optimizer_update of the device interface.
// Mirrors kernels_cl/optim.cl; CUDA adds multi-tensor forms that update every variable of a
// model in one launch.
//
// Each kernel updates elements of a variable and its slots in place with exactly the
// arithmetic, order and rounding of the rules' composed ops (gputensor/nn/optimizers/rules.py):
// one rounding per operation, so the runtime builds this file with --fmad=false (no
// contraction into fused multiply-adds). Scalars arrive already rounded to the dtype.
//   sgd_<dtype>(var, vo, grad, go, m, mo, n, lr, momentum, has_momentum, nesterov)
//   rmsprop_<dtype>(var, vo, grad, go, v, v_o, avg, ao, m, mo, n, lr, rho, one_minus_rho,
//                   momentum, epsilon, centered, has_momentum)
//   adam_<dtype>(var, vo, grad, go, m, mo, v, v_o, vhat, ho, n, lr, one_minus_beta_1,
//                one_minus_beta_2, epsilon, amsgrad)
//   adagrad_<dtype>(var, vo, grad, go, acc, ao, n, lr, epsilon)
// one thread per element. Unused slot pointers may be any pointer (the flags keep them
// untouched).
//
// Multi-tensor forms: <rule>_<dtype>_multi(table, count, chunk, <the scalars above>) where
// table holds `count` rows of 8 int64: n, var, grad, slot0, slot1, slot2 (device addresses),
// first block, 0. Block b updates elements [(b - first) * chunk, ... + chunk) of the tensor
// whose row has the largest first block <= b; blocks are 256 threads, chunk a multiple of 256.
#include "common.cuh"

namespace gt {

template <typename T> GT_DEV void sgd_step(T* var, const T* grad, T* m, i64 i, T lr, T momentum,
                                           int has_momentum, int nesterov) {
    T g = grad[i];
    T step = g * lr;
    if (!has_momentum) {
        var[i] = var[i] - step;
        return;
    }
    T mi = m[i] * momentum;
    mi = mi - step;
    m[i] = mi;
    if (nesterov) {
        T ahead = mi * momentum;
        var[i] = (var[i] - step) + ahead;
    } else {
        var[i] = var[i] + mi;
    }
}

template <typename T> GT_DEV void rmsprop_step(T* var, const T* grad, T* v, T* avg, T* m, i64 i, T lr, T rho,
                                               T one_minus_rho, T momentum, T epsilon, int centered,
                                               int has_momentum) {
    T g = grad[i];
    T vi = v[i] * rho;
    T g2 = g * g;
    vi = vi + g2 * one_minus_rho;
    v[i] = vi;
    T denominator;
    if (centered) {
        T ai = avg[i] * rho;
        ai = ai + g * one_minus_rho;
        avg[i] = ai;
        T a2 = ai * ai;
        denominator = (vi - a2) + epsilon;
    } else {
        denominator = vi + epsilon;
    }
    T root = sqrt(denominator);
    T increment = (g / root) * lr;
    if (has_momentum) {
        T mi = m[i] * momentum;
        mi = mi + increment;
        m[i] = mi;
        var[i] = var[i] - mi;
    } else {
        var[i] = var[i] - increment;
    }
}

template <typename T> GT_DEV void adam_step(T* var, const T* grad, T* m, T* v, T* vhat, i64 i, T lr,
                                            T one_minus_beta_1, T one_minus_beta_2, T epsilon, int amsgrad) {
    T g = grad[i];
    T mi = m[i];
    mi = mi + (g - mi) * one_minus_beta_1;
    m[i] = mi;
    T vi = v[i];
    T g2 = g * g;
    vi = vi + (g2 - vi) * one_minus_beta_2;
    v[i] = vi;
    if (amsgrad) {
        vi = op_maximum(vhat[i], vi);
        vhat[i] = vi;
    }
    T root = sqrt(vi);
    T denominator = root + epsilon;
    T step = (mi / denominator) * lr;
    var[i] = var[i] - step;
}

template <typename T> GT_DEV void adagrad_step(T* var, const T* grad, T* acc, i64 i, T lr, T epsilon) {
    T g = grad[i];
    T g2 = g * g;
    T ai = acc[i] + g2;
    acc[i] = ai;
    T root = sqrt(ai + epsilon);
    T step = (g / root) * lr;
    var[i] = var[i] - step;
}

// The tensor row of block b, and the block's element range within it.
struct multi_slot {
    const long long* row;
    i64 begin;
    i64 end;
};

GT_DEV multi_slot find_tensor(const long long* table, int count, i64 chunk) {
    i64 b = blockIdx.x;
    int lo = 0;
    int hi = count - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (table[mid * 8 + 6] <= b) lo = mid;
        else hi = mid - 1;
    }
    const long long* row = table + lo * 8;
    i64 begin = (b - row[6]) * chunk;
    i64 end = begin + chunk < row[0] ? begin + chunk : row[0];
    return {row, begin, end};
}

template <typename T> GT_DEV T* ptr(const long long* row, int k) { return reinterpret_cast<T*>(row[k]); }

}  // namespace gt

#define GT_ELEMENT                                                                            \
    long long i = gt::global_thread();                                                        \
    if (i >= n) return;
#define GT_MULTI_LOOP(T)                                                                      \
    gt::multi_slot sl = gt::find_tensor(table, count, chunk);                                 \
    T* var = gt::ptr<T>(sl.row, 1);                                                           \
    const T* grad = gt::ptr<T>(sl.row, 2);                                                    \
    for (long long i = sl.begin + threadIdx.x; i < sl.end; i += blockDim.x)

#define OPTIM_KERNELS(S, T)                                                                   \
    extern "C" __global__ void sgd_##S(T* var, long long vo, const T* grad, long long go, T* m, \
                                       long long mo, long long n, T lr, T momentum,           \
                                       int has_momentum, int nesterov) {                      \
        GT_ELEMENT                                                                            \
        gt::sgd_step<T>(var + vo, grad + go, m + mo, i, lr, momentum, has_momentum, nesterov); \
    }                                                                                         \
    extern "C" __global__ void rmsprop_##S(T* var, long long vo, const T* grad, long long go,  \
                                           T* v, long long v_o, T* avg, long long ao, T* m,   \
                                           long long mo, long long n, T lr, T rho,            \
                                           T one_minus_rho, T momentum, T epsilon, int centered, \
                                           int has_momentum) {                                \
        GT_ELEMENT                                                                            \
        gt::rmsprop_step<T>(var + vo, grad + go, v + v_o, avg + ao, m + mo, i, lr, rho,       \
                            one_minus_rho, momentum, epsilon, centered, has_momentum);        \
    }                                                                                         \
    extern "C" __global__ void adam_##S(T* var, long long vo, const T* grad, long long go, T* m, \
                                        long long mo, T* v, long long v_o, T* vhat, long long ho, \
                                        long long n, T lr, T one_minus_beta_1,                \
                                        T one_minus_beta_2, T epsilon, int amsgrad) {         \
        GT_ELEMENT                                                                            \
        gt::adam_step<T>(var + vo, grad + go, m + mo, v + v_o, vhat + ho, i, lr,              \
                         one_minus_beta_1, one_minus_beta_2, epsilon, amsgrad);               \
    }                                                                                         \
    extern "C" __global__ void adagrad_##S(T* var, long long vo, const T* grad, long long go,  \
                                           T* acc, long long ao, long long n, T lr, T epsilon) { \
        GT_ELEMENT                                                                            \
        gt::adagrad_step<T>(var + vo, grad + go, acc + ao, i, lr, epsilon);                   \
    }                                                                                         \
    extern "C" __global__ void sgd_##S##_multi(const long long* table, int count, long long chunk, \
                                               T lr, T momentum, int has_momentum, int nesterov) { \
        GT_MULTI_LOOP(T)                                                                      \
        gt::sgd_step<T>(var, grad, gt::ptr<T>(sl.row, 3), i, lr, momentum, has_momentum, nesterov); \
    }                                                                                         \
    extern "C" __global__ void rmsprop_##S##_multi(const long long* table, int count,          \
                                                   long long chunk, T lr, T rho,              \
                                                   T one_minus_rho, T momentum, T epsilon,    \
                                                   int centered, int has_momentum) {          \
        GT_MULTI_LOOP(T)                                                                      \
        gt::rmsprop_step<T>(var, grad, gt::ptr<T>(sl.row, 3), gt::ptr<T>(sl.row, 4),          \
                            gt::ptr<T>(sl.row, 5), i, lr, rho, one_minus_rho, momentum, epsilon, \
                            centered, has_momentum);                                          \
    }                                                                                         \
    extern "C" __global__ void adam_##S##_multi(const long long* table, int count,             \
                                                long long chunk, T lr, T one_minus_beta_1,    \
                                                T one_minus_beta_2, T epsilon, int amsgrad) { \
        GT_MULTI_LOOP(T)                                                                      \
        gt::adam_step<T>(var, grad, gt::ptr<T>(sl.row, 3), gt::ptr<T>(sl.row, 4),             \
                         gt::ptr<T>(sl.row, 5), i, lr, one_minus_beta_1, one_minus_beta_2,    \
                         epsilon, amsgrad);                                                   \
    }                                                                                         \
    extern "C" __global__ void adagrad_##S##_multi(const long long* table, int count,          \
                                                   long long chunk, T lr, T epsilon) {        \
        GT_MULTI_LOOP(T)                                                                      \
        gt::adagrad_step<T>(var, grad, gt::ptr<T>(sl.row, 3), i, lr, epsilon);                \
    }

#if defined(GT_ALL) || defined(GT_f32)
OPTIM_KERNELS(f32, float)
#endif
#if defined(GT_ALL) || defined(GT_f64)
OPTIM_KERNELS(f64, double)
#endif
