#include "engine_kernels.h"

#include <immintrin.h>

#include "transpose8.h"

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

// The same eight planes at a time, for planes too small to fill vectors along their rows (a late
// layer's 4 × 4): the planes are turned so that one vector holds the same position of eight
// channels, each lane summed with its own channel's weights in the same order and operations,
// then turned back. `scratch`: 8 · (plane_in + outputs) + channels · taps floats.
__attribute__((target("avx2,fma"))) void nj_depthwise_conv2d_planes8(
    const float *x, const float *weights, const float *bias, float *out, long planes, long channels,
    long plane_in, long outputs, long taps, const long *tap_start, const long *input_at, const long *weight_at, int relu,
    float *scratch) {
    float *lanes_in = scratch, *lanes_out = scratch + 8 * plane_in, *lane_weights = lanes_out + 8 * outputs;
    // Each block of eight channels' weights with the channels in lanes: tap k of channel c0 + l at
    // lane_weights[(c0 + k · 8) + l] (c0 a multiple of 8).
    for (long c = 0; c < channels; c++)
        for (long k = 0; k < taps; k++) lane_weights[(c - c % 8) * taps + k * 8 + c % 8] = weights[c * taps + k];
    const __m256 zero = _mm256_setzero_ps();
    // Planes are images × channels, so a multiple of 8 too, and each block of eight is eight channels.
    for (long p = 0; p < planes; p += 8) {
        nj_load_planes_as_lanes8(x + p * plane_in, plane_in, lanes_in);
        const long c0 = p % channels;
        const float *w = lane_weights + c0 * taps;
        const __m256 b = bias ? _mm256_loadu_ps(bias + c0) : zero;
        for (long o = 0; o < outputs; o++) {
            __m256 sum = zero;
            _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
            for (long t = tap_start[o]; t < tap_start[o + 1]; t++)
                sum = _mm256_fmadd_ps(_mm256_loadu_ps(w + weight_at[t] * 8), _mm256_loadu_ps(lanes_in + input_at[t] * 8), sum);
            if (bias) sum = _mm256_add_ps(sum, b);
            if (relu) sum = _mm256_andnot_ps(_mm256_cmp_ps(sum, zero, _CMP_LE_OQ), sum);
            _mm256_storeu_ps(lanes_out + o * 8, sum);
        }
        nj_store_lanes_as_planes8(lanes_out, outputs, out + p * outputs);
    }
}

#endif
