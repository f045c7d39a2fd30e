#include "engine_kernels.h"

#include <immintrin.h>

#include "padded_images.h"

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

long nj_im2col_2d_padded_size(long images, long channels, long kernel_h, long kernel_w, long stride_h, long stride_w,
                              long dilation_h, long dilation_w, long out_h, long out_w) {
    const long padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    // The last row's vectors read up to sixteen strides (two 16-lane loads for stride 2) past its end.
    return images * channels * padded_h * padded_w + 16 * stride_w + 32;
}

#if defined(__x86_64__)

// One row of `col` (one channel and tap, every image of the block): output rows of `out_w`
// columns, each a whole number of vectors. Stores past a row's end land on the next row, which
// is written after it, or for the last in the eight floats of room past `col`.
static inline __attribute__((always_inline)) NJ_AVX2 void unfold_tap(
    float *dst, const float *tap, long images, long image_step, long out_h, long row_step, long out_w,
    long stride_w, __m256i offsets) {
    for (long i = 0; i < images; i++) {
        const float *src = tap + i * image_step;
        for (long oy = 0; oy < out_h; oy++, src += row_step, dst += out_w) {
            for (long ox0 = 0; ox0 < out_w; ox0 += 8)
                _mm256_storeu_ps(dst + ox0, strided8(src + ox0 * stride_w, stride_w, offsets));
        }
    }
}

// `unfold_tap` for output rows of exactly 4 columns (a late layer's 4 × 4 plane) with stride 1
// or 2: two output rows lie side by side in `col`, so one 8-lane vector holds both, its halves
// loaded from the two input rows (stride 2: the even elements of two such loads).
static inline __attribute__((always_inline)) NJ_AVX2 void unfold_tap_rows4(
    float *dst, const float *tap, long images, long image_step, long out_h, long row_step, long stride_w) {
    for (long i = 0; i < images; i++) {
        const float *src = tap + i * image_step;
        long oy = 0;
        for (; oy + 2 <= out_h; oy += 2, src += 2 * row_step, dst += 8) {
            const __m256 a = _mm256_loadu2_m128(src + row_step, src);
            if (stride_w == 1) {
                _mm256_storeu_ps(dst, a);
            } else {
                const __m256 b = _mm256_loadu2_m128(src + row_step + 4, src + 4);
                _mm256_storeu_ps(dst, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
            }
        }
        if (oy < out_h) {
            const __m128 v = stride_w == 1 ? _mm_loadu_ps(src)
                                           : _mm_shuffle_ps(_mm_loadu_ps(src), _mm_loadu_ps(src + 4), _MM_SHUFFLE(2, 0, 2, 0));
            _mm_storeu_ps(dst, v);
            dst += 4;
        }
    }
}

// `unfold_tap` four columns per vector, for output rows of 4 to 7 columns (a late layer's 4 × 4
// plane) with stride 1 or 2: stride 2 takes the even elements of two 4-lane loads.
static inline __attribute__((always_inline)) NJ_AVX2 void unfold_tap4(
    float *dst, const float *tap, long images, long image_step, long out_h, long row_step, long out_w, long stride_w) {
    for (long i = 0; i < images; i++) {
        const float *src = tap + i * image_step;
        for (long oy = 0; oy < out_h; oy++, src += row_step, dst += out_w) {
            for (long ox0 = 0; ox0 < out_w; ox0 += 4) {
                const float *from = src + ox0 * stride_w;
                const __m128 v = stride_w == 1 ? _mm_loadu_ps(from)
                                               : _mm_shuffle_ps(_mm_loadu_ps(from), _mm_loadu_ps(from + 4), _MM_SHUFFLE(2, 0, 2, 0));
                _mm_storeu_ps(dst + ox0, v);
            }
        }
    }
}

// `unfold_tap` for output rows narrower than a vector and not taken four at a time (under 4
// columns, or other strides), where most lanes would be wasted: one element at a time.
static inline __attribute__((always_inline)) void unfold_tap_narrow(
    float *dst, const float *tap, long images, long image_step, long out_h, long row_step, long out_w, long stride_w) {
    for (long i = 0; i < images; i++) {
        const float *src = tap + i * image_step;
        for (long oy = 0; oy < out_h; oy++, src += row_step, dst += out_w) {
            _Pragma("clang loop vectorize(disable) interleave(disable)")
            for (long ox = 0; ox < out_w; ox++) dst[ox] = src[ox * stride_w];
        }
    }
}

// The same with eight output columns per vector, read from a copy of the images with their
// padding written out as zeros (`padded`, `nj_im2col_2d_padded_size` floats), so every load is a
// plain one and no lane needs a test. Stride 1 loads contiguous lanes, stride 2 two vectors split
// into even and odd elements, others gather; each has its own loop, so none tests the stride.
NJ_AVX2 NJ_NO_MEMSET void nj_im2col_2d_avx2(
    const float *x, long image_stride, long images, long channels, long height, long width,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, float *col, float *padded) {
    const long padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    const long padded_plane = padded_h * padded_w;
    pad_images(x, image_stride, images, channels, height, width, pad_top, pad_left, padded_h, padded_w, padded);
    const long plane_out = out_h * out_w;
    const long row_length = images * plane_out;
    const __m256i offsets = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride_w));
    const long image_step = channels * padded_plane, row_step = stride_h * padded_w;
    for (long c = 0; c < channels; c++) {
        for (long ky = 0; ky < kernel_h; ky++) {
            for (long kx = 0; kx < kernel_w; kx++) {
                float *dst = col + ((c * kernel_h + ky) * kernel_w + kx) * row_length;
                const float *tap = padded + c * padded_plane + ky * dilation_h * padded_w + kx * dilation_w;
                if (out_w == 4 && stride_w == 1)
                    unfold_tap_rows4(dst, tap, images, image_step, out_h, row_step, 1);
                else if (out_w == 4 && stride_w == 2)
                    unfold_tap_rows4(dst, tap, images, image_step, out_h, row_step, 2);
                else if (out_w >= 4 && out_w < 8 && stride_w == 1)
                    unfold_tap4(dst, tap, images, image_step, out_h, row_step, out_w, 1);
                else if (out_w >= 4 && out_w < 8 && stride_w == 2)
                    unfold_tap4(dst, tap, images, image_step, out_h, row_step, out_w, 2);
                else if (out_w < 8)
                    unfold_tap_narrow(dst, tap, images, image_step, out_h, row_step, out_w, stride_w);
                else if (stride_w == 1)
                    unfold_tap(dst, tap, images, image_step, out_h, row_step, out_w, 1, offsets);
                else if (stride_w == 2)
                    unfold_tap(dst, tap, images, image_step, out_h, row_step, out_w, 2, offsets);
                else
                    unfold_tap(dst, tap, images, image_step, out_h, row_step, out_w, stride_w, offsets);
            }
        }
    }
}

#else

void nj_im2col_2d_avx2(const float *x, long image_stride, long images, long channels, long height, long width,
                       long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                       long pad_top, long pad_left, long out_h, long out_w, float *col, float *padded) {
    (void)padded;
    nj_im2col_2d(x, image_stride, images, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
                 dilation_h, dilation_w, pad_top, pad_left, out_h, out_w, col);
}


#endif
