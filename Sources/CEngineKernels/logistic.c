#include <immintrin.h>
#include "engine_kernels.h"

#define NJ_FMA __attribute__((target("avx2,fma")))

// e^y for y <= 0 (or NaN), eight lanes: Cephes' expf (2^n · a degree-6 polynomial of the remainder
// after subtracting n·ln 2 in two parts), within about 2 ulp of libm's expf. Below -87 the input is
// clamped so 2^n stays a normal float; the result there is under 2e-38 either way.
static inline __attribute__((always_inline)) NJ_FMA __m256 exp_nonpositive(__m256 y) {
    // max_ps returns its second operand when either is NaN, so NaN passes through.
    y = _mm256_max_ps(_mm256_set1_ps(-87.0f), y);
    __m256 n = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), y);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 e = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(e, _mm256_castsi256_ps(bits));
}

// The engine's sigmoid (PostTransform.sigmoid): e = e^-|x|, then 1 / (1 + e) for x >= 0 and
// e / (1 + e) below, both computed and one picked per lane, so no branch on the score's sign.
static inline __attribute__((always_inline)) NJ_FMA __m256 logistic8(__m256 x) {
    __m256 negAbs = _mm256_or_ps(x, _mm256_set1_ps(-0.0f));
    __m256 e = exp_nonpositive(negAbs);
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
