#include "engine_kernels.h"
#include "transpose8.h"

#include <immintrin.h>
#include <stddef.h>
#include <math.h>

// Compiled for baseline x86-64 like the rest of the engine; only the functions marked with the
// target attribute use AVX2 and FMA, and they are reached only after the runtime check below.
#define NJ_FMA __attribute__((target("avx2,fma")))
#define NJ_TILE_ROWS 6
#define NJ_BLOCK_COLS 256

int nj_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#if defined(__x86_64__)

// Lanes j < width of a 16-column tile are live, for the ragged right edge of C.
static inline NJ_FMA __m256i lane_mask(long width, int half) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(width - 8 * half)), index);
}

#define NJ_NAME(x) x##_avx2
#define NJ_ISA NJ_FMA
#define NJ_LANES 8
#define NJ_VEC __m256
#define NJ_MASK __m256i
#define NJ_ZERO() _mm256_setzero_ps()
#define NJ_SET1(x) _mm256_set1_ps(x)
#define NJ_LOAD(p) _mm256_loadu_ps(p)
#define NJ_LOAD_MASKED(p, m) _mm256_maskload_ps(p, m)
#define NJ_STORE(p, v) _mm256_storeu_ps(p, v)
#define NJ_STORE_MASKED(p, m, v) _mm256_maskstore_ps(p, m, v)
#define NJ_MADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#define NJ_MUL(a, b) _mm256_mul_ps(a, b)
#define NJ_ADD(a, b) _mm256_add_ps(a, b)
#define NJ_RELU(v) _mm256_andnot_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LE_OQ), v)
#define NJ_MASK_FOR(width, half) lane_mask(width, half)
#include "sgemm_tiles.h"
#undef NJ_NAME
#undef NJ_ISA
#undef NJ_LANES
#undef NJ_VEC
#undef NJ_MASK
#undef NJ_ZERO
#undef NJ_SET1
#undef NJ_LOAD
#undef NJ_LOAD_MASKED
#undef NJ_STORE
#undef NJ_STORE_MASKED
#undef NJ_MADD
#undef NJ_MUL
#undef NJ_ADD
#undef NJ_RELU
#undef NJ_MASK_FOR

// A narrow C (fewer than 8 columns: a regression's or classifier's last layer, an SVM's decision
// function) would waste most lanes of a column tile, so here the lanes run along rows of C instead:
// 8 rows at a time, A's columns turned into lanes by in-register transposes of 8 × 8 blocks (copying
// them one float at a time cost more than the FMAs). Each output is still one FMA chain over k in order.
static inline __attribute__((always_inline)) NJ_FMA void narrow_tile(
    int cols, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
    long p0, long p1, float alpha, int overwrite, const float *bias, int relu) {
    __m256 acc[7];
    for (int j = 0; j < cols; j++) acc[j] = _mm256_setzero_ps();
    nj_transposed_fma(a, lda, b, ldb, p0, p1, cols, acc);
    float lanes[8];
    for (int j = 0; j < cols; j++) {
        _mm256_storeu_ps(lanes, acc[j]);
        for (int r = 0; r < 8; r++) {
            float *out = c + r * ldc + j;
            float v = overwrite ? (alpha == 1.0f ? lanes[r] : lanes[r] * alpha) : fmaf(lanes[r], alpha, *out);
            if (bias) v += bias[j];
            *out = relu && v <= 0.0f ? 0.0f : v;
        }
    }
}

// One output at a time: the rows left over below the last 8 of a narrow C.
static NJ_FMA void scalar_block(const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                                long rows, long cols, long p0, long p1, float alpha, int overwrite,
                                const float *bias, int relu) {
    for (long i = 0; i < rows; i++) {
        for (long j = 0; j < cols; j++) {
            float acc = 0;
            for (long p = p0; p < p1; p++) acc = fmaf(a[i * lda + p], b[p * ldb + j], acc);
            float *out = c + i * ldc + j;
            float v = overwrite ? (alpha == 1.0f ? acc : acc * alpha) : fmaf(acc, alpha, *out);
            if (bias) v += bias[j];
            *out = relu && v <= 0.0f ? 0.0f : v;
        }
    }
}

