// Row dot products and matvec sections, with runtime CPU dispatch (AVX2+FMA+F16C or portable C).
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>


// ---- portable ----

static float dot_f32(const float *w, const float *x, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += w[i] * x[i];
    return s;
}

static float dot_f16(const uint16_t *w, const float *x, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += gk_fp16_to_fp32(w[i]) * x[i];
    return s;
}

static float dot_bf16(const uint16_t *w, const float *x, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++) s += gk_bf16_to_fp32(w[i]) * x[i];
    return s;
}

static float dot_q8_0(const gk_block_q8_0 *w, const gk_block_q8_0 *x, int64_t n) {
    float s = 0.0f;
    for (int64_t b = 0; b < n / GK_QK; b++)
        s += (float)q8_isum(w[b].qs, x[b].qs) * gk_fp16_to_fp32(w[b].d) * gk_fp16_to_fp32(x[b].d);
    return s;
}

static float dot_q4_0(const gk_block_q4_0 *w, const gk_block_q8_0 *x, int64_t n) {
    float s = 0.0f;
    for (int64_t b = 0; b < n / GK_QK; b++)
        s += (float)q4_isum(w[b].qs, x[b].qs) * gk_fp16_to_fp32(w[b].d) * gk_fp16_to_fp32(x[b].d);
    return s;
}

// ---- AVX2 + FMA + F16C ----
#ifdef GK_X86

GK_AVX2 static float dot_f32_avx2(const float *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
    }
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += w[i] * x[i];
    return s;
}

GK_AVX2 static float dot_f16_avx2(const uint16_t *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 w0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i)));
        __m256 w1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 8)));
        a0 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + i + 8), a1);
    }
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += gk_fp16_to_fp32(w[i]) * x[i];
    return s;
}

GK_AVX2 static float dot_bf16_avx2(const uint16_t *w, const float *x, int64_t n) {
    __m256 a0 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(w + i)));
        __m256 wf = _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
        a0 = _mm256_fmadd_ps(wf, _mm256_loadu_ps(x + i), a0);
    }
    float s = hsum8(a0);
    for (; i < n; i++) s += gk_bf16_to_fp32(w[i]) * x[i];
    return s;
}

// signed int8 x signed int8 -> 8 int32 lanes as floats
GK_AVX2 static inline __m256 mul_i8_sum(__m256i a, __m256i b) { return _mm256_cvtepi32_ps(i8_sums(a, b)); }

GK_AVX2 static float dot_q8_0_avx2(const gk_block_q8_0 *w, const gk_block_q8_0 *x, int64_t n) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / GK_QK; b++) {
        const __m256 d = _mm256_set1_ps(GK_F16(w[b].d) * GK_F16(x[b].d));
        const __m256i wq = _mm256_loadu_si256((const __m256i *)w[b].qs);
        const __m256i xq = _mm256_loadu_si256((const __m256i *)x[b].qs);
        acc = _mm256_fmadd_ps(d, mul_i8_sum(wq, xq), acc);
    }
    return hsum8(acc);
}

GK_AVX2 static float dot_q4_0_avx2(const gk_block_q4_0 *w, const gk_block_q8_0 *x, int64_t n) {
    __m256 acc = _mm256_setzero_ps();
    const __m128i lowmask = _mm_set1_epi8(0x0f);
    const __m256i eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < n / GK_QK; b++) {
        const __m256 d = _mm256_set1_ps(GK_F16(w[b].d) * GK_F16(x[b].d));
        const __m128i raw = _mm_loadu_si128((const __m128i *)w[b].qs);
        const __m128i lo = _mm_and_si128(raw, lowmask);
        const __m128i hi = _mm_and_si128(_mm_srli_epi16(raw, 4), lowmask);
        const __m256i wq = _mm256_sub_epi8(_mm256_set_m128i(hi, lo), eight);
        const __m256i xq = _mm256_loadu_si256((const __m256i *)x[b].qs);
        acc = _mm256_fmadd_ps(d, mul_i8_sum(wq, xq), acc);
    }
    return hsum8(acc);
}

