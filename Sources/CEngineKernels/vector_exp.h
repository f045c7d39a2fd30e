// The eight-lane exponential shared by the kernels that need e^y for y <= 0: the linear models'
// logistic (linear_models.c), Softmax (softmax.c) and erf's tail (gelu.c). Included, not linked,
// so each kernel inlines it into its own loop.
#ifndef NIGHTJAR_VECTOR_EXP_H
#define NIGHTJAR_VECTOR_EXP_H

#include <immintrin.h>

// e^y for y <= 0 (or NaN), eight lanes: Cephes' expf (2^n · a degree-6 polynomial of the remainder
// after subtracting n·ln 2 in two parts), within about 2 ulp of libm's expf. Below -87 the input is
// clamped so 2^n stays a normal float; the result there is under 2e-38 either way.
static inline __attribute__((always_inline, target("avx2,fma"))) __m256 nj_exp_nonpositive(__m256 y) {
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

// The same, but 0 where e^y is below the smallest normal float (y < ln 2^-126, -inf included),
// where the clamp above would leave about 1.6e-38: a masked attention score must weigh nothing.
static inline __attribute__((always_inline, target("avx2,fma"))) __m256 nj_exp_nonpositive_flushed(__m256 y) {
    // Not-less-than, unordered: NaN keeps its lane.
    __m256 normal = _mm256_cmp_ps(y, _mm256_set1_ps(-87.33654475f), _CMP_NLT_UQ);
    return _mm256_and_ps(nj_exp_nonpositive(y), normal);
}

#endif
