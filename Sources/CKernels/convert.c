// Element conversions and ggml's reference quantizers (ggml-quants.c semantics: Q8_0 rounds
// x/d half away from zero with d = amax/127; Q4_0 uses d = max/-8 where max is the signed value
// of largest magnitude, and q = min(15, (int8)(x/d + 8.5))).
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>
#include <string.h>

static inline uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float float_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float gk_fp16_to_fp32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f;
    const uint32_t man = h & 0x3ff;
    if (exp == 0) {
        // zero or subnormal: man * 2^-24, exact in f32
        float v = (float)man * 0x1.0p-24f;
        return float_of(bits_of(v) | sign);
    }
    if (exp == 31) return float_of(sign | 0x7f800000u | (man << 13));
    return float_of(sign | ((exp + 112) << 23) | (man << 13));
}

uint16_t gk_fp32_to_fp16(float f) {
    const uint32_t x = bits_of(f);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {  // inf or nan
        return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
    }
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: overflow to inf
    if (ax < 0x38800000u) {
        // result is subnormal or zero: value / 2^-24 rounded to nearest even
        float v = float_of(ax) * 0x1.0p24f;
        float r = rintf(v);  // default rounding mode: nearest even
        return sign | (uint16_t)r;
    }
    // normal: drop 13 mantissa bits with round-to-nearest-even
    uint32_t m = ax + 0xfffu + ((ax >> 13) & 1u);
    m -= (112u << 23);
    return sign | (uint16_t)(m >> 13);
}

float gk_bf16_to_fp32(uint16_t h) { return float_of((uint32_t)h << 16); }

uint16_t gk_fp32_to_bf16(float f) {
    uint32_t u = bits_of(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64);  // quiet nan
    u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
    return (uint16_t)(u >> 16);
}

void gk_to_f16_portable(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = gk_fp32_to_fp16(x[i]);
}

#ifdef GK_X86
// F16C rounds to nearest even like gk_fp32_to_fp16 (subnormals and overflow included); only a NaN's payload
// bits can differ.
GK_AVX2 static void to_f16_avx2(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = gk_fp32_to_fp16(x[i]);
}
#endif

void gk_to_f16(const float *x, uint16_t *y, int64_t n) {
#ifdef GK_X86
    if (gk_have_avx2()) { to_f16_avx2(x, y, n); return; }
#endif
    gk_to_f16_portable(x, y, n);
}

void gk_to_bf16(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = gk_fp32_to_bf16(x[i]);
}

#ifdef GK_X86
// The same blocks as the portable quantizer, bit for bit. Decode quantizes every matrix product's input on the
// calling thread while the other threads wait, and the scalar loop (roundf per element) took ~2.5% of a
// step. roundf rounds halfway cases away from zero, _mm256_round_ps to even, so the rounding is spelled
// out: truncate, then step away from zero when the dropped fraction is at least one half (both exact).
GK_AVX2 static void quantize_q8_0_avx2(const float *x, gk_block_q8_0 *y, int64_t nb) {
    const __m256 sign = _mm256_set1_ps(-0.0f), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    for (int64_t b = 0; b < nb; b++) {
        const float *xb = x + b * GK_QK;
        __m256 v[4], m = _mm256_setzero_ps();
        for (int j = 0; j < 4; j++) {
            v[j] = _mm256_loadu_ps(xb + 8 * j);
            m = _mm256_max_ps(_mm256_andnot_ps(sign, v[j]), m);  // a NaN lane keeps m, as fmaxf would
        }
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = gk_fp32_to_fp16(d);
        __m256i q[4];
        for (int j = 0; j < 4; j++) {
            const __m256 s = _mm256_mul_ps(v[j], _mm256_set1_ps(id));
            const __m256 t = _mm256_round_ps(s, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            const __m256 away = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_sub_ps(s, t)), half, _CMP_GE_OQ);
            const __m256 step = _mm256_or_ps(_mm256_and_ps(s, sign), one);  // +-1 with s's sign
            q[j] = _mm256_cvttps_epi32(_mm256_add_ps(t, _mm256_and_ps(away, step)));
        }
        // packs work within 128-bit lanes: restore element order with one dword permute
        const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        const __m256i in_order = _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)y[b].qs, in_order);
    }
}
#endif