// Two rows against one activation vector, two blocks per step: the activation block is loaded once
// for both rows, and four accumulators keep the FMA latency chain from limiting the loop.
//
// The block scales are the expensive part of a naive loop (an fp16 load, conversion, multiply and
// broadcast per block and row, more than the integer dot itself), so each row's scales are converted 8 at
// a time in a pre-pass over a chunk of blocks, already multiplied by the activation's scales, and the loop
// broadcasts them from memory. GPT-J-6B Q4_0 row pairs: 1.06 ns per block and row in cache, against 1.87
// for per-block conversion (one core of this VM's AMD EPYC).
#define GK_CHUNK 64

// out[k] = d_w[k] * dx[k] for the n blocks `stride` bytes apart at base; returns sum_k out[k] * xoff[k]
// (0 when xoff is null), vectorized: a scalar running sum here is a serial FMA chain that costs more
// than the whole integer loop.
GK_AVX2 static inline float row_scales(const char *base, int64_t stride, int64_t n, const float *dx,
                                       const float *xoff, float *out) {
    uint16_t h[GK_CHUNK];
    for (int64_t k = 0; k < n; k++) memcpy(&h[k], base + k * stride, 2);
    __m256 off = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
        const __m256 s = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + k))), _mm256_loadu_ps(dx + k));
        _mm256_storeu_ps(out + k, s);
        if (xoff) off = _mm256_fmadd_ps(s, _mm256_loadu_ps(xoff + k), off);
    }
    float tail = 0;
    for (; k < n; k++) {
        out[k] = GK_F16(h[k]) * dx[k];
        if (xoff) tail += out[k] * xoff[k];
    }
    return hsum8(off) + tail;
}

// One block against the activation block, as floats. Q4_0: the -8 offset is applied once per row in floats
// (sum over blocks of d_w * d_x * 8 * sum(x block)), not per block.
GK_AVX2 static inline __m256 q4_block(const gk_block_q4_0 *w, __m256i xq) { return _mm256_cvtepi32_ps(q4_sums(w->qs, xq)); }
GK_AVX2 static inline __m256 q8_block(const gk_block_q8_0 *w, __m256i xq) { return _mm256_cvtepi32_ps(q8_sums(w->qs, xq)); }

// The same blocks with AVX-512 VNNI (the AVX-512 kernels' odd last block), bit-identical to AVX2's.
GK_VNNI static inline __m256 q4_block_vnni(const gk_block_q4_0 *w, __m256i xq) {
    return _mm256_cvtepi32_ps(q4_sums_vnni(w->qs, xq));
}
GK_VNNI static inline __m256 q8_block_vnni(const gk_block_q8_0 *w, __m256i xq) {
    return _mm256_cvtepi32_ps(q8_sums_vnni(w->qs, xq));
}

// Software prefetch this many blocks ahead in each row stream (~4.5 KB): on this VM's AMD EPYC, decode of
// GPT-J-6B Q4_0 ran 20-25% faster with it than with the hardware prefetchers alone (64 blocks: +5%). With
// the scale pre-pass, 128 blocks ran 12% slower than 256 and 512 the same. Q8_0 at 256 blocks (8.7 KB)
// against 128: 2.78-3.04 tok/s against 2.31-2.97, ahead in each of four interleaved pairs.
#define GK_PREFETCH_Q4 256
#define GK_PREFETCH_Q8 256

// The activation's per-block figures the paired kernels need: dx = its scales as floats, and for Q4_0
// xoff = 8 * sum(q) (null for Q8_0).
typedef struct { const float *dx, *xoff; } act_figures;

// Both rows' scales for blocks [c, c + n) of a pair (row_scales); their offset terms are added to offa, offb.
GK_AVX2 static inline void pair_scales(const void *a, const void *b, size_t block_bytes, int64_t n, act_figures xi,
                                       int64_t c, float *sa, float *sb, float *offa, float *offb) {
    const float *xoff = xi.xoff ? xi.xoff + c : 0;
    *offa += row_scales((const char *)a, (int64_t)block_bytes, n, xi.dx + c, xoff, sa);
    *offb += row_scales((const char *)b, (int64_t)block_bytes, n, xi.dx + c, xoff, sb);
}

