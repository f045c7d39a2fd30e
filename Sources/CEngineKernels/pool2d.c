#include "engine_kernels.h"

#include <float.h>
#include <immintrin.h>

#include "transpose8.h"

// MaxPool and AveragePool over two spatial axes, plane by plane (Pool.swift). Which input rows and
// columns each output's window reads inside the input is resolved once per run, so the loops here
// do no window arithmetic. Every output reads its taps in order (rows, then columns within a row):
// a max keeps the first tap until a strictly larger one comes (so ties and a NaN first tap stay
// as onnxruntime leaves them), a sum adds from zero in that order, then divides.

// A window's few taps: vectorized, a loop this short spends more in its checks and remainders.
#define NJ_SHORT_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")

// One output from its list of taps (offsets within the plane, in the window's order).
static inline __attribute__((always_inline)) float pool_one(const float *plane, const long *taps, long count,
                                                            const float *divisor) {
    if (divisor) {
        float sum = 0.0f;
        NJ_SHORT_LOOP
        for (long t = 0; t < count; t++) sum += plane[taps[t]];
        return sum / *divisor;
    }
    if (count <= 0) return -FLT_MAX;
    float best = plane[taps[0]];
    NJ_SHORT_LOOP
    for (long t = 1; t < count; t++) {
        const float v = plane[taps[t]];
        best = v > best ? v : best;
    }
    return best;
}

void nj_pool2d(const float *x, float *out, long planes, long height, long width, long out_h, long out_w,
               const long *tap_start, const long *taps, const float *divisors) {
    const long outputs = out_h * out_w;
    for (long p = 0; p < planes; p++) {
        const float *plane = x + p * height * width;
        float *dst = out + p * outputs;
        for (long o = 0; o < outputs; o++)
            dst[o] = pool_one(plane, taps + tap_start[o], tap_start[o + 1] - tap_start[o], divisors ? divisors + o : 0);
    }
}

#if defined(__x86_64__)

#define NJ_AVX2 __attribute__((target("avx2,fma")))

