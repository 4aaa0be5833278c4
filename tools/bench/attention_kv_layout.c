// What the KV cache's layout costs a decoding step's attention: GPT-J-6B shapes (28 layers, 16 heads x 256),
// F16 keys and values at N positions, laid out position-major (all heads of a position side by side, stride
// 4096) or head-major (each head's rows contiguous, stride 256, as Glimpse's KVCache keeps them). One thread,
// gk_attend head after head; a 256 MB read between tokens evicts the caches as the weights would.
//
//   K=Sources/CKernels
//   cc -O2 -I$K/include -I$K tools/bench/attention_kv_layout.c $K/attention.c $K/dot.c $K/convert.c -lm -o /tmp/kvl
//   /tmp/kvl 184
//
// Result on this VM (BENCHMARKS.md): at 184 positions, means of 12.7-21.1 ms per token position-major, 8.5-11.4
// head-major.
#include "ckernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    const int L = 28, H = 16, HD = 256, D = H * HD, cap = 2048;
    int npos = argc > 1 ? atoi(argv[1]) : 184;
    uint16_t **k = malloc(L * sizeof *k), **v = malloc(L * sizeof *v);
    for (int l = 0; l < L; l++) {
        k[l] = aligned_alloc(64, (size_t)cap * D * 2); v[l] = aligned_alloc(64, (size_t)cap * D * 2);
        for (size_t i = 0; i < (size_t)cap * D; i++) { k[l][i] = 0x3c00 ^ (i & 0xff); v[l][i] = 0x3800 ^ (i & 0x7f); }
    }
    float q[D], out[D], scores[4096];
    for (int i = 0; i < D; i++) q[i] = (i % 7) * 0.01f;
    // a buffer the size of L3 and more, read between tokens, so the cache is evicted as the weights would
    size_t flush_n = 256u << 20; char *flush = malloc(flush_n); memset(flush, 1, flush_n);
    for (int layout = 0; layout < 2; layout++) {
        double best = 1e9, total = 0; int reps = 8;
        for (int r = 0; r < reps; r++) {
            volatile long s = 0; for (size_t i = 0; i < flush_n; i += 64) s += flush[i];
            double t0 = now();
            for (int l = 0; l < L; l++)
                for (int h = 0; h < H; h++) {
                    const uint16_t *kh = layout == 0 ? k[l] + h * HD : k[l] + (size_t)h * cap * HD;
                    const uint16_t *vh = layout == 0 ? v[l] + h * HD : v[l] + (size_t)h * cap * HD;
                    gk_attend(q + h * HD, kh, vh, GK_TYPE_F16, layout == 0 ? D : HD, npos, HD, 0.0625f, scores, out + h * HD);
                }
            double t = now() - t0; total += t; if (t < best) best = t;
        }
        printf("%s positions %d: best %.2f ms, mean %.2f ms per token (%.0f MB of K and V)\n",
               layout == 0 ? "position-major" : "head-major    ", npos, best * 1e3, total / reps * 1e3,
               2.0 * L * npos * D * 2 / 1e6);
    }
    return 0;
}
