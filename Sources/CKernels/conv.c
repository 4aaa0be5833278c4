// Convolution helpers for the image encoder. Activations are channels-last (H, W, C), so a 1x1
// convolution is a plain matrix product and a kxk one is im2col followed by one.
#include "ckernels.h"
#include <string.h>

void gk_im2col_hwc(const float *x, int64_t h, int64_t w, int64_t c, int64_t k, int64_t stride, int64_t pad,
                   float *out) {
    const int64_t oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    const int64_t row = c * k * k;  // column order (c, ky, kx) matches torch's (Cout, Cin, kh, kw) weights
    for (int64_t oy = 0; oy < oh; oy++) {
        for (int64_t ox = 0; ox < ow; ox++) {
            float *dst = out + (oy * ow + ox) * row;
            for (int64_t ky = 0; ky < k; ky++) {
                const int64_t iy = oy * stride + ky - pad;
                for (int64_t kx = 0; kx < k; kx++) {
                    const int64_t ix = ox * stride + kx - pad;
                    const int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                    const float *src = x + (iy * w + ix) * c;
                    for (int64_t ci = 0; ci < c; ci++) dst[ci * k * k + ky * k + kx] = inside ? src[ci] : 0.0f;
                }
            }
        }
    }
}

void gk_avgpool_hwc(const float *x, int64_t h, int64_t w, int64_t c, int64_t k, float *out) {
    const int64_t oh = h / k, ow = w / k;
    const float inv = 1.0f / (float)(k * k);
    for (int64_t oy = 0; oy < oh; oy++) {
        for (int64_t ox = 0; ox < ow; ox++) {
            float *dst = out + (oy * ow + ox) * c;
            memset(dst, 0, (size_t)c * sizeof(float));
            for (int64_t ky = 0; ky < k; ky++)
                for (int64_t kx = 0; kx < k; kx++) {
                    const float *src = x + ((oy * k + ky) * w + (ox * k + kx)) * c;
                    for (int64_t ci = 0; ci < c; ci++) dst[ci] += src[ci];
                }
            for (int64_t ci = 0; ci < c; ci++) dst[ci] *= inv;
        }
    }
}

void gk_relu(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void gk_add_relu(float *x, const float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float v = x[i] + y[i];
        x[i] = v > 0.0f ? v : 0.0f;
    }
}
