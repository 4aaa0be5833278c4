// Element conversions and ggml's reference quantizers (ggml-quants.c semantics: Q8_0 rounds
// x/d half away from zero with d = amax/127; Q4_0 uses d = max/-8 where max is the signed value
// of largest magnitude, and q = min(15, (int8)(x/d + 8.5))).
#include "ckernels.h"
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

void gk_to_f16(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = gk_fp32_to_fp16(x[i]);
}

void gk_to_bf16(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = gk_fp32_to_bf16(x[i]);
}

void gk_quantize_q8_0(const float *x, void *out, int64_t n) {
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
