// Elementwise and row-wise activations used by the forward pass.
#include "ckernels.h"
#include <math.h>

void gk_layer_norm(const float *x, const float *w, const float *b, int64_t n, float eps, float *out) {
    // moments in double: torch's f32 result is closer to the exact value than to a naive f32 sum
    double mean = 0.0;
    for (int64_t i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    double var = 0.0;
    for (int64_t i = 0; i < n; i++) { const double d = x[i] - mean; var += d * d; }
    var /= (double)n;
    const float rstd = (float)(1.0 / sqrt(var + (double)eps));
    const float m = (float)mean;
    for (int64_t i = 0; i < n; i++) out[i] = (x[i] - m) * rstd * w[i] + b[i];
}

void gk_gelu_new(float *x, int64_t n) {
    const float k = 0.7978845608028654f;  // sqrt(2/pi)
    for (int64_t i = 0; i < n; i++) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanhf(k * (v + 0.044715f * v * v * v)));
    }
}

uint64_t gk_touch_bytes(const void *p, int64_t n) {
    // XOR of every 64-bit word: the compiler cannot skip the loads, and it vectorizes
    const uint64_t *w = (const uint64_t *)p;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    int64_t i = 0, words = n / 8;
    for (; i + 4 <= words; i += 4) { a ^= w[i]; b ^= w[i + 1]; c ^= w[i + 2]; d ^= w[i + 3]; }
    for (; i < words; i++) a ^= w[i];
    return a ^ b ^ c ^ d;
}
