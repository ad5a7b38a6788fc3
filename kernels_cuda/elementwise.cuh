// Elementwise maps shared by unary.cu and binary.cu: contiguous operands read and written 16
// bytes at a time where every pointer is aligned, and strided operands (see common.cuh).
//
// Contiguous launches: thread t handles elements [t * V, t * V + V) with
// V = gt::vec_width<In, Out>() (the host launches ceil(n / V) threads); the last thread, or
// every thread when some pointer is misaligned, moves its elements one at a time.
#pragma once

#include "common.cuh"

#define GT_VIEW_ARGS(p) p, p##_o, p##_s0, p##_s1, p##_s2, p##_s3
#define GT_SHAPE_ARGS n0, n1, n2, n3

namespace gt {

template <class DI, class DO, class F>
GT_DEV void map1(typename DO::T* out, i64 oo, const typename DI::T* x, i64 xo, i64 n, F f) {
    typedef typename DI::T TI;
    typedef typename DO::T TO;
    constexpr int V = vec_width<TI, TO>();
    i64 i = global_thread() * V;
    if (i >= n) return;
    TO* o = out + oo;
    const TI* a = x + xo;
    if (i + V <= n && aligned(o, sizeof(TO) * V) && aligned(a, sizeof(TI) * V)) {
        pack<TI, V> in = *reinterpret_cast<const pack<TI, V>*>(a + i);
        pack<TO, V> r;
#pragma unroll
        for (int l = 0; l < V; ++l) DO::store(r.v, l, f(DI::load(in.v, l)));
        *reinterpret_cast<pack<TO, V>*>(o + i) = r;
        return;
    }
    for (i64 e = i; e < n && e < i + V; ++e) DO::store(o, e, f(DI::load(a, e)));
}

template <class DI, class DO, class F>
GT_DEV void map1_strided(GT_VIEW(typename DO::T, out), GT_VIEW(const typename DI::T, x), GT_SHAPE, F f) {
    GT_STRIDED_FOR
    DO::store(out, GT_AT(out), f(DI::load(x, GT_AT(x))));
    GT_STRIDED_END
}

// Two operands; a null pointer stands for the scalar s (the _as / _sa kernels).
template <class DI, class DO, class F>
GT_DEV void map2(typename DO::T* out, i64 oo, const typename DI::T* x, i64 xo, const typename DI::T* y,
                 i64 yo, typename DI::CT xs, typename DI::CT ys, i64 n, F f) {
    typedef typename DI::T TI;
    typedef typename DO::T TO;
    constexpr int V = vec_width<TI, TO>();
    i64 i = global_thread() * V;
    if (i >= n) return;
    TO* o = out + oo;
    const TI* a = x ? x + xo : nullptr;
    const TI* b = y ? y + yo : nullptr;
    bool fast = i + V <= n && aligned(o, sizeof(TO) * V) && (!a || aligned(a, sizeof(TI) * V)) &&
                (!b || aligned(b, sizeof(TI) * V));
    if (fast) {
        pack<TI, V> pa;
        pack<TI, V> pb;
        if (a) pa = *reinterpret_cast<const pack<TI, V>*>(a + i);
        if (b) pb = *reinterpret_cast<const pack<TI, V>*>(b + i);
        pack<TO, V> r;
#pragma unroll
        for (int l = 0; l < V; ++l) {
            typename DI::CT u = a ? DI::load(pa.v, l) : xs;
            typename DI::CT w = b ? DI::load(pb.v, l) : ys;
            DO::store(r.v, l, f(u, w));
        }
        *reinterpret_cast<pack<TO, V>*>(o + i) = r;
        return;
    }
    for (i64 e = i; e < n && e < i + V; ++e) {
        typename DI::CT u = a ? DI::load(a, e) : xs;
        typename DI::CT w = b ? DI::load(b, e) : ys;
        DO::store(o, e, f(u, w));
    }
}

template <class DI, class DO, class F>
GT_DEV void map2_strided(GT_VIEW(typename DO::T, out), GT_VIEW(const typename DI::T, x),
                         GT_VIEW(const typename DI::T, y), GT_SHAPE, F f) {
    GT_STRIDED_FOR
    DO::store(out, GT_AT(out), f(DI::load(x, GT_AT(x)), DI::load(y, GT_AT(y))));
    GT_STRIDED_END
}

}  // namespace gt
