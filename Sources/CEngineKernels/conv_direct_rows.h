// The body of the direct convolution (conv_direct.c), included once per instruction set with
// NJ_NAME, NJ_ISA, NJ_LANES, NJ_VEC and the vector operations defined, like sgemm_tiles.h.

// Eight filters' accumulators for one stretch of NJ_LANES output columns of one row.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(filters_row)(
    int count, const float *image, long padded_plane, long padded_w, long channels, long kernel_h, long kernel_w,
    long dilation_h, long dilation_w, long stride_w, const float *weights, long depth,
    const float *bias, int relu, float *out, long plane_out, long out_w, long ox0) {
    NJ_VEC acc[8];
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
        NJ_VEC r = acc[f];
        if (bias) r = NJ_ADD(r, NJ_SET1(bias[f]));
        if (relu) r = NJ_RELU(r);
        NJ_STORE_FIRST(out + f * plane_out + ox0, r, out_w - ox0);
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
