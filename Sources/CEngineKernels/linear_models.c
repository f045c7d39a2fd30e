// The batch kernels of the ai.onnx.ml linear models (LinearScores.swift, PostTransform.swift).
#include <immintrin.h>
#include <math.h>
#include "engine_kernels.h"
#include "transpose8.h"
#include "vector_exp.h"

#define NJ_FMA __attribute__((target("avx2,fma")))

// The engine's sigmoid (PostTransform.sigmoid): e = e^-|x|, then 1 / (1 + e) for x >= 0 and
// e / (1 + e) below, both computed and one picked per lane, so no branch on the score's sign.
static inline __attribute__((always_inline)) NJ_FMA __m256 logistic8(__m256 x) {
    __m256 negAbs = _mm256_or_ps(x, _mm256_set1_ps(-0.0f));
    __m256 e = nj_exp_nonpositive(negAbs);
    __m256 d = _mm256_add_ps(_mm256_set1_ps(1.0f), e);
    __m256 positive = _mm256_div_ps(_mm256_set1_ps(1.0f), d);
    __m256 negative = _mm256_div_ps(e, d);
    // Ordered compare: NaN takes e / d, NaN, as the scalar code does.
    return _mm256_blendv_ps(negative, positive, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ));
}

NJ_FMA void nj_logistic_fma(float *x, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, logistic8(_mm256_loadu_ps(x + i)));
    if (i < count) {
        // The tail goes through the same lanes, so a score's value does not depend on its position.
        float lanes[8] = {0};
        for (long j = i; j < count; j++) lanes[j - i] = x[j];
        _mm256_storeu_ps(lanes, logistic8(_mm256_loadu_ps(lanes)));
        for (long j = i; j < count; j++) x[j] = lanes[j - i];
    }
}

// Eight rows at a time, turned with in-register transposes (as the GEMM's narrow path now does too,
// but without its chunks of k, alpha and Relu); each output is the same FMA chain over k from zero, then + bias,
// so the bits equal nj_sgemm_fma_bias_relu's while k fits one chunk.
// Rows i .. i+7 with n outputs; always inlined with a constant n so the accumulators stay in
// registers (indexed by a variable n they were kept in memory).
static inline __attribute__((always_inline)) NJ_FMA void linear_block(
    int n, const float *a, const float *b, const float *bias, float *c, long k) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    nj_transposed_fma(a, k, b, n, 0, k, n, acc);
    float lanes[8];
    for (int j = 0; j < n; j++) {
        _mm256_storeu_ps(lanes, acc[j]);
        for (int r = 0; r < 8; r++) c[r * n + j] = bias ? lanes[r] + bias[j] : lanes[r];
    }
}

NJ_FMA void nj_linear_scores_fma(const float *a, const float *b, const float *bias, float *c, long m, long n, long k) {
    long i = 0;
    for (; i + 8 <= m; i += 8) {
        switch (n) {
        case 1: linear_block(1, a + i * k, b, bias, c + i * n, k); break;
        case 2: linear_block(2, a + i * k, b, bias, c + i * n, k); break;
        case 3: linear_block(3, a + i * k, b, bias, c + i * n, k); break;
        default: linear_block(4, a + i * k, b, bias, c + i * n, k); break;
        }
    }
    for (; i < m; i++) {
        for (long j = 0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < k; p++) s = fmaf(a[i * k + p], b[p * n + j], s);
            c[i * n + j] = bias ? s + bias[j] : s;
        }
    }
}
