// The interleaved types in the kernel checks: the dispatched matrix-vector kernel over the interleaved rows,
// against the portable dot products of the plain rows they were made from, for row ranges that cut groups.
#ifndef CHECK_X8_H
#define CHECK_X8_H
#include "check_random.h"
#include "ckernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Returns the number of failures. print_bits: print every result's bits (to compare paths). same_as_rows:
// each result must also equal the dispatched plain-row dot product (gk_dot_row) bit for bit.
static int check_interleaved(int print_bits, int same_as_rows) {
    const int64_t widths[] = {32, 96, 2080, 4096, 16384}, rows = 16, r0 = 3, r1 = 13;
    int failures = 0;
    for (int t = 0; t < 10; t++) {
        const int q8 = t >= 5, type = q8 ? GK_TYPE_Q8_0_X8 : GK_TYPE_Q4_0_X8, plain_type = q8 ? GK_TYPE_Q8_0 : GK_TYPE_Q4_0;
        const int64_t n = widths[t % 5], nb = n / 32, row_bytes = nb * (q8 ? 34 : 18);
        float *w = malloc(sizeof(float) * (size_t)(n * rows)), *x = malloc(sizeof(float) * (size_t)n);
        float *wd = malloc(sizeof(float) * (size_t)n), *xd = malloc(sizeof(float) * (size_t)n);
        unsigned char *plain = malloc((size_t)(row_bytes * rows)), *grouped = malloc((size_t)(row_bytes * rows));
        unsigned char *xq = malloc((size_t)(nb * 34));
        for (int64_t i = 0; i < n * rows; i++) w[i] = 3 * uniform();
        for (int64_t i = 0; i < n; i++) x[i] = 2 * uniform();
        for (int64_t i = 0; i < 32; i++) w[i] = i % 2 ? 1.0f : -1.0f, x[i] = i % 3 ? -1.0f : 1.0f;  // extremes
        if (q8) gk_quantize_q8_0(w, plain, n * rows), gk_quantize_q8_0_x8(w, grouped, rows, n);
        else gk_quantize_q4_0(w, plain, n * rows), gk_quantize_q4_0_x8(w, grouped, rows, n);
        gk_quantize_q8_0(x, xq, n);
        gk_dequantize(GK_TYPE_Q8_0, xq, xd, n);
        float y[16];
        for (int r = 0; r < rows; r++) y[r] = NAN;
        gk_matvec_rows(type, grouped, n, x, xq, y, r0, r1);
        for (int64_t r = 0; r < rows; r++) {
            if (r < r0 || r >= r1) {
                if (!isnan(y[r])) printf("FAIL type %d n %lld row %lld outside the range was written\n", type, (long long)n, (long long)r), failures++;
                continue;
            }
            const unsigned char *row = plain + r * row_bytes;
            const float want = gk_dot_row_portable(plain_type, row, x, xq, n);
            // float sums in another order drift with the sums formed: for Q4_0 up to 16 |d_w| per weight before
            // its offset of 8 is taken off (a block's largest weight is 8 |d_w|); for Q8_0 the products
            gk_dequantize(plain_type, row, wd, n);
            double bound = 0;
            for (int64_t b = 0; b < nb; b++) {
                double amax = 0, xs = 0;
                for (int64_t i = b * 32; i < b * 32 + 32; i++) amax = fmax(amax, fabs(wd[i])), xs += fabs(xd[i]);
                bound += q8 ? amax * xs : 2 * amax * xs;
            }
            if (!(fabs((double)y[r] - want) <= 1e-6 * (1 + bound))) {
                printf("FAIL type %d n %lld row %lld: %.9g vs portable %.9g\n", type, (long long)n, (long long)r, y[r], want);
                failures++;
            }
            if (same_as_rows && y[r] != gk_dot_row(plain_type, row, x, xq, n)) {
                printf("FAIL type %d n %lld row %lld: %.9g differs from the plain row's %.9g\n", type, (long long)n,
                       (long long)r, y[r], gk_dot_row(plain_type, row, x, xq, n));
                failures++;
            }
            if (print_bits) {
                uint32_t bits;
                memcpy(&bits, &y[r], 4);
                printf("%d %lld %lld %08x\n", type, (long long)n, (long long)r, bits);
            }
        }
        free(w), free(x), free(wd), free(xd), free(plain), free(grouped), free(xq);
    }
    return failures;
}
#endif
