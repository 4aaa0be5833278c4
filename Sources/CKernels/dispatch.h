// Runtime CPU dispatch shared by the kernel files (not part of the public header).
#ifndef GK_DISPATCH_H
#define GK_DISPATCH_H
#if defined(__x86_64__)
#include <immintrin.h>
#define GK_X86 1
#define GK_AVX2 __attribute__((target("avx2,fma,f16c")))
#ifdef GK_SIMDE_VNNI
// Checking the VNNI kernels on a CPU without them (tools/check/vnni.sh): SIMDe's portable versions of
// the AVX-512 intrinsics stand in, and the functions are compiled for AVX2 only, so nothing emits EVEX code.
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define GK_VNNI GK_AVX2
// SIMDe 0.7 has no 512-bit int -> float conversion: two 256-bit ones round the same way
static inline simde__m512 gk_simde_cvtepi32_ps(simde__m512i a) {
    const __m256 lo = _mm256_cvtepi32_ps(simde_mm512_castsi512_si256(a));
    const __m256 hi = _mm256_cvtepi32_ps(simde_mm512_extracti64x4_epi64(a, 1));
    return simde_mm512_castpd_ps(simde_mm512_insertf64x4(simde_mm512_castps_pd(simde_mm512_castps256_ps512(lo)),
                                                         _mm256_castps_pd(hi), 1));
}
#define _mm512_cvtepi32_ps gk_simde_cvtepi32_ps
#else
#define GK_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#endif
#elif defined(__aarch64__)
#include <arm_neon.h>
#define GK_NEON 1
#endif

// ---- block helpers shared by the kernel files (dot.c's row kernels, interleaved.c's 8-row kernels) ----

// The exact integer dot product of one block's quants with an activation block (32 int8): Q4_0's 16 bytes of
// nibbles (low = weights 0..15, high = 16..31, each minus 8) or Q8_0's 32 int8.
static inline int32_t q4_isum(const uint8_t *qs, const int8_t *x) {
    int32_t acc = 0;
    for (int j = 0; j < 16; j++) acc += ((qs[j] & 0x0f) - 8) * (int32_t)x[j] + ((qs[j] >> 4) - 8) * (int32_t)x[j + 16];
    return acc;
}

static inline int32_t q8_isum(const int8_t *qs, const int8_t *x) {
    int32_t acc = 0;
    for (int j = 0; j < 32; j++) acc += (int32_t)qs[j] * (int32_t)x[j];
    return acc;
}

#ifdef GK_X86
GK_AVX2 static inline float hsum8(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// F16C converts the block scales inline (a call per scale costs as much as the block's arithmetic)
#define GK_F16(h) _cvtsh_ss(h)

// A block's integer products with the activation block xq, as 8 int32 partial sums. Signed x signed moves a's
// sign onto b (maddubs needs one unsigned operand; at most 2 x 128 x 127, no saturation, as activations are
// quantized to +-127).
GK_AVX2 static inline __m256i i8_sums(__m256i a, __m256i b) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a)), _mm256_set1_epi16(1));
}

GK_AVX2 static inline __m256i q8_sums(const int8_t *qs, __m256i xq) {
    return i8_sums(_mm256_loadu_si256((const __m256i *)qs), xq);
}

// Q4_0's nibbles as unsigned bytes 0..15 (the -8 offset is left to the caller): the 16 bytes broadcast to both
// halves and the high half shifted by 4, so low nibbles = weights 0..15, high = 16..31. maddubs takes them as
// the unsigned operand directly.
GK_AVX2 static inline __m256i q4_nibbles(const uint8_t *qs) {
    const __m256i raw = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    return _mm256_and_si256(_mm256_srlv_epi64(raw, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0f));
}

GK_AVX2 static inline __m256i q4_sums(const uint8_t *qs, __m256i xq) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q4_nibbles(qs), xq), _mm256_set1_epi16(1));
}

// The same integers with VNNI's vpdpbusd (one instruction for maddubs + madd; maddubs cannot saturate on these
// operands), so the VNNI paths stay bit-identical to AVX2.
GK_VNNI static inline __m256i q4_sums_vnni(const uint8_t *qs, __m256i xq) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), q4_nibbles(qs), xq);
}

