#include "engine_kernels.h"

#include <immintrin.h>

#include "padded_images.h"

#if defined(__x86_64__)

// A Conv whose output rows are 4 columns wide (a late layer's 4 × 4 plane): unfolded for the GEMM,
// its im2col matrix and the GEMM's packing of it cost more than the product. Here two output rows
// fill one vector (they lie side by side in the output), built from the padded image as the
// unfolding builds them, and up to eight filters' sums stay in registers while the taps pass. Each
// output is one chain of fused multiply-adds over k = (channel, ky, kx) in order from zero, the
// padding's taps adding w · 0 — the GEMM's bits when k is one chunk, which Conv.swift checks —
// then the bias and Relu as in `nj_scatter_bias_relu`.

// Output rows oy and oy + 1 (only oy when `two` is 0) of one tap: four columns each, stride 1 or 2.
static inline __attribute__((always_inline)) NJ_AVX2 __m256 two_rows(const float *row, long row_step, long stride_w, int two) {
    if (!two) {
        const __m128 v = stride_w == 1 ? _mm_loadu_ps(row) : _mm_shuffle_ps(_mm_loadu_ps(row), _mm_loadu_ps(row + 4), _MM_SHUFFLE(2, 0, 2, 0));
        return _mm256_zextps128_ps256(v);
    }
    const __m256 a = _mm256_loadu2_m128(row + row_step, row);
    if (stride_w == 1) return a;
    return _mm256_shuffle_ps(a, _mm256_loadu2_m128(row + row_step + 4, row + 4), _MM_SHUFFLE(2, 0, 2, 0));
}

static inline __attribute__((always_inline)) NJ_AVX2 void filters_rows4(
    int count, const float *image, long padded_plane, long padded_w, long channels, long kernel_h, long kernel_w,
    long dilation_h, long dilation_w, long stride_h, long stride_w, const float *weights, long depth,
    const float *bias, int relu, float *out, long plane_out, int two) {
    __m256 acc[8];
    for (int f = 0; f < count; f++) acc[f] = _mm256_setzero_ps();
    for (long c = 0; c < channels; c++) {
        for (long ky = 0; ky < kernel_h; ky++) {
            const float *row = image + c * padded_plane + ky * dilation_h * padded_w;
            for (long kx = 0; kx < kernel_w; kx++) {
                const __m256 v = two_rows(row + kx * dilation_w, stride_h * padded_w, stride_w, two);
                const float *w = weights + (c * kernel_h + ky) * kernel_w + kx;
                for (int f = 0; f < count; f++) acc[f] = _mm256_fmadd_ps(_mm256_set1_ps(w[f * depth]), v, acc[f]);
            }
        }
    }
    for (int f = 0; f < count; f++) {
        __m256 r = acc[f];
        if (bias) r = _mm256_add_ps(r, _mm256_set1_ps(bias[f]));
        if (relu) r = _mm256_andnot_ps(_mm256_cmp_ps(r, _mm256_setzero_ps(), _CMP_LE_OQ), r);
        if (two)
            _mm256_storeu_ps(out + f * plane_out, r);
        else
            _mm_storeu_ps(out + f * plane_out, _mm256_castps256_ps128(r));
    }
}

// With AVX-512 and a 4 × 4 output plane, one vector holds a filter's whole plane: each image's taps
// are unfolded once into `col` (k rows of 16, in L1), then each filter's chain reads one vector per
// tap — the GEMM's small-tile kernel without the GEMM's packing, for the same bits.
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
                    _mm256_storeu_ps(dst, two_rows(tap, row_step, stride_w, 1));
                    _mm256_storeu_ps(dst + 8, two_rows(tap + 2 * row_step, row_step, stride_w, 1));
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

NJ_AVX2 NJ_NO_MEMSET void nj_conv2d_direct_rows4_fma(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, int relu, float *padded) {
    (void)out_w;  // 4
    if (out_h == 4 && channels * kernel_h * kernel_w <= NJ_PLANE16_DEPTH && __builtin_cpu_supports("avx512f")) {
        conv2d_plane16_avx512(x, image_stride, images, channels, height, width, weights, bias, filters, out, out_image_stride,
                              kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, relu, padded);
        return;
    }
    const long padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = 3 * stride_w + (kernel_w - 1) * dilation_w + 1;
    const long padded_plane = padded_h * padded_w;
    const long depth = channels * kernel_h * kernel_w, plane_out = out_h * 4;
    for (long i = 0; i < images; i++) {
        pad_images(x + i * image_stride, 0, 1, channels, height, width, pad_top, pad_left, padded_h, padded_w, padded);
        for (long f0 = 0; f0 < filters; f0 += 8) {
            const long count = filters - f0 < 8 ? filters - f0 : 8;
            const float *w = weights + f0 * depth;
            const float *b = bias ? bias + f0 : 0;
            float *o = out + i * out_image_stride + f0 * plane_out;
            for (long oy = 0; oy < out_h; oy += 2) {
                const float *image = padded + oy * stride_h * padded_w;
                const int two = oy + 1 < out_h;
#define NJ_FILTERS(n) filters_rows4(n, image, padded_plane, padded_w, channels, kernel_h, kernel_w, dilation_h, dilation_w, \
                                    stride_h, stride_w, w, depth, b, relu, o + oy * 4, plane_out, two)
                switch (count) {
                case 8: NJ_FILTERS(8); break;
                case 7: NJ_FILTERS(7); break;
                case 6: NJ_FILTERS(6); break;
                case 5: NJ_FILTERS(5); break;
                case 4: NJ_FILTERS(4); break;
                case 3: NJ_FILTERS(3); break;
                case 2: NJ_FILTERS(2); break;
                default: NJ_FILTERS(1); break;
                }
#undef NJ_FILTERS
            }
        }
    }
}

#endif
