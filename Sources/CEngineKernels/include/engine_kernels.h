#ifndef NIGHTJAR_ENGINE_KERNELS_H
#define NIGHTJAR_ENGINE_KERNELS_H

/// Nonzero when this CPU executes AVX2 and FMA instructions, so `nj_sgemm_fma` may be called.
int nj_cpu_has_avx2_fma(void);

/// `c[m×n] = alpha · a[m×k] · b[k×n]`, or `c += …` when `accumulate`; row-major, contiguous.
/// Rounds exactly as the engine's portable kernel (see Gemm.swift): each output is a chain of
/// fused multiply-adds along k, restarted every `kc` terms and each chunk then added into C.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_sgemm_fma(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                  float alpha, int accumulate);

/// Adds a bias to every row of `c[rows×cols]` (`bias[j]` per column, or `bias[i]` per row when
/// `bias_per_row`; none when `bias` is NULL), then applies Relu when `relu`: the epilogue of a
/// fused MatMul + Add + Relu or Conv + Relu, with the separate nodes' rounding.
void nj_add_bias_relu(float *c, long rows, long cols, const float *bias, int bias_per_row, int relu);

/// `nj_add_bias_relu` for a product over several images: `src[rows][images][plane]` (a filter's
/// planes of each image side by side) is written to `dst[image · image_stride + row · plane + j]`,
/// adding `bias[row]` (when not NULL) and applying Relu (when `relu`) on the way.
void nj_scatter_bias_relu(const float *src, long rows, long images, long plane, float *dst, long image_stride,
                          const float *bias, int relu);

/// im2col for one group of a 2-D convolution: row `(c · kernel_h + ky) · kernel_w + kx` of `col`
/// holds, at column `i · out_h · out_w + oy · out_w + ox`, the element of image `i` (at
/// `x + i · image_stride`, channels of `height × width`) that tap reads, or zero in the padding.
void nj_im2col_2d(const float *x, long image_stride, long images, long channels, long height, long width,
                  long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                  long pad_top, long pad_left, long out_h, long out_w, float *col);

/// `nj_im2col_2d` eight output columns per vector, reading a copy of the images with their padding
/// written out, made in `padded` (`nj_im2col_2d_padded_size` floats of scratch). Writes whole
/// vectors: `col` must have room for 8 floats past its end.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_im2col_2d_avx2(const float *x, long image_stride, long images, long channels, long height, long width,
                       long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                       long pad_top, long pad_left, long out_h, long out_w, float *col, float *padded);

/// Floats of scratch `nj_im2col_2d_avx2` needs for `images` images of `channels` channels.
long nj_im2col_2d_padded_size(long images, long channels, long kernel_h, long kernel_w, long stride_h, long stride_w,
                              long dilation_h, long dilation_w, long out_h, long out_w);

/// `nj_sgemm_fma`, then per column `c += bias[j]` (when `bias` is not NULL) and Relu (when `relu`),
/// applied as each tile is stored: the same bits as the product followed by `nj_add_bias_relu`.
void nj_sgemm_fma_bias_relu(const float *a, const float *b, float *c, long m, long n, long k, long kc,
                            float alpha, int accumulate, const float *bias, int relu);

/// `out[rows×count]`: exp(−gamma · ‖x_i − v_j‖²) for each row `x_i` of `x[rows×features]` and each
/// support vector `v_j`, given transposed as `vt[features×count]`. The distance is onnxruntime's
/// float loop (multiply, then add) and the exponential rounds as glibc's `expf`, but for rare
/// one-ulp differences (rbf_kernel.c). Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_rbf_kernel(const float *x, long rows, const float *vt, long count, long features, float gamma,
                   float *out);

/// The logistic function `1 / (1 + e^-x)` in place over `x[count]`, eight at a time, with a polynomial
/// exp within about 2 ulp of libm's `expf` (so within a few ulp of the scalar sigmoid, not bit-equal).
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_logistic_fma(float *x, long count);

/// `c[m×n] = a[m×k] · b[k×n] + bias` (no bias when NULL) for a linear model's few outputs (n ≤ 4):
/// the bits of `nj_sgemm_fma_bias_relu` with one chunk of k (k ≤ 128), eight rows transposed in
/// registers at a time. Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_linear_scores_fma(const float *a, const float *b, const float *bias, float *c, long m, long n, long k);

/// Softmax of each row of `x[rows×n]` into `out` (may not alias): the row's max subtracted, e^(x − max)
/// eight lanes at a time (the Cephes polynomial of `nj_logistic_fma`, within about 2 ulp of `expf`,
/// 0 below the smallest normal float), then each row's sum in order and one division per element.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_softmax_rows_fma(const float *x, float *out, long rows, long n);

/// Gelu without approximation, 0.5 · x · (1 + erf(x / √2)), over `x[count]` into `out` (may alias),
/// with a polynomial erf within about 2.3 ulp (gelu.c). Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_gelu_erf_fma(const float *x, float *out, long count);

/// erf over `x[count]` into `out` (may alias), as in `nj_gelu_erf_fma`. Only call when
/// `nj_cpu_has_avx2_fma()` said yes.
void nj_erf_fma(const float *x, float *out, long count);

/// LayerNormalization of each row of `x[rows×size]` into `out`: mean and variance summed in double
/// (four-lane accumulators), then (x − mean) · (1 / √(variance + epsilon)) · scale + bias in double,
/// rounded to float; `bias` may be NULL. Each row's mean and 1/deviation go to `means` and `inverse`.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_layer_norm_fma(const float *x, float *out, long rows, long size, const float *scale,
                       const float *bias, double epsilon, float *means, float *inverse);

