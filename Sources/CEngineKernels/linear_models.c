// The batch kernels of the ai.onnx.ml linear models (LinearScores.swift, PostTransform.swift).
#include <immintrin.h>
#include <math.h>
#include "engine_kernels.h"
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

// Eight rows of A, columns p0 .. p0+7 (fewer at the end of a row, the rest zero), turned so that
// out[q] holds column p0+q of all eight rows: the standard 8 × 8 transpose in registers.
static inline __attribute__((always_inline)) NJ_FMA void load_transposed(const float *a, long lda, long width, __m256 out[8]) {
    __m256 r[8];
    if (width >= 8) {
        for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(a + i * lda);
    } else {
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int i = 0; i < 8; i++) r[i] = _mm256_maskload_ps(a + i * lda, mask);
    }
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    out[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    out[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    out[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    out[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    out[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    out[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    out[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    out[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// The GEMM's narrow path copies A's columns into lanes one float at a time, which for a linear
// model's few features and outputs cost more than the FMAs. Here eight rows are turned with
// in-register transposes instead; each output is the same FMA chain over k from zero, then + bias,
// so the bits equal nj_sgemm_fma_bias_relu's while k fits one chunk.
// Rows i .. i+7 with n outputs; always inlined with a constant n so the accumulators stay in
// registers (indexed by a variable n they were kept in memory).
static inline __attribute__((always_inline)) NJ_FMA void linear_block(
    int n, const float *a, const float *b, const float *bias, float *c, long k) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (long p0 = 0; p0 < k; p0 += 8) {
        long width = k - p0 < 8 ? k - p0 : 8;
        __m256 col[8];
        load_transposed(a + p0, k, width, col);
        for (long q = 0; q < width; q++) {
            const float *brow = b + (p0 + q) * n;
            for (int j = 0; j < n; j++) acc[j] = _mm256_fmadd_ps(col[q], _mm256_broadcast_ss(brow + j), acc[j]);
        }
    }
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
