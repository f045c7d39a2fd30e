#include "engine_kernels.h"

#include <immintrin.h>
#include <math.h>

// Compiled for baseline x86-64 like the rest of the engine; only the functions marked with the
// target attribute use AVX2 and FMA, and they are reached only after the runtime check below.
#define NJ_FMA __attribute__((target("avx2,fma")))
#define NJ_TILE_ROWS 6
#define NJ_TILE_COLS 16
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

// One tile of `rows` × 16 outputs over k in [p0, p1): the accumulators start at zero and take
// one FMA per term in order, so every output rounds as a scalar FMA chain would. `rows` is a
// constant at every call site, which lets the compiler keep the tile in registers.
static inline __attribute__((always_inline)) NJ_FMA void tile(
    int rows, int ragged, long width, const float *a, long lda, const float *b, long ldb,
    float *c, long ldc, long p0, long p1, float alpha, int overwrite) {
    __m256 acc[NJ_TILE_ROWS][2];
    __m256i m0 = _mm256_setzero_si256(), m1 = _mm256_setzero_si256();
    if (ragged) {
        m0 = lane_mask(width, 0);
        m1 = lane_mask(width, 1);
    }
    for (int r = 0; r < rows; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (long p = p0; p < p1; p++) {
        const float *brow = b + p * ldb;
        __m256 b0, b1;
        if (ragged) {
            b0 = _mm256_maskload_ps(brow, m0);
            b1 = _mm256_maskload_ps(brow + 8, m1);
        } else {
            b0 = _mm256_loadu_ps(brow);
            b1 = _mm256_loadu_ps(brow + 8);
        }
        for (int r = 0; r < rows; r++) {
            __m256 x = _mm256_broadcast_ss(a + r * lda + p);
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    // As MLAS: the first chunk overwrites C unless accumulating; later chunks and accumulation
    // add `alpha · chunk` to C in one rounding.
    const __m256 al = _mm256_set1_ps(alpha);
    for (int r = 0; r < rows; r++) {
        float *crow = c + r * ldc;
        for (int h = 0; h < 2; h++) {
            __m256 v = acc[r][h];
            __m256i mask = h == 0 ? m0 : m1;
            if (overwrite) {
                if (alpha != 1.0f) v = _mm256_mul_ps(v, al);
            } else {
                __m256 old = ragged ? _mm256_maskload_ps(crow + 8 * h, mask) : _mm256_loadu_ps(crow + 8 * h);
                v = _mm256_fmadd_ps(v, al, old);
            }
            if (ragged) _mm256_maskstore_ps(crow + 8 * h, mask, v);
            else _mm256_storeu_ps(crow + 8 * h, v);
        }
    }
}

// Rows of one column tile: full groups of six, then the remainder with its own constant count.
static inline __attribute__((always_inline)) NJ_FMA void tile_column(
    int ragged, long width, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
    long m, long p0, long p1, float alpha, int overwrite) {
    long i = 0;
    for (; i + NJ_TILE_ROWS <= m; i += NJ_TILE_ROWS)
        tile(NJ_TILE_ROWS, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite);
    switch (m - i) {
    case 5: tile(5, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 4: tile(4, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 3: tile(3, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 2: tile(2, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 1: tile(1, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    default: break;
    }
}

// A narrow C (fewer than 8 columns: a regression's or classifier's last layer, an SVM's decision
// function) would waste most lanes of a column tile, so here the lanes run along rows of C instead:
// 16 rows at a time, A's columns copied into lanes 64 terms at a time. Each output is still one FMA chain over k in order.
static inline __attribute__((always_inline)) NJ_FMA void narrow_tile(
    int cols, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
    long p0, long p1, float alpha, int overwrite) {
    __m256 acc[8][2];
    for (int j = 0; j < cols; j++) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
    float packed[64 * 16];
    for (long q0 = p0; q0 < p1; q0 += 64) {
        long q1 = q0 + 64 < p1 ? q0 + 64 : p1;
        for (int r = 0; r < 16; r++) {
            const float *arow = a + r * lda;
            for (long p = q0; p < q1; p++) packed[(p - q0) * 16 + r] = arow[p];
        }
        for (long p = q0; p < q1; p++) {
            __m256 x0 = _mm256_loadu_ps(packed + (p - q0) * 16);
            __m256 x1 = _mm256_loadu_ps(packed + (p - q0) * 16 + 8);
            const float *brow = b + p * ldb;
            for (int j = 0; j < cols; j++) {
                __m256 y = _mm256_broadcast_ss(brow + j);
                acc[j][0] = _mm256_fmadd_ps(x0, y, acc[j][0]);
                acc[j][1] = _mm256_fmadd_ps(x1, y, acc[j][1]);
            }
        }
    }
    float lanes[16];
    for (int j = 0; j < cols; j++) {
        _mm256_storeu_ps(lanes, acc[j][0]);
        _mm256_storeu_ps(lanes + 8, acc[j][1]);
        for (int r = 0; r < 16; r++) {
            float *out = c + r * ldc + j;
            *out = overwrite ? (alpha == 1.0f ? lanes[r] : lanes[r] * alpha) : fmaf(lanes[r], alpha, *out);
        }
    }
}

// One output at a time: the rows left over below the last 16 of a narrow C.
static NJ_FMA void scalar_block(const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                                long rows, long cols, long p0, long p1, float alpha, int overwrite) {
    for (long i = 0; i < rows; i++) {
        for (long j = 0; j < cols; j++) {
            float acc = 0;
            for (long p = p0; p < p1; p++) acc = fmaf(a[i * lda + p], b[p * ldb + j], acc);
            float *out = c + i * ldc + j;
            *out = overwrite ? (alpha == 1.0f ? acc : acc * alpha) : fmaf(acc, alpha, *out);
        }
    }
}

static NJ_FMA void narrow(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                          float alpha, int accumulate) {
    for (long p0 = 0; p0 < k || (p0 == 0 && !accumulate); p0 += kc) {
        long p1 = p0 + kc < k ? p0 + kc : k;
        int overwrite = p0 == 0 && !accumulate;
        long i = 0;
        for (; i + 16 <= m; i += 16) {
            const float *ai = a + i * k;
            float *ci = c + i * n;
            switch (n) {
            case 1: narrow_tile(1, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            case 2: narrow_tile(2, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            case 3: narrow_tile(3, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            case 4: narrow_tile(4, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            case 5: narrow_tile(5, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            case 6: narrow_tile(6, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            default: narrow_tile(7, ai, k, b, n, ci, n, p0, p1, alpha, overwrite); break;
            }
        }
        scalar_block(a + i * k, k, b, n, c + i * n, n, m - i, n, p0, p1, alpha, overwrite);
    }
}

// The same tiles 32 columns wide in AVX-512 registers, where the CPU has them: the rounding is the
// AVX2 tile's (one FMA per term, in order), only twice as many outputs per instruction.
#define NJ_AVX512 __attribute__((target("avx512f")))

static inline __attribute__((always_inline)) NJ_AVX512 void wide_tile(
    int rows, int ragged, long width, const float *a, long lda, const float *b, long ldb,
    float *c, long ldc, long p0, long p1, float alpha, int overwrite) {
    __m512 acc[NJ_TILE_ROWS][2];
    __mmask16 m0 = 0xffff, m1 = 0xffff;
    if (ragged) {
        m0 = width >= 16 ? 0xffff : (__mmask16)((1u << width) - 1);
        m1 = width >= 32 ? 0xffff : width <= 16 ? 0 : (__mmask16)((1u << (width - 16)) - 1);
    }
    for (int r = 0; r < rows; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (long p = p0; p < p1; p++) {
        const float *brow = b + p * ldb;
        __m512 b0, b1;
        if (ragged) {
            b0 = _mm512_maskz_loadu_ps(m0, brow);
            b1 = _mm512_maskz_loadu_ps(m1, brow + 16);
        } else {
            b0 = _mm512_loadu_ps(brow);
            b1 = _mm512_loadu_ps(brow + 16);
        }
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(a[r * lda + p]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    const __m512 al = _mm512_set1_ps(alpha);
    for (int r = 0; r < rows; r++) {
        float *crow = c + r * ldc;
        for (int h = 0; h < 2; h++) {
            __m512 v = acc[r][h];
            __mmask16 mask = h == 0 ? m0 : m1;
            if (overwrite) {
                if (alpha != 1.0f) v = _mm512_mul_ps(v, al);
            } else {
                v = _mm512_fmadd_ps(v, al, _mm512_maskz_loadu_ps(mask, crow + 16 * h));
            }
            _mm512_mask_storeu_ps(crow + 16 * h, mask, v);
        }
    }
}

static inline __attribute__((always_inline)) NJ_AVX512 void wide_column(
    int ragged, long width, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
    long m, long p0, long p1, float alpha, int overwrite) {
    long i = 0;
    for (; i + NJ_TILE_ROWS <= m; i += NJ_TILE_ROWS)
        wide_tile(NJ_TILE_ROWS, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite);
    switch (m - i) {
    case 5: wide_tile(5, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 4: wide_tile(4, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 3: wide_tile(3, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 2: wide_tile(2, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    case 1: wide_tile(1, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite); break;
    default: break;
    }
}

static NJ_AVX512 void wide(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                           float alpha, int accumulate) {
    for (long j0 = 0; j0 < n; j0 += NJ_BLOCK_COLS) {
        long j1 = j0 + NJ_BLOCK_COLS < n ? j0 + NJ_BLOCK_COLS : n;
        for (long p0 = 0; p0 < k || (p0 == 0 && !accumulate); p0 += kc) {
            long p1 = p0 + kc < k ? p0 + kc : k;
            int overwrite = p0 == 0 && !accumulate;
            long j = j0;
            for (; j + 32 <= j1; j += 32)
                wide_column(0, 32, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite);
            if (j < j1)
                wide_column(1, j1 - j, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite);
        }
    }
}

NJ_FMA void nj_sgemm_fma(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                         float alpha, int accumulate) {
    if (kc < 1) kc = 1;
    if (n < 8 && m >= 16) {
        narrow(a, b, c, m, n, k, kc, alpha, accumulate);
        return;
    }
    if (n >= 16 && __builtin_cpu_supports("avx512f")) {
        wide(a, b, c, m, n, k, kc, alpha, accumulate);
        return;
    }
    for (long j0 = 0; j0 < n; j0 += NJ_BLOCK_COLS) {
        long j1 = j0 + NJ_BLOCK_COLS < n ? j0 + NJ_BLOCK_COLS : n;
        // k == 0 still writes C (zeros, or leaves it) once, as the portable kernel does.
        for (long p0 = 0; p0 < k || (p0 == 0 && !accumulate); p0 += kc) {
            long p1 = p0 + kc < k ? p0 + kc : k;
            int overwrite = p0 == 0 && !accumulate;
            long j = j0;
            for (; j + NJ_TILE_COLS <= j1; j += NJ_TILE_COLS)
                tile_column(0, NJ_TILE_COLS, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite);
            if (j < j1)
                tile_column(1, j1 - j, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite);
        }
    }
}

#else

void nj_sgemm_fma(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                  float alpha, int accumulate) {
    (void)a; (void)b; (void)c; (void)m; (void)n; (void)k; (void)kc; (void)alpha; (void)accumulate;
}

#endif
