#include "engine_kernels.h"

// One pass over C after its product, so a fused layer rounds exactly as the separate nodes did:
// the product first, then one float addition of the bias, then Relu. Plain loops: the compiler
// vectorizes them for the baseline target, and the pass is small next to the product.
void nj_add_bias_relu(float *c, long rows, long cols, const float *bias, int bias_per_row, int relu) {
    for (long i = 0; i < rows; i++) {
        float *row = c + i * cols;
        if (bias && bias_per_row) {
            const float add = bias[i];
            for (long j = 0; j < cols; j++) row[j] += add;
        } else if (bias) {
            for (long j = 0; j < cols; j++) row[j] += bias[j];
        }
        // As the engine's Relu: x <= 0 becomes 0, NaN stays NaN.
        if (relu)
            for (long j = 0; j < cols; j++) row[j] = row[j] <= 0.0f ? 0.0f : row[j];
    }
}

// A product computed for several images at once holds each filter's planes side by side
// (`src[row][image][plane]`); each goes to its image's place in the output, with the same bias
// addition and Relu as the pass above.
void nj_scatter_bias_relu(const float *src, long rows, long images, long plane, float *dst, long image_stride,
                          const float *bias, int relu) {
    for (long r = 0; r < rows; r++) {
        const float add = bias ? bias[r] : 0.0f;
        for (long i = 0; i < images; i++) {
            const float *from = src + (r * images + i) * plane;
            float *to = dst + i * image_stride + r * plane;
            if (bias && relu) {
                for (long j = 0; j < plane; j++) {
                    const float v = from[j] + add;
                    to[j] = v <= 0.0f ? 0.0f : v;
                }
            } else if (bias) {
                for (long j = 0; j < plane; j++) to[j] = from[j] + add;
            } else if (relu) {
                for (long j = 0; j < plane; j++) to[j] = from[j] <= 0.0f ? 0.0f : from[j];
            } else {
                for (long j = 0; j < plane; j++) to[j] = from[j];
            }
        }
    }
}
