// The AVX-512 VNNI decode kernels checked on any AVX2 CPU: built by tools/check/vnni.sh with GK_SIMDE_VNNI
// (SIMDe's portable vpdpbusd stands in), this prints the dispatched matrix-vector results bit for bit for the
// path GLIMPSE_KERNELS picks, after checking them against the portable dot products. The script runs it on the
// "vnni" and "avx2" paths and requires identical output: VNNI must change no bit of any result. The interleaved
// types' kernels are checked the same way.
#include "check_random.h"
#include "check_x8.h"
#include "ckernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    printf("path %s\n", gk_cpu_path());
    const int types[] = {GK_TYPE_Q4_0, GK_TYPE_Q8_0};
    const int64_t widths[] = {32, 96, 2080, 4096, 16384};
    const int64_t rows = 7;
    int failures = 0;
    for (int t = 0; t < 2; t++)
        for (int c = 0; c < 5; c++) {
            const int64_t n = widths[c], block = types[t] == GK_TYPE_Q4_0 ? 18 : 34;
            const int64_t row_bytes = n / 32 * block;
            float *w = malloc(sizeof(float) * (size_t)(n * rows)), *x = malloc(sizeof(float) * (size_t)n);
            unsigned char *wq = malloc((size_t)(row_bytes * rows)), *xq = malloc((size_t)(n / 32 * 34));
            float y[7];
            for (int64_t i = 0; i < n * rows; i++) w[i] = 3 * uniform();
            for (int64_t i = 0; i < n; i++) x[i] = 2 * uniform();
            // a block of extremes: -128 and 127 in Q8_0, 0 and 15 nibbles in Q4_0
            for (int64_t i = 0; i < 32; i++) w[i] = i % 2 ? 1.0f : -1.0f, x[i] = i % 3 ? -1.0f : 1.0f;
            for (int64_t r = 0; r < rows; r++) {
                if (types[t] == GK_TYPE_Q4_0) gk_quantize_q4_0(w + r * n, wq + r * row_bytes, n);
                else gk_quantize_q8_0(w + r * n, wq + r * row_bytes, n);
            }
            gk_quantize_q8_0(x, xq, n);
            gk_matvec_rows(types[t], wq, n, x, xq, y, 0, rows);  // rows in pairs, the last alone
            float *wd = malloc(sizeof(float) * (size_t)n), *xd = malloc(sizeof(float) * (size_t)n);
            gk_dequantize(GK_TYPE_Q8_0, xq, xd, n);
            for (int64_t r = 0; r < rows; r++) {
                const float want = gk_dot_row_portable(types[t], wq + r * row_bytes, x, xq, n);
                // float sums in another order drift with the sum of the products' magnitudes
                double magnitude = 0;
                gk_dequantize(types[t], wq + r * row_bytes, wd, n);
                for (int64_t i = 0; i < n; i++) magnitude += fabs((double)wd[i] * xd[i]);
                if (!(fabs((double)y[r] - want) <= 1e-6 * (1 + magnitude))) {
                    printf("FAIL type %d n %lld row %lld: %.9g vs portable %.9g\n", types[t], (long long)n,
                           (long long)r, y[r], want);
                    failures++;
                }
                uint32_t bits;
                memcpy(&bits, &y[r], 4);
                printf("%d %lld %lld %08x\n", types[t], (long long)n, (long long)r, bits);
            }
            free(w), free(x), free(wq), free(xq), free(wd), free(xd);
        }
    failures += check_interleaved(1, 0);
    return failures ? 1 : 0;
}
