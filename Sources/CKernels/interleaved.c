// Q4_0_X8 and Q8_0_X8: Q4_0 and Q8_0 weights stored 8 rows at a time (ckernels.h has the layout), for decode.
// Row by row, each block's fp16 scale costs about as much to gather and convert as the block's integer dot
// product, which keeps the plain kernels below memory speed on AVX2 (one core, Q4_0: 12-16 GB/s of weights
// even from cache). Here one cvtph converts 8 rows' scales, and the 8 rows' integer sums are folded into one
// vector, so a block costs one convert and one FMA for all 8 rows (Q4_0: 19-20 GB/s from cache, BENCHMARKS.md).
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

// Plain blocks' sizes in bytes (fp16 scale + quants).
#define GK_Q4_BLOCK 18
#define GK_Q8_BLOCK 34

// Quantizes each row with the plain quantizer, then scatters its blocks into the groups.
static void interleave_rows(const float *x, void *out, int64_t rows, int64_t cols, int q8) {
    const int64_t nb = cols / GK_QK;
    const size_t plain = q8 ? GK_Q8_BLOCK : GK_Q4_BLOCK, quants = plain - 2;
    const size_t group = q8 ? sizeof(gk_block_q8_0_x8) : sizeof(gk_block_q4_0_x8);
    unsigned char row[GK_QK * GK_Q8_BLOCK];  // a row at a time, in pieces of up to 32 blocks
    for (int64_t g = 0; g < rows / GK_X8_ROWS; g++)
        for (int k = 0; k < GK_X8_ROWS; k++)
            for (int64_t b0 = 0; b0 < nb; b0 += GK_QK) {
                const int64_t n = nb - b0 < GK_QK ? nb - b0 : GK_QK;
                const float *src = x + (g * GK_X8_ROWS + k) * cols + b0 * GK_QK;
                if (q8) gk_quantize_q8_0(src, row, n * GK_QK);
                else gk_quantize_q4_0(src, row, n * GK_QK);
                for (int64_t b = 0; b < n; b++) {
                    unsigned char *dst = (unsigned char *)out + (size_t)(g * nb + b0 + b) * group;
                    memcpy(dst + 2 * k, row + b * plain, 2);
                    memcpy(dst + 2 * GK_X8_ROWS + k * quants, row + b * plain + 2, quants);
                }
            }
}

void gk_quantize_q4_0_x8(const float *x, void *y, int64_t rows, int64_t cols) { interleave_rows(x, y, rows, cols, 0); }
void gk_quantize_q8_0_x8(const float *x, void *y, int64_t rows, int64_t cols) { interleave_rows(x, y, rows, cols, 1); }

// ---- one group of 8 rows against one activation vector: y8[k] = dot(row 8g + k, x) ----
// xinfo (x86 only): the activation's block scales as floats (nb), then 8 * sum(q) per block (nb), from
// gk_act_info.
typedef void (*group_fn)(const void *w, const gk_block_q8_0 *x, const float *xinfo, int64_t nb, float *y8);

// The plain portable dot products' arithmetic, in their order: the same bits as gk_dot_row_portable on the
// rows before interleaving.
#define GK_X8_PORTABLE(NAME, BLOCK_T, ISUM)                                                                    \
    static void NAME(const void *wv, const gk_block_q8_0 *x, const float *xinfo, int64_t nb, float *y8) {      \
        const BLOCK_T *w = (const BLOCK_T *)wv;                                                                \
        (void)xinfo;                                                                                           \
        for (int k = 0; k < GK_X8_ROWS; k++) {                                                                 \
            float s = 0.0f;                                                                                    \
            for (int64_t b = 0; b < nb; b++)                                                                   \
                s += (float)ISUM(w[b].qs[k], x[b].qs) * gk_fp16_to_fp32(w[b].d[k]) * gk_fp16_to_fp32(x[b].d);   \
            y8[k] = s;                                                                                         \
        }                                                                                                      \
    }

GK_X8_PORTABLE(group_q4_portable, gk_block_q4_0_x8, q4_isum)
GK_X8_PORTABLE(group_q8_portable, gk_block_q8_0_x8, q8_isum)

#ifdef GK_X86
// Prefetch this many bytes ahead (16 Q4_0 groups' blocks): 1152-9216 bytes measured no faster for either type
// (tools/bench/decode_stream.c; -DGK_PREFETCH_X8 to try others).
#ifndef GK_PREFETCH_X8
#define GK_PREFETCH_X8 2304
#endif