#define GK_DOT2(NAME, TARGET, BLOCK_T, BLOCK_FN, PREFETCH)                                                  \
    TARGET static void NAME(const BLOCK_T *a, const BLOCK_T *b, const gk_block_q8_0 *x, act_figures xi,     \
                             int64_t nb, float *ya, float *yb) {                                            \
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;                                          \
        float sa[GK_CHUNK], sb[GK_CHUNK], offa = 0, offb = 0;                                               \
        for (int64_t c = 0; c < nb; c += GK_CHUNK) {                                                        \
            const int64_t n = nb - c < GK_CHUNK ? nb - c : GK_CHUNK;                                         \
            pair_scales(a + c, b + c, sizeof(BLOCK_T), n, xi, c, sa, sb, &offa, &offb);                      \
            const BLOCK_T *pa = a + c, *pb = b + c;                                                          \
            const gk_block_q8_0 *px = x + c;                                                                \
            int64_t i = 0;                                                                                   \
            for (; i + 2 <= n; i += 2) {                                                                     \
                _mm_prefetch((const char *)(pa + i + PREFETCH), _MM_HINT_T0);                                \
                _mm_prefetch((const char *)(pb + i + PREFETCH), _MM_HINT_T0);                                \
                const __m256i x0 = _mm256_loadu_si256((const __m256i *)px[i].qs);                          \
                const __m256i x1 = _mm256_loadu_si256((const __m256i *)px[i + 1].qs);                      \
                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(sa + i), BLOCK_FN(pa + i, x0), a0);                \
                b0 = _mm256_fmadd_ps(_mm256_broadcast_ss(sb + i), BLOCK_FN(pb + i, x0), b0);                \
                a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(sa + i + 1), BLOCK_FN(pa + i + 1, x1), a1);        \
                b1 = _mm256_fmadd_ps(_mm256_broadcast_ss(sb + i + 1), BLOCK_FN(pb + i + 1, x1), b1);        \
            }                                                                                                \
            for (; i < n; i++) {                                                                             \
                const __m256i x0 = _mm256_loadu_si256((const __m256i *)px[i].qs);                          \
                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(sa + i), BLOCK_FN(pa + i, x0), a0);                \
                b0 = _mm256_fmadd_ps(_mm256_broadcast_ss(sb + i), BLOCK_FN(pb + i, x0), b0);                \
            }                                                                                                \
        }                                                                                                    \
        *ya = hsum8(_mm256_add_ps(a0, a1)) - offa;                                                           \
        *yb = hsum8(_mm256_add_ps(b0, b1)) - offb;                                                           \
    }

GK_DOT2(dot2_q4_0_avx2, GK_AVX2, gk_block_q4_0, q4_block, GK_PREFETCH_Q4)
GK_DOT2(dot2_q8_0_avx2, GK_AVX2, gk_block_q8_0, q8_block, GK_PREFETCH_Q8)

// With AVX-512, two blocks per 512-bit register: block i in the low 256 bits, block i + 1 in the high. One
// accumulator per row then holds exactly the AVX2 kernel's two (a0 for even blocks, a1 for odd), lane for
// lane and in the same order, so the sums stay bit-identical to it.
GK_VNNI static inline __m512i q4_pair_vnni(const gk_block_q4_0 *w, __m512i x2) {
    // 128-bit lanes [A, A, B, B], the high copies shifted by 4: A's weights 0..15, 16..31, then B's
    const __m512i raw = _mm512_mask_broadcast_i32x4(_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)w[0].qs)),
                                                    0xFF00, _mm_loadu_si128((const __m128i *)w[1].qs));
    const __m512i shifted = _mm512_srlv_epi64(raw, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0));
    const __m512i q = _mm512_and_si512(shifted, _mm512_set1_epi8(0x0f));
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), q, x2);
}

GK_VNNI static inline __m512i q8_pair_vnni(const gk_block_q8_0 *w, __m512i x2) {
    const __m512i wq = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)w[0].qs)),
                                          _mm256_loadu_si256((const __m256i *)w[1].qs), 1);
    // |w| (-128 becomes 128, read as unsigned) times x with w's sign; where w is 0 the product is 0 anyway
    const __m512i sx = _mm512_mask_sub_epi8(x2, _mm512_movepi8_mask(wq), _mm512_setzero_si512(), x2);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_abs_epi8(wq), sx);
}

GK_VNNI static inline __m256 high_half(__m512 v) {
    return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

GK_VNNI static inline __m512 with_low_half(__m512 v, __m256 lo) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(v), _mm256_castps_pd(lo), 0));
}

