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
    long plane_in, long outputs, long taps, const long *tap_start, const long *input_at, const long *weight_at, int relu) {
    for (long p = 0; p < planes; p++) {
        const long c = p % channels;
        const float *plane = x + p * plane_in;
        const float *w = weights + c * taps;
        float *dst = out + p * outputs;
        for (long o = 0; o < outputs; o++) {
            float sum = 0.0f;
            _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
            for (long t = tap_start[o]; t < tap_start[o + 1]; t++) sum = __builtin_fmaf(w[weight_at[t]], plane[input_at[t]], sum);
            if (bias) sum += bias[c];
            if (relu) sum = sum <= 0.0f ? 0.0f : sum;
            dst[o] = sum;
        }
    }
}

#endif