// Row k's quants against the activation block come from dispatch.h's q4_sums / q8_sums (and their VNNI
// forms); Q4_0's -8 offset is applied once per block for all 8 rows in floats (xinfo's 8 * sum(x) term).

// Lane k = the sum of v[k]'s 8 lanes (an hadd tree: 8 vectors in, one out).
GK_AVX2 static inline __m256i row_totals(__m256i v0, __m256i v1, __m256i v2, __m256i v3, __m256i v4, __m256i v5,
                                         __m256i v6, __m256i v7) {
    const __m256i h0123 = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    const __m256i h4567 = _mm256_hadd_epi32(_mm256_hadd_epi32(v4, v5), _mm256_hadd_epi32(v6, v7));
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                            _mm256_permute2x128_si256(h0123, h4567, 0x31));
}

// OFFSET: 1 for Q4_0 (subtract d_w * d_x * 8 * sum(x) per block), 0 for Q8_0.
#define GK_X8_GROUP(NAME, TARGET, BLOCK_T, SUMS, OFFSET)                                                      \
    TARGET static void NAME(const void *wv, const gk_block_q8_0 *x, const float *xinfo, int64_t nb, float *y8) { \
        const BLOCK_T *w = (const BLOCK_T *)wv;                                                                \
        __m256 acc = _mm256_setzero_ps(), off = acc;                                                           \
        for (int64_t b = 0; b < nb; b++) {                                                                     \
            for (size_t line = 0; line <= sizeof(BLOCK_T) / 64; line++)                                        \
                _mm_prefetch((const char *)(w + b) + GK_PREFETCH_X8 + 64 * line, _MM_HINT_T0);                 \
            const __m256 s = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[b].d)),          \
                                           _mm256_set1_ps(xinfo[b]));                                          \
            if (OFFSET) off = _mm256_fmadd_ps(s, _mm256_set1_ps(xinfo[nb + b]), off);                          \
            const __m256i xq = _mm256_loadu_si256((const __m256i *)x[b].qs);                                   \
            const __m256i t = row_totals(SUMS(w[b].qs[0], xq), SUMS(w[b].qs[1], xq), SUMS(w[b].qs[2], xq),     \
                                         SUMS(w[b].qs[3], xq), SUMS(w[b].qs[4], xq), SUMS(w[b].qs[5], xq),     \
                                         SUMS(w[b].qs[6], xq), SUMS(w[b].qs[7], xq));                          \
            acc = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(t), acc);                                              \
        }                                                                                                      \
        _mm256_storeu_ps(y8, _mm256_sub_ps(acc, off));                                                         \
    }

GK_X8_GROUP(group_q4_avx2, GK_AVX2, gk_block_q4_0_x8, q4_sums, 1)
GK_X8_GROUP(group_q4_vnni, GK_VNNI, gk_block_q4_0_x8, q4_sums_vnni, 1)
GK_X8_GROUP(group_q8_avx2, GK_AVX2, gk_block_q8_0_x8, q8_sums, 0)
GK_X8_GROUP(group_q8_vnni, GK_VNNI, gk_block_q8_0_x8, q8_sums_vnni, 0)
#endif

#ifdef GK_NEON
// The NEON row kernels' arithmetic, 8 rows at a time (the same bits as them on the rows before interleaving).
#define GK_X8_NEON(NAME, BLOCK_T, DOT32)                                                                       \
    static void NAME(const void *wv, const gk_block_q8_0 *x, const float *xinfo, int64_t nb, float *y8) {      \
        const BLOCK_T *w = (const BLOCK_T *)wv;                                                                \
        (void)xinfo;                                                                                           \
        float32x4_t acc[GK_X8_ROWS];                                                                           \
        for (int k = 0; k < GK_X8_ROWS; k++) acc[k] = vdupq_n_f32(0);                                          \
        for (int64_t b = 0; b < nb; b++) {                                                                     \
            const int8x16_t x0 = vld1q_s8(x[b].qs), x1 = vld1q_s8(x[b].qs + 16);                               \
            const float dx = gk_fp16_to_fp32(x[b].d);                                                          \
            for (int k = 0; k < GK_X8_ROWS; k++)                                                               \
                acc[k] = vfmaq_n_f32(acc[k], vcvtq_f32_s32(DOT32(w[b].qs[k], x0, x1)), gk_fp16_to_fp32(w[b].d[k]) * dx); \
        }                                                                                                      \
        for (int k = 0; k < GK_X8_ROWS; k++) y8[k] = vaddvq_f32(acc[k]);                                       \
    }

