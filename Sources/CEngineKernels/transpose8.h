// Eight rows of a row-major matrix read as columns, for kernels whose lanes run along rows of C
// (the GEMM's narrow path in sgemm_fma.c, the linear models' scores in linear_models.c).
#ifndef NIGHTJAR_TRANSPOSE8_H
#define NIGHTJAR_TRANSPOSE8_H

#include <immintrin.h>

// Eight rows of A, columns p0 .. p0+7 (fewer at the end of a row, the rest zero), turned so that
// out[q] holds column p0+q of all eight rows: the standard 8 × 8 transpose in registers.
static inline __attribute__((always_inline, target("avx2,fma"))) void nj_load_transposed8(const float *a, long lda, long width, __m256 out[8]) {
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

// acc[j] += A's eight rows at column q × B[q][j] for q in p0 ..< p1 and j < cols, eight columns of
// A turned at a time: the FMA chain over k of the GEMM's narrow path and the linear scores, in
// one place so the two keep the same order and bits. Inlined with a constant `cols`, `acc` stays
// in registers.
static inline __attribute__((always_inline, target("avx2,fma"))) void nj_transposed_fma(
    const float *a, long lda, const float *b, long ldb, long p0, long p1, int cols, __m256 *acc) {
    for (long q0 = p0; q0 < p1; q0 += 8) {
        long width = p1 - q0 < 8 ? p1 - q0 : 8;
        __m256 col[8];
        nj_load_transposed8(a + q0, lda, width, col);
        for (long q = 0; q < width; q++) {
            const float *brow = b + (q0 + q) * ldb;
            for (int j = 0; j < cols; j++) acc[j] = _mm256_fmadd_ps(col[q], _mm256_broadcast_ss(brow + j), acc[j]);
        }
    }
}

// Eight planes of `plane_in` values each, `plane_in` apart from src, turned so that lanes[j * 8 + l]
// is value j of plane l: how the kernels that run eight small planes per vector (pooling,
// depthwise Conv) read them.
static inline __attribute__((always_inline, target("avx2,fma"))) void nj_load_planes_as_lanes8(
    const float *src, long plane_in, float *lanes) {
    for (long j0 = 0; j0 < plane_in; j0 += 8) {
        const long width = plane_in - j0 < 8 ? plane_in - j0 : 8;
        __m256 column[8];
        nj_load_transposed8(src + j0, plane_in, width, column);
        for (long q = 0; q < width; q++) _mm256_storeu_ps(lanes + (j0 + q) * 8, column[q]);
    }
}

// Eight planes of `outputs` values computed lane by lane (value o of plane l at lanes[o * 8 + l]),
// written to dst plane after plane: how the kernels that run eight small planes per vector
// (pooling, depthwise Conv) hand their results back.
static inline __attribute__((always_inline, target("avx2,fma"))) void nj_store_lanes_as_planes8(
    const float *lanes, long outputs, float *dst) {
    long o0 = 0;
    for (; o0 + 8 <= outputs; o0 += 8) {
        __m256 plane[8];
        nj_load_transposed8(lanes + o0 * 8, 8, 8, plane);
        for (int l = 0; l < 8; l++) _mm256_storeu_ps(dst + l * outputs + o0, plane[l]);
    }
    for (; o0 < outputs; o0++)
        for (int l = 0; l < 8; l++) dst[l * outputs + o0] = lanes[o0 * 8 + l];
}

#endif
