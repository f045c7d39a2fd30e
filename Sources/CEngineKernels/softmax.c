// Softmax along contiguous rows (SoftmaxKernel.lastAxis in Softmax.swift).
#include <immintrin.h>
#include <math.h>
#include "engine_kernels.h"
#include "vector_exp.h"

#define NJ_FMA __attribute__((target("avx2,fma")))

// Rows are taken in groups of about this many floats, so the three passes over a group (shift by
// the row's max, exponentials, normalise) find it in L1.
#define NJ_SOFTMAX_GROUP 1024

// e^x in place over x[count], eight at a time. The tail goes through the same lanes, so a value
// does not depend on its position in the buffer (BatchIndependenceTests).
static NJ_FMA void exp_in_place(float *x, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, nj_exp_nonpositive_flushed(_mm256_loadu_ps(x + i)));
    if (i < count) {
        float lanes[8] = {0};
        for (long j = i; j < count; j++) lanes[j - i] = x[j];
        _mm256_storeu_ps(lanes, nj_exp_nonpositive_flushed(_mm256_loadu_ps(lanes)));
        for (long j = i; j < count; j++) x[j] = lanes[j - i];
    }
}

NJ_FMA void nj_softmax_rows_fma(const float *x, float *out, long rows, long n) {
    long group = n >= NJ_SOFTMAX_GROUP ? 1 : NJ_SOFTMAX_GROUP / n;
    for (long r0 = 0; r0 < rows; r0 += group) {
        long r1 = r0 + group < rows ? r0 + group : rows;
        // The row's max as the scalar kernel finds it (NaN never wins), then x - max <= 0.
        for (long r = r0; r < r1; r++) {
            const float *src = x + r * n;
            float *dst = out + r * n;
            float m = -INFINITY;
            for (long k = 0; k < n; k++) if (src[k] > m) m = src[k];
            for (long k = 0; k < n; k++) dst[k] = src[k] - m;
        }
        exp_in_place(out + r0 * n, (r1 - r0) * n);
        // Each row's sum in order, one addition at a time, then one division per element.
        for (long r = r0; r < r1; r++) {
            float *dst = out + r * n;
            float sum = 0;
            for (long k = 0; k < n; k++) sum += dst[k];
            for (long k = 0; k < n; k++) dst[k] /= sum;
        }
    }
}