void gk_quantize_q8_0(const float *x, void *out, int64_t n) {
#ifdef GK_X86
    if (gk_have_avx2()) { quantize_q8_0_avx2(x, (gk_block_q8_0 *)out, n / GK_QK); return; }
#endif
    gk_quantize_q8_0_portable(x, out, n);
}

void gk_quantize_q8_0_portable(const float *x, void *out, int64_t n) {
    gk_block_q8_0 *y = (gk_block_q8_0 *)out;
    for (int64_t b = 0; b < n / GK_QK; b++) {
        const float *xb = x + b * GK_QK;
        float amax = 0.0f;
        for (int j = 0; j < GK_QK; j++) amax = fmaxf(amax, fabsf(xb[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = gk_fp32_to_fp16(d);
        for (int j = 0; j < GK_QK; j++) y[b].qs[j] = (int8_t)roundf(xb[j] * id);
    }
}

void gk_quantize_q4_0(const float *x, void *out, int64_t n) {
    gk_block_q4_0 *y = (gk_block_q4_0 *)out;
    for (int64_t b = 0; b < n / GK_QK; b++) {
        const float *xb = x + b * GK_QK;
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < GK_QK; j++) {
            if (amax < fabsf(xb[j])) { amax = fabsf(xb[j]); max = xb[j]; }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = gk_fp32_to_fp16(d);
        for (int j = 0; j < GK_QK / 2; j++) {
            const float x0 = xb[j] * id, x1 = xb[j + GK_QK / 2] * id;
            int8_t q0 = (int8_t)(x0 + 8.5f), q1 = (int8_t)(x1 + 8.5f);
            uint8_t u0 = q0 > 15 ? 15 : (uint8_t)q0, u1 = q1 > 15 ? 15 : (uint8_t)q1;
            y[b].qs[j] = (uint8_t)(u0 | (u1 << 4));
        }
    }
}

int gk_dequantize(int type, const void *x, float *y, int64_t n) {
    switch (type) {
    case GK_TYPE_F32: memcpy(y, x, (size_t)n * 4); return 0;
    case GK_TYPE_F16: {
        const uint16_t *h = (const uint16_t *)x;
        for (int64_t i = 0; i < n; i++) y[i] = gk_fp16_to_fp32(h[i]);
        return 0;
    }
    case GK_TYPE_BF16: {
        const uint16_t *h = (const uint16_t *)x;
        for (int64_t i = 0; i < n; i++) y[i] = gk_bf16_to_fp32(h[i]);
        return 0;
    }
    case GK_TYPE_Q8_0: {
        const gk_block_q8_0 *b = (const gk_block_q8_0 *)x;
        for (int64_t i = 0; i < n / GK_QK; i++) {
            const float d = gk_fp16_to_fp32(b[i].d);
            for (int j = 0; j < GK_QK; j++) y[i * GK_QK + j] = (float)b[i].qs[j] * d;
        }
        return 0;
    }
    case GK_TYPE_Q4_0: {
        const gk_block_q4_0 *b = (const gk_block_q4_0 *)x;
        for (int64_t i = 0; i < n / GK_QK; i++) {
            const float d = gk_fp16_to_fp32(b[i].d);
            for (int j = 0; j < GK_QK / 2; j++) {
                y[i * GK_QK + j] = (float)((b[i].qs[j] & 0x0f) - 8) * d;
                y[i * GK_QK + j + GK_QK / 2] = (float)((b[i].qs[j] >> 4) - 8) * d;
            }
        }
        return 0;
    }
    default: return -1;
    }
}
