// Would int8 tiles beat dequantized tiles + sgemm for prefill on AVX2 (no VNNI)? One core, operands in cache:
// a Q8_0 x Q8_0 micro-kernel (per 32-weight block and pair: maddubs + madd, convert, and an
// FMA with the two block scales' product; the scales converted to floats once, outside the timing, as a
// real kernel would per tile), against OpenBLAS sgemm on the same shapes (the work the prefill path does after
// dequantizing). Prints GFLOP/s (2 flops per multiply-add).
//
//   K=Sources/CKernels
//   clang -O3 -I$K/include -I$K tools/bench/int8_tile.c $K/dot.c $K/interleaved.c $K/convert.c $K/ops.c \
//       -lopenblas -lm -lpthread -o /tmp/int8_tile
//   OPENBLAS_NUM_THREADS=1 /tmp/int8_tile
//
// (Debian's cblas.h: add -I/usr/include/x86_64-linux-gnu/openblas-pthread.) Results: BENCHMARKS.md.
#define _GNU_SOURCE
#include "ckernels.h"
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))
// tokens x rows per micro-tile (-DMR= -DNR=; MR must divide TOKENS and NR ROWS): 8 x 1 was the fastest of
// 4x2, 8x1, 2x2 and 2x4
#ifndef MR
#define MR 8
#endif
#ifndef NR
#define NR 1
#endif
enum { K = 4096, NB = K / 32, TOKENS = 64, ROWS = 64 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

AVX2 static inline float hsum(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

// C[m][n] for MR tokens x NR rows; da[m][b], dw[n][b]: the blocks' scales as floats
AVX2 static void tile(const gk_block_q8_0 *const *a, const gk_block_q8_0 *const *w, const float *const *da,
                      const float *const *dw, float *c, int64_t ldc) {
    __m256 acc[MR][NR];
    for (int m = 0; m < MR; m++)
        for (int n = 0; n < NR; n++) acc[m][n] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int b = 0; b < NB; b++) {
        __m256i wq[NR], wabs[NR];
        __m256 ws[NR];
        for (int n = 0; n < NR; n++) {
            wq[n] = _mm256_loadu_si256((const __m256i *)w[n][b].qs);
            wabs[n] = _mm256_sign_epi8(wq[n], wq[n]);
            ws[n] = _mm256_broadcast_ss(dw[n] + b);
        }
        for (int m = 0; m < MR; m++) {
            const __m256i aq = _mm256_loadu_si256((const __m256i *)a[m][b].qs);
            const __m256 as = _mm256_broadcast_ss(da[m] + b);
            for (int n = 0; n < NR; n++) {
                const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs[n], _mm256_sign_epi8(aq, wq[n])), ones);
                acc[m][n] = _mm256_fmadd_ps(_mm256_mul_ps(as, ws[n]), _mm256_cvtepi32_ps(p), acc[m][n]);
            }
        }
    }
    for (int m = 0; m < MR; m++)
        for (int n = 0; n < NR; n++) c[m * ldc + n] = hsum(acc[m][n]);
}

int main(void) {
    float *wf = malloc(sizeof(float) * ROWS * K), *af = malloc(sizeof(float) * TOKENS * K);
    gk_block_q8_0 *wq = malloc(sizeof(gk_block_q8_0) * ROWS * NB), *aq = malloc(sizeof(gk_block_q8_0) * TOKENS * NB);
    float *wscale = malloc(sizeof(float) * ROWS * NB), *ascale = malloc(sizeof(float) * TOKENS * NB);
    float *c = malloc(sizeof(float) * TOKENS * ROWS);
    float *cref = malloc(sizeof(float) * TOKENS * ROWS), *wd = malloc(sizeof(float) * ROWS * K);
    if (!wf || !af || !wq || !aq || !wscale || !ascale || !c || !cref || !wd) return 1;
    for (int i = 0; i < ROWS * K; i++) wf[i] = (float)((i * 7919) % 2001 - 1000) * 1e-3f;
    for (int i = 0; i < TOKENS * K; i++) af[i] = (float)((i * 104729) % 2003 - 1001) * 1e-3f;
    gk_quantize_q8_0(wf, wq, (int64_t)ROWS * K);
    gk_quantize_q8_0(af, aq, (int64_t)TOKENS * K);
    gk_dequantize_rows(GK_TYPE_Q8_0, wq, K, wd, 0, ROWS);
    for (int i = 0; i < ROWS * NB; i++) wscale[i] = gk_fp16_to_fp32(wq[i].d);
    for (int i = 0; i < TOKENS * NB; i++) ascale[i] = gk_fp16_to_fp32(aq[i].d);
    const double flops = 2.0 * TOKENS * ROWS * K;
    double best_int8 = 0, best_sgemm = 0;
    for (int rep = 0; rep < 20; rep++) {
        double t0 = now();
        for (int m0 = 0; m0 < TOKENS; m0 += MR)
            for (int n0 = 0; n0 < ROWS; n0 += NR) {
                const gk_block_q8_0 *a[MR], *w[NR];
                const float *da[MR], *dw[NR];
                for (int m = 0; m < MR; m++) a[m] = aq + (m0 + m) * NB, da[m] = ascale + (m0 + m) * NB;
                for (int n = 0; n < NR; n++) w[n] = wq + (n0 + n) * NB, dw[n] = wscale + (n0 + n) * NB;
                tile(a, w, da, dw, c + m0 * ROWS + n0, ROWS);
            }
        const double t_int8 = now() - t0;
        t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TOKENS, ROWS, K, 1, af, K, wd, K, 0, cref, ROWS);
        const double t_sgemm = now() - t0;
        if (flops / t_int8 > best_int8) best_int8 = flops / t_int8;
        if (flops / t_sgemm > best_sgemm) best_sgemm = flops / t_sgemm;
    }
    // the same product over the 8-bit activations, in floats: the int8 tiles must give it to float rounding
    gk_dequantize_rows(GK_TYPE_Q8_0, aq, K, af, 0, TOKENS);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, TOKENS, ROWS, K, 1, af, K, wd, K, 0, cref, ROWS);
    double err = 0, mag = 0;
    for (int i = 0; i < TOKENS * ROWS; i++) err = fmax(err, fabs(c[i] - cref[i])), mag = fmax(mag, fabs(cref[i]));
    printf("%d tokens x %d rows x %d, one thread: int8 tiles %.1f GFLOP/s, sgemm %.1f GFLOP/s (max |diff| %.3g of "
           "%.3g)\n", TOKENS, ROWS, K, best_int8 / 1e9, best_sgemm / 1e9, err, mag);
    return 0;
}
