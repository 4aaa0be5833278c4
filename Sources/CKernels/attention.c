// Causal attention for one query and one head over a KV cache (f32 or f16 rows), softmax in f32
// as transformers' GPT-J does (_attn upcasts query and key to float32).
#include "ckernels.h"
#include <math.h>

void gk_attend(const float *q, const void *k, const void *v, int kv_type, int64_t stride,
               int64_t n_pos, int64_t head_dim, float scale, float *scores, float *out) {
    float maxs = -INFINITY;
    for (int64_t j = 0; j < n_pos; j++) {
        float s;
        if (kv_type == GK_TYPE_F16) s = gk_dot_row(GK_TYPE_F16, (const uint16_t *)k + j * stride, q, 0, head_dim);
        else s = gk_dot_row(GK_TYPE_F32, (const float *)k + j * stride, q, 0, head_dim);
        s *= scale;
        scores[j] = s;
        if (s > maxs) maxs = s;
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < n_pos; j++) {
        scores[j] = expf(scores[j] - maxs);
        sum += scores[j];
    }
    const float inv = 1.0f / sum;
    for (int64_t d = 0; d < head_dim; d++) out[d] = 0.0f;
    for (int64_t j = 0; j < n_pos; j++) {
        const float p = scores[j] * inv;
        if (kv_type == GK_TYPE_F16) {
            const uint16_t *vr = (const uint16_t *)v + j * stride;
            for (int64_t d = 0; d < head_dim; d++) out[d] += p * gk_fp16_to_fp32(vr[d]);
        } else {
            const float *vr = (const float *)v + j * stride;
            for (int64_t d = 0; d < head_dim; d++) out[d] += p * vr[d];
        }
    }
}
