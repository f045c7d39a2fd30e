// LayerNormalization over contiguous rows (LayerNormalizationKernel in Normalization.swift).
#include <immintrin.h>
#include <math.h>
#include "engine_kernels.h"

#define NJ_FMA __attribute__((target("avx2,fma")))

// Four floats widened to double.
static inline __attribute__((always_inline)) NJ_FMA __m256d widen4(const float *p) {
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
}

static inline __attribute__((always_inline)) NJ_FMA double sum4(__m256d v) {
    __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

NJ_FMA void nj_layer_norm_fma(const float *x, float *out, long rows, long size, const float *scale,
                              const float *bias, double epsilon, float *means, float *inverse) {
    for (long r = 0; r < rows; r++) {
        const float *src = x + r * size;
        float *dst = out + r * size;
        // Sums in double, as before, but in two four-lane accumulators each: one dependent chain of
        // additions per row was most of the kernel's time. The order is fixed by the row's length
        // alone, so a row gives the same bits in any batch.
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        __m256d q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd();
        long i = 0;
        for (; i + 8 <= size; i += 8) {
            __m256d a = widen4(src + i), b = widen4(src + i + 4);
            s0 = _mm256_add_pd(s0, a);
            s1 = _mm256_add_pd(s1, b);
            q0 = _mm256_fmadd_pd(a, a, q0);
            q1 = _mm256_fmadd_pd(b, b, q1);
        }
        double sum = sum4(_mm256_add_pd(s0, s1)), squares = sum4(_mm256_add_pd(q0, q1));
        for (; i < size; i++) {
            double v = src[i];
            sum += v;
            squares = fma(v, v, squares);
        }
        double mean = sum / (double)size;
        double variance = squares / (double)size - mean * mean;
        double deviation = sqrt((variance > 0 ? variance : 0) + epsilon);
        // One division per row; each element is then multiplied by the reciprocal.
        double inv = 1 / deviation;
        __m256d m4 = _mm256_set1_pd(mean), inv4 = _mm256_set1_pd(inv);
        i = 0;
        for (; i + 4 <= size; i += 4) {
            __m256d v = _mm256_mul_pd(_mm256_sub_pd(widen4(src + i), m4), inv4);
            v = bias ? _mm256_fmadd_pd(v, widen4(scale + i), widen4(bias + i)) : _mm256_mul_pd(v, widen4(scale + i));
            _mm_storeu_ps(dst + i, _mm256_cvtpd_ps(v));
        }
        for (; i < size; i++) {
            double v = ((double)src[i] - mean) * inv;
            dst[i] = (float)(bias ? fma(v, (double)scale[i], (double)bias[i]) : v * (double)scale[i]);
        }
        means[r] = (float)mean;
        inverse[r] = (float)inv;
    }
}
