// The body of the direct convolution (conv_direct.c), included once per instruction set with
// NJ_NAME, NJ_ISA, NJ_LANES, NJ_VEC and the vector operations defined, like sgemm_tiles.h.

// Up to eight filters' sums for one stretch of NJ_LANES output columns of one row, each one chain
// of fused multiply-adds over k, then the bias and Relu.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(filters_sums)(
    int count, const float *image, long padded_plane, long padded_w, long channels, long kernel_h, long kernel_w,
    long dilation_h, long dilation_w, long stride_w, const float *weights, long depth,
    const float *bias, int relu, long ox0, NJ_VEC acc[8]) {
    for (int f = 0; f < count; f++) acc[f] = NJ_ZERO();
    for (long c = 0; c < channels; c++) {
        for (long ky = 0; ky < kernel_h; ky++) {
            const float *row = image + c * padded_plane + ky * dilation_h * padded_w + ox0 * stride_w;
            for (long kx = 0; kx < kernel_w; kx++) {
                const NJ_VEC v = NJ_STRIDED(row + kx * dilation_w, stride_w);
                const float *w = weights + (c * kernel_h + ky) * kernel_w + kx;
                for (int f = 0; f < count; f++) acc[f] = NJ_MADD(NJ_SET1(w[f * depth]), v, acc[f]);
            }
        }
    }
    for (int f = 0; f < count; f++) {
        if (bias) acc[f] = NJ_ADD(acc[f], NJ_SET1(bias[f]));
        if (relu) acc[f] = NJ_RELU(acc[f]);
    }
}

// `filters_sums` stored to each filter's output row.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(filters_row)(
    int count, const float *image, long padded_plane, long padded_w, long channels, long kernel_h, long kernel_w,
    long dilation_h, long dilation_w, long stride_w, const float *weights, long depth,
    const float *bias, int relu, float *out, long plane_out, long out_w, long ox0) {
    NJ_VEC acc[8];
    NJ_NAME(filters_sums)(count, image, padded_plane, padded_w, channels, kernel_h, kernel_w, dilation_h, dilation_w,
                          stride_w, weights, depth, bias, relu, ox0, acc);
    for (int f = 0; f < count; f++) NJ_STORE_FIRST(out + f * plane_out + ox0, acc[f], out_w - ox0);
}

// Two rows of `filters_sums` (2·py and 2·py + 1) pooled 2 × 2 with stride 2 as MaxPool takes its
// taps — top left, then `v > best ? v : best` for top right, bottom left, bottom right — and, with
// `scale`, each pooled value times the filter's scale plus its shift (BatchNormalization's two
// roundings, no fused multiply-add). The NJ_LANES / 2 pooled outputs go to `out` from column ox0 / 2.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(filters_pooled_row)(
    int count, const float *image, long padded_plane, long padded_w, long channels, long kernel_h, long kernel_w,
    long dilation_h, long dilation_w, long stride_h, long stride_w, const float *weights, long depth,
    const float *bias, int relu, const float *scale, const float *shift, float *out, long pooled_plane,
    long pooled_w, long ox0) {
    NJ_VEC top[8], bottom[8];
    NJ_NAME(filters_sums)(count, image, padded_plane, padded_w, channels, kernel_h, kernel_w, dilation_h, dilation_w,
                          stride_w, weights, depth, bias, relu, ox0, top);
    NJ_NAME(filters_sums)(count, image + stride_h * padded_w, padded_plane, padded_w, channels, kernel_h, kernel_w,
                          dilation_h, dilation_w, stride_w, weights, depth, bias, relu, ox0, bottom);
    for (int f = 0; f < count; f++) {
        NJ_VEC best = NJ_MAX(NJ_ODDS(top[f]), NJ_EVENS(top[f]));
        best = NJ_MAX(NJ_EVENS(bottom[f]), best);
        best = NJ_MAX(NJ_ODDS(bottom[f]), best);
        if (scale) best = NJ_ADD(NJ_MUL(best, NJ_SET1(scale[f])), NJ_SET1(shift[f]));
        NJ_STORE_FIRST(out + f * pooled_plane + ox0 / 2, best, pooled_w - ox0 / 2 < NJ_LANES / 2 ? pooled_w - ox0 / 2 : NJ_LANES / 2);
    }
}