// [s ×8 | t ×8]
GK_VNNI static inline __m512 two_scales(const float *s) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(_mm256_broadcast_ss(s))),
                                               _mm256_castps_pd(_mm256_broadcast_ss(s + 1)), 1));
}

#define GK_DOT2_VNNI(NAME, BLOCK_T, PAIR_FN, BLOCK_FN, PREFETCH)                                              \
    GK_VNNI static void NAME(const BLOCK_T *a, const BLOCK_T *b, const gk_block_q8_0 *x, act_figures xi,     \
                             int64_t nb, float *ya, float *yb) {                                            \
        __m512 accA = _mm512_setzero_ps(), accB = accA;                                                      \
        float sa[GK_CHUNK], sb[GK_CHUNK], offa = 0, offb = 0;                                               \
        for (int64_t c = 0; c < nb; c += GK_CHUNK) {                                                        \
            const int64_t n = nb - c < GK_CHUNK ? nb - c : GK_CHUNK;                                         \
            pair_scales(a + c, b + c, sizeof(BLOCK_T), n, xi, c, sa, sb, &offa, &offb);                      \
            const BLOCK_T *pa = a + c, *pb = b + c;                                                          \
            const gk_block_q8_0 *px = x + c;                                                                \
            int64_t i = 0;                                                                                   \
            for (; i + 2 <= n; i += 2) {                                                                     \
                _mm_prefetch((const char *)(pa + i + PREFETCH), _MM_HINT_T0);                                \
                _mm_prefetch((const char *)(pb + i + PREFETCH), _MM_HINT_T0);                                \
                const __m512i x2 = _mm512_inserti64x4(                                                       \
                    _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)px[i].qs)),                   \
                    _mm256_loadu_si256((const __m256i *)px[i + 1].qs), 1);                                   \
                accA = _mm512_fmadd_ps(two_scales(sa + i), _mm512_cvtepi32_ps(PAIR_FN(pa + i, x2)), accA);  \
                accB = _mm512_fmadd_ps(two_scales(sb + i), _mm512_cvtepi32_ps(PAIR_FN(pb + i, x2)), accB);  \
            }                                                                                                \
            for (; i < n; i++) { /* the last block when nb is odd: into the even blocks' half, as AVX2 */   \
                const __m256i x0 = _mm256_loadu_si256((const __m256i *)px[i].qs);                          \
                accA = with_low_half(accA, _mm256_fmadd_ps(_mm256_broadcast_ss(sa + i), BLOCK_FN(pa + i, x0),  \
                                                           _mm512_castps512_ps256(accA)));                  \
                accB = with_low_half(accB, _mm256_fmadd_ps(_mm256_broadcast_ss(sb + i), BLOCK_FN(pb + i, x0),  \
                                                           _mm512_castps512_ps256(accB)));                  \
            }                                                                                                \
        }                                                                                                    \
        *ya = hsum8(_mm256_add_ps(_mm512_castps512_ps256(accA), high_half(accA))) - offa;                   \
        *yb = hsum8(_mm256_add_ps(_mm512_castps512_ps256(accB), high_half(accB))) - offb;                   \
    }

GK_DOT2_VNNI(dot2_q4_0_vnni, gk_block_q4_0, q4_pair_vnni, q4_block_vnni, GK_PREFETCH_Q4)
GK_DOT2_VNNI(dot2_q8_0_vnni, gk_block_q8_0, q8_pair_vnni, q8_block_vnni, GK_PREFETCH_Q8)

GK_AVX2 static void act_info_avx2(const gk_block_q8_0 *x, int64_t nb, float *dx, float *xoff) {
    for (int64_t b = 0; b < nb; b++) {
        dx[b] = GK_F16(x[b].d);
        if (xoff) {
            const __m256i xq = _mm256_loadu_si256((const __m256i *)x[b].qs);
            const __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(8), xq), _mm256_set1_epi16(1));
            __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
            t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
            t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
            xoff[b] = (float)_mm_cvtsi128_si32(t);
        }
    }
}
#endif

