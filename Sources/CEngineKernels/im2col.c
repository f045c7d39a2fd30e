#include "engine_kernels.h"

#include <immintrin.h>

// Conv's unfolding for two spatial axes. For one tap (ky, kx) and one output row, the output
// columns whose tap lands inside the input form one range found by arithmetic: outside it the
// row is zero (padding), inside a copy. No test per element, and no library call per row, which
// for the few columns of a small image cost more than the copy.

// Output columns ox with 0 <= ox · stride_w + shift < width, clipped to [0, out_w).
static inline void inside_columns(long shift, long stride_w, long width, long out_w, long *first, long *end) {
    long f = shift >= 0 ? 0 : (-shift + stride_w - 1) / stride_w;
    long e = width - shift <= 0 ? 0 : (width - shift + stride_w - 1) / stride_w;
    if (f > out_w) f = out_w;
    if (e > out_w) e = out_w;
    if (e < f) e = f;
    *first = f;
    *end = e;
}

void nj_im2col_2d(const float *x, long image_stride, long images, long channels, long height, long width,
                  long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                  long pad_top, long pad_left, long out_h, long out_w, float *col) {
    const long plane_out = out_h * out_w;
    const long row_length = images * plane_out;
    for (long c = 0; c < channels; c++) {
        for (long ky = 0; ky < kernel_h; ky++) {
            for (long kx = 0; kx < kernel_w; kx++) {
                float *row = col + ((c * kernel_h + ky) * kernel_w + kx) * row_length;
                const long shift = kx * dilation_w - pad_left;
                long first, end;
                inside_columns(shift, stride_w, width, out_w, &first, &end);
                for (long i = 0; i < images; i++) {
                    const float *plane = x + i * image_stride + c * height * width;
                    float *dst = row + i * plane_out;
                    for (long oy = 0; oy < out_h; oy++, dst += out_w) {
                        const long iy = oy * stride_h - pad_top + ky * dilation_h;
                        const int inside = iy >= 0 && iy < height;
                        const float *src = plane + (inside ? iy * width : 0);
                        for (long ox = 0; ox < out_w; ox++) {
                            dst[ox] = inside && ox >= first && ox < end ? src[ox * stride_w + shift] : 0.0f;
                        }
                    }
                }
            }
        }
    }
}

#if defined(__x86_64__)

// Lanes ox0 + offset[l] inside [first, end), and only where `take` is set.
static inline __attribute__((always_inline, target("avx2,fma"))) __m256i inside_lanes(
    long ox0, __m256i offset, __m256i take, long first, long end) {
    const __m256i ox = _mm256_add_epi32(_mm256_set1_epi32((int)ox0), offset);
    const __m256i in = _mm256_and_si256(_mm256_cmpgt_epi32(ox, _mm256_set1_epi32((int)first - 1)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32((int)end), ox));
    return _mm256_and_si256(in, take);
}

// The same with eight output columns per vector. Lanes outside the inside range are masked off
// the load (a masked lane is never read, so the padding's addresses are never touched) and come
// out zero. Stride 1 loads contiguous lanes, stride 2 two vectors split into even and odd
// elements, others gather. Stores are whole vectors: the part past a row's end lands on the
// next row, which is written after it (the loops go up in address order); only the last vector
// of `col` is stored lane by lane. AMD's masked stores cost more than the rest of a row together.
__attribute__((target("avx2,fma"))) void nj_im2col_2d_avx2(
    const float *x, long image_stride, long images, long channels, long height, long width,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, float *col) {
    const long plane_out = out_h * out_w;
    const long row_length = images * plane_out;
    const float *col_end = col + channels * kernel_h * kernel_w * row_length;
    const __m256i all = _mm256_set1_epi32(-1);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i lane_offsets = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)stride_w));
    // Stride 2: element j of the two loads belongs to output column j / 2 and is read when even.
    const __m256i pair_low = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i pair_high = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    const __m256i even = _mm256_setr_epi32(-1, 0, -1, 0, -1, 0, -1, 0);
    for (long c = 0; c < channels; c++) {
        for (long ky = 0; ky < kernel_h; ky++) {
            for (long kx = 0; kx < kernel_w; kx++) {
                float *row = col + ((c * kernel_h + ky) * kernel_w + kx) * row_length;
                const long shift = kx * dilation_w - pad_left;
                long first, end;
                inside_columns(shift, stride_w, width, out_w, &first, &end);
                for (long i = 0; i < images; i++) {
                    const float *plane = x + i * image_stride + c * height * width;
                    float *dst = row + i * plane_out;
                    for (long oy = 0; oy < out_h; oy++, dst += out_w) {
                        const long iy = oy * stride_h - pad_top + ky * dilation_h;
                        const int inside = iy >= 0 && iy < height;
                        // Addresses as integers: the first lanes' may lie before the plane, masked off.
                        const char *base = (const char *)plane + (inside ? iy * width + shift : 0) * (long)sizeof(float);
                        for (long ox0 = 0; ox0 < out_w; ox0 += 8) {
                            __m256 v = _mm256_setzero_ps();
                            const float *src = (const float *)(base + ox0 * stride_w * (long)sizeof(float));
                            if (inside && stride_w == 1) {
                                v = _mm256_maskload_ps(src, inside_lanes(ox0, lane, all, first, end));
                            } else if (inside && stride_w == 2) {
                                const __m256 low = _mm256_maskload_ps(src, inside_lanes(ox0, pair_low, even, first, end));
                                const __m256 high = _mm256_maskload_ps(src + 8, inside_lanes(ox0, pair_high, even, first, end));
                                const __m256 evens = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
                                v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
                            } else if (inside) {
                                const __m256 load = _mm256_castsi256_ps(inside_lanes(ox0, lane, all, first, end));
                                v = _mm256_mask_i32gather_ps(v, src, lane_offsets, load, 4);
                            }
                            float *out = dst + ox0;
                            if (out + 8 <= col_end) {
                                _mm256_storeu_ps(out, v);
                            } else {
                                float lanes[8];
                                _mm256_storeu_ps(lanes, v);
                                for (long l = 0; out + l < col_end; l++) out[l] = lanes[l];
                            }
                        }
                    }
                }
            }
        }
    }
}

#else

void nj_im2col_2d_avx2(const float *x, long image_stride, long images, long channels, long height, long width,
                       long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                       long pad_top, long pad_left, long out_h, long out_w, float *col) {
    nj_im2col_2d(x, image_stride, images, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
                 dilation_h, dilation_w, pad_top, pad_left, out_h, out_w, col);
}

#endif
