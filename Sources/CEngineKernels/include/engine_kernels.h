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

/// Lets the C allocator keep memory freed between runs instead of returning it to the kernel
/// (glibc only; elsewhere nothing). Process-wide: called once when the first session loads.
void nj_keep_freed_memory(void);

#endif
