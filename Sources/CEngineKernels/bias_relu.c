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
