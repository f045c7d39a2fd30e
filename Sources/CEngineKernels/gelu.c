// Gelu with erf (GeluKernel in Elementwise.swift) and erf on its own (the Erf operator).
#include <immintrin.h>
#include "engine_kernels.h"
#include "vector_exp.h"

#define NJ_FMA __attribute__((target("avx2,fma")))

// erf(x), eight lanes, within about 2.3 ulp of the true value (libm's erff is within 1): below
// |x| = 0.921875 as x · P(x²), above as 1 − e^Q(|x|) with Q ≈ log erfc, and 1 from |x| = 3.925 on,
// where erfc is under half an ulp of 1. The coefficients are least-squares fits on Chebyshev nodes
// (P degree 6 for relative error, Q degree 8), made for this kernel with numpy and scipy's erf.
static inline __attribute__((always_inline)) NJ_FMA __m256 erf8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    __m256 t = _mm256_mul_ps(a, a);
    __m256 p = _mm256_set1_ps(8.365008398e-05f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-8.141394937e-04f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(5.200905725e-03f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-2.685934119e-02f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.128369421e-01f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-3.761263490e-01f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.128379226e+00f));
    __m256 small = _mm256_mul_ps(p, a);
    __m256 c = _mm256_min_ps(a, _mm256_set1_ps(3.925f));
    __m256 q = _mm256_set1_ps(1.635537842e-06f);
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(-4.599255044e-05f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(5.959674600e-04f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(-4.754320253e-03f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(2.640229836e-02f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(-1.100401580e-01f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(-6.318756342e-01f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(-1.130200267e+00f));
    q = _mm256_fmadd_ps(q, c, _mm256_set1_ps(3.109346726e-04f));
    __m256 big = _mm256_sub_ps(_mm256_set1_ps(1.0f), nj_exp_nonpositive(q));
    __m256 r = _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.921875f), _CMP_LE_OQ));
    r = _mm256_or_ps(r, _mm256_and_ps(sign, x));
    // NaN in, NaN out (the min above would have turned it into 3.925).
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// 0.5 · x · (1 + erf(x / √2)), in the order GeluKernel's scalar code multiplies.
static inline __attribute__((always_inline)) NJ_FMA __m256 gelu8(__m256 x) {
    __m256 e = erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

// The tail goes through the same lanes as the body, so a value does not depend on its position.
#define NJ_MAP8(f, x, out, count)                                                        \
    do {                                                                                 \
        long i = 0;                                                                      \
        for (; i + 8 <= (count); i += 8) _mm256_storeu_ps((out) + i, f(_mm256_loadu_ps((x) + i))); \
        if (i < (count)) {                                                               \
            float lanes[8] = {0};                                                        \
            for (long j = i; j < (count); j++) lanes[j - i] = (x)[j];                    \
            _mm256_storeu_ps(lanes, f(_mm256_loadu_ps(lanes)));                          \
            for (long j = i; j < (count); j++) (out)[j] = lanes[j - i];                  \
        }                                                                                \
    } while (0)

NJ_FMA void nj_gelu_erf_fma(const float *x, float *out, long count) { NJ_MAP8(gelu8, x, out, count); }

NJ_FMA void nj_erf_fma(const float *x, float *out, long count) { NJ_MAP8(erf8, x, out, count); }