/// A 2-D Conv of one group (`channels` in, `filters` out, weights `[filters][channels · kernel_h ·
/// kernel_w]`) computed directly from a padded copy of each image (`padded`: scratch of
/// `nj_im2col_2d_padded_size(1, channels, …)` floats), eight output columns of up to eight filters
/// at a time; image `i`'s outputs go to `out + i · out_image_stride`, with `bias` (when not NULL)
/// and Relu (when `relu`). The bits of the im2col product with one chunk of k. Stride 1 or 2 along
/// the width reads contiguous vectors. Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_conv2d_direct_fma(const float *x, long image_stride, long images, long channels, long height, long width,
                          const float *weights, const float *bias, long filters, float *out, long out_image_stride,
                          long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                          long pad_top, long pad_left, long out_h, long out_w, int relu, float *padded);

/// A depthwise Conv (`channels` groups of one channel and one filter, `taps` weights each) over
/// `planes` planes (images × channels) of `plane_in` inputs and `outputs` outputs: output `o` sums,
/// with fused multiply-adds in order, `weight_at[t]` times input `input_at[t]` for `t` in
/// `tap_start[o] ..< tap_start[o + 1]` (its taps inside the input), then adds `bias[c]` (when not
/// NULL) and applies Relu (when `relu`). The bits of the im2col product with one chunk of k.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_depthwise_conv2d_fma(const float *x, const float *weights, const float *bias, float *out, long planes, long channels,
                             long plane_in, long outputs, long taps, const long *tap_start, const long *input_at,
                             const long *weight_at, int relu);

/// MaxPool (`divisors` NULL) or AveragePool (each output's sum divided by `divisors[o]`) of
/// `planes` planes `height × width` into `out_h × out_w`. Output `o` reads the plane offsets
/// `taps[tap_start[o] ..< tap_start[o + 1]]` in that order (the window's taps inside the input).
/// A max window with no tap inside the input is the lowest float.
void nj_pool2d(const float *x, float *out, long planes, long height, long width, long out_h, long out_w,
               const long *tap_start, const long *taps, const float *divisors);

/// `nj_pool2d`, eight outputs per vector over the columns `[inner_first, inner_end)` whose windows
/// of `kernel_w` taps lie inside the input, when their stride is 1 or 2; the same results. There
/// output row `oy` reads input rows `row_first[oy]`, `dilation_h` apart, `row_taps[oy]` of them,
/// from column `col_first[ox]`. Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_pool2d_avx2(const float *x, float *out, long planes, long height, long width, long out_h, long out_w,
                    const long *tap_start, const long *taps, const float *divisors,
                    const long *row_first, const long *row_taps, const long *col_first, long dilation_h, long dilation_w,
                    long inner_first, long inner_end, long kernel_w, long stride_w);

/// Lets the C allocator keep memory freed between runs instead of returning it to the kernel
/// (glibc only; elsewhere nothing). Process-wide: called once when the first session loads.
void nj_keep_freed_memory(void);

/// `nj_pool2d` over planes of `plane_in` inputs and `outputs` outputs, eight planes per vector (each
/// lane one plane): for output rows too short to fill a vector. The same results. `scratch` holds
/// `8 · (plane_in + outputs)` floats. Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_pool2d_planes8(const float *x, float *out, long planes, long plane_in, long outputs,
                       const long *tap_start, const long *taps, const float *divisors, float *scratch);

/// `nj_conv2d_direct_fma` followed by a 2 × 2 MaxPool of stride 2 without padding (floor mode) and,
/// when `scale` is not NULL, BatchNormalization folded to `y = pooled · scale[f] + shift[f]` (a
/// multiplication, then an addition): `out` receives the pooled planes `out_h / 2 × out_w / 2`,
/// image `i` at `out + i · out_image_stride`. `out_h` and `out_w` are the convolution's. The bits
/// of the three nodes one after another. Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_conv2d_direct_maxpool2_fma(const float *x, long image_stride, long images, long channels, long height, long width,
                                   const float *weights, const float *bias, long filters, float *out, long out_image_stride,
                                   long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                                   long pad_top, long pad_left, long out_h, long out_w, int relu, const float *scale,
                                   const float *shift, float *padded);

/// `nj_depthwise_conv2d_fma` eight planes per vector (each lane one plane), for small planes; the
/// same bits. `channels` must be a multiple of 8 (so each block of eight planes holds eight
/// consecutive channels). `scratch` holds `8 · (plane_in + outputs) + channels · taps` floats.
/// Only call when `nj_cpu_has_avx2_fma()` said yes.
void nj_depthwise_conv2d_planes8(const float *x, const float *weights, const float *bias, float *out, long planes,
                                 long channels, long plane_in, long outputs, long taps, const long *tap_start,
                                 const long *input_at, const long *weight_at, int relu, float *scratch);

/// Nonzero when this CPU executes AVX-512F instructions, so `nj_conv2d_plane16_avx512` may be called.
int nj_cpu_has_avx512f(void);

/// `nj_conv2d_direct_fma` for a 4 × 4 output plane (`out_h` and `out_w` both 4) with stride 1 or 2
/// along the rows and k (channels · kernel_h · kernel_w) at most 512: one vector per filter's plane.
/// The same arguments otherwise, scratch and bits. Only call when `nj_cpu_has_avx512f()` said yes.
void nj_conv2d_plane16_avx512(const float *x, long image_stride, long images, long channels, long height, long width,
                              const float *weights, const float *bias, long filters, float *out, long out_image_stride,
                              long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
                              long pad_top, long pad_left, int relu, float *padded);

#endif