#ifdef GK_NEON
// AArch64's baseline NEON (no dot-product extension): int8 products widen to int16 pairwise (at most
// 2 x 128 x 127, no overflow, as activations are quantized to +-127), then accumulate into int32.
static float dot_f32_neon(const float *w, const float *x, int64_t n) {
    float32x4_t a0 = vdupq_n_f32(0), a1 = a0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a0 = vfmaq_f32(a0, vld1q_f32(w + i), vld1q_f32(x + i));
        a1 = vfmaq_f32(a1, vld1q_f32(w + i + 4), vld1q_f32(x + i + 4));
    }
    float s = vaddvq_f32(vaddq_f32(a0, a1));
    for (; i < n; i++) s += w[i] * x[i];
    return s;
}

static float dot_f16_neon(const uint16_t *w, const float *x, int64_t n) {
    float32x4_t a0 = vdupq_n_f32(0), a1 = a0;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(w + i));
        a0 = vfmaq_f32(a0, vcvt_f32_f16(vget_low_f16(h)), vld1q_f32(x + i));
        a1 = vfmaq_f32(a1, vcvt_high_f32_f16(h), vld1q_f32(x + i + 4));
    }
    float s = vaddvq_f32(vaddq_f32(a0, a1));
    for (; i < n; i++) s += gk_fp16_to_fp32(w[i]) * x[i];
    return s;
}

static float dot_q8_0_neon(const gk_block_q8_0 *w, const gk_block_q8_0 *x, int64_t nb) {
    float32x4_t acc = vdupq_n_f32(0);
    for (int64_t b = 0; b < nb; b++) {
        const int32x4_t s = q8_dot32_neon(w[b].qs, vld1q_s8(x[b].qs), vld1q_s8(x[b].qs + 16));
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), gk_fp16_to_fp32(w[b].d) * gk_fp16_to_fp32(x[b].d));
    }
    return vaddvq_f32(acc);
}

static float dot_q4_0_neon(const gk_block_q4_0 *w, const gk_block_q8_0 *x, int64_t nb) {
    float32x4_t acc = vdupq_n_f32(0);
    for (int64_t b = 0; b < nb; b++) {
        const int32x4_t s = q4_dot32_neon(w[b].qs, vld1q_s8(x[b].qs), vld1q_s8(x[b].qs + 16));
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), gk_fp16_to_fp32(w[b].d) * gk_fp16_to_fp32(x[b].d));
    }
    return vaddvq_f32(acc);
}
#endif

// ---- dispatch ----

#ifdef GK_X86
static int use_avx2 = -1;
#endif

int gk_have_avx2(void) {
#ifdef GK_X86
    if (use_avx2 < 0) {
        __builtin_cpu_init();
        // GLIMPSE_KERNELS=portable forces the portable C path (to check it against the SIMD one).
        const char *forced = getenv("GLIMPSE_KERNELS");
        use_avx2 = !(forced && strcmp(forced, "portable") == 0) && __builtin_cpu_supports("avx2") &&
                   __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    }
    return use_avx2;
#else
    return 0;
#endif
}

#ifdef GK_X86
static int use_vnni = -1;
#endif

int gk_have_vnni(void) {
#ifdef GK_X86
    if (use_vnni < 0) {
        const char *forced = getenv("GLIMPSE_KERNELS");
#ifdef GK_SIMDE_VNNI
        use_vnni = gk_have_avx2() && forced && strcmp(forced, "vnni") == 0;  // emulated: only when asked
#else
        use_vnni = gk_have_avx2() && !(forced && strcmp(forced, "avx2") == 0) &&
                   __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
    }
    return use_vnni;
#else
    return 0;
#endif
}

#ifdef GK_NEON
static int use_neon = -1;
#endif

int gk_have_neon(void) {
#ifdef GK_NEON
    if (use_neon < 0) {
        const char *forced = getenv("GLIMPSE_KERNELS");
        use_neon = !(forced && strcmp(forced, "portable") == 0);
    }
    return use_neon;
#else
    return 0;
#endif
}

const char *gk_cpu_path(void) {
    return gk_have_vnni() ? "avx512vnni" : gk_have_avx2() ? "avx2" : gk_have_neon() ? "neon" : "scalar";
}

float gk_dot_row_portable(int type, const void *row, const float *x, const void *xq8, int64_t n) {
    switch (type) {
    case GK_TYPE_F32: return dot_f32((const float *)row, x, n);
    case GK_TYPE_F16: return dot_f16((const uint16_t *)row, x, n);
    case GK_TYPE_BF16: return dot_bf16((const uint16_t *)row, x, n);
    case GK_TYPE_Q8_0: return dot_q8_0((const gk_block_q8_0 *)row, (const gk_block_q8_0 *)xq8, n);
    case GK_TYPE_Q4_0: return dot_q4_0((const gk_block_q4_0 *)row, (const gk_block_q8_0 *)xq8, n);
    default: return NAN;
    }
}

