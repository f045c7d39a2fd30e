#include "engine_kernels.h"

#include <immintrin.h>

#include "padded_images.h"

#if defined(__x86_64__)

// A Conv whose output plane is 4 × 4 (a late layer): unfolded for the GEMM, its im2col matrix,
// the GEMM's packing of it and the scatter of the product cost more than the product. With
// AVX-512 one vector holds a filter's whole plane: each image's taps are unfolded once into `col`
// (k rows of 16, in L1), then each filter's sums read one vector per tap. Each output is one
// chain of fused multiply-adds over k = (channel, ky, kx) in order from zero, the padding's taps
// adding w · 0 — the GEMM's bits when k is one chunk, which Conv.swift checks — then the bias and
// Relu as in `nj_scatter_bias_relu`. (Without AVX-512, two rows per 8-lane vector lost to im2col.)

// Output rows oy and oy + 1 of one tap side by side (`row` is oy's, `row_step` apart): four
// columns each, stride 1 or 2.
static inline __attribute__((always_inline)) NJ_AVX2 __m256 two_rows(const float *row, long row_step, long stride_w) {
    const __m256 a = _mm256_loadu2_m128(row + row_step, row);
    if (stride_w == 1) return a;
    return _mm256_shuffle_ps(a, _mm256_loadu2_m128(row + row_step + 4, row + 4), _MM_SHUFFLE(2, 0, 2, 0));
}

#define NJ_AVX512 __attribute__((target("avx512f,avx2,fma")))

// The longest k the AVX-512 path's unfolded image (on the stack) holds.
#define NJ_PLANE16_DEPTH 512

static inline __attribute__((always_inline)) NJ_AVX512 void filters_plane16(
    int count, const float *col, long depth, const float *weights, const float *bias, int relu, float *out) {
    __m512 acc[8];
    for (int f = 0; f < count; f++) acc[f] = _mm512_setzero_ps();
    for (long k = 0; k < depth; k++) {
        const __m512 v = _mm512_loadu_ps(col + k * 16);
        for (int f = 0; f < count; f++) acc[f] = _mm512_fmadd_ps(_mm512_set1_ps(weights[f * depth + k]), v, acc[f]);
    }
    for (int f = 0; f < count; f++) {
        __m512 r = acc[f];
        if (bias) r = _mm512_add_ps(r, _mm512_set1_ps(bias[f]));
        if (relu) r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps());
        _mm512_storeu_ps(out + f * 16, r);
    }
}

static NJ_AVX512 NJ_NO_MEMSET void conv2d_plane16_avx512(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, int relu, float *padded) {
    const long padded_h = 3 * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = 3 * stride_w + (kernel_w - 1) * dilation_w + 1;
    const long padded_plane = padded_h * padded_w;
    const long depth = channels * kernel_h * kernel_w, row_step = stride_h * padded_w;
    float col[NJ_PLANE16_DEPTH * 16];
    for (long i = 0; i < images; i++) {
        pad_images(x + i * image_stride, 0, 1, channels, height, width, pad_top, pad_left, padded_h, padded_w, padded);
        float *dst = col;
        for (long c = 0; c < channels; c++) {
            for (long ky = 0; ky < kernel_h; ky++) {
                const float *row = padded + c * padded_plane + ky * dilation_h * padded_w;
                for (long kx = 0; kx < kernel_w; kx++, dst += 16) {
                    const float *tap = row + kx * dilation_w;
                    _mm256_storeu_ps(dst, two_rows(tap, row_step, stride_w));
                    _mm256_storeu_ps(dst + 8, two_rows(tap + 2 * row_step, row_step, stride_w));
                }
            }
        }
        for (long f0 = 0; f0 < filters; f0 += 8) {
            const long count = filters - f0 < 8 ? filters - f0 : 8;
            const float *w = weights + f0 * depth;
            const float *b = bias ? bias + f0 : 0;
            float *o = out + i * out_image_stride + f0 * 16;
            switch (count) {
            case 8: filters_plane16(8, col, depth, w, b, relu, o); break;
            case 7: filters_plane16(7, col, depth, w, b, relu, o); break;
            case 6: filters_plane16(6, col, depth, w, b, relu, o); break;
            case 5: filters_plane16(5, col, depth, w, b, relu, o); break;
            case 4: filters_plane16(4, col, depth, w, b, relu, o); break;
            case 3: filters_plane16(3, col, depth, w, b, relu, o); break;
            case 2: filters_plane16(2, col, depth, w, b, relu, o); break;
            default: filters_plane16(1, col, depth, w, b, relu, o); break;
            }
        }
    }
}

int nj_cpu_has_avx512f(void) { return __builtin_cpu_supports("avx512f") ? 1 : 0; }

NJ_AVX512 void nj_conv2d_plane16_avx512(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, int relu, float *padded) {
    conv2d_plane16_avx512(x, image_stride, images, channels, height, width, weights, bias, filters, out, out_image_stride,
                          kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, relu, padded);
}

#else

int nj_cpu_has_avx512f(void) { return 0; }

#endif
