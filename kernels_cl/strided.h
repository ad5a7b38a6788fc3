/* Strided elementwise launches.
 *
 * The host collapses a view's axes to at most four (d0 innermost) and launches a 3-D NDRange
 * of (n0, n1, n2 * n3) work-items, each global size rounded up to the local size; one
 * work-item handles one element. An operand is a pointer with an element offset and four
 * element strides (zero for broadcast axes, negative for reversed ones).
 */
#ifndef GPUTENSOR_STRIDED_H
#define GPUTENSOR_STRIDED_H

#define GT_VIEW(TY, p) __global TY* p, long p##_o, long p##_s0, long p##_s1, long p##_s2, long p##_s3
#define GT_SHAPE long n0, long n1, long n2, long n3

/* The element coordinates of this work-item; padding work-items return. */
#define GT_COORDS                                                                            \
    long i0 = get_global_id(0);                                                              \
    long i1 = get_global_id(1);                                                              \
    long i23 = get_global_id(2);                                                             \
    long i3 = i23 / n2;                                                                      \
    long i2 = i23 - i3 * n2;                                                                 \
    if (i0 >= n0 || i1 >= n1 || i3 >= n3) return;

/* The element offset of operand p at this work-item's coordinates. */
#define GT_AT(p) (p##_o + i0 * p##_s0 + i1 * p##_s1 + i2 * p##_s2 + i3 * p##_s3)

#endif /* GPUTENSOR_STRIDED_H */
