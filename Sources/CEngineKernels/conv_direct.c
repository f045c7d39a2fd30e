#include "engine_kernels.h"

#include <immintrin.h>

#include "padded_images.h"

#if defined(__x86_64__)

// A Conv with few input channels (a first layer: one or three channels, a 3 × 3 window) has a
// short k, so its im2col matrix is as large as the work it feeds: unfolding it, multiplying and
// scattering the product cost far more than the multiplications. Here eight output columns of up
// to eight filters stay in registers while the taps pass, read straight from a padded copy of the
// image. Each output is still one chain of fused multiply-adds over k = (channel, ky, kx) in order
// from zero, with the padding's taps adding w · 0 — the GEMM's bits when k is one chunk, which
// Conv.swift checks — and the bias and Relu follow as in `nj_scatter_bias_relu`.
#define NJ_NAME(x) x##_avx2
#define NJ_ISA NJ_AVX2
#define NJ_LANES 8
#define NJ_VEC __m256
#define NJ_ZERO() _mm256_setzero_ps()
#define NJ_SET1(x) _mm256_set1_ps(x)
#define NJ_MADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#define NJ_ADD(a, b) _mm256_add_ps(a, b)
#define NJ_RELU(v) _mm256_andnot_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LE_OQ), v)
#define NJ_STRIDED(p, stride) strided8(p, stride, _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(stride))))
#define NJ_STORE_FIRST(p, v, n) store_first8(p, v, n)
#define NJ_MUL(a, b) _mm256_mul_ps(a, b)
#define NJ_MAX(a, b) _mm256_max_ps(a, b)
#define NJ_EVENS(v) _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6))
#define NJ_ODDS(v) _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7))

// The first `n` lanes of `v` (all eight when n >= 8) to `p`: AMD's masked stores cost more than this.
static inline __attribute__((always_inline)) NJ_AVX2 void store_first8(float *p, __m256 v, long n) {
    if (n >= 8) {
        _mm256_storeu_ps(p, v);
    } else {
        float lanes[8];
        _mm256_storeu_ps(lanes, v);
        for (long l = 0; l < n; l++) p[l] = lanes[l];
    }
}

#include "conv_direct_rows.h"

#undef NJ_NAME
#undef NJ_ISA
#undef NJ_LANES
#undef NJ_VEC
#undef NJ_ZERO
#undef NJ_SET1
#undef NJ_MADD
#undef NJ_ADD
#undef NJ_RELU
#undef NJ_STRIDED
#undef NJ_STORE_FIRST
#undef NJ_MUL
#undef NJ_MAX
#undef NJ_EVENS
#undef NJ_ODDS

// Sixteen columns per vector where AVX-512 is present: half the multiply-adds and broadcasts for
// a row of 16 or more outputs. Stride 2 picks the even elements of two loads with one permute.
#define NJ_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define NJ_NAME(x) x##_avx512
#define NJ_ISA NJ_AVX512
#define NJ_LANES 16
#define NJ_VEC __m512
#define NJ_ZERO() _mm512_setzero_ps()
#define NJ_SET1(x) _mm512_set1_ps(x)
#define NJ_MADD(a, b, c) _mm512_fmadd_ps(a, b, c)
#define NJ_ADD(a, b) _mm512_add_ps(a, b)
#define NJ_RELU(v) _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps())
#define NJ_STRIDED(p, stride) strided16(p, stride)
#define NJ_STORE_FIRST(p, v, n) _mm512_mask_storeu_ps(p, (__mmask16)((n) >= 16 ? 0xFFFF : (1u << (n)) - 1), v)
#define NJ_MUL(a, b) _mm512_mul_ps(a, b)
#define NJ_MAX(a, b) _mm512_max_ps(a, b)
#define NJ_EVENS(v) _mm512_permutexvar_ps(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14), v)
#define NJ_ODDS(v) _mm512_permutexvar_ps(_mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15), v)

static inline __attribute__((always_inline)) NJ_AVX512 __m512 strided16(const float *from, long stride) {
    if (stride == 1) return _mm512_loadu_ps(from);
    if (stride == 2) {
        const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        return _mm512_permutex2var_ps(_mm512_loadu_ps(from), evens, _mm512_loadu_ps(from + 16));
    }
    const __m512i offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                               _mm512_set1_epi32((int)stride));
    return _mm512_i32gather_ps(offsets, from, 4);
}

#include "conv_direct_rows.h"

NJ_AVX2 void nj_conv2d_direct_fma(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, int relu, float *padded) {
    if (out_w >= 16 && __builtin_cpu_supports("avx512f"))
        conv2d_direct_avx512(x, image_stride, images, channels, height, width, weights, bias, filters, out,
                             out_image_stride, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w,
                             pad_top, pad_left, out_h, out_w, relu, padded);
    else
        conv2d_direct_avx2(x, image_stride, images, channels, height, width, weights, bias, filters, out,
                           out_image_stride, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w,
                           pad_top, pad_left, out_h, out_w, relu, padded);
}

NJ_AVX2 void nj_conv2d_direct_maxpool2_fma(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, int relu, const float *scale, const float *shift,
    float *padded) {
    if (out_w >= 16 && __builtin_cpu_supports("avx512f"))
        conv2d_direct_pool2_avx512(x, image_stride, images, channels, height, width, weights, bias, filters, out,
                                   out_image_stride, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w,
                                   pad_top, pad_left, out_h, out_w, relu, scale, shift, padded);
    else
        conv2d_direct_pool2_avx2(x, image_stride, images, channels, height, width, weights, bias, filters, out,
                                 out_image_stride, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w,
                                 pad_top, pad_left, out_h, out_w, relu, scale, shift, padded);
}

#endif
