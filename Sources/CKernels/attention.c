// Causal attention for one query and one head over a KV cache (f32 or f16 rows), softmax in f32
// as transformers' GPT-J does (_attn upcasts query and key to float32).
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>

#ifdef GK_X86
// out[0..n) += p * v[0..n) for an f16 row (F16C); a per-element conversion call made the whole of
// attention ~10% of a GPT-J-6B prefill.
GK_AVX2 static int64_t axpy_f16_avx2(float p, const uint16_t *v, float *out, int64_t n) {
    const __m256 pv = _mm256_set1_ps(p);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) {
        const __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + d)));
        _mm256_storeu_ps(out + d, _mm256_fmadd_ps(pv, x, _mm256_loadu_ps(out + d)));
    }
    return d;
}
#endif

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
            int64_t d = 0;
#ifdef GK_X86
            if (gk_have_avx2()) d = axpy_f16_avx2(p, vr, out, head_dim);
#endif
            for (; d < head_dim; d++) out[d] += p * gk_fp16_to_fp32(vr[d]);
        } else {
            const float *vr = (const float *)v + j * stride;
            for (int64_t d = 0; d < head_dim; d++) out[d] += p * vr[d];
        }
    }
}