// Eight outputs' taps at column offset `x` of `row`, outputs `stride` columns apart (1 or 2).
static inline __attribute__((always_inline)) NJ_AVX2 __m256 taps8(const float *row, long stride) {
    if (stride == 1) return _mm256_loadu_ps(row);
    const __m256 evens = _mm256_shuffle_ps(_mm256_loadu_ps(row), _mm256_loadu_ps(row + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
}

// `nj_pool2d`, with the interior columns [inner_first, inner_end) — whose windows lie wholly
// inside the input, `kernel_w` taps each — done eight outputs per vector when the column stride
// is 1 or 2 and the loads stay inside x. Lane by lane the same taps, order and operations.
NJ_AVX2 void nj_pool2d_avx2(const float *x, float *out, long planes, long height, long width, long out_h, long out_w,
                            const long *tap_start, const long *taps, const float *divisors,
                            const long *row_first, const long *row_taps, const long *col_first, long dilation_h, long dilation_w,
                            long inner_first, long inner_end, long kernel_w, long stride_w) {
    const float *x_end = x + planes * height * width;
    const long reach = stride_w == 1 ? 8 : 16;  // elements one vector load of taps touches
    const int vectors = stride_w == 1 || stride_w == 2;
    for (long p = 0; p < planes; p++) {
        const float *plane = x + p * height * width;
        float *dst = out + p * out_h * out_w;
        for (long oy = 0; oy < out_h; oy++) {
            const long y = row_first[oy], rows = row_taps[oy];
            float *line = dst + oy * out_w;
            long ox = 0;
            for (; ox < inner_first; ox++)
                line[ox] = pool_one(plane, taps + tap_start[oy * out_w + ox],
                                    tap_start[oy * out_w + ox + 1] - tap_start[oy * out_w + ox],
                                    divisors ? divisors + oy * out_w + ox : 0);
            if (vectors && rows > 0) {
                const float *last_row = plane + (y + (rows - 1) * dilation_h) * width + (kernel_w - 1) * dilation_w;
                for (; ox + 8 <= inner_end && last_row + col_first[ox] + reach <= x_end; ox += 8) {
                    const float *corner = plane + y * width + col_first[ox];
                    __m256 acc;
                    if (divisors) {
                        acc = _mm256_setzero_ps();
                        for (long ky = 0; ky < rows; ky++)
                            for (long kx = 0; kx < kernel_w; kx++)
                                acc = _mm256_add_ps(acc, taps8(corner + ky * dilation_h * width + kx * dilation_w, stride_w));
                        acc = _mm256_div_ps(acc, _mm256_loadu_ps(divisors + oy * out_w + ox));
                    } else {
                        acc = taps8(corner, stride_w);
                        for (long ky = 0; ky < rows; ky++) {
                            for (long kx = ky == 0 ? 1 : 0; kx < kernel_w; kx++) {
                                const __m256 v = taps8(corner + ky * dilation_h * width + kx * dilation_w, stride_w);
                                acc = _mm256_blendv_ps(acc, v, _mm256_cmp_ps(v, acc, _CMP_GT_OQ));
                            }
                        }
                    }
                    _mm256_storeu_ps(line + ox, acc);
                }
            }
            for (; ox < out_w; ox++)
                line[ox] = pool_one(plane, taps + tap_start[oy * out_w + ox],
                                    tap_start[oy * out_w + ox + 1] - tap_start[oy * out_w + ox],
                                    divisors ? divisors + oy * out_w + ox : 0);
        }
    }
}

// `nj_pool2d` eight planes at a time, for output rows too short to fill a vector (a late layer's
// 4 × 4 plane): the eight planes are turned so that one vector holds the same position of each,
// pooled output by output with the tap lists lane by lane as `pool_one` does (the same taps,
// order and operations: `_mm256_max_ps(v, best)` is `v > best ? v : best`), and turned back.
NJ_AVX2 void nj_pool2d_planes8(const float *x, float *out, long planes, long plane_in, long outputs,
                               const long *tap_start, const long *taps, const float *divisors, float *scratch) {
    float *lanes_in = scratch, *lanes_out = scratch + 8 * plane_in;
    long p = 0;
    for (; p + 8 <= planes; p += 8) {
        nj_load_planes_as_lanes8(x + p * plane_in, plane_in, lanes_in);
        for (long o = 0; o < outputs; o++) {
            const long *t = taps + tap_start[o];
            const long count = tap_start[o + 1] - tap_start[o];
            __m256 acc;
            if (divisors) {
                acc = _mm256_setzero_ps();
                NJ_SHORT_LOOP
                for (long k = 0; k < count; k++) acc = _mm256_add_ps(acc, _mm256_loadu_ps(lanes_in + t[k] * 8));
                acc = _mm256_div_ps(acc, _mm256_set1_ps(divisors[o]));
            } else if (count <= 0) {
                acc = _mm256_set1_ps(-FLT_MAX);
            } else {
                acc = _mm256_loadu_ps(lanes_in + t[0] * 8);
                NJ_SHORT_LOOP
                for (long k = 1; k < count; k++) acc = _mm256_max_ps(_mm256_loadu_ps(lanes_in + t[k] * 8), acc);
            }
            _mm256_storeu_ps(lanes_out + o * 8, acc);
        }
        nj_store_lanes_as_planes8(lanes_out, outputs, out + p * outputs);
    }
    if (p < planes)
        nj_pool2d(x + p * plane_in, out + p * outputs, planes - p, plane_in, 1, outputs, 1, tap_start, taps, divisors);
}

#else

void nj_pool2d_avx2(const float *x, float *out, long planes, long height, long width, long out_h, long out_w,
                    const long *tap_start, const long *taps, const float *divisors,
                    const long *row_first, const long *row_taps, const long *col_first, long dilation_h, long dilation_w,
                    long inner_first, long inner_end, long kernel_w, long stride_w) {
    nj_pool2d(x, out, planes, height, width, out_h, out_w, tap_start, taps, divisors);
}

void nj_pool2d_planes8(const float *x, float *out, long planes, long plane_in, long outputs,
                       const long *tap_start, const long *taps, const float *divisors, float *scratch) {
    (void)scratch;
    nj_pool2d(x, out, planes, plane_in, 1, outputs, 1, tap_start, taps, divisors);
}

#endif