GK_X8_NEON(group_q4_neon, gk_block_q4_0_x8, q4_dot32_neon)
GK_X8_NEON(group_q8_neon, gk_block_q8_0_x8, q8_dot32_neon)
#endif

void gk_x8_matvec(int type, const void *w, int64_t cols, const void *xq8, int64_t xq8_stride, int64_t n_vec,
                  const float *xinfo, float *y, int64_t y_stride, int64_t r0, int64_t r1) {
    const int q8 = type == GK_TYPE_Q8_0_X8;
    const int64_t nb = cols / GK_QK;
    const size_t group_bytes = (size_t)nb * (q8 ? sizeof(gk_block_q8_0_x8) : sizeof(gk_block_q4_0_x8));
    group_fn group = q8 ? group_q8_portable : group_q4_portable;
#ifdef GK_X86
    if (xinfo) {  // the AVX2 kernels need the activation figures
        const int vnni = gk_have_vnni();
        group = q8 ? (vnni ? group_q8_vnni : group_q8_avx2) : (vnni ? group_q4_vnni : group_q4_avx2);
    }
#elif defined(GK_NEON)
    if (gk_have_neon()) group = q8 ? group_q8_neon : group_q4_neon;
#endif
    for (int64_t g = r0 / GK_X8_ROWS; g * GK_X8_ROWS < r1; g++) {
        const char *rows = (const char *)w + (size_t)g * group_bytes;
        const int64_t first = g * GK_X8_ROWS > r0 ? g * GK_X8_ROWS : r0;
        const int64_t end = (g + 1) * GK_X8_ROWS < r1 ? (g + 1) * GK_X8_ROWS : r1;
        // the group stays in cache for every vector after the first
        for (int64_t v = 0; v < n_vec; v++) {
            float y8[GK_X8_ROWS];
            group(rows, (const gk_block_q8_0 *)((const char *)xq8 + v * xq8_stride), xinfo ? xinfo + 2 * nb * v : 0,
                  nb, y8);
            for (int64_t r = first; r < end; r++) y[v * y_stride + r] = y8[r - g * GK_X8_ROWS];
        }
    }
}

// Rows [r0, r1) to f32 (prefill's weight tiles): the values gk_dequantize gives for the plain rows.
void gk_x8_dequantize_rows(int type, const void *w, int64_t cols, float *out, int64_t r0, int64_t r1) {
    const int q8 = type == GK_TYPE_Q8_0_X8;
    const int64_t nb = cols / GK_QK;
    const gk_block_q4_0_x8 *q4_blocks = (const gk_block_q4_0_x8 *)w;
    const gk_block_q8_0_x8 *q8_blocks = (const gk_block_q8_0_x8 *)w;
#ifdef GK_X86
    const int avx2 = gk_have_avx2();
#endif
    for (int64_t r = r0; r < r1; r++) {
        const int64_t first = r / GK_X8_ROWS * nb;
        const int k = (int)(r % GK_X8_ROWS);
        float *y = out + (r - r0) * cols;
        for (int64_t b = 0; b < nb; b++, y += GK_QK) {
            if (q8) {
                const gk_block_q8_0_x8 *block = &q8_blocks[first + b];
#ifdef GK_X86
                if (avx2) { dequantize_q8_block_avx2(block->d[k], block->qs[k], y); continue; }
#endif
                gk_block_q8_0 plain = {block->d[k], {0}};
                memcpy(plain.qs, block->qs[k], sizeof plain.qs);
                gk_dequantize(GK_TYPE_Q8_0, &plain, y, GK_QK);
            } else {
                const gk_block_q4_0_x8 *block = &q4_blocks[first + b];
#ifdef GK_X86
                if (avx2) { dequantize_q4_block_avx2(block->d[k], block->qs[k], y); continue; }
#endif
                gk_block_q4_0 plain = {block->d[k], {0}};
                memcpy(plain.qs, block->qs[k], sizeof plain.qs);
                gk_dequantize(GK_TYPE_Q4_0, &plain, y, GK_QK);
            }
        }
    }
}
