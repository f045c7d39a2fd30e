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

// Rows of five to eight (an attention head's scores over a short sequence): one vector per row, padded with -inf (e^-inf is 0 and adds nothing). Max and sum are taken across
// the lanes in a fixed tree, so a row's bits depend on its length alone, not on the rows around it.
// A NaN anywhere makes the whole row NaN, as in the longer rows' path.
static NJ_FMA void short_rows(const float *x, float *out, long rows, long n) {
    const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 minusInf = _mm256_set1_ps(-INFINITY);
    for (long r = 0; r < rows; r++) {
        __m256 v = n == 8 ? _mm256_loadu_ps(x + r * n)
                          : _mm256_blendv_ps(minusInf, _mm256_maskload_ps(x + r * n, live), _mm256_castsi256_ps(live));
        __m256 m = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
        m = _mm256_max_ps(m, _mm256_shuffle_ps(m, m, _MM_SHUFFLE(1, 0, 3, 2)));
        m = _mm256_max_ps(m, _mm256_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
        __m256 e = nj_exp_nonpositive_flushed(_mm256_sub_ps(v, m));
        __m256 sum = _mm256_add_ps(e, _mm256_permute2f128_ps(e, e, 1));
        sum = _mm256_add_ps(sum, _mm256_shuffle_ps(sum, sum, _MM_SHUFFLE(1, 0, 3, 2)));
        sum = _mm256_add_ps(sum, _mm256_shuffle_ps(sum, sum, _MM_SHUFFLE(2, 3, 0, 1)));
        __m256 p = _mm256_div_ps(e, sum);
        if (n == 8) {
            _mm256_storeu_ps(out + r * n, p);
        } else {
            // Single stores: a masked store is slow on AMD cores.
            float lanes[8];
            _mm256_storeu_ps(lanes, p);
            for (long k = 0; k < n; k++) out[r * n + k] = lanes[k];
        }
    }
}

NJ_FMA void nj_softmax_rows_fma(const float *x, float *out, long rows, long n) {
    // Rows of 3 (a classifier's classes) measured 2% slower this way than grouped below: most of
    // the lanes would idle. From 5 on, at least half of them work.
    if (n > 4 && n <= 8) {
        short_rows(x, out, rows, n);
        return;
    }
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