static NJ_FMA void narrow(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                          float alpha, int accumulate, const float *bias, int relu) {
    for (long p0 = 0; p0 < k || (p0 == 0 && !accumulate); p0 += kc) {
        long p1 = p0 + kc < k ? p0 + kc : k;
        int overwrite = p0 == 0 && !accumulate;
        // The epilogue belongs to the last chunk only.
        const float *bl = p1 >= k ? bias : NULL;
        int rl = p1 >= k && relu;
        long i = 0;
        for (; i + 8 <= m; i += 8) {
            const float *ai = a + i * k;
            float *ci = c + i * n;
            switch (n) {
            case 1: narrow_tile(1, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            case 2: narrow_tile(2, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            case 3: narrow_tile(3, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            case 4: narrow_tile(4, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            case 5: narrow_tile(5, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            case 6: narrow_tile(6, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            default: narrow_tile(7, ai, k, b, n, ci, n, p0, p1, alpha, overwrite, bl, rl); break;
            }
        }
        scalar_block(a + i * k, k, b, n, c + i * n, n, m - i, n, p0, p1, alpha, overwrite, bl, rl);
    }
}

// The same tiles 32 columns wide in AVX-512 registers, where the CPU has them: the rounding is the
// AVX2 tiles' (one FMA per term, in order), only twice as many outputs per instruction.
#define NJ_AVX512 __attribute__((target("avx512f")))

static inline NJ_AVX512 __mmask16 lane_mask16(long width, int half) {
    long live = width - 16 * half;
    return live >= 16 ? (__mmask16)0xffff : live <= 0 ? (__mmask16)0 : (__mmask16)((1u << live) - 1);
}

#define NJ_NAME(x) x##_avx512
#define NJ_ISA NJ_AVX512
#define NJ_LANES 16
#define NJ_VEC __m512
#define NJ_MASK __mmask16
#define NJ_ZERO() _mm512_setzero_ps()
#define NJ_SET1(x) _mm512_set1_ps(x)
#define NJ_LOAD(p) _mm512_loadu_ps(p)
#define NJ_LOAD_MASKED(p, m) _mm512_maskz_loadu_ps(m, p)
#define NJ_STORE(p, v) _mm512_storeu_ps(p, v)
#define NJ_STORE_MASKED(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define NJ_MADD(a, b, c) _mm512_fmadd_ps(a, b, c)
#define NJ_MUL(a, b) _mm512_mul_ps(a, b)
#define NJ_ADD(a, b) _mm512_add_ps(a, b)
#define NJ_RELU(v) _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NLE_UQ), v)
#define NJ_MASK_FOR(width, half) lane_mask16(width, half)
#include "sgemm_tiles.h"

NJ_FMA void nj_sgemm_fma_bias_relu(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                                   float alpha, int accumulate, const float *bias, int relu) {
    if (kc < 1) kc = 1;
    if (n < 8 && m >= 8) narrow(a, b, c, m, n, k, kc, alpha, accumulate, bias, relu);
    else if (n >= 16 && __builtin_cpu_supports("avx512f")) blocked_avx512(a, b, c, m, n, k, kc, alpha, accumulate, bias, relu);
    else blocked_avx2(a, b, c, m, n, k, kc, alpha, accumulate, bias, relu);
}

void nj_sgemm_fma(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                  float alpha, int accumulate) {
    nj_sgemm_fma_bias_relu(a, b, c, m, n, k, kc, alpha, accumulate, NULL, 0);
}

#else

void nj_sgemm_fma(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                  float alpha, int accumulate) {
    (void)a; (void)b; (void)c; (void)m; (void)n; (void)k; (void)kc; (void)alpha; (void)accumulate;
}

void nj_sgemm_fma_bias_relu(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                            float alpha, int accumulate, const float *bias, int relu) {
    (void)a; (void)b; (void)c; (void)m; (void)n; (void)k; (void)kc; (void)alpha; (void)accumulate;
    (void)bias; (void)relu;
}

#endif