float gk_dot_row(int type, const void *row, const float *x, const void *xq8, int64_t n) {
#ifdef GK_X86
    if (gk_have_avx2()) {
        switch (type) {
        case GK_TYPE_F32: return dot_f32_avx2((const float *)row, x, n);
        case GK_TYPE_F16: return dot_f16_avx2((const uint16_t *)row, x, n);
        case GK_TYPE_BF16: return dot_bf16_avx2((const uint16_t *)row, x, n);
        case GK_TYPE_Q8_0: return dot_q8_0_avx2((const gk_block_q8_0 *)row, (const gk_block_q8_0 *)xq8, n);
        case GK_TYPE_Q4_0: return dot_q4_0_avx2((const gk_block_q4_0 *)row, (const gk_block_q8_0 *)xq8, n);
        default: return NAN;
        }
    }
#elif defined(GK_NEON)
    if (gk_have_neon()) {
        switch (type) {
        case GK_TYPE_F32: return dot_f32_neon((const float *)row, x, n);
        case GK_TYPE_F16: return dot_f16_neon((const uint16_t *)row, x, n);
        case GK_TYPE_Q8_0: return dot_q8_0_neon((const gk_block_q8_0 *)row, (const gk_block_q8_0 *)xq8, n / GK_QK);
        case GK_TYPE_Q4_0: return dot_q4_0_neon((const gk_block_q4_0 *)row, (const gk_block_q8_0 *)xq8, n / GK_QK);
        default: break;
        }
    }
#endif
    return gk_dot_row_portable(type, row, x, xq8, n);
}

static int64_t row_bytes(int type, int64_t cols) {
    switch (type) {
    case GK_TYPE_F32: return cols * 4;
    case GK_TYPE_F16: case GK_TYPE_BF16: return cols * 2;
    case GK_TYPE_Q8_0: return cols / GK_QK * (int64_t)sizeof(gk_block_q8_0);
    case GK_TYPE_Q4_0: return cols / GK_QK * (int64_t)sizeof(gk_block_q4_0);
    default: return 0;
    }
}

// Rows [r0, r1) against one vector: quantized rows go two at a time through the paired kernels.
static void matvec_rows(int type, const char *base, int64_t rb, int64_t cols, const float *x, const void *xq8,
                        const float *xinfo, float *y, int64_t r0, int64_t r1) {
    int64_t r = r0;
#ifdef GK_X86
    if (xinfo) {
        const int64_t nb = cols / GK_QK;
        const act_figures xi = {xinfo, type == GK_TYPE_Q4_0 ? xinfo + nb : 0};
        const int vnni = gk_have_vnni();
        for (; r + 2 <= r1; r += 2) {
            const void *a = base + r * rb, *b = base + (r + 1) * rb;
            const gk_block_q8_0 *xb = (const gk_block_q8_0 *)xq8;
            if (type == GK_TYPE_Q4_0)
                (vnni ? dot2_q4_0_vnni : dot2_q4_0_avx2)(a, b, xb, xi, nb, y + r, y + r + 1);
            else
                (vnni ? dot2_q8_0_vnni : dot2_q8_0_avx2)(a, b, xb, xi, nb, y + r, y + r + 1);
        }
    }
#else
    (void)xinfo;  // only the x86 paired kernels use the activation figures
#endif
    for (; r < r1; r++) y[r] = gk_dot_row(type, base + r * rb, x, xq8, cols);
}

int gk_act_info(int type, const void *xq8, int64_t xq8_stride, int64_t n_vec, int64_t cols, float *info) {
#ifdef GK_X86
    const int q4 = type == GK_TYPE_Q4_0 || type == GK_TYPE_Q4_0_X8;
    if (!gk_have_avx2() || !xq8 || !info || (!q4 && type != GK_TYPE_Q8_0 && type != GK_TYPE_Q8_0_X8)) return 0;
    const int64_t nb = cols / GK_QK;
    for (int64_t v = 0; v < n_vec; v++)
        act_info_avx2((const gk_block_q8_0 *)((const char *)xq8 + v * xq8_stride), nb, info + 2 * nb * v,
                      q4 ? info + 2 * nb * v + nb : 0);
    return 1;
#else
    (void)type; (void)xq8; (void)xq8_stride; (void)n_vec; (void)cols; (void)info;
    return 0;
#endif
}