GK_VNNI static inline __m256i q8_sums_vnni(const int8_t *qs, __m256i xq) {
    const __m256i w = _mm256_loadu_si256((const __m256i *)qs);
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(xq, w));
}

// One Q8_0 block (scale d, 32 int8) to 32 floats: the same values as gk_dequantize (q * d).
GK_AVX2 static inline void dequantize_q8_block_avx2(uint16_t h, const int8_t *qs, float *y) {
    const __m256 d = _mm256_set1_ps(GK_F16(h));
    for (int j = 0; j < 32; j += 8) {
        const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(qs + j)));
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
    }
}

// One Q4_0 block (scale d, 16 bytes of nibbles) to 32 floats: the same values as gk_dequantize ((q - 8) * d).
GK_AVX2 static inline void dequantize_q4_block_avx2(uint16_t h, const uint8_t *qs, float *y) {
    const __m256 d = _mm256_set1_ps(GK_F16(h));
    const __m128i raw = _mm_loadu_si128((const __m128i *)qs);
    const __m128i eight = _mm_set1_epi8(8), mask = _mm_set1_epi8(0x0f);
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(raw, mask), eight);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(raw, 4), mask), eight);
    _mm256_storeu_ps(y, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)), d));
    _mm256_storeu_ps(y + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8))), d));
    _mm256_storeu_ps(y + 16, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)), d));
    _mm256_storeu_ps(y + 24, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))), d));
}
#endif

#ifdef GK_NEON
// sum of the 32 products of two blocks' int8 halves (w0, w1) and (x0, x1), as 4 int32 lanes
static inline int32x4_t dot32_neon(int8x16_t w0, int8x16_t w1, int8x16_t x0, int8x16_t x1) {
    int16x8_t p0 = vmull_s8(vget_low_s8(w0), vget_low_s8(x0));
    p0 = vmlal_s8(p0, vget_high_s8(w0), vget_high_s8(x0));
    int16x8_t p1 = vmull_s8(vget_low_s8(w1), vget_low_s8(x1));
    p1 = vmlal_s8(p1, vget_high_s8(w1), vget_high_s8(x1));
    return vpadalq_s16(vpaddlq_s16(p0), p1);
}

// A Q8_0 block's quants against the activation block's halves x0, x1
static inline int32x4_t q8_dot32_neon(const int8_t *qs, int8x16_t x0, int8x16_t x1) {
    return dot32_neon(vld1q_s8(qs), vld1q_s8(qs + 16), x0, x1);
}

// A Q4_0 block's nibbles (minus 8) against the activation block's halves x0, x1
static inline int32x4_t q4_dot32_neon(const uint8_t *qs, int8x16_t x0, int8x16_t x1) {
    const uint8x16_t raw = vld1q_u8(qs);  // low nibbles: weights 0..15, high: 16..31
    const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(raw, vdupq_n_u8(0x0f))), vdupq_n_s8(8));
    const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(raw, 4)), vdupq_n_s8(8));
    return dot32_neon(lo, hi, x0, x1);
}
#endif

/// 1 when the AVX2+FMA+F16C kernels run (the CPU has them and GLIMPSE_KERNELS is not "portable").
int gk_have_avx2(void);
/// 1 when, on top of those, the quantized decode products use AVX-512 (512-bit registers, VNNI's vpdpbusd):
/// the CPU has AVX-512 F, BW, VL and VNNI, and GLIMPSE_KERNELS is neither "portable" nor "avx2".
int gk_have_vnni(void);
/// 1 when the NEON row dot products run (AArch64, where NEON is always there, and GLIMPSE_KERNELS is not
/// "portable").
int gk_have_neon(void);

// The interleaved types (interleaved.c), behind dot.c's gk_matvec_rows_multi and gk_dequantize_rows (same
// arguments).
static inline int gk_is_interleaved(int type) { return type == GK_TYPE_Q4_0_X8 || type == GK_TYPE_Q8_0_X8; }
void gk_x8_matvec(int type, const void *w, int64_t cols, const void *xq8, int64_t xq8_stride, int64_t n_vec,
                  const float *xinfo, float *y, int64_t y_stride, int64_t r0, int64_t r1);
void gk_x8_dequantize_rows(int type, const void *w, int64_t cols, float *out, int64_t r0, int64_t r1);
#endif
