#include "engine_kernels.h"

#include <immintrin.h>

#if defined(__x86_64__)

// A depthwise Conv (one input channel and one filter per group) as an im2col product is a
// one-row GEMM per group, which costs far more in unfolding and per-call work than its few
// multiplications. Here each output is its own chain of fused multiply-adds over the taps inside
// the input, in tap order. The product summed the padding's taps too, but those add w · 0 to a
// sum that starts at +0 and so never changes it: the bits are the GEMM's (one chunk of k; Conv.swift
// takes this path only then). Bias and Relu follow as in `nj_add_bias_relu`.
__attribute__((target("avx2,fma"))) void nj_depthwise_conv2d_fma(
    const float *x, const float *weights, const float *bias, float *out, long planes, long channels,
    long height, long width, long out_h, long out_w, long kernel_h, long kernel_w,
    const long *row_first, const long *row_tap, const long *row_taps,
    const long *col_first, const long *col_tap, const long *col_taps,
    long dilation_h, long dilation_w, int relu) {
    for (long p = 0; p < planes; p++) {
        const long c = p % channels;
        const float *plane = x + p * height * width;
        const float *w = weights + c * kernel_h * kernel_w;
        float *dst = out + p * out_h * out_w;
        for (long oy = 0; oy < out_h; oy++) {
            for (long ox = 0; ox < out_w; ox++) {
                float sum = 0.0f;
                for (long ky = 0; ky < row_taps[oy]; ky++) {
                    const float *row = plane + (row_first[oy] + ky * dilation_h) * width + col_first[ox];
                    const float *tap = w + (row_tap[oy] + ky) * kernel_w + col_tap[ox];
                    _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
                    for (long kx = 0; kx < col_taps[ox]; kx++) sum = __builtin_fmaf(tap[kx], row[kx * dilation_w], sum);
                }
                if (bias) sum += bias[c];
                if (relu) sum = sum <= 0.0f ? 0.0f : sum;
                dst[oy * out_w + ox] = sum;
            }
        }
    }
}

#endif