// One vector: its activation figures live on the stack when small, else are allocated.
#define GK_XINFO_STACK 8192
void gk_matvec_rows(int type, const void *w, int64_t cols, const float *x, const void *xq8,
                    float *y, int64_t r0, int64_t r1) {
    const int64_t n = 2 * (cols / GK_QK);
    float stack[GK_XINFO_STACK];
    float *info = n <= GK_XINFO_STACK ? stack : malloc(sizeof(float) * (size_t)n);
    const int have_info = info && gk_act_info(type, xq8, 0, 1, cols, info);
    if (gk_is_interleaved(type))
        gk_x8_matvec(type, w, cols, xq8, 0, 1, have_info ? info : 0, y, 0, r0, r1);
    else
        matvec_rows(type, (const char *)w, row_bytes(type, cols), cols, x, xq8, have_info ? info : 0, y, r0, r1);
    if (info != stack) free(info);
}

#ifdef GK_X86
GK_AVX2 static void f16_to_f32_avx2(const uint16_t *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
    for (; i < n; i++) y[i] = gk_fp16_to_fp32(x[i]);
}

// Prefill's weight tiles for sgemm: the same values as gk_dequantize ((float)q * d), 8 at a time.
GK_AVX2 static void dequantize_q8_0_avx2(const gk_block_q8_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += GK_QK) dequantize_q8_block_avx2(b[i].d, b[i].qs, y);
}

GK_AVX2 static void dequantize_q4_0_avx2(const gk_block_q4_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += GK_QK) dequantize_q4_block_avx2(b[i].d, b[i].qs, y);
}
#endif

void gk_matvec_rows_multi(int type, const void *w, int64_t cols, const float *x, const void *xq8, int64_t xq8_stride,
                          int64_t n_vec, const float *xinfo, float *y, int64_t y_stride, int64_t r0, int64_t r1) {
    if (gk_is_interleaved(type)) {
        gk_x8_matvec(type, w, cols, xq8, xq8_stride, n_vec, xinfo, y, y_stride, r0, r1);
        return;
    }
    const int64_t rb = row_bytes(type, cols);
    const char *base = (const char *)w;
    // A pair of rows is read from memory once, then reused from cache for every vector.
    for (int64_t r = r0; r < r1; r += 2) {
        const int64_t end = r + 2 < r1 ? r + 2 : r1;
        for (int64_t v = 0; v < n_vec; v++)
            matvec_rows(type, base, rb, cols, x + v * cols, xq8 ? (const char *)xq8 + v * xq8_stride : 0,
                        xinfo ? xinfo + 2 * (cols / GK_QK) * v : 0, y + v * y_stride, r, end);
    }
}

void gk_dequantize_rows(int type, const void *w, int64_t cols, float *out, int64_t r0, int64_t r1) {
    if (gk_is_interleaved(type)) {
        gk_x8_dequantize_rows(type, w, cols, out, r0, r1);
        return;
    }
    const int64_t rb = row_bytes(type, cols);
    const char *base = (const char *)w;
#ifdef GK_X86
    if (gk_have_avx2()) {
        switch (type) {
        case GK_TYPE_F16: f16_to_f32_avx2((const uint16_t *)(base + r0 * rb), out, (r1 - r0) * cols); return;
        // cols is a multiple of 32 for quantized tensors, so the rows' blocks are contiguous
        case GK_TYPE_Q8_0: dequantize_q8_0_avx2((const gk_block_q8_0 *)(base + r0 * rb), out, (r1 - r0) * cols / GK_QK); return;
        case GK_TYPE_Q4_0: dequantize_q4_0_avx2((const gk_block_q4_0 *)(base + r0 * rb), out, (r1 - r0) * cols / GK_QK); return;
        default: break;
        }
    }
#endif
    for (int64_t r = r0; r < r1; r++) gk_dequantize(type, base + r * rb, out + (r - r0) * cols, cols);
}
