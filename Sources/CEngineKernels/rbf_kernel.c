#include "engine_kernels.h"

#include <immintrin.h>
#include <math.h>

// The RBF kernel of the SVM operators, exp(-gamma · ||x − v||²), eight support vectors per vector.
// onnxruntime computes each value as a float loop `sum += d * d` (a multiply, then an add: no FMA)
// and glibc's `expf`; the distances here are those same float operations lane by lane, so they
// keep their bits, and the exponential is computed in double as glibc's is (below), so it rounds to
// the same float except, rarely, by one unit in the last place.
#pragma STDC FP_CONTRACT OFF

#define NJ_FMA __attribute__((target("avx2,fma")))

#if defined(__x86_64__)

// expf of eight floats, in double as glibc computes it, without its table: x = k·ln 2 + r with k an
// integer and |r| ≤ ln 2 / 2, exp(x) = 2^k · e^r, e^r by its Taylor series to degree 10 (error
// under 3e-13 relative). glibc's own double result is within 0.002 ulp of float, so both round to
// the same float almost always (a check over 11 million arguments: 0.005% one ulp apart, none
// more). A table of 2^(i/32), as glibc uses, would need a gather, which cost a third of the time.
// Special cases as glibc: below log(2^-150) → 0, above log(2^128) → ∞, NaN stays NaN.
static inline NJ_FMA __m256 exp8(__m256 x) {
    const float low = -0x1.9fe368p6f, high = 0x1.62e42ep6f;
    const __m256 clamped = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(high)), _mm256_set1_ps(low));
    const double ln2 = 0x1.62e42fefa39efp-1;
    const __m256d shift = _mm256_set1_pd(0x1.8p52);
    __m128 halves[2] = {_mm256_castps256_ps128(clamped), _mm256_extractf128_ps(clamped, 1)};
    __m128 results[2];
    for (int h = 0; h < 2; h++) {
        const __m256d xd = _mm256_cvtps_pd(halves[h]);
        // Adding 1.5·2^52 rounds x / ln 2 to an integer k (ties to even) held in the low bits.
        __m256d kd = _mm256_add_pd(_mm256_mul_pd(xd, _mm256_set1_pd(1 / ln2)), shift);
        const __m256i ki = _mm256_castpd_si256(kd);
        kd = _mm256_sub_pd(kd, shift);
        const __m256d r = _mm256_fnmadd_pd(kd, _mm256_set1_pd(ln2), xd);
        __m256d p = _mm256_set1_pd(1.0 / 3628800);
        const double inverse_factorials[10] = {
            1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1, 1,
        };
        for (int i = 0; i < 10; i++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inverse_factorials[i]));
        // 2^k from its bits: k + 1023 in the exponent field (k lies in [-150, 128] after clamping).
        const __m256i bits = _mm256_add_epi64(_mm256_slli_epi64(ki, 52), _mm256_set1_epi64x(1023LL << 52));
        results[h] = _mm256_cvtpd_ps(_mm256_mul_pd(p, _mm256_castsi256_pd(bits)));
    }
    __m256 y = _mm256_set_m128(results[1], results[0]);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(low), _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(x, _mm256_set1_ps(high), _CMP_GT_OQ));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static NJ_FMA void rbf_avx2(const float *x, long rows, const float *vt, long count, long features,
                            float gamma, float *out) {
    const __m256 minus_gamma = _mm256_set1_ps(-gamma);
    const long whole = count - count % 8;
    for (long i = 0; i < rows; i++) {
        const float *row = x + i * features;
        float *o = out + i * count;
        for (long v = 0; v < whole; v += 8) {
            __m256 sum = _mm256_setzero_ps();
            for (long f = 0; f < features; f++) {
                const __m256 d = _mm256_sub_ps(_mm256_set1_ps(row[f]), _mm256_loadu_ps(vt + f * count + v));
                sum = _mm256_add_ps(sum, _mm256_mul_ps(d, d));
            }
            _mm256_storeu_ps(o + v, exp8(_mm256_mul_ps(minus_gamma, sum)));
        }
        if (whole < count) {
            // The last vectors, fewer than eight: the same arithmetic on a padded lane array.
            float args[8] = {0};
            for (long v = whole; v < count; v++) {
                float sum = 0;
                for (long f = 0; f < features; f++) {
                    const float d = row[f] - vt[f * count + v];
                    sum += d * d;
                }
                args[v - whole] = -gamma * sum;
            }
            float values[8];
            _mm256_storeu_ps(values, exp8(_mm256_loadu_ps(args)));
            for (long v = whole; v < count; v++) o[v] = values[v - whole];
        }
    }
}

void nj_rbf_kernel(const float *x, long rows, const float *vt, long count, long features, float gamma,
                   float *out) {
    rbf_avx2(x, rows, vt, count, features, gamma, out);
}

#else

void nj_rbf_kernel(const float *x, long rows, const float *vt, long count, long features, float gamma,
                   float *out) {
    (void)x; (void)rows; (void)vt; (void)count; (void)features; (void)gamma; (void)out;
}

#endif
