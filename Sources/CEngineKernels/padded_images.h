// What the AVX2 convolution kernels share (im2col.c, conv_direct.c): reading images through a
// copy with their padding written out, and loading eight taps a stride apart.
#ifndef NIGHTJAR_PADDED_IMAGES_H
#define NIGHTJAR_PADDED_IMAGES_H

#if defined(__x86_64__)

#include <immintrin.h>

#define NJ_AVX2 __attribute__((target("avx2,fma")))

// Eight taps `stride` elements apart from `from`: one load for stride 1, two split into even and
// odd elements for stride 2, a gather otherwise.
static inline __attribute__((always_inline)) NJ_AVX2 __m256 strided8(const float *from, long stride, __m256i offsets) {
    if (stride == 1) return _mm256_loadu_ps(from);
    if (stride == 2) {
        const __m256 evens = _mm256_shuffle_ps(_mm256_loadu_ps(from), _mm256_loadu_ps(from + 8), _MM_SHUFFLE(2, 0, 2, 0));
        return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    return _mm256_i32gather_ps(from, offsets, 4);
}

// On every function that inlines `pad_images`: the attribute does not travel with the inlining.
#define NJ_NO_MEMSET __attribute__((no_builtin("memset", "memcpy")))

// Copies `images` images of `channels` planes `height × width` (`image_stride` apart in x) into
// `padded`, each plane as `padded_h × padded_w` with `pad_top` rows and `pad_left` columns of zeros
// before the input and zeros after it, so the kernels' loads need no test for the padding.
// Needs 8 floats of room past the last plane. Plain loops here would become memset and memcpy
// calls, which for the few columns of a small image cost more than the copy (see NJ_NO_MEMSET).
static inline __attribute__((always_inline)) NJ_AVX2 void pad_images(
    const float *x, long image_stride, long images, long channels, long height, long width,
    long pad_top, long pad_left, long padded_h, long padded_w, float *padded) {
    const long padded_plane = padded_h * padded_w;
    // Input columns [0, inside) land at padded columns [left, left + inside).
    const long left = pad_left < padded_w ? pad_left : padded_w;
    long inside = width < padded_w - left ? width : padded_w - left;
    if (inside < 0) inside = 0;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    // Whole vectors only, rows in address order: what a store writes past a row's end the next
    // row overwrites, and the last row's lands in the room past the last plane. A row's last part
    // vector is loaded masked (no lane past the row is read), so the lanes after it are the right
    // padding's zeros; whole vectors are plain loads, which AMD's masked loads cost far more than.
    for (long i = 0; i < images; i++) {
        for (long c = 0; c < channels; c++) {
            const float *plane = x + i * image_stride + c * height * width;
            float *dst = padded + (i * channels + c) * padded_plane;
            for (long py = 0; py < padded_h; py++, dst += padded_w) {
                const long iy = py - pad_top;
                long j = 0;
                if (iy >= 0 && iy < height && inside > 0) {
                    for (; j < left; j += 8) _mm256_storeu_ps(dst + j, _mm256_setzero_ps());
                    const float *src = plane + iy * width;
                    for (j = 0; j + 8 <= inside; j += 8) _mm256_storeu_ps(dst + left + j, _mm256_loadu_ps(src + j));
                    if (j < inside) {
                        const __m256i take = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(inside - j)), lane);
                        _mm256_storeu_ps(dst + left + j, _mm256_maskload_ps(src + j, take));
                        j += 8;
                    }
                    j += left;
                }
                for (; j < padded_w; j += 8) _mm256_storeu_ps(dst + j, _mm256_setzero_ps());
            }
        }
    }
}

#endif

#endif
