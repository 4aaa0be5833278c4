// The NEON row dot products checked against the portable C ones on AArch64 (under qemu-aarch64 on any
// machine: tools/check/neon.sh). Prints the path taken and fails on any result outside float rounding, or
// (the interleaved types) any that differs from the plain rows' NEON results.
#include "check_random.h"
#include "check_x8.h"
#include "ckernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    printf("path %s\n", gk_cpu_path());
    const int types[] = {GK_TYPE_F32, GK_TYPE_F16, GK_TYPE_Q8_0, GK_TYPE_Q4_0};
    const int64_t widths[] = {32, 64, 96, 224, 4096};
    int failures = 0, checked = 0;
    for (int t = 0; t < 4; t++)
        for (int c = 0; c < 5; c++)
            for (int seed = 0; seed < 10; seed++) {
                const int type = types[t];
                const int64_t n = widths[c] + (type == GK_TYPE_F32 || type == GK_TYPE_F16 ? seed % 7 : 0);  // odd tails
                float *w = malloc(sizeof(float) * (size_t)n), *x = malloc(sizeof(float) * (size_t)n);
                float *wd = malloc(sizeof(float) * (size_t)n), *xd = malloc(sizeof(float) * (size_t)n);
                unsigned char *row = malloc((size_t)n * 4), *xq = malloc((size_t)(n / 32 + 1) * 34);
                for (int64_t i = 0; i < n; i++) w[i] = 3 * uniform(), x[i] = 2 * uniform();
                if (seed == 0)  // extremes: +-127 activations against the largest weights
                    for (int64_t i = 0; i < n; i++) w[i] = i % 2 ? 1.0f : -1.0f, x[i] = i % 3 ? -1.0f : 1.0f;
                switch (type) {
                case GK_TYPE_F32: memcpy(row, w, sizeof(float) * (size_t)n); break;
                case GK_TYPE_F16: gk_to_f16_portable(w, (uint16_t *)row, n); break;
                case GK_TYPE_Q8_0: gk_quantize_q8_0_portable(w, row, n); break;
                default: gk_quantize_q4_0(w, row, n); break;
                }
                const void *xq8 = NULL;
                if (type == GK_TYPE_Q8_0 || type == GK_TYPE_Q4_0) {
                    gk_quantize_q8_0_portable(x, xq, n);
                    gk_dequantize(GK_TYPE_Q8_0, xq, xd, n);
                    xq8 = xq;
                } else {
                    memcpy(xd, x, sizeof(float) * (size_t)n);
                }
                gk_dequantize(type, row, wd, n);
                double magnitude = 0;  // float sums in another order drift with the products' magnitudes
                for (int64_t i = 0; i < n; i++) magnitude += fabs((double)wd[i] * xd[i]);
                const float got = gk_dot_row(type, row, x, xq8, n);
                const float want = gk_dot_row_portable(type, row, x, xq8, n);
                checked++;
                if (!(fabs((double)got - want) <= 1e-6 * (1 + magnitude))) {
                    printf("FAIL type %d n %lld seed %d: %.9g vs portable %.9g\n", type, (long long)n, seed, got, want);
                    failures++;
                }
                free(w), free(x), free(wd), free(xd), free(row), free(xq);
            }
    const int x8_failures = check_interleaved(0, 1);  // 8 rows at a time: the NEON row kernel's bits
    printf("%d of %d dot products outside float rounding; interleaved types: %d failures\n", failures, checked, x8_failures);
    return failures || x8_failures ? 1 : 0;
}
