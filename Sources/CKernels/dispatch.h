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

// ---- SIMD helpers shared by the kernel files ----
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