static NJ_ISA NJ_NO_MEMSET void NJ_NAME(conv2d_direct)(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, int relu, float *padded) {
    const long padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    const long padded_plane = padded_h * padded_w;
    const long depth = channels * kernel_h * kernel_w, plane_out = out_h * out_w;
    for (long i = 0; i < images; i++) {
        pad_images(x + i * image_stride, 0, 1, channels, height, width, pad_top, pad_left, padded_h, padded_w, padded);
        for (long f0 = 0; f0 < filters; f0 += 8) {
            const long count = filters - f0 < 8 ? filters - f0 : 8;
            const float *w = weights + f0 * depth;
            const float *b = bias ? bias + f0 : 0;
            float *o = out + i * out_image_stride + f0 * plane_out;
            for (long oy = 0; oy < out_h; oy++) {
                const float *image = padded + oy * stride_h * padded_w;
                float *line = o + oy * out_w;
                for (long ox0 = 0; ox0 < out_w; ox0 += NJ_LANES) {
#define NJ_FILTERS(n) NJ_NAME(filters_row)(n, image, padded_plane, padded_w, channels, kernel_h, kernel_w, dilation_h, \
                                           dilation_w, stride_w, w, depth, b, relu, line, plane_out, out_w, ox0)
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
}

// The direct convolution, then a 2 × 2 MaxPool of stride 2 without padding (and BatchNormalization
// with `scale`), a pair of output rows at a time, so the convolution's output never goes to memory.
// `out` holds the pooled planes, `out_h / 2 × out_w / 2` each, `out_image_stride` apart per image.
static NJ_ISA NJ_NO_MEMSET void NJ_NAME(conv2d_direct_pool2)(
    const float *x, long image_stride, long images, long channels, long height, long width,
    const float *weights, const float *bias, long filters, float *out, long out_image_stride,
    long kernel_h, long kernel_w, long stride_h, long stride_w, long dilation_h, long dilation_w,
    long pad_top, long pad_left, long out_h, long out_w, int relu, const float *scale, const float *shift,
    float *padded) {
    const long padded_h = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    const long padded_w = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    const long padded_plane = padded_h * padded_w;
    const long depth = channels * kernel_h * kernel_w;
    const long pooled_h = out_h / 2, pooled_w = out_w / 2, pooled_plane = pooled_h * pooled_w;
    for (long i = 0; i < images; i++) {
        pad_images(x + i * image_stride, 0, 1, channels, height, width, pad_top, pad_left, padded_h, padded_w, padded);
        for (long f0 = 0; f0 < filters; f0 += 8) {
            const long count = filters - f0 < 8 ? filters - f0 : 8;
            const float *w = weights + f0 * depth;
            const float *b = bias ? bias + f0 : 0;
            const float *s = scale ? scale + f0 : 0;
            const float *t = scale ? shift + f0 : 0;
            float *o = out + i * out_image_stride + f0 * pooled_plane;
            for (long py = 0; py < pooled_h; py++) {
                const float *image = padded + 2 * py * stride_h * padded_w;
                float *line = o + py * pooled_w;
                for (long ox0 = 0; ox0 < 2 * pooled_w; ox0 += NJ_LANES) {
#define NJ_FILTERS(n) NJ_NAME(filters_pooled_row)(n, image, padded_plane, padded_w, channels, kernel_h, kernel_w, \
                                                  dilation_h, dilation_w, stride_h, stride_w, w, depth, b, relu, s, t, \
                                                  line, pooled_plane, pooled_w, ox0)
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
}
